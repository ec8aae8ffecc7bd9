"""How far apart the participants are, criterion by criterion: the box and the dots.

The room's view draws, for each criterion, a box (quartiles) and one dot per participant.
Quartiles are numpy's default (linear interpolation between order statistics, Hyndman &
Fan's definition 7, the one spreadsheets call QUARTILE.INCLUS / QUARTILE.INC), so a person
checking with a spreadsheet finds the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CriterionSpread:
    """One criterion's weights across participants (shares of 1)."""

    minimum: float
    first_quartile: float
    median: float
    third_quartile: float
    maximum: float
    points: tuple[float, ...]  # one per participant, in the order given

    @property
    def range(self) -> float:
        return self.maximum - self.minimum

    @property
    def interquartile_range(self) -> float:
        return self.third_quartile - self.first_quartile


def criterion_spreads(weights: Sequence[Sequence[float]]) -> tuple[CriterionSpread, ...]:
    """Per criterion (columns), the spread of the participants' normalised weights (rows)."""
    array = np.asarray(weights, dtype=float)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError("one row of weights per participant, at least one participant")
    shares = array / array.sum(axis=1, keepdims=True)
    spreads = []
    for column in shares.T:
        low, first, middle, third, high = np.percentile(column, [0, 25, 50, 75, 100])
        spreads.append(
            CriterionSpread(
                minimum=float(low),
                first_quartile=float(first),
                median=float(middle),
                third_quartile=float(third),
                maximum=float(high),
                points=tuple(float(value) for value in column),
            )
        )
    return tuple(spreads)
