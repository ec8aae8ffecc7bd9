"""Long lists shown a page at a time: a person reads forty Gantt rows, not twenty thousand."""

from __future__ import annotations

import math

import streamlit as st

from prioritisation.french import format_number


def page_of_rows(total: int, size: int, key: str, noun: str = "projets") -> slice:
    """The rows of the page the user chose (all of them when they fit on one), and a caption
    saying which are shown."""
    if total <= size:
        return slice(0, total)
    pages = math.ceil(total / size)
    page = int(
        st.number_input(f"Page (sur {format_number(pages)})", min_value=1, max_value=pages, step=1, key=key)
    )
    first, last = (page - 1) * size, min(page * size, total)
    st.caption(
        f"{noun.capitalize()} {format_number(first + 1)} à {format_number(last)} sur {format_number(total)}."
    )
    return slice(first, last)
