"""The room's view in one call: group weights, spread, consensus and the group's ranking.

Which consensus: the AHP-OS entropy consensus when every vote is a pairwise comparison
(it is defined on AHP priorities), Kendall's W between the participants' orders of the
criteria otherwise. The first aggregation is the one to adopt by default (AIJ for pairwise
votes, the mean for direct weights); the others are shown beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from prioritisation.workshop.aggregation import GroupWeights, group_weights
from prioritisation.workshop.consensus import Consensus, ahp_consensus, weights_agreement
from prioritisation.workshop.group_ranking import (
    GroupRanking,
    RankWeights,
    projects_agreement,
    rank_under_weights,
)
from prioritisation.workshop.spread import CriterionSpread, criterion_spreads
from prioritisation.workshop.votes import PairwiseVote, Vote


@dataclass(frozen=True)
class RoomView:
    voters: int
    individual_weights: tuple[tuple[float, ...], ...]  # one row per vote, shares of 1, anonymous
    aggregations: tuple[GroupWeights, ...]  # the first is the default to adopt
    spreads: tuple[CriterionSpread, ...]  # one per criterion
    consensus: Consensus
    ranking: GroupRanking | None  # when a ranking function was given
    projects_agreement: Consensus | None

    @property
    def adopted(self) -> GroupWeights:
        return self.aggregations[0]


def room_view(votes: Sequence[Vote], rank: RankWeights | None = None, top: int = 5) -> RoomView | None:
    """Everything the projector shows for these votes; None before the first vote."""
    if not votes:
        return None
    individual = tuple(tuple(float(share) for share in vote.shares()) for vote in votes)
    aggregations = group_weights(votes)
    if all(isinstance(vote, PairwiseVote) for vote in votes):
        consensus = ahp_consensus(individual)
    else:
        consensus = weights_agreement(individual)
    ranking = None if rank is None else rank_under_weights(aggregations[0].weights, individual, rank, top)
    return RoomView(
        voters=len(votes),
        individual_weights=individual,
        aggregations=aggregations,
        spreads=criterion_spreads(individual),
        consensus=consensus,
        ranking=ranking,
        projects_agreement=None if ranking is None else projects_agreement(ranking),
    )
