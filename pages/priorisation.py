"""Priorisation: criteria, weights and method on the left; the ranking, its chart and its reasons."""

from __future__ import annotations

import numpy as np
import streamlit as st

from prioritisation.french import format_number
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
from prioritisation.reading.inventory import Inventory
from prioritisation.workshop.summary import slider_weights
from ui import data, state
from ui.blocked import show_blocked
from ui.charts import contributions_chart
from ui.guard import page_guard
from ui.navigation import page_of, through_the_app
from ui.robustness import robustness_section, stability_badges, weight_interval_caption
from ui.tables import (
    escape_markdown,
    explanation_table,
    filtered_by,
    project_names,
    ranked_table,
    shown,
)

through_the_app()  # a page Streamlit ran on its own goes back through app.py

CHART_PROJECTS = 25
NEW_CRITERION_KEY = "nouveau_critere"
NEW_DIRECTION_KEY = "sens_nouveau_critere"
METHOD_WIDGET, NORMALISATION_WIDGET, VIKOR_WIDGET = "choix_methode", "choix_normalisation", "choix_vikor_v"
MAXIMISE, MINIMISE = "Plus c'est élevé, mieux c'est", "Moins c'est élevé, mieux c'est"
NUMERIC_CHOICE_KEY = "colonnes_pour_classer"


def labels_of(inventory: Inventory, chosen: tuple[Criterion, ...]) -> dict[str, str]:
    """Criterion name → its header as written in the file: the one name sliders, legends and
    tables use."""
    return {criterion.name: shown(resolve(inventory, criterion).label) for criterion in chosen}


def on_add_criterion() -> None:
    name = state.widget_value(NEW_CRITERION_KEY)
    if isinstance(name, str) and name:
        maximise = state.widget_value(NEW_DIRECTION_KEY) != MINIMISE
        state.add_criterion(Criterion(name, maximise=maximise))


def on_rank_on_columns() -> None:
    """The file has no scores: rank on the numeric columns the user picked, each as directed."""
    picked = state.widget_value(NUMERIC_CHOICE_KEY) or []
    chosen = tuple(
        Criterion(name, maximise=state.widget_value(f"sens_{name}") != MINIMISE) for name in picked
    )
    if chosen:
        state.set_criteria(chosen)


def on_method() -> None:
    from dataclasses import replace

    choices = state.ranking_choices()
    normalisation = state.widget_value(NORMALISATION_WIDGET)
    state.set_ranking_choices(
        replace(
            choices,
            method=Method(state.widget_value(METHOD_WIDGET)),
            normalisation=None if normalisation in (None, state.AUTOMATIC) else Normalisation(normalisation),
            vikor_v=float(state.widget_value(VIKOR_WIDGET) or choices.vikor_v),
        )
    )


def weights_section(labels: dict[str, str], ranking: Ranking | None) -> None:
    st.subheader("Poids des critères")
    chosen = state.criteria()
    core = {"urgency", "impact", "feasibility"} & {c.name for c in chosen}
    if core:
        st.caption("Préréglages : poids égaux, ou le critère choisi d'abord (60 %, les deux autres 20 %).")
        names = list(state.PRESETS)
        for pair in (names[:2], names[2:]):  # two rows of two: same order on a phone
            for column, name in zip(st.columns(2), pair, strict=True):
                column.button(name, on_click=state.apply_preset, args=(name,), width="stretch")
    state.prepare_weight_sliders(chosen)
    shares = _shares([state.weight(criterion) for criterion in chosen])
    keys = state.weight_keys(chosen)
    for number, (criterion, share) in enumerate(zip(chosen, shares, strict=True)):
        direction = "" if criterion.maximise else " (à minimiser)"
        key = keys[criterion.name]
        st.slider(
            f"{escape_markdown(labels[criterion.name])}{direction} — {share}",
            min_value=0,
            max_value=100,
            step=5,
            key=key,
            on_change=state.on_weight,
            args=(criterion.name, key),
        )
        if ranking is not None and len(ranking.criteria) == len(chosen):
            margin = weight_interval_caption(ranking, number, state.top_n())
            if margin:
                st.caption(escape_markdown(margin))
    st.caption(
        "Chaque poids est rapporté au total : seules les proportions comptent. Pour partager ces "
        "critères, ces poids et cette méthode, sans votre fichier, copiez ce lien :"
    )
    root = (st.context.url or "").rstrip("/")
    st.code(state.shared_link(f"{root}/{page_of('Priorisation').url_path}"), language=None, wrap_lines=True)
    st.caption(
        "Le lien de la barre d'adresse rouvre aussi votre fichier et vos modifications : gardez-le pour vous."
    )


