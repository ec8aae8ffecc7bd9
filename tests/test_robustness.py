"""Robustness of a ranking: rank acceptability (SMAA-2), weight draws, flip intervals, workbook sheet."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from prioritisation.export.workbook import ROBUSTNESS_SHEET, ranking_bytes
from prioritisation.ranking.acceptability import rank_acceptability, weighted_scores
from prioritisation.ranking.criteria import RankingSettings
from prioritisation.ranking.methods import InvalidSettings, Method, Normalisation, rank_matrix, rank_with_ties
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.ranking.robustness import (
    RobustnessSettings,
    Sampling,
    analyse,
    analyse_ranking,
    badge,
    draw_weights,
    grade_noise,
    inputs_of,
    interval_caption,
    interval_sentence,
)
from prioritisation.ranking.sensitivity import FlipInterval, flip_intervals, moved_weights, set_margin
from prioritisation.reading.inventory import load_inventory
from tests import corpus

ORACLE_DRAWS = 100_000
ORACLE_TOLERANCE = 4 / np.sqrt(ORACLE_DRAWS)  # docs/exemples-de-reference.md: about 4/√N


def uniform(criteria, draws=ORACLE_DRAWS, seed=7):
    return draw_weights(RobustnessSettings(draws=draws, seed=seed), np.ones(criteria))


def acceptability(values, weights, method=Method.WEIGHTED_SUM, top_n=1, **options):
    values = np.asarray(values, dtype=float)
    shown = options.pop("ranks_shown", values.shape[0])
    return rank_acceptability(values, weights, method=method, top_n=top_n, ranks_shown=shown, **options)


# --- Hand-derived cases: docs/exemples-de-reference.md, « Robustesse : acceptabilité des rangs »


def test_project_a_is_first_with_probability_0_4_against_a_balanced_project():
    """SMAA-2, derived by hand (docs/exemples-de-reference.md): A = (1, 0), B = (0.6, 0.6),
    weights uniform on the simplex: A is first iff w1 > 0.6, so with probability 0.4; tolerance
    4/√N."""
    result = acceptability([[1, 0], [0.6, 0.6]], uniform(2))
    assert result.first == pytest.approx([0.4, 0.6], abs=ORACLE_TOLERANCE)
    # Central weights: the mean weights where each is first, E[w | w1 > 0.6] = (0.8, 0.2).
    np.testing.assert_allclose(result.central_weights, [[0.8, 0.2], [0.3, 0.7]], atol=ORACLE_TOLERANCE)


def test_rank_acceptability_of_two_specialists_and_a_generalist():
    """SMAA-2, derived by hand (docs/exemples-de-reference.md): A = (1, 0), B = (0, 1),
    C = (0.6, 0.6); acceptability of ranks 1, 2, 3: A [0.4, 0.1, 0.5], B [0.4, 0.1, 0.5],
    C [0.2, 0.8, 0.0]; tolerance 4/√N."""
    result = acceptability([[1, 0], [0, 1], [0.6, 0.6]], uniform(2))
    expected = [[0.4, 0.1, 0.5], [0.4, 0.1, 0.5], [0.2, 0.8, 0.0]]
    np.testing.assert_allclose(result.ranks, expected, atol=ORACLE_TOLERANCE)


def test_first_rank_acceptability_with_three_criteria():
    """SMAA-2, derived by hand (docs/exemples-de-reference.md): A = (1, 0, 0), B = (0, 1, 0),
    C = (0.5, 0.5, 0.5): first-rank acceptability [0.25, 0.25, 0.5]; tolerance 4/√N."""
    result = acceptability([[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0.5]], uniform(3))
    np.testing.assert_allclose(result.first, [0.25, 0.25, 0.5], atol=ORACLE_TOLERANCE)


def test_normalising_uniform_numbers_would_miss_the_oracle():
    """Why Dirichlet: uniform numbers normalised favour balanced weights; the oracle's 0.4 drops."""
    rng = np.random.default_rng(7)
    biased = rng.uniform(size=(ORACLE_DRAWS, 3))
    biased /= biased.sum(axis=1, keepdims=True)
    result = acceptability([[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0.5]], biased)
    assert abs(result.first[2] - 0.5) > 5 * ORACLE_TOLERANCE


# --- Invariants (Hypothesis) -------------------------------------------------------------------


