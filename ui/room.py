"""The room's view, projected while the votes come in: who voted, the group, its spread, its ranking.

Drawn in a fragment that runs again every `ROOM_POLL` seconds: it asks the store for the
workshop's activity fingerprint and recomputes only when it changed (ui/workshop.py).
Every figure has its table beside it (RGAA: the numbers reach a screen reader); every
name, label and title is user text, shown as text, never as HTML or Markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from prioritisation.french import format_number, format_percent
from prioritisation.store import StoreError
from prioritisation.workshop.aggregation import GroupWeights
from prioritisation.workshop.consensus import Consensus
from prioritisation.workshop.group_ranking import GroupRanking
from prioritisation.workshop.room import RoomView
from prioritisation.workshop.scoring import ProjectScore, summarise_scores
from prioritisation.workshop.summary import slider_weights
from ui import state, workshop
from ui.guard import page_guard
from ui.navigation import page_of
from ui.room_charts import spread_chart
from ui.tables import escape_markdown, shown

ROOM_POLL = 1.0  # seconds between two looks at the store (one small query): « up to date within 2 s »
RANKING_ROWS = 20
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}


def voter_names(snapshot: workshop.RoomSnapshot) -> list[str]:
    """One label per vote, in the view's order: « participant 3 », or the name when revealed."""
    reveal = snapshot.results.workshop.reveal_names
    return [
        shown(recorded.display_name)
        if reveal and recorded.display_name
        else f"participant {recorded.participant_number}"
        for recorded in snapshot.results.votes
    ]


def group_weights_table(labels: list[str], view: RoomView) -> pd.DataFrame:
    table = {"Critère": [shown(label) for label in labels]}
    for number, group in enumerate(view.aggregations):
        header = group.label.capitalize() + (" (adoptée)" if number == 0 else "")
        table[header] = [format_percent(weight, 1) for weight in group.weights]
    table["Poids reportés (sur 100)"] = [str(weight) for weight in slider_weights(view.adopted.weights)]
    return pd.DataFrame(table)


def individual_table(labels: list[str], names: list[str], view: RoomView) -> pd.DataFrame:
    table = {"Participant": names}
    for column, label in enumerate(labels):
        table[shown(label)] = [format_percent(row[column], 1) for row in view.individual_weights]
    return pd.DataFrame(table)


def spread_table(labels: list[str], view: RoomView) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Critère": [shown(label) for label in labels],
            "Minimum": [format_percent(spread.minimum, 1) for spread in view.spreads],
            "1er quartile": [format_percent(spread.first_quartile, 1) for spread in view.spreads],
            "Médiane": [format_percent(spread.median, 1) for spread in view.spreads],
            "3e quartile": [format_percent(spread.third_quartile, 1) for spread in view.spreads],
            "Maximum": [format_percent(spread.maximum, 1) for spread in view.spreads],
        }
    )


def ranking_table(ranking: GroupRanking, snapshot: workshop.RoomSnapshot, rows: int) -> pd.DataFrame:
    projects = snapshot.room.projects.projects  # type: ignore[union-attr]
    ids = projects["id"].astype(str).tolist()
    titles = projects["title"].astype(str).tolist()
    order = ranking.order()[:rows]
    always = ranking.always_in_top
    return pd.DataFrame(
        {
            "Rang du groupe": [ranking.group_ranks[i] for i in order],
            "Projet": [shown(f"{ids[i]} · {titles[i]}") for i in order],
            "Meilleur rang": [ranking.best_ranks[i] for i in order],
            "Pire rang": [ranking.worst_ranks[i] for i in order],
            f"Dans les {ranking.top} premiers pour tous": ["oui" if always[i] else "" for i in order],
        }
    )


def consensus_text(consensus: Consensus) -> str:
    if consensus.value is None:
        return consensus.level
    return f"{format_percent(consensus.value, 1)} ({consensus.level})"


@st.fragment(run_every=ROOM_POLL)
def room_section(secret: str) -> None:
    """The room's view of the workshop the facilitator's secret opens (refreshed by itself)."""
    with page_guard("Atelier"):
        try:
            snapshot = workshop.room_snapshot(secret)
        except (StoreError, workshop.Unavailable) as problem:
            st.error(escape_markdown(str(problem)), icon=":material/error:")
            return
        drawn = state.drawn_participants()
        present = tuple(person.number for person in snapshot.results.participants)
        if drawn is not None and drawn != present:
            st.rerun(scope="app")  # someone joined or left: the facilitator's controls list them
        draw_room(snapshot, secret)


def draw_room(snapshot: workshop.RoomSnapshot, secret: str) -> None:
    results = snapshot.results
    meeting = results.workshop
    st.subheader("Vue de la salle")
    left, middle, right = st.columns(3)
    left.metric("Participants", format_number(len(results.participants)))
    middle.metric("Votes reçus", format_number(results.voters))
    right.metric("État", meeting.state.label)
    st.caption(f"Mise à jour d'elle-même toutes les {format_number(ROOM_POLL, 1)} s.")
    view = snapshot.room.view
    if view is None:
        st.info(
            "Aucun vote pour l'instant : les résultats s'afficheront dès le premier.",
            icon=":material/hourglass_top:",
        )
        scores_section(snapshot)
        return
    labels = [criterion.label for criterion in meeting.criteria]
    weights_section(labels, view, secret)
    spread_section(labels, voter_names(snapshot), view)
    consensus_section(view)
    group_ranking_section(snapshot)
    scores_section(snapshot)


