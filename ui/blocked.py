"""What a page shows when it cannot do its work: the errors, and where to fix them."""

from __future__ import annotations

import streamlit as st

from prioritisation.french import format_number
from prioritisation.planning.plan import Plan
from prioritisation.planning.portfolio import Selection
from prioritisation.problems import Problem, group_problems
from prioritisation.ranking.priorities import CannotRank, Ranking
from ui import data, state
from ui.navigation import page_of
from ui.tables import escape_markdown, groups_table


def show_blocked(message: str, problems: list[Problem]) -> None:
    st.error(message, icon=":material/error:")  # our own words
    st.dataframe(groups_table(group_problems(problems)), hide_index=True, width="stretch")
    rows = data.rows_in_error()
    if rows and not state.reading().skip_error_rows:
        st.button(
            f"Classer sans les {format_number(rows)} ligne(s) en erreur",
            on_click=state.set_skip_error_rows,
            args=(True,),
            help="Les lignes écartées sont listées dans la page Inventaire et dans le classeur exporté ; "
            "l'interrupteur de la page Inventaire les reprend.",
        )
    spec = page_of("Inventaire")
    st.page_link(spec.script, label="Aller à l'Inventaire", icon=spec.icon)


def show_errors(messages: tuple[str, ...]) -> None:
    for message in messages:
        st.error(escape_markdown(message), icon=":material/error:")  # may quote what the user typed


def ranking_or_why(waiting: str) -> Ranking | None:
    """The session's ranking; or, shown on the page, why there is none (`waiting`: what waits)."""
    outcome = data.ranking()
    if isinstance(outcome, CannotRank):
        show_blocked(f"{waiting} attend un classement : l'inventaire contient des erreurs.", outcome.problems)
        return None
    if isinstance(outcome, data.Refusal):
        show_errors((outcome.message,))
        spec = page_of("Priorisation")
        st.page_link(spec.script, label="Choisir les critères et les poids", icon=spec.icon)
        return None
    return outcome


def total_points(total: float) -> str:
    """A plan's total score: the sum of the retained projects' scores, each on 100."""
    return f"{format_number(total * 100)} points"


@st.fragment(run_every=1.0)
def wait_for_optimal(selection: Selection | None = None, shown: int | None = None) -> None:
    """While the optimal portfolio is computed, say so (refreshed each second); draw the page
    again when a better plan is found (`shown`: the id of the plan the page drew) and when the
    search ends."""
    outcome = data.plan(selection)
    if not isinstance(outcome, data.Waiting) or (shown is not None and id(outcome.meanwhile) != shown):
        st.rerun(scope="app")
    pending = outcome.pending
    found = (
        "le meilleur plan trouvé jusqu'ici"
        if pending.partial is not None
        else "le plan dans l'ordre du classement"
    )
    st.info(
        f"Portefeuille optimal en cours de calcul ({format_number(pending.waited())} s, "
        f"{format_number(pending.expected)} s au plus) : la page montre {found} et se met à jour "
        "d'elle-même.",
        icon=":material/hourglass_top:",
    )


def plan_or_why() -> Plan | None:
    """The plan to draw: the session's, or — while the optimal portfolio is computed — the best
    found so far (with the notice that refreshes), or None once its errors are shown."""
    planned = data.plan()
    if isinstance(planned, data.PlanErrors):
        show_errors(planned.errors)
        return None
    if isinstance(planned, data.Waiting):
        wait_for_optimal(None, id(planned.meanwhile))
        return planned.meanwhile
    return planned if isinstance(planned, Plan) else None
