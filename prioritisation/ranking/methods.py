"""Multi-criteria ranking: weighted sum, TOPSIS and VIKOR, on top of scikit-criteria.

This is the only module that imports scikit-criteria (lazily: importing it costs about
2 s). The maths follows its design: small array functions (`normalise`, `rank_with_ties`)
and scikit-criteria's own aggregation functions, wrapped by `rank_matrix`, which checks the
settings and returns our typed `RankResult`.

Every normalisation returns a "more is better" matrix: a criterion to minimise becomes
1 − its normalised value. TOPSIS and VIKOR give the same results as with their classic
handling of cost criteria (both are invariant to that flip), and the weighted sum can use
criteria to minimise, which scikit-criteria's own model refuses.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from prioritisation.french import format_percent, format_plain


class Method(Enum):
    WEIGHTED_SUM = "weighted-sum"
    TOPSIS = "topsis"
    VIKOR = "vikor"

    @property
    def label(self) -> str:
        return _METHOD_LABELS[self]

    @property
    def default_normalisation(self) -> Normalisation:
        return _DEFAULT_NORMALISATION[self]


class Normalisation(Enum):
    MINMAX = "minmax"
    VECTOR = "vector"
    SUM = "sum"
    SCALE = "scale"

    @property
    def label(self) -> str:
        return _NORMALISATION_LABELS[self]


_METHOD_LABELS = {
    Method.WEIGHTED_SUM: "Somme pondérée",
    Method.TOPSIS: "TOPSIS",
    Method.VIKOR: "VIKOR",
}
_DEFAULT_NORMALISATION = {
    Method.WEIGHTED_SUM: Normalisation.SCALE,  # stable when a project is added; checkable
    Method.TOPSIS: Normalisation.VECTOR,  # the method's classic form
    Method.VIKOR: Normalisation.MINMAX,  # VIKOR rescales by itself: any linear one is equal
}
_NORMALISATION_LABELS = {
    Normalisation.MINMAX: "min-max (le meilleur projet vaut 1, le moins bon 0)",
    Normalisation.VECTOR: "vectorielle (valeur divisée par la norme du critère)",
    Normalisation.SUM: "par la somme (valeur divisée par le total du critère)",
    Normalisation.SCALE: "par l'échelle déclarée (note 1 → 0, note 5 → 1)",
}
METHOD_EXPLANATIONS = {
    Method.WEIGHTED_SUM: (
        "Chaque note est ramenée entre 0 et 1, multipliée par le poids de son critère, "
        "puis additionnée : le calcul se vérifie à la main."
    ),
    Method.TOPSIS: (
        "Classe les projets selon leur proximité du projet idéal (les meilleures valeurs "
        "observées) et leur éloignement du pire."
    ),
    Method.VIKOR: (
        "Cherche le compromis : pénalise les projets très faibles sur un critère, même s'ils "
        "brillent ailleurs. Le score Q est un écart : plus il est bas, mieux c'est."
    ),
}


class InvalidSettings(ValueError):
    """Settings that cannot give a ranking (the message is French, for the user)."""


@dataclass(frozen=True)
class RankResult:
    """Scores and ranks, in the order of the input rows (rank 1 = best; ties share a rank)."""

    method: Method
    normalisation: Normalisation
    weights: np.ndarray  # normalised to sum 1
    scores: np.ndarray
    ranks: np.ndarray
    normalised: np.ndarray  # the "more is better" matrix the method worked on
    contributions: np.ndarray | None  # weighted sum only: per criterion, sums to the score

    @property
    def higher_is_better(self) -> bool:
        return self.method is not Method.VIKOR


def load_engine() -> None:
    """Import scikit-criteria now (about 2 s): a server calls it once, off the user's path."""
    import skcriteria.agg.simple
    import skcriteria.agg.topsis
    import skcriteria.agg.vikor  # noqa: F401


def normalise_weights(weights: Sequence[float]) -> np.ndarray:
    """Any non-negative numbers with a positive total, scaled to sum 1."""
    array = np.asarray(weights, dtype=float)
    if array.size == 0:
        raise InvalidSettings("Choisissez au moins un critère.")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise InvalidSettings("Les poids doivent être des nombres positifs ou nuls.")
    total = array.sum()
    if total <= 0:
        raise InvalidSettings("Au moins un critère doit avoir un poids supérieur à zéro.")
    return array / total


