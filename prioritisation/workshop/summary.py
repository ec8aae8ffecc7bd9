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

from prioritisation.workshop.aggregation import GroupWeights
from prioritisation.workshop.consensus import Consensus
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
