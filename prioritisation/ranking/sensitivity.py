"""One-way weight sensitivity: how far each weight can move before the head of the ranking changes.

A weight moves alone, the others keeping their proportions (docs/robustness.md, « Marges des
poids »): with the moved weight at share t, w(t) = t·e_j + (1 − t)·w_rest. Two questions per
weight: over which shares do the first N projects stay the same set, and the first project
the same one?

- Weighted sum: each score is linear in t, so the margin « worst of the set minus best of the
  others » is a minimum of lines minus a maximum of lines — concave. The shares that keep the
  set form one interval around the current share, and its ends are exact: Newton steps on the
  active pair of lines (each a crossing in closed form) land on the end in a few steps.
- TOPSIS and VIKOR: not linear in t. The shares are scanned (step `1 / (FLIP_SCAN_POINTS − 1)`),
  then each end is bisected to `FLIP_TOLERANCE`; a change lasting less than one scan step
  could be missed, as stated with each interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from prioritisation.ranking.acceptability import BATCH_CELLS, TIE_TOLERANCE, ScoreModel, tie_tolerance
from prioritisation.ranking.methods import Method, normalise_weights, rank_with_ties

FLIP_TOLERANCE = 1e-6  # in weight share: 0.0001 point
FLIP_SCAN_POINTS = 401  # scan step 1/400 = 0.25 point


@dataclass(frozen=True)
class FlipInterval:
    """How far one weight (a share of the total, the others keeping their proportions) can move.

    [top_low, top_high] keeps the first `top_n` projects; [first_low, first_high] keeps the
    first. When projects tie across the limit today (`top_tied` of them at rank `top_tie_rank`;
    `first_tied` at rank 1), which of them are « in » is a matter of tie-breaking: the head
    counts as unchanged while the projects surely in stay above the tied group and the tied
    group above the projects surely out — the tied ones may swap among themselves. A tie at an
    end counts as unchanged. `exact` intervals come in closed form (weighted sum); the others
    are found to `tolerance` after a scan of step `scan_step`.
    """

    criterion: int
    current: float
    top_n: int
    top_low: float
    top_high: float
    first_low: float
    first_high: float
    exact: bool
    tolerance: float = 0.0
    scan_step: float = 0.0
    top_tied: int = 0
    top_tie_rank: int = 0
    first_tied: int = 0


@dataclass(frozen=True)
class Head:
    """The first N projects at the current weights, as sets that must stay on top (see FlipInterval)."""

    sets: tuple[np.ndarray, ...]  # boolean masks over the projects: each must stay above the rest
    tied: int  # projects tied across the limit (0 when the limit falls between two ranks)
    tie_rank: int


def head_of(ranks: np.ndarray, top_n: int) -> Head:
    """From competition ranks (1, 1, 3…): the projects surely in (their whole tie group within the
    first N), and those not surely out; each set must stay above all other projects."""
    ranks = np.asarray(ranks)
    _, group_of, group_sizes = np.unique(ranks, return_inverse=True, return_counts=True)
    surely_in = ranks + group_sizes[group_of] - 1 <= top_n
    not_out = ranks <= top_n
    straddling = not_out & ~surely_in
    candidates = (surely_in, not_out) if straddling.any() else (not_out,)
    unique = [members for members in candidates if members.any() and not members.all()]
    tie_rank = int(ranks[straddling][0]) if straddling.any() else 0
    return Head(tuple(unique), int(straddling.sum()), tie_rank)


def moved_weights(weights: Sequence[float], criterion: int, shares: np.ndarray) -> np.ndarray:
    """Weight vectors with `criterion` at each of `shares`, the others keeping their proportions.

    When the moved weight holds everything today, the others have no proportions to keep:
    they share the rest equally.
    """
    weights = np.asarray(weights, dtype=float)
    rest = weights.copy()
    rest[criterion] = 0.0
    total = rest.sum()
    if total > 0:
        rest /= total
    else:
        rest = np.full(weights.size, 1.0 / max(1, weights.size - 1))
        rest[criterion] = 0.0
    shares = np.asarray(shares, dtype=float).reshape(-1, 1)
    moved = (1.0 - shares) * rest[None, :]
    moved[:, criterion] = shares[:, 0]
    return moved


def flip_intervals(
    normalised: np.ndarray,
    weights: Sequence[float],
    *,
    method: Method,
    vikor_v: float = 0.5,
    top_n: int = 10,
) -> tuple[FlipInterval, ...]:
    """One `FlipInterval` per criterion; none with a single criterion (its weight is always 100 %).

    The reference sets are the first `top_n` projects and the first project in the ranking's
    order at the current weights (ties in the inventory's order, as `Ranking.order`).
    """
    values = np.asarray(normalised, dtype=float)
    unit = normalise_weights(weights)
    projects, criteria = values.shape
    if criteria < 2 or projects == 0:
        return ()
    top_n = min(top_n, projects)
    model = ScoreModel.of(values, method, vikor_v)
    ranks = rank_with_ties(model.scores(unit)[0])
    head, first = head_of(ranks, top_n), head_of(ranks, 1)
    intervals = []
    for criterion in range(criteria):
        current = float(unit[criterion])
        if method is Method.WEIGHTED_SUM:
            rest = moved_weights(unit, criterion, np.zeros(1))[0]
            base = values @ rest  # the score at share t is base + t·(x_j − base)
            slope = values[:, criterion] - base
            top, best = (_within(_linear_interval(base, slope, members, current) for members in part.sets)
                         for part in (head, first))  # fmt: skip
            exact, tolerance, step = True, 0.0, 0.0
        else:
            scan = _Scan(model, unit, criterion)
            top, best = (_within(scan.interval(members, current) for members in part.sets)
                         for part in (head, first))  # fmt: skip
            exact, tolerance, step = False, FLIP_TOLERANCE, 1.0 / (FLIP_SCAN_POINTS - 1)
        intervals.append(
            FlipInterval(
                criterion, current, top_n, *top, *best, exact=exact, tolerance=tolerance, scan_step=step,
                top_tied=head.tied, top_tie_rank=head.tie_rank, first_tied=first.tied,
            )
        )  # fmt: skip
    return tuple(intervals)


def _within(intervals: Iterable[tuple[float, float]]) -> tuple[float, float]:
    """Where every set holds: each interval contains the current share, so their intersection."""
    low, high = 0.0, 1.0
    for start, end in intervals:
        low, high = max(low, start), min(high, end)
    return low, high


def set_margin(scores: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Worst member minus best outsider (plus the tie tolerance), per row: ≥ 0 while the set
    is still on top, a tie counting as on top."""
    if members.all():
        return np.full(scores.shape[:-1], np.inf)
    worst_in = scores[..., members].min(axis=-1)
    best_out = scores[..., ~members].max(axis=-1)
    return worst_in - best_out + tie_tolerance(np.maximum(np.abs(worst_in), np.abs(best_out)))


# --- Weighted sum: exact ends ---------------------------------------------------------------


def _linear_interval(
    base: np.ndarray, slope: np.ndarray, members: np.ndarray, current: float
) -> tuple[float, float]:
    """Exact ends of {t ∈ [0, 1] : the members are on top} for the scores base + slope·t."""
    if members.all():
        return 0.0, 1.0
    high = _linear_end(base, slope, members, current, 1.0)
    low = -_linear_end(base, -slope, members, -current, 0.0)  # t → −t mirrors the left end
    return max(0.0, low), min(1.0, high)


def _linear_end(
    base: np.ndarray, slope: np.ndarray, members: np.ndarray, start: float, limit: float
) -> float:
    """The last t in [start, limit] where the set holds, by Newton steps on a concave margin.

    At a share where the set fails, the worst member's and best outsider's lines give a line
    above the margin everywhere (the margin is their minimum over all pairs), so its zero lies
    at or before the end; from there the next active pair is tried, until a crossing holds.
    """
    inside, outside = np.flatnonzero(members), np.flatnonzero(~members)

    def margin(t: float) -> tuple[float, int, int]:
        scores = base + slope * t
        worst = int(inside[np.argmin(scores[inside])])
        best = int(outside[np.argmax(scores[outside])])
        size = max(1.0, abs(scores[worst]), abs(scores[best]))
        return scores[worst] - scores[best] + TIE_TOLERANCE * size, worst, best

    gap, worst, best = margin(limit)
    if gap >= 0:
        return limit
    failing = limit
    for _ in range(base.size + 2):  # each step takes another pair of lines: bounded
        descent = slope[worst] - slope[best]
        if descent >= 0:  # the pair was already crossed at `start`: a tie there, no room
            return start
        crossing = min(max((base[best] - base[worst]) / descent, start), failing)
        gap, worst, best = margin(crossing)
        if gap >= 0 or crossing <= start:
            return crossing
        failing = crossing
    return start


# --- TOPSIS and VIKOR: scan, then bisection ---------------------------------------------------


@dataclass(frozen=True)
class _Scan:
    model: ScoreModel
    weights: np.ndarray
    criterion: int

    def scores(self, shares: np.ndarray) -> np.ndarray:
        return self.model.scores(moved_weights(self.weights, self.criterion, shares))

    def holds(self, shares: np.ndarray, members: np.ndarray) -> np.ndarray:
        """Whether the set is on top at each share, in batches of bounded memory."""
        step = max(1, BATCH_CELLS // members.size)
        return np.concatenate(
            [set_margin(self.scores(shares[i : i + step]), members) >= 0 for i in range(0, shares.size, step)]
        )

    def interval(self, members: np.ndarray, current: float) -> tuple[float, float]:
        if members.all():
            return 0.0, 1.0
        grid = np.linspace(0.0, 1.0, FLIP_SCAN_POINTS)
        holds = self.holds(grid, members)
        right, left = grid > current, grid < current
        high = self._end(members, current, grid[right], holds[right])
        low = self._end(members, current, grid[left][::-1], holds[left][::-1])
        return low, high

    def _end(self, members: np.ndarray, current: float, points: np.ndarray, holds: np.ndarray) -> float:
        """Walking from `current` through `points`: the last share where the set holds."""
        if points.size == 0:
            return current
        failing = np.flatnonzero(~holds)
        if failing.size == 0:
            return float(points[-1])
        bad = float(points[failing[0]])
        good = float(points[failing[0] - 1]) if failing[0] > 0 else current
        while abs(bad - good) > FLIP_TOLERANCE:
            middle = 0.5 * (good + bad)
            if self.holds(np.array([middle]), members)[0]:
                good = middle
            else:
                bad = middle
        return good
