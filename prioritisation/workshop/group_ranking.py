"""The projects under the group's weights, and how much each one depends on whose weights.

For each project: its rank under the group's weights, its best and worst rank when the
projects are ranked under each participant's own weights, and whether it stays in the top
N whatever the participant — the projects everyone would fund, the core of a consensus.

Ranking is not done here: the caller passes a function that ranks the projects under a
weight vector (the dashboard builds it on `prioritisation.ranking.methods.rank_matrix`
with the inventory, method and normalisation in force; docs/atelier.md shows it), so the
workshop stays independent of how projects are ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from prioritisation.workshop.consensus import Consensus, rankings_agreement

# weights (sum 1, criteria order) → one rank per project, 1 = best, ties sharing a rank
RankWeights = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class GroupRanking:
    """Ranks per project, in the order the ranking function returns them."""

    group_ranks: tuple[int, ...]
    best_ranks: tuple[int, ...]  # best (smallest) rank under one participant's weights
    worst_ranks: tuple[int, ...]
    participant_ranks: tuple[tuple[int, ...], ...]  # one row per participant
    top: int

    @property
    def always_in_top(self) -> tuple[bool, ...]:
        """In the top N under every participant's weights."""
        return tuple(worst <= self.top for worst in self.worst_ranks)

    def order(self) -> tuple[int, ...]:
        """Positions of the projects, best group rank first (ties keep the input order)."""
        return tuple(int(position) for position in np.argsort(self.group_ranks, kind="stable"))


def rank_under_weights(
    group: Sequence[float],
    participants: Sequence[Sequence[float]],
    rank: RankWeights,
    top: int,
) -> GroupRanking:
    """Rank the projects under the group's weights and under each participant's weights."""
    if not participants:
        raise ValueError("at least one participant's weights are needed")
    if top < 1:
        raise ValueError("the top N counts at least one project")
    group_ranks = _ranks(rank, group)
    rows = np.array([_ranks(rank, weights) for weights in participants])
    if rows.shape[1] != group_ranks.size:
        raise ValueError("the ranking function must rank the same projects every time")
    return GroupRanking(
        group_ranks=tuple(int(value) for value in group_ranks),
        best_ranks=tuple(int(value) for value in rows.min(axis=0)),
        worst_ranks=tuple(int(value) for value in rows.max(axis=0)),
        participant_ranks=tuple(tuple(int(value) for value in row) for row in rows),
        top=top,
    )


def projects_agreement(ranking: GroupRanking) -> Consensus:
    """Kendall's W between the participants' rankings of the projects."""
    return rankings_agreement(ranking.participant_ranks)


def _ranks(rank: RankWeights, weights: Sequence[float]) -> np.ndarray:
    array = np.asarray(weights, dtype=float)
    return np.asarray(rank(array / array.sum()), dtype=int)
