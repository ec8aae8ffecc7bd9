"""Budget: envelopes and ceilings typed the French way, spending by source, rules, the two plans."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from prioritisation.french import format_euros, format_number, format_percent, parse_number
from prioritisation.planning.funding import SOURCE_LABELS, SOURCES, RegionCategory
from prioritisation.planning.plan import Plan
from prioritisation.planning.portfolio import Selection
from prioritisation.ranking.priorities import CannotRank
from ui import data, state
from ui.blocked import show_blocked, show_errors
from ui.charts import cumulative_chart, frontier_chart, opex_chart, spending_chart
from ui.guard import page_guard

TYPED, READ = "Montant saisi", "Lu comme"
TOTAL, YEARLY = "Plafond sur le plan", "Plafond annuel"


def read_back(typed: str) -> str:
    """How a typed amount is read, shown next to it so a wrong figure is seen at once."""
    if not typed.strip():
        return "—"
    amount = parse_number(typed)
    return (
        "illisible"
        if amount is None or amount < 0
        else format_euros(amount, 0 if float(amount).is_integer() else 2)
    )


def envelope_table(years: tuple[int, ...]) -> pd.DataFrame:
    typed = state.envelopes_typed()
    values = [typed.get(year, "") for year in years]
    return pd.DataFrame(
        {TYPED: values, READ: [read_back(value) for value in values]},
        index=pd.Index([str(year) for year in years], name="Année"),
        dtype=object,
    )


def on_envelopes() -> None:
    edited = state.widget_value(state.editor_key() + "_enveloppes")
    changes = edited.get("edited_rows", {}) if isinstance(edited, dict) else {}
    years = data.plan_inputs().settings.years if data.plan_inputs().settings else ()
    typed = state.envelopes_typed()
    for row, columns in changes.items():
        if TYPED in columns and row < len(years):
            typed[years[row]] = str(columns[TYPED] or "")
    state.set_envelopes_typed(typed)


def ceiling_table() -> pd.DataFrame:
    typed = state.ceilings_typed()
    rows = [typed.get(source, ("", "")) for source in SOURCES]
    return pd.DataFrame(
        {
            TOTAL: [total for total, _ in rows],
            f"{TOTAL} (lu)": [read_back(total) for total, _ in rows],
            YEARLY: [yearly for _, yearly in rows],
            f"{YEARLY} (lu)": [read_back(yearly) for _, yearly in rows],
        },
        index=pd.Index([SOURCE_LABELS[source] for source in SOURCES], name="Source"),
        dtype=object,
    )


def on_ceilings() -> None:
    edited = state.widget_value(state.editor_key() + "_plafonds")
    changes = edited.get("edited_rows", {}) if isinstance(edited, dict) else {}
    typed = state.ceilings_typed()
    for row, columns in changes.items():
        source = SOURCES[row]
        total, yearly = typed.get(source, ("", ""))
        typed[source] = (str(columns.get(TOTAL, total) or ""), str(columns.get(YEARLY, yearly) or ""))
    state.set_ceilings_typed(typed)


def on_rule(name: str, key: str) -> None:
    state.set_plan_choice(name, state.widget_value(key))


def inputs_section() -> None:
    settings = data.plan_inputs().settings
    years = settings.years if settings else ()
    left, right = st.columns([1, 2])
    with left:
        st.subheader("Enveloppes d'investissement")
        st.caption(
            "Montant par année, à la française (« 300 000 », « 1,2 M€ ») ; vide = année non plafonnée."
        )
        st.data_editor(
            envelope_table(years),
            key=state.editor_key() + "_enveloppes",
            on_change=on_envelopes,
            disabled=[READ],
            num_rows="fixed",
            width="stretch",
        )
    with right:
        st.subheader("Plafonds par source (facultatifs)")
        st.data_editor(
            ceiling_table(),
            key=state.editor_key() + "_plafonds",
            on_change=on_ceilings,
            disabled=[f"{TOTAL} (lu)", f"{YEARLY} (lu)"],
            num_rows="fixed",
            width="stretch",
        )
        choices = state.plan_choices()
        rules = st.columns(2)
        rules[0].radio(
            "Part propre minimale (CGCT L1111-10)",
            [20, 30],
            index=[20, 30].index(int(choices["own_share"])),  # type: ignore[call-overload]
            format_func=lambda share: f"{share} % du financement public",
            key="budget_part_propre",
            on_change=on_rule,
            args=("own_share", "budget_part_propre"),
        )
        categories = [category.name for category in RegionCategory]
        rules[1].selectbox(
            "Catégorie de la région (plafond FEDER)",
            categories,
            index=categories.index(str(choices["region"])),
            format_func=lambda name: (
                f"Région {RegionCategory[name].value} : "
                f"{format_percent(RegionCategory[name].feder_max_share)} au plus"
            ),
            key="budget_region",
            on_change=on_rule,
            args=("region", "budget_region"),
        )


def funding_table(plan: Plan) -> pd.DataFrame:
    projects = plan.ranking.inventory.projects
    retained = {p.work.id for p in plan.calendar.retained}
    rows = []
    for position, check in enumerate(plan.funding):
        work_id = str(projects["id"].iloc[position])
        rows.append(
            {
                "Identifiant": work_id,
                "Projet": projects["title"].iloc[position],
                "Retenu": "oui" if work_id in retained else "non",
                "Coût": format_euros(check.cost),
                "Financement public": format_euros(check.public),
                "Autofinancement": format_euros(check.amounts["own_funds"]),
                "Part propre": format_percent(check.own_share, 1) if check.public > 0 else "—",
                "Conforme": "dérogation" if check.exempt else ("oui" if check.compliant else "non"),
                "Remarque": " ; ".join(check.problems),
            }
        )
    return pd.DataFrame(rows)


def comparison_section(plan: Plan) -> None:
    best = data.plan(Selection.OPTIMAL)
    if not isinstance(best, Plan):
        return
    ranked, optimal = best.by_ranking, best.chosen
    st.subheader("Ordre du classement ou portefeuille optimal")
    columns = st.columns(2)
    for column, portfolio, title in (
        (columns[0], ranked, "Ordre du classement"),
        (columns[1], optimal, "Optimal"),
    ):
        column.metric(f"{title} : projets retenus", len(portfolio.calendar.retained))
        column.metric(f"{title} : score total", format_number(portfolio.total_score, 2))
        column.caption(portfolio.gap_text() if portfolio is optimal else "ce que le tableau suggère")
    differing = best.differences()
    if differing:
        in_ranked = {p.work.id for p in ranked.calendar.retained}
        in_optimal = {p.work.id for p in optimal.calendar.retained}
        titles = dict(
            zip(best.ranking.inventory.projects["id"], best.ranking.inventory.projects["title"], strict=True)
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Identifiant": differing,
                    "Projet": [titles[i] for i in differing],
                    "Ordre du classement": ["retenu" if i in in_ranked else "reporté" for i in differing],
                    "Optimal": ["retenu" if i in in_optimal else "reporté" for i in differing],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("Les deux sélections retiennent les mêmes projets.")
    if st.toggle("Montrer le meilleur score atteignable selon le budget (frontière)", key="budget_frontiere"):
        points = data.efficient_frontier(best)
        envelope_total = sum(amount for _, amount in plan.settings.envelopes) or None
        current = (envelope_total, optimal.total_score) if envelope_total else None
        st.plotly_chart(frontier_chart(points, current), width="stretch", config={"displaylogo": False})


def budget_section(plan: Plan) -> None:
    by_year = plan.by_year()
    envelopes = dict(plan.settings.envelopes)
    for breach in plan.ceilings:
        st.warning(f"Plafond dépassé : {breach}", icon=":material/warning:")
    charts = st.columns(2)
    config = {"displaylogo": False, "displayModeBar": False}
    charts[0].plotly_chart(spending_chart(by_year, envelopes), width="stretch", config=config)
    charts[1].plotly_chart(cumulative_chart(by_year, envelopes), width="stretch", config=config)
    st.plotly_chart(
        opex_chart(plan.settings.years, plan.calendar.opex_by_year.sum(axis=0)),
        width="stretch",
        config=config,
    )
    st.subheader("Plans de financement et part propre")
    st.dataframe(funding_table(plan), hide_index=True, width="stretch")
    comparison_section(plan)


st.title("Budget")
with page_guard("Budget"):
    outcome = data.ranking()
    if isinstance(outcome, CannotRank):
        show_blocked(
            "Le budget attend un classement : l'inventaire contient des erreurs.",
            outcome.problems,
        )
    else:
        inputs_section()
        planned = data.plan()
        if isinstance(planned, data.PlanInputs):
            show_errors(planned.errors)
        elif isinstance(planned, Plan):
            budget_section(planned)