def _shares(weights: list[float]) -> list[str]:
    """Each weight's share of the total, in whole percents that add up to 100 (33 + 22 + 22 + 22
    read as 99 %: largest remainders)."""
    try:
        normalise_weights(weights)
    except InvalidSettings:
        return ["0\u00a0%"] * len(weights)
    return [f"{share}\u00a0%" for share in slider_weights(weights)]


def criteria_section(inventory: Inventory, labels: dict[str, str]) -> None:
    with st.expander("Choisir les critères"):
        st.caption("Retirez un critère, ou ajoutez une colonne numérique de votre fichier.")
        for criterion in state.criteria():
            sense = "à maximiser" if criterion.maximise else "à minimiser"
            st.button(
                f"Retirer « {escape_markdown(labels[criterion.name])} » ({sense})",
                on_click=state.remove_criterion,
                args=(criterion.name,),
                key=f"retirer_{state.weight_key(criterion)}",
                disabled=len(state.criteria()) == 1,
                help="Il faut au moins un critère." if len(state.criteria()) == 1 else None,
            )
        used = {resolve(inventory, criterion).column for criterion in state.criteria()}
        candidates = [
            name
            for name in data.candidate_criteria()
            if resolve(inventory, Criterion(name)).column not in used
        ]
        if not candidates:
            st.caption("Aucune autre colonne numérique dans le fichier.")
            return
        st.selectbox("Colonne numérique du fichier", candidates, key=NEW_CRITERION_KEY, format_func=shown)
        st.radio("Sens", (MAXIMISE, MINIMISE), key=NEW_DIRECTION_KEY, horizontal=True)
        st.button("Ajouter ce critère", on_click=on_add_criterion)


def method_section() -> None:
    st.subheader("Méthode")
    choices = state.ranking_choices()
    state.set_widget_value(METHOD_WIDGET, choices.method.value)
    state.set_widget_value(
        NORMALISATION_WIDGET, choices.normalisation.value if choices.normalisation else state.AUTOMATIC
    )
    state.set_widget_value(VIKOR_WIDGET, choices.vikor_v)
    chosen = Method(
        st.radio(
            "Méthode de classement",
            [method.value for method in Method],
            format_func=lambda value: Method(value).label,
            key=METHOD_WIDGET,
            horizontal=True,
            on_change=on_method,
        )
    )
    st.caption(METHOD_EXPLANATIONS[chosen])
    options = [state.AUTOMATIC, *(normalisation.value for normalisation in Normalisation)]
    default = chosen.default_normalisation
    st.selectbox(
        "Normalisation (comment les valeurs sont ramenées entre 0 et 1)",
        options,
        format_func=lambda value: (
            f"Celle de la méthode : {default.label}"
            if value == state.AUTOMATIC
            else Normalisation(value).label
        ),
        key=NORMALISATION_WIDGET,
        on_change=on_method,
    )
    if chosen is Method.VIKOR:
        st.slider(
            "v de VIKOR : poids de la stratégie du plus grand nombre (1) face au moindre regret (0)",
            0.0,
            1.0,
            step=0.05,
            key=VIKOR_WIDGET,
            on_change=on_method,
        )


def no_scores_choice(inventory: Inventory) -> None:
    """A file without the three scores opens on a clear choice instead of a list of errors."""
    st.info(
        "Votre fichier n'a pas de colonnes de notes (Urgence, Impact, Faisabilité). Deux façons de "
        "classer : **sur des colonnes numériques du fichier** (ci-dessous), ou **en notant les projets** "
        "dans le tableau de la page Inventaire (bouton « Ajouter les colonnes de notes »).",
        icon=":material/lightbulb:",
    )
    candidates = list(data.candidate_criteria())
    if not candidates:
        st.caption("Le fichier n'a pas de colonne numérique : notez les projets dans la page Inventaire.")
        return
    picked = st.multiselect(
        "Colonnes sur lesquelles classer", candidates, key=NUMERIC_CHOICE_KEY, format_func=shown
    )
    for name in picked:
        st.radio(f"{shown(name)} :", (MAXIMISE, MINIMISE), key=f"sens_{name}", horizontal=True)
    st.button("Classer sur ces colonnes", on_click=on_rank_on_columns, type="primary", disabled=not picked)


