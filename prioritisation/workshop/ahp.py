"""One participant's pairwise comparisons (AHP): priorities, consistency, a hint, plain words.

A participant who compares criteria two by two on Saaty's 1–9 scale gives a positive
reciprocal matrix A (a_ij = how many times criterion i counts more than j, a_ji = 1/a_ij).
Their weights are the principal eigenvector of A (Saaty 1980); how far A is from a
consistent matrix is told by λmax: CI = (λmax − n)/(n − 1) and CR = CI / RI(n), where RI(n)
is the average CI of random reciprocal matrices of order n. A CR above 10 % means the
answers contradict each other enough to be worth a second look (Saaty 1980). See
docs/atelier.md for the formulas and the sources.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SCALE_MAX = 9  # Saaty's fundamental scale runs from 1 to 9 (and the reciprocals 1/2 … 1/9)
CONSISTENCY_LIMIT = 0.10  # Saaty's rule of thumb: revise the judgments when CR exceeds 10 %

# Saaty's random index, for matrices of order 1 to 10: the average consistency index of
# 500 random reciprocal matrices per order (Oak Ridge National Laboratory and Wharton
# School), as printed in T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980.
# It is the table most software uses; RI(7) = 1.32 gives CR = 0.022 on Saaty's (2008)
# drinks example. Saaty (2008, IJSSCI 1(1)) prints a later estimate (RI(7) = 1.35), which
# gives the same CR to three decimals there; other tables (Alonso & Lamata 2006) differ
# slightly. Orders above 10 are not offered: 45 comparisons is already a long vote.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}
MAX_CRITERIA = max(RANDOM_INDEX)

# The words of the scale, for « A compte … que B » (value = how many times A counts more).
# Saaty's odd steps (1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme) and the even
# steps between them, in the order of strength.
_INTENSITY_WORDS: dict[int, str] = {
    2: "à peine plus",
    3: "un peu plus",
    4: "sensiblement plus",
    5: "nettement plus",
    6: "bien plus",
    7: "beaucoup plus",
    8: "énormément plus",
    9: "extrêmement plus",
}


@dataclass(frozen=True)
class AhpResult:
    """A participant's weights from their comparison matrix, and how consistent it is."""

    priorities: tuple[float, ...]  # principal eigenvector, sums to 1, in criteria order
    lambda_max: float
    consistency_index: float  # CI = (λmax − n) / (n − 1); 0 when n ≤ 2
    consistency_ratio: float  # CR = CI / RI(n); 0 when n ≤ 2
    random_index: float

    @property
    def consistent_enough(self) -> bool:
        return self.consistency_ratio <= CONSISTENCY_LIMIT


@dataclass(frozen=True)
class InconsistentPair:
    """The judgment that disagrees most with the weights the other answers imply.

    `first` < `second` (criteria positions); `given` is a_first,second as answered and
    `implied` the ratio w_first / w_second of the participant's own priorities, and
    `suggested` the nearest value of the scale to it. `deviation` = max(ε, 1/ε) with
    ε = a_ij · w_j / w_i (1 for a perfectly consistent judgment).
    """

    first: int
    second: int
    given: float
    implied: float
    suggested: float
    deviation: float


def check_reciprocal(matrix: np.ndarray) -> np.ndarray:
    """The matrix as floats; ValueError when it is not square, positive and reciprocal.

    A malformed matrix is a programming error here: votes are validated (and turned into
    matrices) by `prioritisation.workshop.votes`.
    """
    array = np.asarray(matrix, dtype=float)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] == 0:
        raise ValueError("a pairwise comparison matrix is square and not empty")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError("pairwise comparisons are positive finite numbers")
    if not np.allclose(array * array.T, 1.0, rtol=1e-9, atol=1e-12):
        raise ValueError("a pairwise comparison matrix is reciprocal: a_ji = 1 / a_ij")
    return array


def analyse(matrix: np.ndarray) -> AhpResult:
    """Priorities (principal eigenvector), λmax, CI and CR of a reciprocal matrix."""
    array = check_reciprocal(matrix)
    size = array.shape[0]
    if size > MAX_CRITERIA:
        raise ValueError(f"Saaty's random index is pinned for at most {MAX_CRITERIA} criteria")
    lambda_max, priorities = principal_eigenvector(array)
    random_index = RANDOM_INDEX[size]
    if size <= 2:  # every 1×1 or 2×2 reciprocal matrix is consistent
        return AhpResult(tuple(priorities), float(size), 0.0, 0.0, random_index)
    consistency_index = max(0.0, (lambda_max - size) / (size - 1))
    return AhpResult(
        priorities=tuple(float(value) for value in priorities),
        lambda_max=lambda_max,
        consistency_index=consistency_index,
        consistency_ratio=consistency_index / random_index,
        random_index=random_index,
    )


