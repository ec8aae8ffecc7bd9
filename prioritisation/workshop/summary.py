"""What a workshop leaves behind once its weights are adopted: the record the workbook keeps.

The facilitator adopts the group's weights in one click; the Priorisation page then ranks
with them, rounded to whole points summing to 100 (its sliders hold whole numbers, and its
link writes them), and the exported workbook gains the « Atelier » sheet built from this
summary: when, how many, how the weights were aggregated, the group's weights, the spread
per criterion, the consensus, and each participant's weights without a name.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from prioritisation.workshop.aggregation import Aggregation, GroupWeights
from prioritisation.workshop.ahp import AhpResult
from prioritisation.workshop.consensus import Consensus, ConsensusMeasure
from prioritisation.workshop.room import RoomView
from prioritisation.workshop.spread import CriterionSpread
from prioritisation.workshop.votes import PairwiseVote, Vote, VotingCriterion

SLIDER_TOTAL = 100


@dataclass(frozen=True)
class WorkshopSummary:
    title: str
    held_on: dt.datetime  # when the workshop opened
    criteria: tuple[VotingCriterion, ...]
    participants: int  # who joined and was not removed
    pairwise_votes: int
    direct_votes: int
    aggregations: tuple[GroupWeights, ...]  # the first is the one adopted
    spreads: tuple[CriterionSpread, ...]
    consensus: Consensus
    projects_agreement: Consensus | None
    individual_weights: tuple[tuple[float, ...], ...]  # « participant 1 », « 2 »…: no name, ever
    slider_weights: tuple[int, ...]  # what the Priorisation page received

    def __post_init__(self) -> None:
        size = len(self.criteria)
        if not self.aggregations or any(len(group.weights) != size for group in self.aggregations):
            raise ValueError("a summary holds the group's weights of every criterion")
        if len(self.slider_weights) != size or len(self.spreads) != size:
            raise ValueError("one slider weight and one spread per criterion")
        if any(len(row) != size for row in self.individual_weights):
            raise ValueError("one weight per criterion for every participant")

    @property
    def voters(self) -> int:
        return self.pairwise_votes + self.direct_votes

    @property
    def adopted(self) -> GroupWeights:
        return self.aggregations[0]

    def followed_by(self, criteria: Sequence[str], weights: Sequence[float]) -> bool:
        """Whether a ranking's criteria (names) and raw weights are still those adopted."""
        return tuple(criteria) == tuple(criterion.key for criterion in self.criteria) and all(
            math.isclose(weight, adopted, abs_tol=1e-9)
            for weight, adopted in zip(weights, self.slider_weights, strict=True)
        )


def slider_weights(shares: Sequence[float], total: int = SLIDER_TOTAL) -> tuple[int, ...]:
    """Shares of 1 as whole weights summing to `total` (largest remainders, Hamilton's method):
    the nearest whole numbers that still add up, so that the sliders read as percentages."""
    if not shares or any(not math.isfinite(share) or share < 0 for share in shares) or sum(shares) <= 0:
        raise ValueError("shares are non-negative with a positive total")
    scaled = [share / sum(shares) * total for share in shares]
    whole = [math.floor(value) for value in scaled]
    by_remainder = sorted(range(len(scaled)), key=lambda index: (whole[index] - scaled[index], index))
    for index in by_remainder[: total - sum(whole)]:
        whole[index] += 1
    return tuple(whole)


def summarise(
    title: str,
    held_on: dt.datetime,
    criteria: Sequence[VotingCriterion],
    participants: int,
    votes: Sequence[Vote],
    view: RoomView,
) -> WorkshopSummary:
    """The record of a workshop whose group weights (`view.adopted`) are being adopted."""
    pairwise = sum(isinstance(vote, PairwiseVote) for vote in votes)
    return WorkshopSummary(
        title=title,
        held_on=held_on,
        criteria=tuple(criteria),
        participants=participants,
        pairwise_votes=pairwise,
        direct_votes=len(votes) - pairwise,
        aggregations=view.aggregations,
        spreads=view.spreads,
        consensus=view.consensus,
        projects_agreement=view.projects_agreement,
        individual_weights=view.individual_weights,
        slider_weights=slider_weights(view.adopted.weights),
    )


# --- As the working state keeps it -------------------------------------------------------------
# An adopted workshop is part of the facilitator's working state (ui/persistence.py): a reload
# must keep the « Atelier » sheet and the weights' origin in the export. JSON of plain values;
# read back through the dataclasses, which check themselves (docs/stockage.md).


def summary_document(summary: WorkshopSummary) -> dict:
    """The summary as JSON values."""
    return {
        "titre": summary.title,
        "ouvert_le": summary.held_on.isoformat(),
        "criteres": [[criterion.key, criterion.label] for criterion in summary.criteria],
        "participants": summary.participants,
        "votes_par_paires": summary.pairwise_votes,
        "votes_directs": summary.direct_votes,
        "agregations": [_group_document(group) for group in summary.aggregations],
        "dispersions": [
            [s.minimum, s.first_quartile, s.median, s.third_quartile, s.maximum, list(s.points)]
            for s in summary.spreads
        ],
        "consensus": _consensus_document(summary.consensus),
        "accord_projets": None
        if summary.projects_agreement is None
        else _consensus_document(summary.projects_agreement),
        "poids_individuels": [list(row) for row in summary.individual_weights],
        "poids_curseurs": list(summary.slider_weights),
    }


def summary_from_document(document: dict) -> WorkshopSummary:
    """The summary a `summary_document` holds; KeyError, TypeError or ValueError if it is not one."""
    agreement = document["accord_projets"]
    return WorkshopSummary(
        title=str(document["titre"]),
        held_on=dt.datetime.fromisoformat(str(document["ouvert_le"])),
        criteria=tuple(VotingCriterion(str(key), str(label)) for key, label in document["criteres"]),
        participants=int(document["participants"]),
        pairwise_votes=int(document["votes_par_paires"]),
        direct_votes=int(document["votes_directs"]),
        aggregations=tuple(_group_from(item) for item in document["agregations"]),
        spreads=tuple(
            CriterionSpread(*(float(value) for value in values), tuple(float(point) for point in points))
            for *values, points in document["dispersions"]
        ),
        consensus=_consensus_from(document["consensus"]),
        projects_agreement=None if agreement is None else _consensus_from(agreement),
        individual_weights=tuple(tuple(float(w) for w in row) for row in document["poids_individuels"]),
        slider_weights=tuple(int(w) for w in document["poids_curseurs"]),
    )


def _group_document(group: GroupWeights) -> dict:
    ahp = group.consistency
    return {
        "methode": group.aggregation.value,
        "poids": list(group.weights),
        "participants": group.participants,
        "coherence": None
        if ahp is None
        else [
            list(ahp.priorities),
            ahp.lambda_max,
            ahp.consistency_index,
            ahp.consistency_ratio,
            ahp.random_index,
        ],
    }


def _group_from(item: dict) -> GroupWeights:
    ahp = item["coherence"]
    return GroupWeights(
        Aggregation(item["methode"]),
        tuple(float(w) for w in item["poids"]),
        int(item["participants"]),
        None if ahp is None else AhpResult(tuple(float(p) for p in ahp[0]), *(float(v) for v in ahp[1:])),
    )


def _consensus_document(consensus: Consensus) -> list:
    return [consensus.measure.value, consensus.value, consensus.level, consensus.participants]


def _consensus_from(item: list) -> Consensus:
    measure, value, level, participants = item
    return Consensus(
        ConsensusMeasure(measure), None if value is None else float(value), str(level), int(participants)
    )