@st.composite
def matrices(draw, min_rows=1, max_rows=9):
    """Normalised matrices with few distinct values: identical projects and ties are common."""
    rows = draw(st.integers(min_rows, max_rows))
    columns = draw(st.integers(1, 4))
    levels = draw(st.sampled_from([2, 3, 5, 101]))
    cells = st.integers(0, levels - 1).map(lambda level: level / (levels - 1))
    return np.array(
        draw(st.lists(st.lists(cells, min_size=columns, max_size=columns), min_size=rows, max_size=rows))
    )


@st.composite
def weight_draws(draw, criteria):
    """Uniform, around some weights (spread 0 included), or a few given vectors (equal weights often)."""
    kind = draw(st.sampled_from(list(Sampling)))
    current = draw(st.lists(st.integers(0, 4), min_size=criteria, max_size=criteria).filter(any))
    if kind is Sampling.GIVEN:
        vectors = st.lists(st.integers(0, 3), min_size=criteria, max_size=criteria).filter(any)
        given = tuple(tuple(map(float, v)) for v in draw(st.lists(vectors, min_size=1, max_size=4)))
        chosen = RobustnessSettings(sampling=kind, given=given)
    else:
        spread = draw(st.sampled_from([0.0, 0.05, 0.3]))
        chosen = RobustnessSettings(draws=draw(st.integers(1, 300)), seed=draw(st.integers(0, 99)),
                                    sampling=kind, spread=spread)  # fmt: skip
    return draw_weights(chosen, current)