def principal_eigenvector(matrix: np.ndarray) -> tuple[float, np.ndarray]:
    """Perron root and its eigenvector scaled to sum 1 (Perron–Frobenius: real, positive)."""
    values, vectors = np.linalg.eig(matrix)
    index = int(np.argmax(values.real))
    vector = np.abs(vectors[:, index].real)
    return float(values[index].real), vector / vector.sum()


def most_inconsistent_pair(matrix: np.ndarray, priorities: Sequence[float]) -> InconsistentPair | None:
    """The judgment to revise first: the largest ε_ij = a_ij · w_j / w_i; None below three criteria.

    Saaty (2003, EJOR 145(1), « Decision-making with the AHP: why is the principal
    eigenvector necessary ») writes an inconsistent matrix as a perturbation
    a_ij = (w_i / w_j) · ε_ij of a consistent one and improves consistency by revising the
    judgment whose ε_ij is the largest. Since ε_ji = 1/ε_ij, that is the pair whose |ln ε|
    is the largest: the answer furthest, in ratio, from what the participant's own weights
    imply. One refinement for a bounded scale: a hint must suggest another answer, so pairs
    whose nearest answer on the scale is the one already given (wine against water in
    Saaty's drinks example: 1/9 given, 1/17 implied, and 1/9 is the end of the scale) are
    passed over while another pair can move; when none can, the largest ε is returned.
    """
    array = check_reciprocal(matrix)
    size = array.shape[0]
    if size < 3:
        return None
    weights = np.asarray(priorities, dtype=float)
    epsilon = array * weights[np.newaxis, :] / weights[:, np.newaxis]
    firsts, seconds = np.triu_indices(size, k=1)
    distances = np.abs(np.log(epsilon[firsts, seconds]))
    pairs = [
        InconsistentPair(
            first=int(first),
            second=int(second),
            given=float(array[first, second]),
            implied=float(weights[first] / weights[second]),
            suggested=nearest_scale_value(float(weights[first] / weights[second])),
            deviation=float(math.exp(distance)),
        )
        for first, second, distance in zip(firsts, seconds, distances, strict=True)
    ]
    pairs.sort(key=lambda pair: -pair.deviation)
    movable = [pair for pair in pairs if not math.isclose(pair.suggested, pair.given, rel_tol=1e-9)]
    return (movable or pairs)[0]


def scale_values() -> tuple[float, ...]:
    """The 17 answers of the scale, from « 1/9 » to « 9 », for a slider."""
    below_one = [1 / step for step in range(SCALE_MAX, 1, -1)]
    return (*below_one, *(float(step) for step in range(1, SCALE_MAX + 1)))


def nearest_scale_value(value: float) -> float:
    """The answer of the scale closest in ratio (log distance): 2.4 → 2, 0.3 → 1/3."""
    if not math.isfinite(value) or value <= 0:
        raise ValueError("a comparison is a positive finite number")
    distance = abs(math.log(value))
    step = min(range(1, SCALE_MAX + 1), key=lambda candidate: abs(math.log(candidate) - distance))
    return float(step) if value >= 1 else 1 / step


def judgment_phrase(first: str, second: str, value: float) -> str:
    """A comparison in words: (« la faisabilité », « l'impact », 3) →
    « la faisabilité compte un peu plus que l'impact »; 1/3 says the reverse.

    Labels are used as given (pass them with their article for a natural sentence); a value
    between two steps of the scale (a group's geometric mean, 2.6) reads as the nearest step.
    """
    step = nearest_scale_value(value)
    if step == 1:
        return f"{first} et {second} comptent autant"
    if step < 1:
        first, second = second, first
        step = 1 / step
    words = _INTENSITY_WORDS[round(step)]
    return f"{first} compte {words} {_que(second)}"


def _que(label: str) -> str:
    """« que l'impact », « qu'Urgence »: the elision French requires before a vowel."""
    initial = label[:1].lower()
    vowels = "aeiouàâäéèêëîïôöùûüœæ"  # not h: « que handicap » (aspirated h)
    return f"qu'{label}" if initial and initial in vowels else f"que {label}"
