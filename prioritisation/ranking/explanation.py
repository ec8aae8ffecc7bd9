"""Why a project ranks where it does: movement, close calls and the project against the median.

Everything here reads a `Ranking` and returns plain values; the dashboard only formats them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from prioritisation.ranking.criteria import criteria_matrix
from prioritisation.ranking.priorities import Ranking, rank_inventory

CLOSE_CALL_MARGIN = 0.01  # scores within one point out of 100 are too close to call


def equal_weights_baseline(ranking: Ranking) -> Ranking:
    """The same criteria, method and normalisation with every weight equal."""
    return rank_inventory(ranking.inventory, replace(ranking.settings, weights=None))


def movement(ranking: Ranking, baseline: Ranking) -> np.ndarray:
    """Places gained (positive) or lost (negative) against `baseline`, per project."""
    return baseline.result.ranks - ranking.result.ranks


TIED = "ex aequo"
CLOSE = "serré"


def close_calls(ranking: Ranking, margin: float = CLOSE_CALL_MARGIN) -> list[str]:
    """Per project: "ex aequo" when it shares its rank, "serré" when a neighbour with another
    rank is within `margin` of its score (a small change of weights swaps them), else "".
    """
    order = ranking.order
    scores = ranking.result.scores[order]
    ranks = ranking.result.ranks[order]
    gaps = np.abs(np.diff(scores))
    near = (gaps < margin) & (np.diff(ranks) != 0)
    tied = np.diff(ranks) == 0
    marks = [""] * len(order)
    for step in np.flatnonzero(near | tied):
        label = TIED if tied[step] else CLOSE
        for neighbour in (order[step], order[step + 1]):
            if marks[neighbour] != TIED:
                marks[neighbour] = label
    return marks


@dataclass(frozen=True)
class CriterionReading:
    """One criterion for one project: its value against the median of all projects."""

    label: str
    maximise: bool
    value: float
    median: float
    weight: float  # normalised, sums to 1 over the criteria
    normalised: float  # 0 worst … 1 best, as the method saw it
    contribution: float | None  # points of the score (weighted sum only)

    @property
    def stands(self) -> int:
        """+1 better than the median, −1 worse, 0 level with it."""
        if np.isclose(self.value, self.median):
            return 0
        better = self.value > self.median if self.maximise else self.value < self.median
        return 1 if better else -1


@dataclass(frozen=True)
class Explanation:
    position: int  # position of the project in the inventory
    rank: int
    count: int
    score: float
    readings: tuple[CriterionReading, ...]

    @property
    def strengths(self) -> list[str]:
        return [reading.label for reading in self.readings if reading.stands > 0]

    @property
    def weaknesses(self) -> list[str]:
        return [reading.label for reading in self.readings if reading.stands < 0]

    def sentence(self) -> str:
        """'Rang 3 sur 40. Au-dessus de la médiane : Urgence, Impact. En dessous : Faisabilité.'"""
        parts = [f"Rang {self.rank} sur {self.count}."]
        if self.strengths:
            parts.append("Mieux que la médiane des projets : " + ", ".join(self.strengths) + ".")
        if self.weaknesses:
            parts.append("Moins bien que la médiane : " + ", ".join(self.weaknesses) + ".")
        if not self.strengths and not self.weaknesses:
            parts.append("Au niveau de la médiane sur tous les critères.")
        return " ".join(parts)


def explain(ranking: Ranking, position: int) -> Explanation:
    """The project at `position` (in the inventory's order), criterion by criterion."""
    matrix, _, _ = criteria_matrix(ranking.inventory, ranking.settings)
    medians = np.median(matrix, axis=0) if len(matrix) else np.zeros(matrix.shape[1])
    result = ranking.result
    readings = tuple(
        CriterionReading(
            label=criterion.label,
            maximise=criterion.maximise,
            value=float(matrix[position, column]),
            median=float(medians[column]),
            weight=float(result.weights[column]),
            normalised=float(result.normalised[position, column]),
            contribution=None
            if result.contributions is None
            else float(result.contributions[position, column]),
        )
        for column, criterion in enumerate(ranking.criteria)
    )
    return Explanation(
        position=position,
        rank=int(result.ranks[position]),
        count=len(result.ranks),
        score=float(result.scores[position]),
        readings=readings,
    )
