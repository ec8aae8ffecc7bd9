"""Budget: envelopes and ceilings typed the French way, spending by source, rules, the two plans."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from prioritisation.french import format_amounts, format_euros, format_percent, parse_number
from prioritisation.planning.funding import SOURCE_LABELS, SOURCES, RegionCategory, own_share_basis
from prioritisation.planning.plan import Plan
from prioritisation.planning.portfolio import Selection
from ui import data, state
from ui.blocked import plan_or_why, ranking_or_why, total_points, wait_for_optimal
from ui.charts import cumulative_chart, frontier_chart, opex_chart, spending_chart
from ui.guard import page_guard
from ui.navigation import through_the_app
from ui.pager import page_of_rows
from ui.tables import escape_markdown, shown

through_the_app()  # a page Streamlit ran on its own goes back through app.py

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
    form = state.plan_form()
    values = [form.envelope_typed(year) for year in years]
    return pd.DataFrame(
        {TYPED: values, READ: [read_back(value) for value in values]},
        index=pd.Index([str(year) for year in years], name="Année"),
        dtype=object,
    )


def on_envelopes() -> None:
    edited = state.widget_value(state.editor_key() + "_enveloppes")
    changes = edited.get("edited_rows", {}) if isinstance(edited, dict) else {}
    form = state.plan_form()
    years = form.years
    for row, columns in changes.items():
        if TYPED in columns and row < len(years):
            form = form.with_envelope(years[row], str(columns[TYPED] or ""))
    state.set_plan_form(form)


def ceiling_table() -> pd.DataFrame:
    form = state.plan_form()
    rows = [form.ceiling_typed(source) for source in SOURCES]
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
    form = state.plan_form()
    for row, columns in changes.items():
        source = SOURCES[row]
        total, yearly = form.ceiling_typed(source)
        form = form.with_ceiling(
            source, str(columns.get(TOTAL, total) or ""), str(columns.get(YEARLY, yearly) or "")
        )
    state.set_plan_form(form)


def on_own_share() -> None:
    state.update_plan_form(own_share_percent=int(state.widget_value("budget_part_propre")))


def on_region() -> None:
    state.update_plan_form(region=RegionCategory[str(state.widget_value("budget_region"))])


def inputs_section() -> None:
    form = state.plan_form()
    left, right = st.columns([1, 2])
    with left:
        st.subheader("Enveloppes d'investissement")
        st.caption(
            "Montant par année, à la française (« 300 000 », « 1,2 M€ ») ; vide = année non plafonnée."
        )
        st.data_editor(
            envelope_table(form.years),
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
        rules = st.columns(2)
        rules[0].radio(
            "Part propre minimale du maître d'ouvrage",
            [20, 30],
            index=[20, 30].index(form.own_share_percent) if form.own_share_percent in (20, 30) else 0,
            format_func=lambda share: f"{share} % du financement public : {own_share_basis(share / 100)}",
            key="budget_part_propre",
            on_change=on_own_share,
        )
        rules[0].toggle(
            "Collectivité d'outre-mer exemptée de part minimale (CGCT L1111-10 III)",
            value=form.overseas,
            key="budget_outre_mer",
            on_change=on_overseas,
        )
        categories = [category.name for category in RegionCategory]
        rules[1].selectbox(
            "Catégorie de la région (taux FEDER 2021-2027, règlement (UE) 2021/1060, art. 112)",
            categories,
            index=categories.index(form.region.name),
            format_func=lambda name: RegionCategory[name].label,
            key="budget_region",
            on_change=on_region,
        )
        rules[1].text_input(
            "Taux FEDER fixé par la Région pour vos opérations (%, facultatif)",
            value=form.feder_rate,
            key="budget_taux_feder",
            on_change=on_feder_rate,
            help="La Région fixe le taux de chaque opération dans la limite de sa catégorie : un "
            "dépassement est signalé « à vérifier avec la Région », pas comme une erreur.",
        )


def on_overseas() -> None:
    state.update_plan_form(overseas=bool(state.widget_value("budget_outre_mer")))


def on_feder_rate() -> None:
    state.update_plan_form(feder_rate=str(state.widget_value("budget_taux_feder") or ""))


FUNDING_ROWS = 200


def funding_table(plan: Plan) -> pd.DataFrame:
    """Each project's funding plan and own share; the projects that break a rule first."""
    projects = plan.ranking.inventory.projects
    retained = {p.work.id for p in plan.calendar.retained}
    ids = [str(work_id) for work_id in projects["id"]]
    checks = plan.funding
    table = pd.DataFrame(
        {
            "Identifiant": [shown(work_id) for work_id in ids],
            "Projet": [shown(title) for title in projects["title"]],
            "Retenu": ["oui" if work_id in retained else "non" for work_id in ids],
            "Coût": format_amounts([check.cost for check in checks]),
            "Financement public": format_amounts([check.public for check in checks]),
            "Autofinancement": format_amounts([check.amounts["own_funds"] for check in checks]),
            "Part propre": [
                format_percent(check.own_share, 1) if check.public > 0 else "—" for check in checks
            ],
            "Conforme": [check.status for check in checks],
            "Remarque": [" ; ".join(check.problems) for check in checks],
        }
    )
    return table.sort_values("Conforme", key=lambda column: column != "non", kind="stable")