def ranking_section(ranking: Ranking) -> None:
    baseline = data.equal_weights_ranking()
    moved = (
        movement(ranking, baseline)
        if isinstance(baseline, Ranking)
        else np.zeros(len(ranking.result.ranks), int)
    )
    st.subheader("Classement")
    filters = st.columns([2, 2, 1])
    projects = ranking.inventory.projects
    axes = filters[0].multiselect(
        "Axes stratégiques",
        _distinct(projects["axis"]),
        placeholder="Tous",
        key="axes",
        persist_state="session",
        format_func=shown,
    )
    services = filters[1].multiselect(
        "Services porteurs",
        _distinct(projects["owner_service"]),
        placeholder="Tous",
        key="services",
        persist_state="session",
        format_func=shown,
    )
    every_column = filters[2].toggle("Toutes les colonnes", key="toutes_colonnes", persist_state="session")
    state.set_widget_value(state.TOP_N_KEY, state.top_n())
    filters[2].number_input(
        "N premiers (ce que le budget finance)",
        min_value=1,
        max_value=max(1, len(ranking.result.ranks)),
        step=1,
        key=state.TOP_N_KEY,
        on_change=state.on_top_n,
        help="Les badges « solide » et « fragile » et les marges des poids portent sur ces N premiers.",
    )
    table = ranked_table(
        ranking,
        moved,
        close_calls(ranking),
        every_column=every_column,
        badges=stability_badges(ranking, state.top_n()),
    )
    shown_rows = filtered_by(table, projects, axes, services)
    st.caption(
        f"{format_number(len(shown_rows))} projet(s) sur {format_number(len(table))}. « Évolution » : places "
        "gagnées ou perdues par rapport à des poids égaux. « serré » : moins d'un point d'écart avec un "
        "voisin, le classement ne les départage pas vraiment ; « ex aequo » : même score."
    )
    st.dataframe(
        shown_rows,
        hide_index=True,
        width="stretch",
        height=min(600, 38 + 35 * len(shown_rows)),
        column_config={
            "Rang": st.column_config.NumberColumn(width="small"),
            "Projet": st.column_config.TextColumn(width="large"),
        },
    )
    positions = np.asarray(
        [projects.index.get_loc(row) for row in shown_rows.index[:CHART_PROJECTS]], dtype=int
    )
    if len(positions):
        st.plotly_chart(
            contributions_chart(ranking, positions),
            width="stretch",
            config={"displaylogo": False, "displayModeBar": False},
        )
        if len(shown_rows) > CHART_PROJECTS:
            st.caption(f"Le graphique montre les {CHART_PROJECTS} premiers projets de la sélection.")
    why_section(ranking, shown_rows.index)
    robustness_section(ranking, state.top_n(), positions)


def _distinct(values: object) -> list[str]:
    return sorted({str(value) for value in values if value})  # type: ignore[attr-defined]


def why_section(ranking: Ranking, rows: object) -> None:
    st.subheader("Pourquoi ce rang ?")
    projects = ranking.inventory.projects
    names = project_names(projects)
    choices = list(rows)  # type: ignore[call-overload]
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


def lacks_scores(inventory: Inventory) -> bool:
    """Every criterion in force is missing from the file (a file without scores, as it opens)."""
    return all(resolve(inventory, criterion).column is None for criterion in state.criteria())


st.title("Priorisation")
with page_guard("Priorisation"):
    inventory = data.inventory()
    labels = labels_of(inventory, state.criteria())
    outcome = None if lacks_scores(inventory) else data.ranking()
    settings_column, result_column = st.columns([1, 3], gap="medium")
    with settings_column:
        weights_section(labels, outcome if isinstance(outcome, Ranking) else None)
        criteria_section(inventory, labels)
        method_section()
    with result_column:
        if outcome is None:
            no_scores_choice(inventory)
        else:
            if isinstance(outcome, CannotRank):
                blocked(outcome)
            elif isinstance(outcome, data.Refusal):
                st.error(escape_markdown(outcome.message), icon=":material/error:")
            else:
                ranking_section(outcome)
