"""What a page shows when the inventory's errors prevent its work: the errors, and where to fix them."""

from __future__ import annotations

import streamlit as st

from prioritisation.problems import Problem
from ui.navigation import page_of
from ui.tables import escape_markdown, problems_table


def show_blocked(message: str, problems: list[Problem]) -> None:
    st.error(message, icon=":material/error:")  # our own words
    st.dataframe(problems_table(problems), hide_index=True, width="stretch")
    spec = page_of("Inventaire")
    st.page_link(spec.script, label="Aller à l'Inventaire", icon=spec.icon)


def show_errors(messages: tuple[str, ...]) -> None:
    for message in messages:
        st.error(escape_markdown(message), icon=":material/error:")  # may quote what the user typed