def comparison_section(plan: Plan) -> None:
    st.subheader("Ordre du classement ou portefeuille optimal")
    best = data.plan(Selection.OPTIMAL)
    if isinstance(best, data.Waiting):
        wait_for_optimal(Selection.OPTIMAL)
        return
    if not isinstance(best, Plan):
        return
    ranked, optimal = best.by_ranking, best.chosen
    columns = st.columns(2)
    for column, portfolio, title in (
        (columns[0], ranked, "Ordre du classement"),
        (columns[1], optimal, "Optimal"),
    ):
        column.metric(f"{title} : projets retenus", len(portfolio.calendar.retained))
        column.metric(f"{title} : score total", total_points(portfolio.total_score))
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
    if by_year.to_numpy().sum() > 0:
        charts[0].plotly_chart(spending_chart(by_year, envelopes), width="stretch", config=config)
        charts[1].plotly_chart(cumulative_chart(by_year, envelopes), width="stretch", config=config)
    else:
        st.info(
            "Aucune dépense d'investissement dans le plan : l'inventaire ne donne pas de coût, ou "
            "aucun projet n'est retenu.",
            icon=":material/info:",
        )
    with st.expander("Les dépenses par année et par source en tableau"):
        st.dataframe(spending_table(by_year, envelopes), width="stretch")
    opex = plan.calendar.opex_by_year.sum(axis=0)
    if opex.sum() > 0:
        st.plotly_chart(opex_chart(plan.settings.years, opex), width="stretch", config=config)
    else:
        st.caption(
            "Pas de graphique des coûts de fonctionnement : l'inventaire n'en donne aucun pour les "
            "projets retenus (colonne « Coût de fonctionnement annuel »)."
        )
    for note in (*plan.duration_notes(), *plan.adjustments()):
        st.caption(escape_markdown(note))
    st.subheader("Plans de financement et part propre")
    table = data.remember_table("financements", plan, lambda: funding_table(plan))
    st.caption("Les projets qui ne respectent pas une règle viennent en premier.")
    st.dataframe(
        table.iloc[page_of_rows(len(table), FUNDING_ROWS, "budget_page")], hide_index=True, width="stretch"
    )
    comparison_section(plan)


def spending_table(by_year: pd.DataFrame, envelopes: dict[int, float]) -> pd.DataFrame:
    """The charts' figures: spending per year and source, the total and the envelope."""
    table = pd.DataFrame(
        {source: format_amounts(by_year[source].tolist()) for source in by_year.columns},
        index=pd.Index([str(year) for year in by_year.index], name="Année"),
    )
    table["Total"] = format_amounts(by_year.sum(axis=1).tolist())
    table["Enveloppe"] = [
        format_euros(envelopes[year]) if year in envelopes else "non plafonnée" for year in by_year.index
    ]
    return table


st.title("Budget")
with page_guard("Budget"):
    if ranking_or_why("Le budget") is not None:
        inputs_section()
        planned = plan_or_why()
        if planned is not None:
            budget_section(planned)