@pytest.mark.parametrize("method", list(Method))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_each_projects_and_each_ranks_acceptabilities_sum_to_one(method, data):
    values = data.draw(matrices())
    weights = data.draw(weight_draws(values.shape[1]))
    result = acceptability(values, weights, method, top_n=data.draw(st.integers(1, 9)))
    np.testing.assert_allclose(result.ranks.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(result.ranks.sum(axis=0), 1.0, atol=1e-9)
    assert result.top.sum() == pytest.approx(result.top_n)
    assert np.all((result.low_rank <= result.median_rank) & (result.median_rank <= result.high_rank))


@pytest.mark.parametrize("method", list(Method))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_dominating_project_never_has_a_lower_chance_of_the_top_n(method, data):
    values = data.draw(matrices(min_rows=2))
    weights = data.draw(weight_draws(values.shape[1]))
    top_n = data.draw(st.integers(1, values.shape[0]))
    result = acceptability(values, weights, method, top_n=top_n)
    dominates = (values[:, None, :] >= values[None, :, :]).all(axis=2)
    for better, worse in zip(*np.nonzero(dominates), strict=True):
        assert result.top[better] >= result.top[worse] - 1e-12, (better, worse)
        assert result.first[better] >= result.first[worse] - 1e-12, (better, worse)


@pytest.mark.parametrize(("method", "normalisation"), [(m, n) for m in Method for n in Normalisation])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_all_the_weight_on_one_point_gives_that_rankings_indicator(method, normalisation, data):
    """The ranking's own ties (1, 1, 3) become shared positions: each of two tied for first is
    half first, half second."""
    raw = data.draw(matrices()) * 4 + 1
    weights = data.draw(st.lists(st.integers(0, 5), min_size=raw.shape[1], max_size=raw.shape[1]).filter(any))
    ranked = rank_matrix(raw, maximise=[True] * raw.shape[1], weights=weights, method=method,
                         normalisation=normalisation)  # fmt: skip
    point = RobustnessSettings(draws=3, sampling=Sampling.AROUND, spread=0.0)
    result = acceptability(ranked.normalised, draw_weights(point, weights), method)
    expected = np.zeros((raw.shape[0], raw.shape[0]))
    for project, rank in enumerate(ranked.ranks):
        tied = int(np.sum(ranked.ranks == rank))
        expected[project, rank - 1 : rank - 1 + tied] = 1 / tied
    np.testing.assert_allclose(result.ranks, expected, atol=1e-12)


def test_given_weight_vectors_count_once_each():
    """A workshop's votes: two for A's side, one for B's — A first two times out of three."""
    votes = RobustnessSettings(sampling=Sampling.GIVEN, given=((3, 1), (4, 0), (0, 1)))
    result = acceptability([[1, 0], [0, 1]], draw_weights(votes, [1, 1]))
    np.testing.assert_allclose(result.first, [2 / 3, 1 / 3])


def test_identical_projects_share_their_ranks_exactly():
    """A and its twin tie under every weight: first (w1 > 0.5) they hold ranks 1–2, else 2–3."""
    result = acceptability([[1, 0], [1, 0], [0, 1]], uniform(2, draws=20_000))
    np.testing.assert_array_equal(result.ranks[0], result.ranks[1])
    np.testing.assert_allclose(result.ranks[0], [0.25, 0.5, 0.25], atol=0.02)


@pytest.mark.parametrize("method", list(Method))
def test_fast_scores_equal_the_rankings_scores(method):
    """The vectorised scores (1 − Q for VIKOR) are the ranking's own, for every normalisation."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        raw = rng.integers(1, 6, (rng.integers(1, 9), rng.integers(1, 5))).astype(float)
        weights = rng.random(raw.shape[1]) + 0.01
        maximise = rng.random(raw.shape[1]) > 0.3
        for normalisation in Normalisation:
            ranked = rank_matrix(raw, maximise=maximise, weights=weights, method=method,
                                 normalisation=normalisation)  # fmt: skip
            fast = weighted_scores(ranked.normalised, ranked.weights, method)[0]
            expected = 1 - ranked.scores if method is Method.VIKOR else ranked.scores
            np.testing.assert_allclose(fast, expected, atol=1e-12)


def test_same_seed_and_inputs_give_the_same_result_and_another_seed_another():
    values = np.random.default_rng(1).random((30, 4))
    first, again, other = (
        acceptability(values, draw_weights(RobustnessSettings(draws=500, seed=seed), [1, 2, 3, 4]), top_n=5)
        for seed in (11, 11, 12)
    )
    np.testing.assert_array_equal(first.ranks, again.ranks)
    np.testing.assert_array_equal(first.median_rank, again.median_rank)
    assert not np.array_equal(first.ranks, other.ranks)


def test_rank_quantiles_are_those_of_the_counted_ranks():
    """Median and 90 % interval read from the full distribution (exact below the histogram bound)."""
    values = np.random.default_rng(2).random((12, 3))
    weights = uniform(3, draws=4000, seed=3)
    result = acceptability(values, weights, top_n=3)
    scores = weighted_scores(values, weights, Method.WEIGHTED_SUM)
    ranks = 1 + np.argsort(np.argsort(-scores, axis=1), axis=1)  # no ties in continuous data

    def quantile(column, share):
        return np.sort(column)[int(np.ceil(share * len(column) - 1e-9)) - 1]

    for project in range(12):
        assert result.median_rank[project] == quantile(ranks[:, project], 0.5)
        assert result.low_rank[project] == quantile(ranks[:, project], 0.05)
        assert result.high_rank[project] == quantile(ranks[:, project], 0.95)
    assert result.rank_step == 1


# --- Weight draws ------------------------------------------------------------------------------


def test_draws_around_the_current_weights_stay_within_the_spread_and_sum_to_one():
    around = RobustnessSettings(draws=5000, sampling=Sampling.AROUND, spread=0.1)
    draws = draw_weights(around, [50, 30, 20, 0])
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    assert np.all(np.abs(draws - [0.5, 0.3, 0.2, 0.0]) <= 0.1 + 1e-12)
    assert np.all(draws >= 0)


@pytest.mark.parametrize(
    ("current", "spread"),
    [([5, 3, 2], 0.15), ([1, 1, 1], 0.5)],
    ids=["box-proposal", "simplex-proposal"],
)
def test_draws_around_are_uniform_on_the_weights_within_the_spread(current, spread):
    """Same law as the definition: uniform on the simplex, kept when within the spread."""
    centre = np.asarray(current, float) / sum(current)
    ours = draw_weights(RobustnessSettings(draws=40_000, sampling=Sampling.AROUND, spread=spread), current)
    reference = np.random.default_rng(5).dirichlet(np.ones(3), 400_000)
    reference = reference[np.all(np.abs(reference - centre) <= spread, axis=1)][:40_000]
    assert len(reference) == 40_000
    for quantile in (0.1, 0.5, 0.9):
        np.testing.assert_allclose(np.quantile(ours, quantile, axis=0), np.quantile(reference, quantile, axis=0),
                                   atol=0.01)  # fmt: skip


def test_a_spread_too_narrow_for_the_weights_is_refused_in_french():
    narrow = RobustnessSettings(draws=10_000, sampling=Sampling.AROUND, spread=1e-7)
    with pytest.raises(InvalidSettings, match="trop étroit"):
        draw_weights(narrow, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"draws": 0}, "nombre de tirages"),
        ({"spread": 1.5}, "écart"),
        ({"top_n": 0}, "N premiers"),
        ({"sampling": Sampling.GIVEN}, "Aucun jeu de poids"),
        ({"sampling": Sampling.GIVEN, "given": ((0, 0),)}, "supérieur à zéro"),
    ],
)
def test_unusable_settings_are_refused_in_french(options, message):
    with pytest.raises(InvalidSettings, match=message):
        RobustnessSettings(**options)


# --- Confidence factor --------------------------------------------------------------------------


def test_with_exact_values_the_confidence_of_a_weighted_sum_winner_is_one():
    """The weights where a project is first form a convex set: its centre keeps it first."""
    result = acceptability([[1, 0], [0, 1], [0.6, 0.6]], uniform(2, draws=5000))
    np.testing.assert_allclose(result.confidence, [1, 1, 1])


def test_a_clear_winner_is_confident_and_close_rivals_are_not():
    noise = np.array([0.125, 0.125])  # half a grade on a 1–5 scale
    clear = acceptability([[1, 1], [0.25, 0.25], [0, 0.5]], uniform(2, draws=2000), value_noise=noise)
    assert clear.confidence[0] == 1.0
    close = acceptability([[1, 0.5], [0.75, 0.75]], uniform(2, draws=2000), value_noise=noise)
    assert 0.0 < close.confidence[0] < 1.0 and 0.0 < close.confidence[1] < 1.0


def test_weighted_sum_confidence_counts_only_possible_rivals_without_changing_the_answer():
    """Projects that cannot catch a candidate even with every error in their favour are left out:
    a Monte Carlo over all projects agrees within its tolerance."""
    values = np.random.default_rng(8).integers(0, 5, (60, 3)) / 4
    noise = np.full(3, 0.125)
    result = acceptability(values, uniform(3, draws=3000), value_noise=noise, confidence_draws=20_000)
    assert result.confidence_draws == 20_000
    rng = np.random.default_rng(99)
    for project in np.flatnonzero(~np.isnan(result.confidence))[:5]:
        perturbed = values[None] + rng.uniform(-1, 1, (20_000, *values.shape)) * noise
        scores = perturbed @ result.central_weights[project]
        best = scores.max(axis=1)
        near = scores >= best[:, None] - 1e-9
        expected = np.mean(near[:, project] / near.sum(axis=1))
        assert result.confidence[project] == pytest.approx(expected, abs=4 / np.sqrt(20_000))


def test_never_first_projects_have_no_central_weights_nor_confidence():
    result = acceptability([[1, 1], [0, 0]], uniform(2, draws=100))
    assert np.isnan(result.central_weights[1]).all() and np.isnan(result.confidence[1])


# --- Flip intervals -----------------------------------------------------------------------------


def brute_force_holds(values, weights, criterion, shares, sets, method):
    """At each share: every reference set is still above all the other projects (ties allowed)."""
    scores = weighted_scores(values, moved_weights(weights, criterion, shares), method)
    return np.all(
        [np.ones(len(shares), bool), *(set_margin(scores, members) >= 0 for members in sets)], axis=0
    )


def reference_sets(values, weights, method, top_n):
    """From the ranking's own ranks (1, 1, 3…): the projects surely in the first N, and those not
    surely out; with no tie across the limit, both are the first N."""
    ranked = rank_matrix(values, maximise=[True] * values.shape[1], weights=weights, method=method,
                         normalisation=Normalisation.MINMAX)  # fmt: skip
    ranks = rank_with_ties(weighted_scores(values, ranked.weights, method)[0])

    def sets(limit):
        surely_in = np.array([rank + np.sum(ranks == rank) - 1 <= limit for rank in ranks])
        not_out = ranks <= limit
        return [members for members in (surely_in, not_out) if members.any() and not members.all()]

    return sets(top_n), sets(1)


@st.composite
def flip_problems(draw):
    rows = draw(st.integers(2, 10))
    columns = draw(st.integers(2, 4))
    cells = st.floats(0, 1, allow_nan=False) | st.sampled_from([0.0, 0.5, 1.0])
    values = np.array(draw(st.lists(st.lists(cells, min_size=columns, max_size=columns), min_size=rows,
                                    max_size=rows)))  # fmt: skip
    weights = draw(st.lists(st.integers(0, 10), min_size=columns, max_size=columns).filter(any))
    return values, np.asarray(weights, float) / sum(weights), draw(st.integers(1, rows))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=flip_problems())
def test_weighted_sum_flip_intervals_agree_with_a_brute_force_scan(problem):
    """Exact ends: every share inside keeps the set (and the first), every share just outside changes it."""
    values, weights, top_n = problem
    head, first = reference_sets(values, weights, Method.WEIGHTED_SUM, top_n)
    grid = np.linspace(0, 1, 2001)
    for interval in flip_intervals(values, weights, method=Method.WEIGHTED_SUM, top_n=top_n):
        assert interval.exact
        for members, low, high in ((head, interval.top_low, interval.top_high),
                                   (first, interval.first_low, interval.first_high)):  # fmt: skip
            assert low <= interval.current + 1e-12 and interval.current <= high + 1e-12
            holds = brute_force_holds(values, weights, interval.criterion, grid, members, Method.WEIGHTED_SUM)
            inside = (grid >= low + 1e-9) & (grid <= high - 1e-9)
            assert holds[inside].all()
            beyond = np.array([share for share in (low - 1e-6, high + 1e-6) if 0 <= share <= 1])
            if beyond.size:
                assert not brute_force_holds(values, weights, interval.criterion, beyond, members,
                                             Method.WEIGHTED_SUM).any()  # fmt: skip


@pytest.mark.parametrize("method", [Method.TOPSIS, Method.VIKOR])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=flip_problems())
def test_scanned_flip_intervals_hold_on_the_scan_and_end_within_tolerance(method, problem):
    values, weights, top_n = problem
    head, first = reference_sets(values, weights, method, top_n)
    for interval in flip_intervals(values, weights, method=method, top_n=top_n):
        assert not interval.exact and interval.tolerance == 1e-6
        scan = np.linspace(0, 1, 401)
        for members, low, high in ((head, interval.top_low, interval.top_high),
                                   (first, interval.first_low, interval.first_high)):  # fmt: skip
            # The current share holds by definition; recomputed, VIKOR's rescaling can turn a tie
            # there into a full point on a rounding error, so only the ends away from it are checked.
            ends = np.array([end for end in (low, high) if abs(end - interval.current) > 1e-9])
            assert brute_force_holds(values, weights, interval.criterion, ends, members, method).all()
            inside = scan[(scan >= low) & (scan <= high)]
            assert brute_force_holds(values, weights, interval.criterion, inside, members, method).all()
            beyond = np.array([share for share in (low - 2e-6, high + 2e-6) if 0 <= share <= 1])
            if beyond.size:
                assert not brute_force_holds(
                    values, weights, interval.criterion, beyond, members, method
                ).all()


def test_weighted_sum_breakpoint_is_the_crossing_in_closed_form():
    """A = (1, 0), B = (0.6, 0.6), equal weights: B first until w1 = 0.6, where A catches up."""
    (interval, _) = flip_intervals(
        np.array([[1, 0], [0.6, 0.6]]), [1, 1], method=Method.WEIGHTED_SUM, top_n=1
    )
    assert interval.first_low == 0.0
    assert interval.first_high == pytest.approx(0.6, abs=1e-12)


def test_projects_tied_across_the_limit_may_swap_but_not_fall_behind_the_others():
    """A = (1, 0) and B = (0, 1) tie for first at equal weights; C = (0.2, 0.2). Either may lead:
    the first place is unchanged while both stay above C, for w1 between 0.2 and 0.8."""
    values = np.array([[1, 0], [0, 1], [0.2, 0.2]])
    (interval, _) = flip_intervals(values, [1, 1], method=Method.WEIGHTED_SUM, top_n=1)
    assert (interval.first_low, interval.first_high) == pytest.approx((0.2, 0.8), abs=1e-12)
    assert interval.first_tied == 2
    assert "à l'ordre près des 2 ex aequo en tête" in interval_sentence("Urgence", interval)


def test_a_single_criterion_has_no_flip_interval():
    assert flip_intervals(np.array([[1.0], [0.5]]), [1], method=Method.TOPSIS) == ()


def test_interval_sentences_read_as_the_issue_asks():
    interval = FlipInterval(1, 0.3, 10, 0.18, 0.4712, 0.25, 0.40, exact=True)
    assert interval_sentence("Impact", interval) == (
        "Le poids de « Impact » peut aller de 18\u00a0% à 47\u00a0% sans changer les 10 premiers, "
        "et de 25\u00a0% à 40\u00a0% sans changer le premier."
    )
    assert interval_caption(interval) == (
        "10 premiers inchangés de 18\u00a0% à 47\u00a0% ; premier inchangé de 25\u00a0% à 40\u00a0%."
    )
    no_room = FlipInterval(0, 0.3, 1, 0.3, 0.3, 0.3, 0.3, exact=True)
    assert "ne peut pas bouger d'un dixième de point sans changer le premier" in interval_sentence(
        "Urgence", no_room
    )


def test_badges_say_whether_the_side_of_the_budget_line_holds():
    assert badge(True, 0.95) == "solide" and badge(False, 0.05) == "solide"
    assert badge(True, 0.4) == "fragile" and badge(False, 0.6) == "fragile"
    assert badge(True, 0.7) == ""


# --- A ranking's robustness, and the workbook ---------------------------------------------------


def sample_ranking(method=Method.WEIGHTED_SUM):
    rows = [
        *corpus.ROWS,
        ["P04", "Wifi public", "Axe 1", 2, 3, 5],
        ["P05", "Open data", "Axe 3", 4, 4, 3],
        ["P06", "Tiers-lieu", "Axe 5", 4, 4, 3],
    ]
    inventory = load_inventory(corpus.simple_xlsx(corpus.HEADERS, rows), "inventaire.xlsx")
    return rank_inventory(inventory, RankingSettings(weights=(40, 35, 25), method=method))


def test_grades_are_uncertain_by_half_a_grade_on_the_normalised_scale():
    """Declared scale 1–5, normalised by the scale: half a grade is 0.5 / 4."""
    np.testing.assert_allclose(grade_noise(sample_ranking()), [0.125, 0.125, 0.125])


@pytest.mark.parametrize("method", list(Method))
def test_analysis_is_a_pure_function_of_its_inputs(method):
    ranking = sample_ranking(method)
    chosen = RobustnessSettings(draws=2000, seed=4, top_n=2)
    first, again = analyse(inputs_of(ranking), chosen), analyse_ranking(ranking, chosen)
    np.testing.assert_array_equal(first.acceptability.ranks, again.acceptability.ranks)
    np.testing.assert_array_equal(first.acceptability.confidence, again.acceptability.confidence)
    assert first.intervals == again.intervals
    assert inputs_of(ranking).fingerprint() == inputs_of(sample_ranking(method)).fingerprint()


def test_robustness_sheet_is_written_and_read_back():
    ranking = sample_ranking()
    robustness = analyse_ranking(ranking, RobustnessSettings(draws=3000, seed=9, top_n=2))
    book = load_workbook(io.BytesIO(ranking_bytes(ranking, robustness=robustness)))
    assert book.sheetnames[-2:] == [ROBUSTNESS_SHEET, "Paramètres"]
    rows = list(book[ROBUSTNESS_SHEET].values)
    header = rows[0]
    assert header[:8] == ("Rang", "Identifiant", "Projet", "P(rang 1)", "P(2 premiers)", "Rang médian",
                          "Rang au mieux (5 %)", "Rang au pire (95 %)")  # fmt: skip
    projects = rows[1 : 1 + len(ranking.result.ranks)]
    ids = ranking.inventory.projects["id"].to_numpy()
    accepted = robustness.acceptability
    for row, position in zip(projects, ranking.order, strict=True):
        assert row[1] == ids[position]
        assert row[3] == pytest.approx(accepted.first[position])
        assert row[4] == pytest.approx(accepted.top[position])
        assert row[5:8] == (accepted.median_rank[position], accepted.low_rank[position],
                            accepted.high_rank[position])  # fmt: skip
    weights = [row for row in rows if row and row[0] and str(row[0]).startswith("Urgence")]
    assert weights and weights[0][1] == pytest.approx(0.4)
    parameters = {row[0]: row[1] for row in book["Paramètres"].values}
    assert parameters["Robustesse : tirages"] == 3000
    assert parameters["Robustesse : graine"] == 9
    assert "Dirichlet" in parameters["Robustesse : tirage des poids"]


def test_workbook_without_robustness_has_no_robustness_sheet():
    book = load_workbook(io.BytesIO(ranking_bytes(sample_ranking())))
    assert ROBUSTNESS_SHEET not in book.sheetnames


# --- Memory stays bounded: batches, not draws × projects ----------------------------------------


def peak_megabytes(projects, draws):
    values = np.random.default_rng(0).random((projects, 6))
    weights = uniform(6, draws=draws)
    tracemalloc.start()
    rank_acceptability(values, weights, method=Method.WEIGHTED_SUM, top_n=10, confidence_draws=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def test_memory_does_not_grow_with_the_number_of_draws():
    """Draws are processed in batches: ten times the draws, the same peak (the weights aside)."""
    few, many = peak_megabytes(20_000, 20), peak_megabytes(20_000, 200)
    assert many < few * 1.1 + 1
    assert few < 80