def weights_section(labels: list[str], view: RoomView, secret: str) -> None:
    st.markdown("#### Poids du groupe")
    st.dataframe(group_weights_table(labels, view), hide_index=True, width="stretch")
    for number, group in enumerate(view.aggregations):
        st.caption(f"{'Adoptée' if number == 0 else 'Pour comparer'} — {group.label} : {group.description}")
    adopted: GroupWeights = view.adopted
    if adopted.consistency is not None:
        st.caption(
            "Cohérence des jugements du groupe : CR = "
            f"{format_percent(adopted.consistency.consistency_ratio, 1)} (au-delà de 10 %, les réponses "
            "mises en commun se contredisent)."
        )
    if st.button(
        "Adopter les poids du groupe",
        on_click=workshop.adopt,
        args=(secret,),
        type="primary",
        icon=":material/check_circle:",
        help="Les poids du groupe (arrondis à l'unité, total 100) remplacent ceux de la page Priorisation.",
    ):
        st.rerun(scope="app")  # the whole page: its link and the kept working state carry the weights
    adopted_record = state.adopted_workshop()
    if adopted_record is not None:
        st.success(
            escape_markdown(
                f"Poids adoptés de « {shown(adopted_record.title)} » ({adopted_record.voters} vote(s), "
                f"{adopted_record.adopted.label}) : "
                + ", ".join(
                    f"{shown(criterion.label)} {weight}"
                    for criterion, weight in zip(
                        adopted_record.criteria, adopted_record.slider_weights, strict=True
                    )
                )
                + ". La page Priorisation classe avec eux ; l'export porte la feuille « Atelier »."
            ),
            icon=":material/check_circle:",
        )
        spec = page_of("Priorisation")
        st.page_link(spec.script, label="Voir le classement avec les poids adoptés", icon=spec.icon)


def spread_section(labels: list[str], names: list[str], view: RoomView) -> None:
    st.markdown("#### Dispersion des poids")
    chart, table = st.columns([3, 2], gap="medium")
    chart.plotly_chart(spread_chart(labels, view.spreads, names), width="stretch", config=CHART_CONFIG)
    table.dataframe(individual_table(labels, names, view), hide_index=True, width="stretch")
    table.dataframe(spread_table(labels, view), hide_index=True, width="stretch")
    st.caption(
        "Une boîte par critère : de son bord bas à son bord haut, la moitié centrale des participants ; "
        "le trait, la médiane ; chaque point, un participant. Quartiles inclusifs (QUARTILE.INCLUS)."
    )


def consensus_section(view: RoomView) -> None:
    st.markdown("#### Consensus")
    consensus = view.consensus
    label = consensus.measure.label
    st.metric(label[:1].upper() + label[1:], consensus_text(consensus))
    st.caption(consensus.definition)
    if view.projects_agreement is not None:
        st.markdown(
            "Accord sur le classement des projets (W de Kendall entre les classements sous les poids de "
            f"chacun) : **{escape_markdown(consensus_text(view.projects_agreement))}**"
        )


def group_ranking_section(snapshot: workshop.RoomSnapshot) -> None:
    st.markdown("#### Classement avec les poids du groupe")
    view, room = snapshot.room.view, snapshot.room
    if view is None or view.ranking is None or room.projects is None:
        st.warning(
            escape_markdown(room.why_no_ranking or "Classement indisponible."), icon=":material/warning:"
        )
        return
    ranking = view.ranking
    rows = max(RANKING_ROWS, 2 * ranking.top)
    st.dataframe(ranking_table(ranking, snapshot, rows), hide_index=True, width="stretch")
    total = len(ranking.group_ranks)
    st.caption(
        f"{snapshot.settings.method.label} ; « Meilleur rang » et « Pire rang » : le rang du projet avec "
        f"les poids de chaque participant. {format_number(min(rows, total))} projet(s) sur "
        f"{format_number(total)}."
    )
    projects = room.projects.projects
    kept = [
        shown(f"{projects['id'].iloc[i]} · {projects['title'].iloc[i]}")
        for i in ranking.order()
        if ranking.always_in_top[i]
    ]
    if kept:
        st.success(
            f"**Dans les {ranking.top} premiers quel que soit le participant ({len(kept)}) :** "
            + escape_markdown(" ; ".join(kept)),
            icon=":material/handshake:",
        )
    else:
        st.info(
            f"Aucun projet n'est dans les {ranking.top} premiers pour tous les participants.",
            icon=":material/info:",
        )


def scores_section(snapshot: workshop.RoomSnapshot) -> None:
    setup = snapshot.results.workshop.scoring
    if setup is None:
        return
    st.markdown("#### Notes des projets")
    scores = [ProjectScore(score.project, score.criterion, score.score) for score in snapshot.results.scores]
    if not scores:
        st.caption("Aucune note pour l'instant.")
        return
    projects = {project.id: project.label for project in setup.projects}
    criteria = {criterion.key: criterion.label for criterion in setup.criteria}
    summaries = summarise_scores(scores)
    st.dataframe(
        pd.DataFrame(
            {
                "Projet": [shown(f"{s.project} · {projects.get(s.project, s.project)}") for s in summaries],
                "Critère": [shown(criteria.get(s.criterion, s.criterion)) for s in summaries],
                "Notes": [s.count for s in summaries],
                "Moyenne": [format_number(s.mean, 1) for s in summaries],
                "Médiane": [format_number(s.median, 1) for s in summaries],
                "Étendue": [
                    f"{format_number(s.minimum, 1)} à {format_number(s.maximum, 1)}" for s in summaries
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
