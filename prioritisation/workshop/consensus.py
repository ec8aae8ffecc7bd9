"""How much the room agrees: one number, its level in words, and its definition in French.

- Pairwise votes: the AHP consensus indicator of AHP-OS, the relative homogeneity S* built
  on Shannon entropy (K. D. Goepel, « Implementing the analytic hierarchy process as a
  standard method for multi-criteria decision making in corporate enterprises », ISAHP 2013,
  Kuala Lumpur; and « Implementation of an online software tool for the analytic hierarchy
  process (AHP-OS) », IJAHP 10(3), 2018, 469–487, doi:10.13033/ijahp.v10i3.590). With K
  participants' priority vectors p_k over n criteria:
      Hα = mean over k of −Σ_j p_kj ln p_kj           (the participants' own entropy)
      Hγ = −Σ_j p̄_j ln p̄_j, p̄ = mean of the p_k       (the pooled priorities' entropy)
      Hβ = Hγ − Hα ≥ 0                               (what the participants do not share)
      S* = (e^(−Hβ) − c) / (1 − c), c = e^(Hα,min) / e^(Hγ,max)
  with Hγ,max = ln n and Hα,min the entropy of the most concentrated priorities the 1–9
  scale allows, (M, 1, …, 1)/(n + M − 1) with M = 9. So S* = 100 % when everyone gives
  the same priorities and 0 % when n participants each put the most the scale allows on a
  different criterion. Levels are Goepel's, with AHP-OS's bounds: low up to 65 %, moderate
  above 65 % and up to 75 %, high above 75 %.
  (Values below 0 can only come from weights the 1–9 scale cannot give; they read as 0.)
- Direct weights: Kendall's coefficient of concordance W between the participants'
  rankings of the criteria, with the correction for ties (Kendall & Babington Smith, « The
  problem of m rankings », Ann. Math. Statist. 10(3), 1939; Siegel & Castellan,
  *Nonparametric statistics for the behavioral sciences*, 2nd ed., 1988):
      W = 12 S / (m²(n³ − n) − m Σ T),  S = Σ_i (R_i − m(n + 1)/2)²,  T = Σ (t³ − t)
  over each participant's groups of t tied criteria. Levels after Schmidt (1997, Decision
  Sciences 28(3)): 0.1 very weak, 0.3 weak, 0.5 moderate, 0.7 strong, 0.9 very strong,
  each read as the lower bound of its level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from prioritisation.workshop.ahp import SCALE_MAX

AHP_LEVELS = ((0.65, "faible"), (0.75, "modéré"), (math.inf, "élevé"))  # upper bounds, included
KENDALL_LEVELS = (  # upper bounds, excluded: Schmidt's values are where a level starts
    (0.3, "très faible"),
    (0.5, "faible"),
    (0.7, "modéré"),
    (0.9, "fort"),
    (math.inf, "très fort"),
)
_TIE_TOLERANCE = 1e-9


class ConsensusMeasure(Enum):
    AHP_HOMOGENEITY = "ahp"
    KENDALL_W = "kendall"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def definition(self) -> str:
        return _DEFINITIONS[self]


_LABELS = {
    ConsensusMeasure.AHP_HOMOGENEITY: "consensus AHP (homogénéité relative, AHP-OS)",
    ConsensusMeasure.KENDALL_W: "concordance des classements (W de Kendall)",
}
_DEFINITIONS = {
    ConsensusMeasure.AHP_HOMOGENEITY: (
        "Indicateur de consensus d'AHP-OS (Goepel, 2013 et 2018), fondé sur l'entropie de Shannon : "
        "il compare la diversité des poids de chaque participant à celle des poids mis en commun, "
        "et mesure la part que les participants partagent. 100 % : tous ont donné les mêmes poids ; "
        "0 % : chacun a mis sur un critère différent tout le poids que permet l'échelle de 1 à 9. "
        "Consensus faible jusqu'à 65 %, modéré de 65 à 75 %, élevé au-delà de 75 %."
    ),
    ConsensusMeasure.KENDALL_W: (
        "Coefficient de concordance W de Kendall (corrigé pour les ex aequo) : chaque participant "
        "classe les critères du plus au moins important selon ses poids, et W mesure à quel point "
        "ces classements concordent. 100 % : tous les classent dans le même ordre ; 0 % : aucun "
        "accord entre les classements. Lecture (Schmidt, 1997) : très faible sous 30 %, faible "
        "de 30 à 50 %, modéré de 50 à 70 %, fort de 70 à 90 %, très fort au-delà."
    ),
}


@dataclass(frozen=True)
class Consensus:
    """A consensus value in [0, 1] and its level in words; None when it is not defined."""

    measure: ConsensusMeasure
    value: float | None
    level: str  # « faible », « modéré »… or why there is no value
    participants: int

    @property
    def definition(self) -> str:
        return self.measure.definition


def ahp_consensus(priorities: Sequence[Sequence[float]], scale_max: float = SCALE_MAX) -> Consensus:
    """Goepel's relative homogeneity S* of the participants' priority vectors (rows)."""
    rows = _rows(priorities)
    participants, size = rows.shape
    measure = ConsensusMeasure.AHP_HOMOGENEITY
    if participants < 2 or size < 2:
        return Consensus(measure, None, _undefined(participants), participants)
    shares = rows / rows.sum(axis=1, keepdims=True)
    alpha = float(np.mean([_entropy(row) for row in shares]))
    gamma = _entropy(shares.mean(axis=0))
    beta = max(0.0, gamma - alpha)
    floor = math.exp(minimum_alpha_entropy(size, scale_max) - math.log(size))
    value = min(1.0, max(0.0, (math.exp(-beta) - floor) / (1.0 - floor)))
    return Consensus(measure, value, ahp_level(value), participants)


def minimum_alpha_entropy(size: int, scale_max: float = SCALE_MAX) -> float:
    """Hα,min: the entropy of (M, 1, …, 1) / (n + M − 1), the most one criterion can weigh."""
    total = size + scale_max - 1
    return float(_entropy(np.array([scale_max / total, *([1 / total] * (size - 1))])))


def kendall_w(ranks: Sequence[Sequence[float]]) -> float | None:
    """Kendall's W with ties correction, from one row of ranks per judge (ties: mid-ranks).

    None when it is not defined: fewer than two judges or two objects, or every judge
    tying every object (the denominator vanishes).
    """
    array = _rows(ranks)
    judges, objects = array.shape
    if judges < 2 or objects < 2:
        return None
    totals = array.sum(axis=0)
    spread = float(np.sum((totals - judges * (objects + 1) / 2) ** 2))
    ties = sum(_tie_term(row) for row in array)
    denominator = judges**2 * (objects**3 - objects) - judges * ties
    if denominator <= 0:
        return None
    return min(1.0, max(0.0, 12 * spread / denominator))


def weights_agreement(weights: Sequence[Sequence[float]]) -> Consensus:
    """Kendall's W between the participants' rankings of the criteria by their weights."""
    return rankings_agreement([mid_ranks(row) for row in _rows(weights)])


def rankings_agreement(ranks: Sequence[Sequence[float]]) -> Consensus:
    """Kendall's W between rankings, one row per participant (1 = first; ties share a rank)."""
    rows = _rows(ranks)
    participants = rows.shape[0]
    measure = ConsensusMeasure.KENDALL_W
    if participants < 2:
        return Consensus(measure, None, _undefined(participants), participants)
    value = kendall_w([mid_ranks(row, higher_first=False) for row in rows])
    if value is None:
        return Consensus(measure, None, "non défini : chacun a tout mis à égalité", participants)
    return Consensus(measure, value, kendall_level(value), participants)