def describe_weights(weights: np.ndarray) -> list[str]:
    return [format_percent(weight, 1) for weight in weights]


def normalise(
    matrix: np.ndarray,
    maximise: Sequence[bool],
    normalisation: Normalisation,
    bounds: Sequence[tuple[float, float] | None],
) -> np.ndarray:
    """The matrix scaled per criterion to [0, 1], oriented so that more is always better.

    Defined for any real values. Min-max and scale: (x − low) / (high − low), or its
    complement for a criterion to minimise. Vector and sum divide by the criterion's norm
    (Euclidean, or the sum of the absolute values): x / ‖x‖ for values ≥ 0 to maximise,
    1 − x / ‖x‖ to minimise, the classic forms; values all ≤ 0 are magnitudes the other way
    round (a loss to maximise is a cost to minimise), so that negating a criterion and
    flipping its direction gives the same ranking. With mixed signs a ratio to the norm
    means nothing (the best project could rank last): refused, in French.

    A constant criterion (every project equal, and no declared scale) scores 1 for every
    project whatever its direction: it separates nobody and penalises nobody. `bounds` are
    declared scales, used by "scale"; a criterion without one falls back to its observed range.
    """
    matrix = np.asarray(matrix, dtype=float)
    flip = ~np.asarray(maximise, dtype=bool)
    if matrix.shape[0] == 0:
        return matrix.copy()
    low, high = matrix.min(axis=0), matrix.max(axis=0)
    constant = low == high
    if normalisation in (Normalisation.MINMAX, Normalisation.SCALE):
        if normalisation is Normalisation.SCALE:
            low, high = _declared_bounds(matrix, bounds)
            constant &= np.array([bound is None for bound in bounds], dtype=bool)
        scaled = _between(matrix, low, high)
        scaled[:, flip] = 1.0 - scaled[:, flip]
    else:
        scaled = _by_norm(matrix, flip, normalisation, low, high, constant)
    scaled[:, constant] = 1.0
    return scaled


