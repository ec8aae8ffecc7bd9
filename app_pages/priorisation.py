"""Priorisation: weights, criteria and method on the left; the ranking, its chart and its reasons."""

from __future__ import annotations

import numpy as np
import streamlit as st

from prioritisation.french import format_percent
from prioritisation.ranking.criteria import Criterion, resolve
from prioritisation.ranking.explanation import close_calls, explain, movement
from prioritisation.ranking.methods import (
    METHOD_EXPLANATIONS,
    InvalidSettings,
    Method,
    Normalisation,
    normalise_weights,
)
from prioritisation.ranking.priorities import CannotRank, Ranking
from ui import data, state
from ui.blocked import show_blocked
from ui.charts import contributions_chart
from ui.guard import page_guard
from ui.tables import distinct, escape_markdown, explanation_table, filtered, project_names, ranked_table

CHART_PROJECTS = 25
NEW_CRITERION_KEY = "nouveau_critere"
NEW_DIRECTION_KEY = "sens_nouveau_critere"
MAXIMISE, MINIMISE = "Plus c'est élevé, mieux c'est", "Moins c'est élevé, mieux c'est"


def on_add_criterion() -> None:
    name = state.widget_value(NEW_CRITERION_KEY)
    if isinstance(name, str) and name:
        maximise = state.widget_value(NEW_DIRECTION_KEY) != MINIMISE
        state.add_criterion(Criterion(name, maximise=maximise))


def weights_section() -> None:
    st.subheader("Poids des critères")
    st.caption("Préréglages : poids égaux, ou le critère choisi d'abord (60 %, les deux autres 20 %).")
    names = list(state.PRESETS)
    for pair in (names[:2], names[2:]):  # two rows of two: same order on a phone, where columns stack
        for column, name in zip(st.columns(2), pair, strict=True):
            column.button(name, on_click=state.apply_preset, args=(name,), width="stretch")
    chosen = state.criteria()
    state.prepare_weight_sliders(chosen)
    shares = _shares([state.weight(criterion) for criterion in chosen])
    for criterion, share in zip(chosen, shares, strict=True):
        direction = "" if criterion.maximise else " (à minimiser)"
        st.slider(
            f"{escape_markdown(state.criterion_label(criterion))}{direction} — {share}",
            min_value=0,
            max_value=100,
            step=5,
            key=state.weight_key(criterion),
            bind="query-params",
            persist_state="session",
        )
    st.caption(
        "Chaque poids est rapporté au total : seules les proportions comptent. "
        "Le lien de la page garde les poids : copiez-le pour les partager."
    )


def _shares(weights: list[float]) -> list[str]:
    try:
        return [format_percent(share) for share in normalise_weights(weights)]
    except InvalidSettings:
        return ["0 %"] * len(weights)


def criteria_section() -> None:
    inventory = data.inventory()
    with st.expander("Ajouter un critère"):
        used = {resolve(inventory, criterion).label for criterion in state.criteria()}
        candidates = [name for name in data.candidate_criteria() if name not in used]
        if not candidates:
            st.caption("Aucune autre colonne numérique dans le fichier.")
        else:
            st.selectbox("Colonne numérique du fichier", candidates, key=NEW_CRITERION_KEY)
            st.radio("Sens", (MAXIMISE, MINIMISE), key=NEW_DIRECTION_KEY, horizontal=True)
            st.button("Ajouter ce critère", on_click=on_add_criterion)
        for criterion in state.added_criteria():
            st.button(
                f"Retirer « {escape_markdown(criterion.name)} »",
                on_click=state.remove_criterion,
                args=(criterion.name,),
                key=f"retirer_{state.weight_key(criterion)}",
            )


def method_section() -> None:
    st.subheader("Méthode")
    methods = [method.value for method in Method]
    state.prepare_method_widgets()
    chosen = st.radio(
        "Méthode de classement",
        methods,
        format_func=lambda value: Method(value).label,
        key=state.METHOD_KEY,
        horizontal=True,
        bind="query-params",
        persist_state="session",
    )
    st.caption(METHOD_EXPLANATIONS[Method(chosen)])
    options = [state.AUTOMATIC, *(normalisation.value for normalisation in Normalisation)]
    default = Method(chosen).default_normalisation
    st.selectbox(
        "Normalisation (comment les valeurs sont ramenées entre 0 et 1)",
        options,
        format_func=lambda value: (
            f"Celle de la méthode : {default.label}"
            if value == state.AUTOMATIC
            else Normalisation(value).label
        ),
        key=state.NORMALISATION_KEY,
        bind="query-params",
        persist_state="session",
    )


def ranking_section(ranking: Ranking) -> None:
    baseline = data.equal_weights_ranking()
    moved = (
        movement(ranking, baseline)
        if isinstance(baseline, Ranking)
        else np.zeros(len(ranking.result.ranks), int)
    )
    table = ranked_table(ranking, moved, close_calls(ranking))
    st.subheader("Classement")
    filters = st.columns(2)
    axes = filters[0].multiselect(
        "Axes stratégiques",
        distinct(table["Axe stratégique"]),
        placeholder="Tous",
        key="axes",
        persist_state="session",
    )
    services = filters[1].multiselect(
        "Services porteurs",
        distinct(table["Service porteur"]),
        placeholder="Tous",
        key="services",
        persist_state="session",
    )
    shown = filtered(table, axes, services)
    st.caption(
        f"{len(shown)} projet(s) sur {len(table)}. « Évolution » : places gagnées ou perdues par rapport "
        "à des poids égaux. « serré » : moins d'un point d'écart avec un voisin, le classement ne les "
        "départage pas vraiment ; « ex aequo » : même score."
    )
    st.dataframe(shown, hide_index=True, width="stretch", height=min(600, 38 + 35 * len(shown)))
    positions = np.asarray(
        [ranking.inventory.projects.index.get_loc(row) for row in shown.index[:CHART_PROJECTS]], dtype=int
    )
    if len(positions):
        st.plotly_chart(
            contributions_chart(ranking, positions),
            width="stretch",
            config={"displaylogo": False, "displayModeBar": False},
        )
        if len(shown) > CHART_PROJECTS:
            st.caption(f"Le graphique montre les {CHART_PROJECTS} premiers projets de la sélection.")
    why_section(ranking, shown.index)


def why_section(ranking: Ranking, rows: object) -> None:
    st.subheader("Pourquoi ce rang ?")
    projects = ranking.inventory.projects
    names = project_names(projects)
    choices = list(rows)
    if not choices:
        return
    chosen = st.selectbox(
        "Projet", choices, format_func=names.__getitem__, key="projet_explique", persist_state="session"
    )
    explanation = explain(ranking, projects.index.get_loc(chosen))
    st.markdown(escape_markdown(explanation.sentence()))
    st.dataframe(explanation_table(explanation, ranking.settings.method), hide_index=True, width="stretch")


def blocked(refused: CannotRank) -> None:
    show_blocked(
        "Le classement est impossible tant que l'inventaire contient des erreurs. "
        "Corrigez-les dans la page Inventaire (tableau modifiable) ou dans votre fichier.",
        refused.problems,
    )


st.title("Priorisation")
with page_guard("Priorisation"):
    settings_column, result_column = st.columns([1, 3], gap="medium")
    with settings_column:
        weights_section()
        criteria_section()
        method_section()
    with result_column:
        outcome = data.ranking()
        if isinstance(outcome, CannotRank):
            blocked(outcome)
        else:
            ranking_section(outcome)