def ahp_level(value: float) -> str:
    """Goepel's words, with AHP-OS's bounds: « faible » up to 65 %, « modéré » up to 75 %."""
    return next(label for bound, label in AHP_LEVELS if value <= bound)


def kendall_level(value: float) -> str:
    """Schmidt's (1997) words, each level starting at its value (0.7 is « fort »)."""
    return next(label for bound, label in KENDALL_LEVELS if value < bound)


def mid_ranks(values: Sequence[float], higher_first: bool = True) -> np.ndarray:
    """1-based ranks, the largest value first; tied values share the mean of their ranks."""
    array = np.asarray(values, dtype=float)
    keys = -array if higher_first else array
    order = np.argsort(keys, kind="stable")
    ranks = np.empty(array.size)
    start = 0
    while start < array.size:
        end = start + 1
        while end < array.size and _tied(keys[order[end]], keys[order[start]]):
            end += 1
        ranks[order[start:end]] = (start + 1 + end) / 2
        start = end
    return ranks


def _tied(left: float, right: float) -> bool:
    return abs(left - right) <= _TIE_TOLERANCE * max(1.0, abs(left), abs(right))


def _tie_term(ranks: np.ndarray) -> float:
    _, counts = np.unique(ranks, return_counts=True)
    return float(np.sum(counts.astype(float) ** 3 - counts))


def _entropy(shares: np.ndarray) -> float:
    positive = shares[shares > 0]
    return float(-np.sum(positive * np.log(positive)))


def _rows(values: Sequence[Sequence[float]]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 2:
        raise ValueError("one row per participant")
    if array.size and (not np.all(np.isfinite(array)) or np.any(array < 0)):
        raise ValueError("finite non-negative values")
    return array


def _undefined(participants: int) -> str:
    return "non défini : il faut au moins deux votes" if participants < 2 else "non défini"
