"""Robustness of a ranking: which projects stay on top whatever the weights, and how far each
weight can move before the order changes — the answer to « et si on avait pesé autrement ? ».

The settings (how many weight vectors, drawn how, with which seed), the draws themselves,
and `analyse`, which bundles the rank acceptability of `acceptability.py` (SMAA-2) and the
flip intervals of `sensitivity.py`. `analyse` is a pure function of arrays (`RobustnessInputs`),
settings and a seed: the dashboard caches it by those and runs it in a background thread;
the command line and the workbook call `analyse_ranking`. Definitions: docs/robustness.md.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from prioritisation.french import format_number, format_percent, format_plain
from prioritisation.ranking.acceptability import (
    CONFIDENCE_CANDIDATES,
    CONFIDENCE_DRAWS,
    RANKS_SHOWN,
    Acceptability,
    rank_acceptability,
)
from prioritisation.ranking.methods import InvalidSettings, Method, normalise_weights
from prioritisation.ranking.priorities import Ranking
from prioritisation.ranking.sensitivity import FlipInterval, flip_intervals

MAX_DRAWS = 200_000
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 2026
SOLID_SHARE = 0.9
FRAGILE_SHARE = 0.5
_MIN_ACCEPTANCE = 1 / 40  # rejection sampling around the current weights gives up below this
_MIN_PROPOSALS = 4_000_000


class Sampling(Enum):
    """How the weight vectors are drawn (docs/robustness.md, « Tirage des poids »)."""

    UNIFORM = "uniform"
    AROUND = "around"
    GIVEN = "given"


@dataclass(frozen=True)
class RobustnessSettings:
    """Everything that decides a robustness analysis; written to the workbook to reproduce it.

    `spread` is used by `Sampling.AROUND`: each weight (as a share of the total) stays within
    ± spread of its current share, every such weight vector summing to 1 being equally likely.
    `given` is used by `Sampling.GIVEN`: the weight vectors themselves (e.g. a workshop's votes),
    each counted once; `draws` and `seed` then play no part.
    """

    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    sampling: Sampling = Sampling.UNIFORM
    spread: float = 0.10
    top_n: int = 10
    given: tuple[tuple[float, ...], ...] = ()
    ranks_shown: int = RANKS_SHOWN
    confidence_draws: int = CONFIDENCE_DRAWS

    def __post_init__(self) -> None:
        if not 1 <= self.draws <= MAX_DRAWS:
            raise InvalidSettings(
                f"Le nombre de tirages doit être compris entre 1 et {format_number(MAX_DRAWS)}."
            )
        if self.seed < 0:
            raise InvalidSettings("La graine du tirage doit être un entier positif ou nul.")
        if not 0.0 <= self.spread <= 1.0 or math.isnan(self.spread):
            raise InvalidSettings("L'écart autour des poids actuels doit être compris entre 0 et 100 points.")
        if self.top_n < 1:
            raise InvalidSettings("Le nombre de projets de tête (N premiers) doit être au moins 1.")
        if self.ranks_shown < 1:
            raise InvalidSettings("Il faut montrer au moins un rang.")
        if self.confidence_draws < 1:
            raise InvalidSettings("Le facteur de confiance demande au moins un tirage.")
        if self.sampling is Sampling.GIVEN:
            if not self.given:
                raise InvalidSettings("Aucun jeu de poids donné : il en faut au moins un.")
            for vector in self.given:
                normalise_weights(vector)  # French message for a negative or all-zero vector

    @property
    def draw_count(self) -> int:
        return len(self.given) if self.sampling is Sampling.GIVEN else self.draws

    def sampling_text(self) -> str:
        """How the weights were drawn, in French, for the workbook and the page."""
        if self.sampling is Sampling.UNIFORM:
            return (
                "au hasard parmi tous les jeux de poids possibles, chacun également probable "
                "(loi de Dirichlet(1, …, 1) : uniforme sur le simplexe)"
            )
        if self.sampling is Sampling.AROUND:
            return (
                f"autour des poids actuels : chaque poids à ± {format_plain(self.spread * 100, 1)} "
                "points au plus de sa part actuelle, tous ces jeux de poids (de total 100 %) "
                "également probables"
            )
        return f"les {len(self.given)} jeux de poids donnés, chacun compté une fois"


# ---------------------------------------------------------------------------------------
# Drawing the weights


def draw_weights(settings: RobustnessSettings, current: Sequence[float]) -> np.ndarray:
    """The draws × criteria weight vectors (each sums to 1) of `settings`, reproducibly.

    Uniform on the simplex is Dirichlet(1, …, 1), obtained by normalising exponential
    variates; normalising uniform variates instead would favour balanced weights.
    """
    centre = normalise_weights(current)
    count = centre.size
    if settings.sampling is Sampling.GIVEN:
        vectors = [normalise_weights(vector) for vector in settings.given]
        if any(vector.size != count for vector in vectors):
            raise InvalidSettings("Chaque jeu de poids donné doit avoir un poids par critère.")
        return np.vstack(vectors)
    rng = np.random.default_rng(settings.seed)
    if settings.sampling is Sampling.UNIFORM:
        exponentials = rng.standard_exponential((settings.draws, count))
        return exponentials / exponentials.sum(axis=1, keepdims=True)
    return _uniform_around(rng, centre, settings.spread, settings.draws)


def _uniform_around(rng: np.random.Generator, centre: np.ndarray, spread: float, draws: int) -> np.ndarray:
    """Uniform on {w ≥ 0, Σw = 1, |w_j − centre_j| ≤ spread}, by rejection from the cheaper of
    two proposals with the same support: uniform in the box of all criteria but the heaviest
    (the last weight then follows from the total), or uniform on the whole simplex. Both are
    uniform on the polytope once rejected outside it; the box is cheaper when its volume is
    below the simplex's, 1/(m − 1)!."""
    count = centre.size
    if spread == 0.0 or count == 1:
        return np.tile(centre, (draws, 1))
    low, high = np.maximum(0.0, centre - spread), np.minimum(1.0, centre + spread)
    last = int(np.argmax(centre))
    free = np.delete(np.arange(count), last)
    use_box = float(np.prod(high[free] - low[free])) * math.factorial(count - 1) <= 1.0
    accepted: list[np.ndarray] = []
    found = proposed = 0
    while found < draws:
        size = min(500_000, max(4096, 2 * (draws - found)))
        if proposed + size > max(_MIN_PROPOSALS, draws / _MIN_ACCEPTANCE):
            raise InvalidSettings(
                "L'écart autour des poids actuels est trop étroit pour ces poids (trop peu de jeux de "
                "poids de total 100 % le respectent) : élargissez-le, ou tirez les poids au hasard."
            )
        proposed += size
        if use_box:
            sample = np.empty((size, count))
            sample[:, free] = rng.uniform(low[free], high[free], (size, count - 1))
            sample[:, last] = 1.0 - sample[:, free].sum(axis=1)
        else:
            exponentials = rng.standard_exponential((size, count))
            sample = exponentials / exponentials.sum(axis=1, keepdims=True)
        inside = np.all((sample >= low - 1e-12) & (sample <= high + 1e-12), axis=1)
        accepted.append(sample[inside])
        found += int(inside.sum())
    return np.clip(np.vstack(accepted)[:draws], 0.0, None)


# ---------------------------------------------------------------------------------------
# A ranking's robustness: the one call the command line, the workbook and the page make


@dataclass(frozen=True)
class RobustnessInputs:
    """What the analysis needs from a ranking, as plain arrays: a pure function of these, the
    settings and the seed can be cached by value and run in any thread or process."""

    normalised: np.ndarray
    weights: np.ndarray  # normalised to sum 1
    method: Method
    vikor_v: float
    value_noise: np.ndarray  # per criterion, normalised scale (see `grade_noise`)

    def fingerprint(self) -> str:
        """SHA-256 of the inputs: equal fingerprints, equal analyses (for caches)."""
        digest = hashlib.sha256()
        for array in (self.normalised, self.weights, self.value_noise):
            contiguous = np.ascontiguousarray(array, dtype=np.float64)
            digest.update(str(contiguous.shape).encode())
            digest.update(contiguous.tobytes())
        digest.update(f"{self.method.value}|{self.vikor_v!r}".encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Robustness:
    settings: RobustnessSettings
    acceptability: Acceptability
    intervals: tuple[FlipInterval, ...]  # one per criterion (none with a single criterion)

    @property
    def top_n(self) -> int:
        return self.acceptability.top_n


GRADE_HALF_STEP = 0.5  # a grade of 3 stands for a judgement between 2.5 and 3.5


def grade_noise(ranking: Ranking) -> np.ndarray:
    """Per criterion, half a grade carried to the normalised scale; 0 for other criteria.

    Grades (Urgence, Impact, Faisabilité… on the declared scale) are rounded judgements: that
    is the value uncertainty the confidence factor measures. Amounts and other numbers are
    taken as exact. Every normalisation is linear per criterion, so half a grade moves a
    normalised value by half a grade times the normalisation's slope.
    """
    normalised = ranking.result.normalised
    noise = np.zeros(len(ranking.criteria))
    for column, criterion in enumerate(ranking.criteria):
        if criterion.bounds is None or criterion.field is None:
            continue
        raw = ranking.inventory.projects[criterion.field].to_numpy(dtype=float)
        high, low = int(np.argmax(raw)), int(np.argmin(raw))
        if raw[high] > raw[low]:
            slope = (normalised[high, column] - normalised[low, column]) / (raw[high] - raw[low])
            noise[column] = GRADE_HALF_STEP * abs(slope)
    return noise


def inputs_of(ranking: Ranking) -> RobustnessInputs:
    result = ranking.result
    return RobustnessInputs(
        normalised=result.normalised,
        weights=result.weights,
        method=result.method,
        vikor_v=ranking.settings.vikor_v,
        value_noise=grade_noise(ranking),
    )


def analyse(inputs: RobustnessInputs, settings: RobustnessSettings) -> Robustness:
    """Rank acceptability and flip intervals of a ranking (pure: same inputs, same result)."""
    draws = draw_weights(settings, inputs.weights)
    acceptability = rank_acceptability(
        inputs.normalised,
        draws,
        method=inputs.method,
        vikor_v=inputs.vikor_v,
        top_n=settings.top_n,
        ranks_shown=settings.ranks_shown,
        value_noise=inputs.value_noise,
        confidence_draws=settings.confidence_draws,
        seed=settings.seed,
    )
    return Robustness(settings, acceptability, weight_intervals(inputs, settings.top_n))


def weight_intervals(inputs: RobustnessInputs, top_n: int) -> tuple[FlipInterval, ...]:
    return flip_intervals(
        inputs.normalised, inputs.weights, method=inputs.method, vikor_v=inputs.vikor_v, top_n=top_n
    )


def analyse_ranking(ranking: Ranking, settings: RobustnessSettings | None = None) -> Robustness:
    return analyse(inputs_of(ranking), settings or RobustnessSettings())


def badges(order: np.ndarray, acceptability: Acceptability) -> list[str]:
    """`badge` of each project (matrix order), « in the first N » read from the ranking's order."""
    in_top = np.zeros(len(order), dtype=bool)
    in_top[np.asarray(order)[: acceptability.top_n]] = True
    return [
        badge(bool(inside), float(share)) for inside, share in zip(in_top, acceptability.top, strict=True)
    ]


def confidence_definition(robustness: Robustness) -> str:
    """What the confidence factor means here (SMAA-2's p^c, with grades as the uncertain values)."""
    accepted = robustness.acceptability
    who = f"calculé pour les {CONFIDENCE_CANDIDATES} projets les plus souvent premiers (au plus)"
    if np.any(accepted.value_noise > 0):
        return (
            "probabilité d'être premier avec ses poids centraux quand chaque note est incertaine "
            "d'une demi-note (une note de 3 vaut entre 2,5 et 3,5, uniformément), les autres valeurs "
            f"étant exactes ; {format_number(accepted.confidence_draws)} tirages des notes ; {who}"
        )
    return (
        "aucun critère n'est une note : les valeurs sont exactes, et le facteur vaut 1 si le projet "
        f"est premier avec ses poids centraux, 0 sinon (une part en cas d'ex aequo) ; {who}"
    )


def rank_precision_text(acceptability: Acceptability) -> str:
    if acceptability.rank_step <= 1:
        return "exacte"
    return (
        f"rangs médians et intervalles à {acceptability.rank_step} rangs près au-delà des premiers "
        "(les rangs sont regroupés pour borner la mémoire) ; probabilités de rang exactes"
    )


# ---------------------------------------------------------------------------------------
# Words for people


def badge(in_top: bool, top_share: float) -> str:
    """« solide » when at least 90 % of the draws keep the project on the same side of the top-N
    line as today (in the first N, or out of them); « fragile » when fewer than half do; else ""."""
    agreeing = top_share if in_top else 1.0 - top_share
    if agreeing >= SOLID_SHARE:
        return "solide"
    if agreeing < FRAGILE_SHARE:
        return "fragile"
    return ""


def badge_definition(top_n: int) -> str:
    return (
        f"« solide » : reste du même côté de la limite des {top_n} premiers (dedans ou dehors) pour au "
        f"moins {format_percent(SOLID_SHARE)} des jeux de poids tirés ; « fragile » : pour moins "
        f"d'un jeu sur deux."
    )


def top_words(top_n: int) -> str:
    return "le premier" if top_n == 1 else f"les {top_n} premiers"


def share_range(low: float, high: float) -> str | None:
    """« de 18 % à 47 % », rounded inwards so that every share shown keeps the order; None when
    no share but the current one does (a tie at the limit)."""
    decimals = 0 if high - low >= 0.05 else 1
    factor = 10**decimals
    shown_low = math.ceil(low * 100 * factor - 1e-9) / factor
    shown_high = math.floor(high * 100 * factor + 1e-9) / factor
    if shown_low >= shown_high:
        return None
    return f"de {format_number(shown_low, decimals)}\u00a0% à {format_number(shown_high, decimals)}\u00a0%"


def interval_sentence(label: str, interval: FlipInterval) -> str:
    """« Le poids de « Impact » peut aller de 18 % à 47 % sans changer les 10 premiers, et de
    25 % à 40 % sans changer le premier. »"""
    clauses = [(share_range(low, high), what + _tie_note(tied, rank)) for low, high, what, tied, rank in
               _clauses(interval)]  # fmt: skip
    if all(shown for shown, _ in clauses):
        ranges = ", et ".join(f"{shown} sans changer {what}" for shown, what in clauses)
        return f"Le poids de « {label} » peut aller {ranges}."
    phrases = [
        f"peut aller {shown} sans changer {what}" if shown else f"ne peut pas bouger d'un dixième de point "
        f"sans changer {what}"
        for shown, what in clauses
    ]  # fmt: skip
    return f"Le poids de « {label} » " + " ; il ".join(phrases) + "."


def interval_caption(interval: FlipInterval) -> str:
    """The short form under a weight's slider: « 10 premiers inchangés de 18 % à 47 % ; … »."""
    parts = []
    for low, high, what, tied, _ in _clauses(interval):
        shown = share_range(low, high)
        head = what.removeprefix("les ").removeprefix("le ")
        changed = "inchangés" if what.startswith("les") else "inchangé"
        note = " (à l'ordre des ex aequo près)" if tied else ""
        parts.append(
            f"{head} {changed} {shown}{note}" if shown else f"{head} : moins d'un dixième de point de marge"
        )
    text = " ; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _clauses(interval: FlipInterval) -> list[tuple[float, float, str, int, int]]:
    clauses = [(interval.top_low, interval.top_high, top_words(interval.top_n), interval.top_tied,
                interval.top_tie_rank)]  # fmt: skip
    if interval.top_n > 1:
        clauses.append((interval.first_low, interval.first_high, "le premier", interval.first_tied, 1))
    return clauses


def _tie_note(tied: int, rank: int) -> str:
    """« (à l'ordre près des 4 ex aequo au 9e rang) »: which of them are in is a tie-break."""
    if not tied:
        return ""
    where = "en tête" if rank == 1 else f"au {_ordinal(rank)} rang"
    return f" (à l'ordre près des {tied} ex aequo {where})"


def tie_notes(interval: FlipInterval) -> str:
    """The ties across the limits today, in words (empty when there are none)."""
    notes = []
    if interval.top_tied and interval.top_n > 1:
        where = f"au {_ordinal(interval.top_tie_rank)} rang"
        notes.append(f"{interval.top_tied} ex aequo {where}, qui peuvent s'échanger")
    if interval.first_tied:
        notes.append(f"{interval.first_tied} ex aequo en tête, qui peuvent s'échanger")
    return " ; ".join(notes)


def _ordinal(rank: int) -> str:
    return "1er" if rank == 1 else f"{rank}e"
