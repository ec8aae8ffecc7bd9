"""Calendrier: the phased plan as a Gantt chart, the postponed projects and why, the controls."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from prioritisation.french import MONTHS, format_date, format_number, split_items
from prioritisation.planning.durations import (
    DefaultsBy,
    DurationDefaults,
    cost_bands_text,
    parse_cost_bands,
    parse_type_durations,
    type_durations_text,
)
from prioritisation.planning.plan import Plan
from prioritisation.planning.portfolio import Selection, StartGrid
from prioritisation.planning.schedule import InvalidPlan
from prioritisation.problems import group_problems
from prioritisation.reading.fields import unread_start_columns
from prioritisation.request import PlanForm
from ui import data, state
from ui.blocked import plan_or_why, ranking_or_why, total_points
from ui.guard import page_guard
from ui.navigation import through_the_app
from ui.pager import page_of_rows
from ui.tables import escape_markdown, project_names, short, shown

through_the_app()  # a page Streamlit ran on its own goes back through app.py

PHASES = ("Diagnostic", "Pilote", "Déploiement")
SELECTIONS = {
    Selection.RANKING.value: "Dans l'ordre du classement",
    Selection.OPTIMAL.value: "Portefeuille optimal",
}


def on_choice(name: str, key: str, convert: type = int) -> None:
    state.update_plan_form(**{name: convert(state.widget_value(key))})


def on_start() -> None:
    month = MONTHS.index(str(state.widget_value("plan_mois"))) + 1
    state.update_plan_form(start=dt.date(int(str(state.widget_value("plan_annee"))), month, 1))


def on_triple(name: str, prefix: str) -> None:
    state.update_plan_form(**{name: tuple(int(state.widget_value(f"{prefix}_{i}") or 0) for i in range(3))})


def on_list(name: str, key: str) -> None:
    state.update_plan_form(**{name: tuple(state.widget_value(key) or ())})


def on_selection() -> None:
    state.update_plan_form(selection=Selection(state.widget_value("plan_selection")))


def on_grid() -> None:
    chosen = state.widget_value("plan_grille")
    state.update_plan_form(grid=next(grid for grid in StartGrid if grid.option == chosen))


DURATION_CHOICES = {by.value: by.label for by in DefaultsBy}


def durations_controls(form: PlanForm) -> None:
    """How projects without durations get theirs: one default for all, by cost band, or by type."""
    chosen = st.radio(
        "Durées des projets dont l'inventaire ne donne pas la durée",
        list(DURATION_CHOICES),
        index=list(DURATION_CHOICES).index(form.durations.by.value),
        format_func=DURATION_CHOICES.__getitem__,
        key="plan_durees_mode",
        on_change=on_durations,
        horizontal=True,
    )
    if chosen == DefaultsBy.COST.value:
        st.text_input(
            "Phases par tranche de coût (diagnostic/pilote/déploiement en mois, jusqu'au montant)",
            value=cost_bands_text(form.durations.cost_bands),
            key="plan_tranches",
            on_change=on_durations,
            help="Ex. « 10000=1/1/2;100000=2/4/6 » : sous 10 000 €, 1 + 1 + 2 mois ; de 10 000 à "
            "100 000 €, 2 + 4 + 6 mois ; au-delà, les durées par défaut ci-dessus.",
        )
    elif chosen == DefaultsBy.TYPE.value:
        headers = [header for header in data.inventory().table.headers if header]
        current = form.durations.type_column
        st.selectbox(
            "Colonne qui donne le type de projet",
            headers,
            index=headers.index(current) if current in headers else 0,
            key="plan_colonne_type",
            on_change=on_durations,
            format_func=shown,
        )
        st.text_input(
            "Phases par type (diagnostic/pilote/déploiement en mois)",
            value=type_durations_text(form.durations.by_type),
            key="plan_durees_type",
            on_change=on_durations,
            help="Ex. « Matériel=1/1/2;Réseau=3/9/24 » ; un type absent prend les durées par défaut.",
        )


def on_durations() -> None:
    by = DefaultsBy(state.widget_value("plan_durees_mode") or DefaultsBy.SAME.value)
    current = state.plan_form().durations
    try:
        bands = state.widget_value("plan_tranches")
        types = state.widget_value("plan_durees_type")
        column = state.widget_value("plan_colonne_type")
        if by is DefaultsBy.TYPE and not column:
            headers = [header for header in data.inventory().table.headers if header]
            column = headers[0] if headers else None
        durations = DurationDefaults(
            by=by,
            cost_bands=parse_cost_bands(str(bands)) if bands else current.cost_bands,
            type_column=str(column) if by is DefaultsBy.TYPE and column else current.type_column,
            by_type=parse_type_durations(str(types)) if types else current.by_type,
        )
    except InvalidPlan as refused:
        state.set_plan_notice(str(refused))
        return
    state.update_plan_form(durations=durations)


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


LISTED_PROJECTS = 1_000  # beyond, identifiers are typed: a list of 20,000 names is no choice


def on_typed_list(name: str, key: str) -> None:
    state.update_plan_form(**{name: tuple(split_items(str(state.widget_value(key) or "")))})


def project_list(column: DeltaGenerator, label: str, name: str, key: str, ids: dict[str, str]) -> None:
    chosen = [work_id for work_id in getattr(state.plan_form(), name) if work_id in ids]
    if len(ids) > LISTED_PROJECTS:
        column.text_input(
            f"{label} (identifiants séparés par des virgules)",
            value=", ".join(getattr(state.plan_form(), name)),
            key=key,
            on_change=on_typed_list,
            args=(name, key),
            help="Un identifiant absent de l'inventaire est signalé.",
        )
        return
    column.multiselect(
        label,
        list(ids),
        default=chosen,
        format_func=ids.__getitem__,
        key=key,
        on_change=on_list,
        args=(name, key),
    )


def controls(ids: dict[str, str]) -> None:
    form = state.plan_form()
    with st.expander("Réglages du plan", expanded=False):
        columns = st.columns(4)
        columns[0].selectbox(
            "Mois de début", MONTHS, index=form.start.month - 1, key="plan_mois", on_change=on_start
        )
        years = list(range(dt.date.today().year - 2, dt.date.today().year + 8))
        at = years.index(form.start.year) if form.start.year in years else 2
        columns[1].selectbox("Année de début", years, index=at, key="plan_annee", on_change=on_start)
        columns[2].slider(
            "Horizon (années)",
            1,
            10,
            form.horizon_years,
            key="plan_horizon",
            on_change=on_choice,
            args=("horizon_years", "plan_horizon"),
        )
        columns[3].number_input(
            "Projets menés de front (0 = sans limite)",
            0,
            200,
            form.capacity,
            step=1,
            key="plan_capacite",
            on_change=on_choice,
            args=("capacity", "plan_capacite"),
        )
        st.caption(
            "Durées par défaut des phases (mois), quand l'inventaire ne donne pas la durée du projet :"
        )
        triple_inputs("phase_months", "plan_duree", form.phase_months, (1, 120, 1))
        st.caption("Part du coût d'investissement dépensée dans chaque phase (%, total 100) :")
        triple_inputs("cost_split_percent", "plan_part", form.cost_split_percent, (0, 100, 5))
        st.slider(
            "Une évaluation revient tous les … ans",
            3,
            5,
            form.review_every_years,
            key="plan_evaluation",
            on_change=on_choice,
            args=("review_every_years", "plan_evaluation"),
        )
        durations_controls(form)
        lists = st.columns(2)
        project_list(lists[0], "Projets obligatoires", "must_do", "plan_obligatoires", ids)
        project_list(lists[1], "Projets exclus", "excluded", "plan_exclus", ids)
        grids = [grid.option for grid in StartGrid]
        st.radio(
            "Démarrages possibles pour le portefeuille optimal",
            grids,
            index=grids.index(form.grid.option),
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
            on_change=on_grid,
        )
    st.radio(
        "Sélection des projets",
        list(SELECTIONS),
        index=list(SELECTIONS).index(form.selection.value),
        format_func=SELECTIONS.__getitem__,
        key="plan_selection",
        horizontal=True,
        on_change=on_selection,
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


GANTT_ROWS = 40  # what a projector or a phone shows legibly at once


def calendar_section(plan: Plan) -> None:
    ranking = plan.ranking
    projects = ranking.inventory.projects
    retained = len(plan.calendar.retained)
    st.markdown(
        f"**{format_number(retained)} projet(s) retenu(s)** sur {format_number(len(projects))} · sélection : "
        f"{plan.chosen.selection.label} · {plan.chosen.gap_text()} · "
        f"score total {total_points(plan.chosen.total_score)}"
    )
    if plan.chosen.note:
        st.info(plan.chosen.note)
    notes = plan.duration_notes()
    if notes:
        st.info("Durées par défaut appliquées : " + " ".join(notes), icon=":material/schedule:")
    inventory = ranking.inventory
    for header in unread_start_columns(inventory.table.headers, inventory.mapping):
        st.info(
            f"La colonne « {escape_markdown(shown(header))} » n'est pas lue par le calendrier : chaque "
            "projet y démarre au plus tôt que permettent les enveloppes, la capacité et les prérequis. "
            "Pour fixer l'ordre, rendez un projet obligatoire ou excluez-en d'autres ci-dessus.",
            icon=":material/event_busy:",
        )
    for group in group_problems(list(plan.problems)):
        (st.error if group.is_error else st.warning)(escape_markdown(str(group)))
    grouped = st.toggle("Grouper par axe stratégique", key="plan_par_axe", persist_state="session")
    kept = {placement.work.id for placement in plan.calendar.retained}
    all_ids = projects["id"].to_numpy(dtype=object)
    ids = [str(all_ids[i]) for i in ranking.order if str(all_ids[i]) in kept]
    axes = dict(zip(all_ids, projects["axis"].to_numpy(dtype=object), strict=True))
    titles = dict(zip(all_ids, projects["title"].to_numpy(dtype=object), strict=True))
    ranks = dict(zip(all_ids, ranking.result.ranks, strict=True))
    if grouped:
        ids.sort(key=lambda work_id: (axes[work_id] or "~", ranks[work_id]))
    shown_ids = ids[page_of_rows(len(ids), GANTT_ROWS, "plan_page", "projets retenus")]
    labels = {
        work_id: (f"{short(axes[work_id], 18)} · " if grouped and axes[work_id] else "")
        + f"{ranks[work_id]}. {short(titles[work_id], 38)} ({shown(work_id)})"
        for work_id in shown_ids
    }
    st.plotly_chart(
        data.gantt_figure(plan, labels, shown_ids),
        width="stretch",
        config={"displaylogo": False, "displayModeBar": False},
    )
    with st.expander("Le calendrier en tableau"):
        st.dataframe(phases_table(plan, shown_ids), hide_index=True, width="stretch")
    waiting = data.remember_table("reportes", plan, lambda: postponed_table(plan))
    st.subheader(f"Projets reportés ({format_number(len(waiting))})")
    if waiting.empty:
        st.caption("Aucun : tout tient dans l'horizon, les enveloppes et la capacité de l'équipe.")
    else:
        st.dataframe(waiting, hide_index=True, width="stretch")


def phases_table(plan: Plan, ids: list[str]) -> pd.DataFrame:
    """The Gantt's rows as a table (for screen readers, and to copy): one line per phase."""
    by_id = {placement.work.id: placement for placement in plan.calendar.placements}
    rows = [
        row
        for work_id in ids
        for phase, first, after in by_id[work_id].phases(plan.settings)
        for row in [[work_id, by_id[work_id].work.title, phase.value, plan.settings.date_of(first),
                     plan.settings.date_of(after) - dt.timedelta(days=1)]]
    ]  # fmt: skip
    return pd.DataFrame(
        {
            "Identifiant": [shown(row[0]) for row in rows],
            "Projet": [shown(row[1]) for row in rows],
            "Phase": [row[2] for row in rows],
            "Début": [format_date(row[3]) for row in rows],
            "Fin": [format_date(row[4]) for row in rows],
        }
    )


st.title("Calendrier")
with page_guard("Calendrier"):
    outcome = ranking_or_why("Le plan")
    if outcome is not None:
        projects = outcome.inventory.projects
        names = project_names(projects)
        controls(dict(zip(map(str, projects["id"]), names.values(), strict=True)))
        notice = state.take_plan_notice()
        if notice:
            st.error(escape_markdown(notice), icon=":material/error:")
        planned = plan_or_why()
        if planned is not None:
            calendar_section(planned)
