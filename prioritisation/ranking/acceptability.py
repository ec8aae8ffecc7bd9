"""Rank acceptability (SMAA-2): the probability of each rank for each project, under many weights.

Lahdelma & Salminen (2001), « SMAA-2: Stochastic multicriteria acceptability analysis for group
decision making », Operations Research 49(3), 444–454: rank acceptability indices, central
weight vectors and confidence factors. Definitions as we compute them are in docs/robustness.md.

The normalised "more is better" matrix of `RankResult.normalised` does not depend on the
weights, so a `ScoreModel` prepares it once; each batch of weight draws is then a few matrix
products and one sort per draw (one `sort` call over a draws × projects array), never a loop
over projects. Projects whose normalised rows are identical are ranked once, as one group:
they tie under every weight. Batches and the per-project rank histogram are bounded
(`BATCH_CELLS`, `HISTOGRAM_CELLS`), so memory stays flat at 50,000 projects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from prioritisation.ranking.methods import Method

TIE_TOLERANCE = 1e-9  # relative, as `rank_with_ties`: the ranking and its robustness agree on ties
RANKS_SHOWN = 10
CONFIDENCE_DRAWS = 1_000
CONFIDENCE_CANDIDATES = 20  # the projects most often first get a confidence factor
CONFIDENCE_WORK = 100_000_000  # TOPSIS and VIKOR: value draws × projects × criteria × candidates
CONFIDENCE_MIN_DRAWS = 100
# Memory bounds, in float64 cells: a batch of draws (sized to stay in cache: 2¹⁷ cells measured
# fastest), and the rank histograms kept for the quantiles.
BATCH_CELLS = 1 << 17
HISTOGRAM_CELLS = 1 << 20


def tie_tolerance(scores: np.ndarray) -> np.ndarray:
    return TIE_TOLERANCE * np.maximum(1.0, np.abs(scores))


@dataclass(frozen=True)
class ScoreModel:
    """A method's view of the values, prepared once; arrays are (..., criteria, projects).

    TOPSIS: with weights w ≥ 0 the weighted ideal is w_j·max_j, so each squared distance is
    Σ_j w_j²·(x_j − max_j)²: a matrix product with w². VIKOR, as scikit-criteria computes it:
    d_j = (max_j − x_j)/(max_j − min_j), 0 for a constant criterion; S = Σ w_j·d_j,
    R = max_j w_j·d_j, each rescaled over the projects (0 when all are equal).
    """

    method: Method
    vikor_v: float
    first: np.ndarray
    second: np.ndarray | None = None

    @classmethod
    def of(cls, values: np.ndarray, method: Method, vikor_v: float = 0.5) -> ScoreModel:
        """`values` is (..., projects, criteria), "more is better", as `RankResult.normalised`."""
        values = np.asarray(values, dtype=float)
        top, bottom = values.max(axis=-2, keepdims=True), values.min(axis=-2, keepdims=True)
        if method is Method.WEIGHTED_SUM:
            return cls(method, vikor_v, _criteria_first(values))
        if method is Method.TOPSIS:
            to_ideal, to_worst = np.square(values - top), np.square(values - bottom)
            return cls(method, vikor_v, _criteria_first(to_ideal), _criteria_first(to_worst))
        span = top - bottom
        regret = np.zeros(values.shape)
        np.divide(top - values, span, out=regret, where=span != 0)
        return cls(method, vikor_v, _criteria_first(regret))

    def scores(self, weights: np.ndarray) -> np.ndarray:
        """Scores for weights (C, criteria), higher is better: shape (..., C, projects).

        Equal to `rank_matrix`'s scores up to rounding: the weighted sum, TOPSIS's closeness,
        and 1 − VIKOR's Q (so that every method's scores are ≥ 0 and higher is better).
        """
        weights = np.atleast_2d(np.asarray(weights, dtype=float))
        if self.method is Method.WEIGHTED_SUM:
            return weights @ self.first
        if self.method is Method.TOPSIS:
            assert self.second is not None
            squared = weights * weights
            to_ideal = np.sqrt(squared @ self.first)
            to_worst = np.sqrt(squared @ self.second)
            total = to_ideal + to_worst
            closeness = np.ones(total.shape)  # every project at the ideal: 1, as `rank_matrix`
            np.divide(to_worst, total, out=closeness, where=total != 0)
            return closeness
        return 1.0 - _vikor_q(self.first, weights, self.vikor_v)


def _criteria_first(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.swapaxes(values, -1, -2))


def _vikor_q(regret: np.ndarray, weights: np.ndarray, v: float) -> np.ndarray:
    utility = weights @ regret  # S: (..., C, projects)
    worst = np.zeros(utility.shape)  # R: running maximum over criteria, no (C, m, G) temporary
    term = np.empty(utility.shape)
    for column in range(weights.shape[1]):
        np.multiply(weights[:, column, None], regret[..., None, column, :], out=term)
        np.maximum(worst, term, out=worst)
    _rescale(utility)
    _rescale(worst)
    utility *= v
    worst *= 1.0 - v
    utility += worst
    return utility


def _rescale(values: np.ndarray) -> None:
    """In place, (x − min)/(max − min) over projects; 0 when all are equal (scikit-criteria's)."""
    low = values.min(axis=-1, keepdims=True)
    span = values.max(axis=-1, keepdims=True) - low
    values -= low
    np.divide(values, span, out=values, where=span != 0)


def weighted_scores(
    normalised: np.ndarray, weights: np.ndarray, method: Method, vikor_v: float = 0.5
) -> np.ndarray:
    """Scores (higher is better) of every project under each row of `weights`: (draws, projects)."""
    return ScoreModel.of(normalised, method, vikor_v).scores(weights)


@dataclass(frozen=True)
class Acceptability:
    """Per project, in the order of the matrix's rows (docs/robustness.md).

    `ranks[i, k]` is P(rank = k + 1) for k < ranks_shown; `top` is P(rank ≤ top_n). Projects
    tied in a draw share the positions they occupy equally (two tied for first: each half
    rank 1, half rank 2), so every project's probabilities over all ranks sum to 1 and so do
    every rank's over all projects. Rank quantiles are exact when `rank_step` is 1 (up to
    `HISTOGRAM_CELLS / projects` projects), otherwise interpolated within steps of that many ranks.
    """

    draws: int
    top_n: int
    ranks: np.ndarray  # projects × ranks shown
    top: np.ndarray
    median_rank: np.ndarray
    low_rank: np.ndarray  # 5 % quantile: the 90 % interval is [low_rank, high_rank]
    high_rank: np.ndarray  # 95 % quantile
    rank_step: int
    central_weights: np.ndarray  # projects × criteria; NaN where the project is never first
    confidence: np.ndarray  # NaN where the project is never first
    value_noise: np.ndarray  # per criterion, on the normalised scale, used for `confidence`
    confidence_draws: int = 0  # value draws behind `confidence` (fewer on large TOPSIS/VIKOR runs)

    @property
    def first(self) -> np.ndarray:
        return self.ranks[:, 0]

    @property
    def beyond(self) -> np.ndarray:
        """P(rank > ranks shown)."""
        return np.clip(1.0 - self.ranks.sum(axis=1), 0.0, 1.0)


@dataclass
class _Counts:
    """Running sums over the draws, per group of identical projects.

    Positions are 0-based (rank = position + 1). A group member's position in a draw is uniform
    over [start, start + length) (length 1 without ties); its cumulative distribution at the
    `edges` is kept as whole-bin counts (length 1) plus ramps (length > 1), so ties are counted
    exactly even when several positions share a histogram bin.
    """

    edges: np.ndarray
    bin_of: np.ndarray  # position → bin index (bins are [edges[k], edges[k+1]))
    edge_after: np.ndarray  # position c in 0..n → index of the first edge ≥ c
    bins: np.ndarray  # groups × bins, counts
    slope: np.ndarray | None = None  # groups × edges
    offset: np.ndarray | None = None
    first_mass: np.ndarray = field(default_factory=lambda: np.zeros(0))
    first_weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def add_whole(self, groups: np.ndarray, positions: np.ndarray) -> None:
        """One whole project at each position (ufunc.at: no groups × bins temporary per batch)."""
        cells = groups * self.bins.shape[1] + self.bin_of[positions]
        np.add.at(self.bins.reshape(-1), cells.reshape(-1), self.bins.dtype.type(1))  # typed: fast path

    def add_spread(self, groups: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> None:
        """Each member uniform over [start, start + length): +ramp at start, −ramp at its end."""
        if self.slope is None or self.offset is None:
            self.slope = np.zeros((self.bins.shape[0], self.edges.size))
            self.offset = np.zeros((self.bins.shape[0], self.edges.size))
        for corners, sign in ((starts, 1.0), (starts + lengths, -1.0)):
            at = self.edge_after[corners]
            cells = groups * self.edges.size + at
            np.add.at(self.slope.reshape(-1), cells, sign / lengths)
            np.add.at(self.offset.reshape(-1), cells, sign * (self.edges[at] - corners) / lengths)

    def add_first(self, groups: np.ndarray, mass: np.ndarray, weights: np.ndarray) -> None:
        np.add.at(self.first_mass, groups, mass)
        np.add.at(self.first_weights, groups, mass[:, None] * weights)

    def cumulative(self, draws: int) -> np.ndarray:
        """groups × edges: P(position < edge) for a member of each group (uses up the counts)."""
        whole = np.zeros((self.bins.shape[0], self.edges.size))
        np.cumsum(self.bins, axis=1, out=whole[:, 1:])
        if self.slope is not None and self.offset is not None:
            # Σ over ramps started at or before each edge e: offset + slope·(e − ramp's edge).
            whole += np.cumsum(self.offset, axis=1, out=self.offset)
            moment = np.multiply(self.slope, self.edges, out=self.offset)
            whole -= np.cumsum(moment, axis=1, out=moment)
            whole += np.multiply(np.cumsum(self.slope, axis=1, out=self.slope), self.edges, out=self.slope)
            self.slope = self.offset = None
        whole /= draws
        return np.clip(whole, 0.0, 1.0, out=whole)


def _edges(projects: int, groups: int, top_n: int, shown: int) -> np.ndarray:
    """Cumulative-distribution points: every rank up to `shown`, N, then a grid to the last."""
    bins = max(1, HISTOGRAM_CELLS // max(1, groups))
    step = max(1, math.ceil(projects / bins))
    grid = np.arange(0, projects + 1, step)
    return np.unique(np.concatenate([np.arange(0, min(shown, projects) + 1), grid, [top_n, projects]]))


def rank_acceptability(
    normalised: np.ndarray,
    weights: np.ndarray,
    *,
    method: Method,
    vikor_v: float = 0.5,
    top_n: int = 10,
    ranks_shown: int = RANKS_SHOWN,
    value_noise: np.ndarray | None = None,
    confidence_draws: int = CONFIDENCE_DRAWS,
    seed: int = 0,
) -> Acceptability:
    """SMAA-2 indices of the projects (rows of `normalised`) under the draws (rows of `weights`).

    `value_noise` (per criterion, normalised scale) is the half-width of the uniform error on
    each value used by the confidence factor (SMAA-2's p^c: the probability of being first
    with its central weights when the values are uncertain); zero means exact values.
    """
    values = np.asarray(normalised, dtype=float)
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    projects, criteria = values.shape
    draws = weights.shape[0]
    top_n = min(top_n, projects)
    shown = min(ranks_shown, projects)
    noise = np.zeros(criteria) if value_noise is None else np.asarray(value_noise, dtype=float)
    if projects == 0:
        empty = np.zeros(0)
        return Acceptability(
            draws, 0, np.zeros((0, 0)), empty, empty, empty, empty, 1, np.zeros((0, criteria)), empty, noise
        )
    distinct, member_of, sizes = np.unique(values, axis=0, return_inverse=True, return_counts=True)
    member_of = member_of.reshape(-1)
    groups = distinct.shape[0]
    edges = _edges(projects, groups, top_n, shown)
    counts = _Counts(
        edges=edges,
        bin_of=np.searchsorted(edges, np.arange(projects), side="right") - 1,
        edge_after=np.searchsorted(edges, np.arange(projects + 1), side="left"),
        bins=np.zeros((groups, edges.size - 1), dtype=np.int32),  # at most one count per draw
        first_mass=np.zeros(groups),
        first_weights=np.zeros((groups, criteria)),
    )
    model = ScoreModel.of(distinct, method, vikor_v)
    batch = max(1, min(draws, max(8, BATCH_CELLS // groups)))  # small batches stay in cache
    for start in range(0, draws, batch):
        chunk = weights[start : start + batch]
        _count_batch(counts, model.scores(chunk), sizes, chunk)
    cumulative = counts.cumulative(draws)
    by_edge = {int(edge): index for index, edge in enumerate(edges)}
    ranks = np.diff(cumulative[:, [by_edge[k] for k in range(shown + 1)]], axis=1)
    top = cumulative[:, by_edge[top_n]]
    median, low, high = (_quantile(cumulative, edges, share) for share in (0.5, 0.05, 0.95))
    step = int(np.diff(edges).max()) if edges.size > 1 else 1
    central = np.full((groups, criteria), np.nan)
    ever_first = counts.first_mass > 0
    central[ever_first] = counts.first_weights[ever_first] / counts.first_mass[ever_first, None]
    confidence, used = _confidence(
        values, member_of, central, counts.first_mass, method, vikor_v, noise, confidence_draws, seed
    )
    return Acceptability(
        draws=draws,
        top_n=top_n,
        ranks=ranks[member_of],
        top=top[member_of],
        median_rank=median[member_of],
        low_rank=low[member_of],
        high_rank=high[member_of],
        rank_step=step,
        central_weights=central[member_of],
        confidence=confidence,
        value_noise=noise,
        confidence_draws=used,
    )


def _count_batch(counts: _Counts, scores: np.ndarray, sizes: np.ndarray, weights: np.ndarray) -> None:
    """Add one batch of draws (scores: draws × groups, higher is better) to the running counts."""
    draws, groups = scores.shape
    order, ordered = _sorted(scores)
    gaps = ordered[:, :-1] - ordered[:, 1:]
    scale = np.maximum(np.abs(ordered[:, :1]), np.abs(ordered[:, -1:]))
    tied = gaps <= TIE_TOLERANCE * np.maximum(1.0, scale)
    tied_draws = tied.any(axis=1)
    if sizes.max() == 1:  # the usual case: one project per position, except in draws with ties
        plain = ~tied_draws
        counts.add_whole(order[plain], np.arange(groups)[None, :])
        counts.add_first(order[plain, 0], np.ones(int(plain.sum())), weights[plain])
        if not tied_draws.any():
            return
        order, tied, weights = order[tied_draws], tied[tied_draws], weights[tied_draws]
        draws = order.shape[0]
    # Tied groups (and identical projects) share their positions: cluster consecutive ties.
    multiplicity = sizes[order]
    starts_cluster = np.concatenate([np.ones((draws, 1), dtype=bool), ~tied], axis=1).reshape(-1)
    cluster = np.cumsum(starts_cluster) - 1
    first_position = (np.cumsum(multiplicity, axis=1) - multiplicity).reshape(-1)
    cluster_start = first_position[starts_cluster][cluster]
    cluster_length = np.bincount(cluster, multiplicity.reshape(-1))[cluster].astype(np.int64)
    members = order.reshape(-1)
    alone = cluster_length == 1
    counts.add_whole(members[alone], cluster_start[alone])
    spread = ~alone
    counts.add_spread(members[spread], cluster_start[spread], cluster_length[spread])
    on_top = cluster_start == 0
    draw_of = np.repeat(np.arange(draws), groups)[on_top]
    counts.add_first(members[on_top], 1.0 / cluster_length[on_top], weights[draw_of])


def _sorted(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's order (best first) and its scores in that order, by one sort of packed keys
    (made in the scores' own memory: the scores are used up).

    Sorting unsigned 64-bit keys is several times faster than `argsort` of floats. The scores
    are ≥ 0 (every method's are, VIKOR's as 1 − Q), and the bits of non-negative floats sort
    as the floats do: each key is a score's bits, inverted for a descending order, with its
    low bits replaced by the project's column. Scores closer than about 2⁻³⁶ of their size may
    come out in either order: far inside the tie tolerance, so they are counted as tied anyway.
    The scores returned are the truncated ones (same bound).
    """
    groups = scores.shape[1]
    if scores.min(initial=0.0) < 0:  # only a caller's own matrix with negative values: plain sort
        order = np.argsort(-scores, axis=1, kind="stable")
        return order, np.take_along_axis(scores, order, axis=1)
    low = np.uint64((1 << max(1, int(groups - 1).bit_length())) - 1)
    keys = np.ascontiguousarray(scores, dtype=np.float64).view(np.uint64)  # reuses the scores' memory
    np.invert(keys, out=keys)
    keys &= ~low
    keys |= np.arange(groups, dtype=np.uint64)
    keys.sort(axis=1)
    order = (keys & low).view(np.int64)
    keys |= low  # the truncated score's bits, inverted
    np.invert(keys, out=keys)
    return order, keys.view(np.float64)


def _quantile(cumulative: np.ndarray, edges: np.ndarray, share: float) -> np.ndarray:
    """Smallest rank r with P(rank ≤ r) ≥ share; interpolated inside a bin wider than one rank."""
    reached = cumulative >= share - 1e-12
    index = np.argmax(reached, axis=1)  # the last edge (every project) always reaches 1
    index = np.maximum(index, 1)
    below, above = cumulative[np.arange(len(index)), index - 1], cumulative[np.arange(len(index)), index]
    width = edges[index] - edges[index - 1]
    fraction = np.divide(share - below, above - below, out=np.ones(len(index)), where=above > below)
    inside = np.ceil(np.clip(fraction, 0.0, 1.0) * width - 1e-9).astype(np.int64)
    return edges[index - 1] + np.clip(inside, 1, width)


# ---------------------------------------------------------------------------------------
# Confidence factor


def _confidence(
    values: np.ndarray,
    member_of: np.ndarray,
    central: np.ndarray,
    first_share: np.ndarray,
    method: Method,
    vikor_v: float,
    noise: np.ndarray,
    draws: int,
    seed: int,
) -> tuple[np.ndarray, int]:
    """P(first with its central weights) when each value is uncertain by ± `noise` (uniform), and
    the number of value draws used.

    For the `CONFIDENCE_CANDIDATES` groups most often first (the others: NaN). One representative
    per group of identical projects (its twins have the same factor by symmetry). The same value
    errors serve every candidate (common random numbers), in their own random stream so that
    the weight draws do not depend on them. Bounded work: the weighted sum evaluates only the
    projects that could overtake a candidate (exact: the others' best case stays below its
    worst case); TOPSIS and VIKOR, whose ideal and rescaling involve every project, use fewer
    draws on large inventories (`CONFIDENCE_WORK`).
    """
    projects, criteria = values.shape
    result = np.full(projects, np.nan)
    ever_first = np.flatnonzero(~np.isnan(central[:, 0]))
    candidates = ever_first[np.argsort(-first_share[ever_first], kind="stable")][:CONFIDENCE_CANDIDATES]
    if candidates.size == 0:
        return result, 0
    _, first_member = np.unique(member_of, return_index=True)  # each group's first project
    representative = first_member[candidates]
    centre = central[candidates]
    if not np.any(noise > 0):
        draws = 1  # exact values: one evaluation says it
    evaluated = np.arange(projects)
    if method is Method.WEIGHTED_SUM:
        evaluated = _possible_rivals(values, centre, representative, noise)
    else:
        work = evaluated.size * criteria * (candidates.size + 2)
        draws = min(draws, max(CONFIDENCE_MIN_DRAWS, CONFIDENCE_WORK // work))
    subset = values[evaluated]
    who = np.searchsorted(evaluated, representative)
    rng = np.random.default_rng([seed, 1])
    first = np.zeros(candidates.size)
    batch = max(1, min(draws, BATCH_CELLS // max(1, evaluated.size * max(criteria, candidates.size))))
    done = 0
    while done < draws:
        size = min(batch, draws - done)
        perturbed = subset[None] + rng.uniform(-1.0, 1.0, (size, *subset.shape)) * noise
        scores = ScoreModel.of(perturbed, method, vikor_v).scores(centre)  # (size, candidates, projects)
        first += _share_of_first(scores, who).sum(axis=0)
        done += size
    for group, value in zip(candidates, first / draws, strict=True):
        result[member_of == group] = value
    return result, draws


def _possible_rivals(
    values: np.ndarray, centre: np.ndarray, representative: np.ndarray, noise: np.ndarray
) -> np.ndarray:
    """Projects whose weighted sum, raised by the largest error, can reach some candidate's own
    lowered by it (with its central weights); the candidates themselves included. Sorted."""
    scores = values @ centre.T  # projects × candidates
    reach = 2 * centre @ noise  # both values may move by ± noise
    own = scores[representative, np.arange(len(representative))]
    rivals = np.any(scores >= own - reach - tie_tolerance(own), axis=1)
    rivals[representative] = True
    return np.flatnonzero(rivals)


def _share_of_first(scores: np.ndarray, who: np.ndarray) -> np.ndarray:
    """(..., C) share of first place held by project who[c] in row c (ties share it equally)."""
    best = scores.max(axis=-1, keepdims=True)
    near = scores >= best - tie_tolerance(best)
    mine = np.take_along_axis(near, who.reshape(*(1,) * (near.ndim - 2), -1, 1), axis=-1)[..., 0]
    return mine / near.sum(axis=-1)