def _between(matrix: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """(x − low) / (high − low) per column, computed on values divided by the column's largest
    magnitude so that no difference overflows."""
    size = np.maximum(np.abs(low), np.abs(high))
    size = np.where(size > 0, size, 1.0)
    return _divide(matrix / size - low / size, high / size - low / size, fill=1.0)


_NORM_NAMES = {Normalisation.VECTOR: "vectorielle", Normalisation.SUM: "par la somme"}


def _by_norm(
    matrix: np.ndarray,
    flip: np.ndarray,
    normalisation: Normalisation,
    low: np.ndarray,
    high: np.ndarray,
    constant: np.ndarray,
) -> np.ndarray:
    mixed = (low < 0) & (high > 0) & ~constant
    if mixed.any():
        column = int(np.flatnonzero(mixed)[0])
        raise InvalidSettings(
            f"La normalisation {_NORM_NAMES[normalisation]} n'est pas définie pour un critère qui mêle "
            f"valeurs positives et négatives (critère n° {column + 1}, de {format_plain(low[column])} à "
            f"{format_plain(high[column])}) : choisissez la normalisation min-max ou par l'échelle."
        )
    size = np.max(np.abs(matrix), axis=0)
    magnitude = np.abs(matrix) / np.where(size > 0, size, 1.0)  # in [0, 1]: no overflow below
    if normalisation is Normalisation.VECTOR:
        norm = np.sqrt(np.square(magnitude).sum(axis=0))
    else:
        norm = magnitude.sum(axis=0)
    share = _divide(magnitude, norm, fill=0.0)
    larger_is_better = (high > 0) != flip  # values ≥ 0 to maximise, or ≤ 0 to minimise
    return np.where(larger_is_better, share, 1.0 - share)


def _declared_bounds(
    matrix: np.ndarray, bounds: Sequence[tuple[float, float] | None]
) -> tuple[np.ndarray, np.ndarray]:
    low, high = matrix.min(axis=0), matrix.max(axis=0)
    for column, bound in enumerate(bounds):
        if bound is not None:
            low[column], high[column] = bound
    return low, high


def _divide(numerator: np.ndarray, denominator: np.ndarray, fill: float) -> np.ndarray:
    denominator = np.broadcast_to(denominator, numerator.shape)
    result = np.full(numerator.shape, fill)
    np.divide(numerator, denominator, out=result, where=denominator != 0)
    return result


def rank_with_ties(scores: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """1-based competition ranks (1, 1, 3…): scores within a relative 1e-9 share a rank."""
    scores = np.asarray(scores, dtype=float)
    if scores.size == 0:
        return np.zeros(0, dtype=int)
    keys = -scores if higher_is_better else scores
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    tolerance = 1e-9 * np.maximum(1.0, np.abs(ordered[1:]))
    starts_group = np.concatenate(([True], np.diff(ordered) > tolerance))
    positions = np.arange(1, scores.size + 1)
    group_rank = np.maximum.accumulate(np.where(starts_group, positions, 0))
    ranks = np.empty(scores.size, dtype=int)
    ranks[order] = group_rank
    return ranks


def rank_matrix(
    matrix: np.ndarray,
    *,
    maximise: Sequence[bool],
    weights: Sequence[float],
    method: Method = Method.WEIGHTED_SUM,
    normalisation: Normalisation | None = None,
    bounds: Sequence[tuple[float, float] | None] | None = None,
    vikor_v: float = 0.5,
) -> RankResult:
    """Rank the rows of `matrix` (projects × criteria). Values must be finite."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] != len(maximise) or len(weights) != len(maximise):
        raise InvalidSettings("Il faut un poids et un sens (max ou min) par critère.")
    if not np.all(np.isfinite(matrix)):
        raise InvalidSettings("Toutes les valeurs des critères doivent être renseignées.")
    if not 0.0 <= vikor_v <= 1.0:
        raise InvalidSettings("Le paramètre v de VIKOR doit être compris entre 0 et 1.")
    normalisation = normalisation or method.default_normalisation
    unit_weights = normalise_weights(weights)
    scaled = normalise(matrix, maximise, normalisation, bounds or [None] * len(maximise))
    contributions = None
    if matrix.shape[0] == 0:
        scores = np.zeros(0)
    elif method is Method.WEIGHTED_SUM:
        scores, contributions = _weighted_sum(scaled, unit_weights)
    elif method is Method.TOPSIS:
        scores = _topsis(scaled, unit_weights)
    else:
        scores = _vikor(scaled, unit_weights, vikor_v)
    ranks = rank_with_ties(scores, higher_is_better=method is not Method.VIKOR)
    return RankResult(
        method=method,
        normalisation=normalisation,
        weights=unit_weights,
        scores=scores,
        ranks=ranks,
        normalised=scaled,
        contributions=contributions,
    )


def _weighted_sum(scaled: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from skcriteria.agg.simple import wsm

    _, scores = wsm(scaled, weights)
    return np.atleast_1d(np.asarray(scores, dtype=float)), scaled * weights


def _topsis(scaled: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Relative closeness to the ideal; a project that is the ideal itself scores 1."""
    from skcriteria.agg.topsis import topsis

    objectives = np.ones(scaled.shape[1], dtype=int)
    with np.errstate(invalid="ignore", divide="ignore"):
        _, _, _, closeness = topsis(scaled, objectives, weights)
    return np.nan_to_num(np.asarray(closeness, dtype=float), nan=1.0)


def _vikor(scaled: np.ndarray, weights: np.ndarray, v: float) -> np.ndarray:
    """VIKOR's Q (lower is better); a single project gets Q = 0."""
    if scaled.shape[0] < 2:
        return np.zeros(scaled.shape[0])
    return np.nan_to_num(np.asarray(_vikor_extra(scaled, weights, v).q_k, dtype=float), nan=0.0)


def _vikor_extra(scaled: np.ndarray, weights: np.ndarray, v: float) -> Any:
    """scikit-criteria's VIKOR on a "more is better" matrix, without compromise-set ties."""
    import skcriteria
    from skcriteria.agg.vikor import VIKOR

    decision = skcriteria.mkdm(scaled, [max] * scaled.shape[1], weights=weights)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore")  # a constant criterion: VIKOR ignores it, as we want
        return VIKOR(v=v, use_compromise_set=False).evaluate(decision).e_


def vikor_details(
    matrix: np.ndarray, maximise: Sequence[bool], weights: Sequence[float], v: float = 0.5
) -> dict[str, np.ndarray]:
    """S (group utility), R (individual regret) and Q, for checking against published cases."""
    scaled = normalise(np.asarray(matrix, float), maximise, Normalisation.MINMAX, [None] * len(maximise))
    extra = _vikor_extra(scaled, normalise_weights(weights), v)
    return {"S": extra.s_k, "R": extra.r_k, "Q": extra.q_k}
