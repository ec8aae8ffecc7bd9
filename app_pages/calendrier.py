"""Calendrier: the phased plan as a Gantt chart, the postponed projects and why, the controls."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from prioritisation.french import MONTHS, format_number
from prioritisation.planning.plan import Plan
from prioritisation.planning.portfolio import Selection, StartGrid
from prioritisation.ranking.priorities import CannotRank
from ui import data, state
from ui.blocked import show_blocked, show_errors
from ui.charts import gantt_chart
from ui.guard import page_guard
from ui.tables import project_names

PHASES = ("Diagnostic", "Pilote", "Déploiement")
SELECTIONS = {
    Selection.RANKING.value: "Dans l'ordre du classement",
    Selection.OPTIMAL.value: "Portefeuille optimal",
}


def on_choice(name: str, key: str, convert: type = int) -> None:
    state.set_plan_choice(name, convert(state.widget_value(key)))


def on_start() -> None:
    month = MONTHS.index(str(state.widget_value("plan_mois"))) + 1
    state.set_plan_choice("start", dt.date(int(str(state.widget_value("plan_annee"))), month, 1))


def on_triple(name: str, prefix: str) -> None:
    state.set_plan_choice(name, tuple(int(state.widget_value(f"{prefix}_{i}") or 0) for i in range(3)))


def on_list(name: str, key: str) -> None:
    state.set_plan_choice(name, tuple(state.widget_value(key) or ()))


def triple_inputs(name: str, prefix: str, values: tuple[int, int, int], limits: tuple[int, int, int]) -> None:
    """One whole-number input per working phase (no decimal to misread)."""
    low, high, step = limits
    for i, (column, label) in enumerate(zip(st.columns(3), PHASES, strict=True)):
        column.number_input(
            label,
            low,
            high,
            int(values[i]),
            step=step,
            key=f"{prefix}_{i}",
            on_change=on_triple,
            args=(name, prefix),
        )


def project_list(column: object, label: str, name: str, key: str, ids: dict[str, str]) -> None:
    chosen = [work_id for work_id in state.plan_choices()[name] if work_id in ids]  # type: ignore[union-attr]
    column.multiselect(  # type: ignore[attr-defined]
        label,
        list(ids),
        default=chosen,
        format_func=ids.__getitem__,
        key=key,
        on_change=on_list,
        args=(name, key),
    )


def controls(ids: dict[str, str]) -> None:
    choices = state.plan_choices()
    start: dt.date = choices["start"]  # type: ignore[assignment]
    with st.expander("Réglages du plan", expanded=False):
        columns = st.columns(4)
        columns[0].selectbox(
            "Mois de début", MONTHS, index=start.month - 1, key="plan_mois", on_change=on_start
        )
        years = list(range(dt.date.today().year - 2, dt.date.today().year + 8))
        at = years.index(start.year) if start.year in years else 2
        columns[1].selectbox("Année de début", years, index=at, key="plan_annee", on_change=on_start)
        horizon = int(choices["horizon_years"])  # type: ignore[call-overload]
        columns[2].slider(
            "Horizon (années)",
            1,
            10,
            horizon,
            key="plan_horizon",
            on_change=on_choice,
            args=("horizon_years", "plan_horizon"),
        )
        capacity = int(choices["capacity"])  # type: ignore[call-overload]
        columns[3].number_input(
            "Projets menés de front (0 = sans limite)",
            0,
            200,
            capacity,
            step=1,
            key="plan_capacite",
            on_change=on_choice,
            args=("capacity", "plan_capacite"),
        )
        st.caption(
            "Durées par défaut des phases (mois), quand l'inventaire ne donne pas la durée du projet :"
        )
        triple_inputs("phase_months", "plan_duree", choices["phase_months"], (1, 120, 1))  # type: ignore[arg-type]
        st.caption("Part du coût d'investissement dépensée dans chaque phase (%, total 100) :")
        triple_inputs("cost_split", "plan_part", choices["cost_split"], (0, 100, 5))  # type: ignore[arg-type]
        lists = st.columns(2)
        project_list(lists[0], "Projets obligatoires", "must_do", "plan_obligatoires", ids)
        project_list(lists[1], "Projets exclus", "excluded", "plan_exclus", ids)
        grids = [grid.option for grid in StartGrid]
        st.radio(
            "Démarrages possibles pour le portefeuille optimal",
            grids,
            index=grids.index(str(choices["grid"])),
            format_func=lambda option: (
                next(g for g in StartGrid if g.option == option).label
                + (
                    " (plus rapide à prouver)"
                    if option == StartGrid.YEAR.option
                    else " (meilleurs plans, plus long)"
                )
            ),
            key="plan_grille",
            horizontal=True,
            on_change=on_choice,
            args=("grid", "plan_grille", str),
        )
    st.radio(
        "Sélection des projets",
        list(SELECTIONS),
        index=list(SELECTIONS).index(str(choices["selection"])),
        format_func=SELECTIONS.__getitem__,
        key="plan_selection",
        horizontal=True,
        on_change=on_choice,
        args=("selection", "plan_selection", str),
    )


def postponed_table(plan: Plan) -> pd.DataFrame:
    ranks = dict(zip(plan.ranking.inventory.projects["id"], plan.ranking.result.ranks, strict=True))
    rows = [
        {
            "Rang": int(ranks[p.work.id]),
            "Identifiant": p.work.id,
            "Projet": p.work.title,
            "Motif du report": p.reason,
        }
        for p in plan.calendar.placements
        if not p.retained
    ]
    return pd.DataFrame(rows, columns=["Rang", "Identifiant", "Projet", "Motif du report"]).sort_values(
        "Rang"
    )


def calendar_section(plan: Plan) -> None:
    ranking = plan.ranking
    projects = ranking.inventory.projects
    retained = len(plan.calendar.retained)
    st.markdown(
        f"**{retained} projet(s) retenu(s)** sur {len(projects)} · sélection : "
        f"{plan.chosen.selection.label} · {plan.chosen.gap_text()} · "
        f"score total {format_number(plan.chosen.total_score, 2)}"
    )
    if plan.chosen.note:
        st.info(plan.chosen.note)
    grouped = st.toggle("Grouper par axe stratégique", key="plan_par_axe", persist_state="session")
    ids = [str(projects["id"].iloc[i]) for i in ranking.order]
    axes = dict(zip(projects["id"], projects["axis"], strict=True))
    titles = dict(zip(projects["id"], projects["title"], strict=True))
    ranks = dict(zip(projects["id"], ranking.result.ranks, strict=True))
    if grouped:
        ids.sort(key=lambda work_id: (axes[work_id] or "~", ranks[work_id]))
    labels = {
        work_id: (f"{axes[work_id][:18]} · " if grouped and axes[work_id] else "")
        + f"{ranks[work_id]}. {str(titles[work_id])[:38]} ({work_id})"
        for work_id in ids
    }
    st.plotly_chart(
        gantt_chart(plan, labels, ids, dt.date.today()),
        width="stretch",
        config={"displaylogo": False, "displayModeBar": False},
    )
    waiting = postponed_table(plan)
    st.subheader(f"Projets reportés ({len(waiting)})")
    if waiting.empty:
        st.caption("Aucun : tout tient dans l'horizon, les enveloppes et la capacité de l'équipe.")
    else:
        st.dataframe(waiting, hide_index=True, width="stretch")


st.title("Calendrier")
with page_guard("Calendrier"):
    outcome = data.ranking()
    if isinstance(outcome, CannotRank):
        show_blocked(
            "Le plan attend un classement : l'inventaire contient des erreurs.",
            outcome.problems,
        )
    else:
        names = project_names(outcome.inventory.projects)
        controls({str(outcome.inventory.projects.at[row, "id"]): name for row, name in names.items()})
        planned = data.plan()
        if isinstance(planned, data.PlanInputs):
            show_errors(planned.errors)
        elif isinstance(planned, Plan):
            calendar_section(planned)
