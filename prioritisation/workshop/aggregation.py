"""The group's weights from the participants' votes, each aggregation stated in French.

- Pairwise votes: the geometric mean of the judgments, element by element (aggregation of
  individual judgments, AIJ; Aczél & Saaty 1983, Forman & Peniwati 1998), then the
  principal eigenvector of that group matrix. The geometric mean is the only mean that
  keeps reciprocity: if the group's « A against B » is g, its « B against A » is 1/g.
- Direct weights: the mean and the median of the participants' weights, each participant's
  weights first brought to a total of 100 %; the medians do not add up to 100 % by
  themselves, so they are scaled to do so (said in the description).
- A workshop where some participants compared pairs and others set weights directly has no
  common matrix: every vote becomes its weights (a pairwise vote's eigenvector), and the
  mean and median of those are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from prioritisation.workshop.ahp import AhpResult, analyse, check_reciprocal
from prioritisation.workshop.votes import PairwiseVote, Vote


class Aggregation(Enum):
    JUDGMENTS_GEOMETRIC_MEAN = "aij"
    MEAN = "mean"
    MEDIAN = "median"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_LABELS = {
    Aggregation.JUDGMENTS_GEOMETRIC_MEAN: "moyenne géométrique des jugements",
    Aggregation.MEAN: "moyenne des poids",
    Aggregation.MEDIAN: "médiane des poids",
}
_DESCRIPTIONS = {
    Aggregation.JUDGMENTS_GEOMETRIC_MEAN: (
        "Pour chaque paire de critères, la moyenne géométrique des réponses des participants "
        "(si l'un dit « 3 fois plus » et l'autre « 3 fois moins », le groupe dit « autant ») ; "
        "les poids du groupe sont ensuite tirés de ces réponses communes comme pour une personne. "
        "C'est la seule moyenne qui reste cohérente dans les deux sens : si le groupe juge que A "
        "compte 2 fois plus que B, il juge que B compte 2 fois moins que A."
    ),
    Aggregation.MEAN: (
        "Moyenne des poids des participants, critère par critère, les poids de chacun étant "
        "d'abord ramenés à un total de 100 %."
    ),
    Aggregation.MEDIAN: (
        "Médiane des poids des participants, critère par critère (la moitié du groupe a donné "
        "plus, l'autre moitié moins ; un avis extrême ne la déplace pas), puis ramenée à un total "
        "de 100 %."
    ),
}


@dataclass(frozen=True)
class GroupWeights:
    """The group's weights (sum 1, criteria order) and how they were obtained."""

    aggregation: Aggregation
    weights: tuple[float, ...]
    participants: int
    consistency: AhpResult | None = None  # AIJ only: the group matrix's λmax, CI and CR

    @property
    def label(self) -> str:
        return self.aggregation.label

    @property
    def description(self) -> str:
        return self.aggregation.description


def geometric_mean_of_judgments(matrices: Sequence[np.ndarray]) -> np.ndarray:
    """The group's comparison matrix: element-wise geometric mean (reciprocal by construction)."""
    if not matrices:
        raise ValueError("at least one comparison matrix is needed")
    logs = np.stack([np.log(check_reciprocal(matrix)) for matrix in matrices])
    return np.exp(logs.mean(axis=0))


def aggregate_judgments(matrices: Sequence[np.ndarray]) -> GroupWeights:
    """AIJ: the principal eigenvector of the geometric mean of the participants' matrices."""
    result = analyse(geometric_mean_of_judgments(matrices))
    return GroupWeights(Aggregation.JUDGMENTS_GEOMETRIC_MEAN, result.priorities, len(matrices), result)


def mean_weights(weights: Sequence[Sequence[float]]) -> GroupWeights:
    shares = _shares(weights)
    return GroupWeights(Aggregation.MEAN, _as_tuple(shares.mean(axis=0)), len(shares))


def median_weights(weights: Sequence[Sequence[float]]) -> GroupWeights | None:
    """None when every median is zero (three people each putting everything on another
    criterion): there is then no median weighting to scale to 100 %, and none is invented."""
    shares = _shares(weights)
    medians = np.median(shares, axis=0)
    if medians.sum() <= 0:
        return None
    return GroupWeights(Aggregation.MEDIAN, _as_tuple(medians / medians.sum()), len(shares))


def group_weights(votes: Sequence[Vote]) -> tuple[GroupWeights, ...]:
    """The aggregations to show for these votes, the one to adopt by default first.

    All pairwise: AIJ, then the mean and median of the individual eigenvectors for
    comparison. Otherwise: mean, then median (when it exists). No votes: nothing.
    """
    if not votes:
        return ()
    individual = [vote.shares() for vote in votes]
    median = median_weights(individual)
    spread = (mean_weights(individual),) if median is None else (mean_weights(individual), median)
    if all(isinstance(vote, PairwiseVote) for vote in votes):
        matrices = [vote.matrix() for vote in votes if isinstance(vote, PairwiseVote)]
        return (aggregate_judgments(matrices), *spread)
    return spread


def _shares(weights: Sequence[Sequence[float]]) -> np.ndarray:
    """Each participant's weights normalised to sum 1 (one row per participant)."""
    array = np.asarray(weights, dtype=float)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError("one row of weights per participant, at least one participant")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array.sum(axis=1) <= 0):
        raise ValueError("weights are non-negative with a positive total")
    return array / array.sum(axis=1, keepdims=True)


def _as_tuple(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(value) for value in values)
