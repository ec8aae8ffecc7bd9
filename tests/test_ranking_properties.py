"""Invariants of the ranking, for every method and normalisation (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioritisation.ranking.methods import InvalidSettings, Method, Normalisation, rank_matrix, rank_with_ties

COMBINATIONS = [(method, normalisation) for method in Method for normalisation in Normalisation]


@st.composite
def problems(draw, min_rows=1, max_rows=12):
    rows = draw(st.integers(min_rows, max_rows))
    columns = draw(st.integers(1, 5))
    values = st.integers(1, 5).map(float) | st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
    matrix = np.array(
        draw(st.lists(st.lists(values, min_size=columns, max_size=columns), min_size=rows, max_size=rows))
    )
    weights = draw(st.lists(st.floats(0.01, 100), min_size=columns, max_size=columns))
    maximise = draw(st.lists(st.booleans(), min_size=columns, max_size=columns))
    return matrix, weights, maximise


def rank(matrix, weights, maximise, method, normalisation):
    return rank_matrix(matrix, maximise=maximise, weights=weights, method=method, normalisation=normalisation)


@pytest.mark.parametrize(("method", "normalisation"), COMBINATIONS)
@settings(max_examples=60, deadline=None)
@given(problem=problems(), factor=st.floats(0.001, 1000))
def test_scaling_every_weight_by_k_leaves_the_ranks_unchanged(method, normalisation, problem, factor):
    matrix, weights, maximise = problem
    before = rank(matrix, weights, maximise, method, normalisation)
    after = rank(matrix, [w * factor for w in weights], maximise, method, normalisation)
    assert after.ranks.tolist() == before.ranks.tolist()


@pytest.mark.parametrize(("method", "normalisation"), COMBINATIONS)
@settings(max_examples=60, deadline=None)
@given(problem=problems(), data=st.data())
def test_shuffling_rows_leaves_each_projects_rank_unchanged(method, normalisation, problem, data):
    matrix, weights, maximise = problem
    order = data.draw(st.permutations(range(len(matrix))))
    before = rank(matrix, weights, maximise, method, normalisation)
    after = rank(matrix[list(order)], weights, maximise, method, normalisation)
    assert after.ranks.tolist() == before.ranks[list(order)].tolist()


@pytest.mark.parametrize(("method", "normalisation"), COMBINATIONS)
@settings(max_examples=60, deadline=None)
@given(problem=problems(min_rows=2))
def test_a_dominated_project_never_outranks_its_dominator(method, normalisation, problem):
    matrix, weights, maximise = problem
    result = rank(matrix, weights, maximise, method, normalisation)
    better = np.where(
        maximise, matrix[:, None, :] >= matrix[None, :, :], matrix[:, None, :] <= matrix[None, :, :]
    )
    dominates = better.all(axis=2)
    for a, b in zip(*np.nonzero(dominates), strict=True):
        assert result.ranks[a] <= result.ranks[b], (a, b)


@pytest.mark.parametrize(("method", "normalisation"), COMBINATIONS)
@pytest.mark.parametrize(
    "matrix",
    [
        np.array([[3.0, 4.0, 2.0]]),
        np.array([[3.0, 3.0, 3.0]] * 4),
        np.array([[1.0, 3.0, 3.0], [2.0, 3.0, 3.0], [5.0, 3.0, 3.0]]),
    ],
    ids=["one-project", "identical", "constant-criteria"],
)
def test_degenerate_inputs_give_a_defined_ranking(method, normalisation, matrix):
    result = rank(matrix, [1, 1, 1], [True, True, True], method, normalisation)
    assert np.all(np.isfinite(result.scores))
    assert result.ranks.min() == 1
    if len(np.unique(matrix, axis=0)) == 1:
        assert set(result.ranks.tolist()) == {1}


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([0, 0, 0], "supérieur à zéro"),
        ([1, -1, 1], "positifs ou nuls"),
        ([1, float("nan"), 1], "positifs ou nuls"),
    ],
)
def test_weights_that_cannot_rank_are_refused_in_french(weights, message):
    with pytest.raises(InvalidSettings, match=message):
        rank_matrix(np.ones((2, 3)), maximise=[True] * 3, weights=weights)


def test_ties_share_the_best_rank_and_the_next_rank_skips():
    assert rank_with_ties(np.array([0.5, 0.9, 0.5, 0.1])).tolist() == [2, 1, 2, 4]
    assert rank_with_ties(np.array([0.3, 0.3 + 1e-15])).tolist() == [1, 1]
    assert rank_with_ties(np.array([0.0, 1.0]), higher_is_better=False).tolist() == [1, 2]


# --- Any real values, either direction (issue 10.6) -------------------------------------------------

any_value = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False) | st.integers(-5000, 5000).map(
    float
)


@st.composite
def signed_problems(draw, min_rows=1, max_rows=10):
    rows = draw(st.integers(min_rows, max_rows))
    columns = draw(st.integers(1, 4))
    matrix = np.array(
        draw(st.lists(st.lists(any_value, min_size=columns, max_size=columns), min_size=rows, max_size=rows))
    )
    weights = draw(st.lists(st.floats(0.01, 100), min_size=columns, max_size=columns))
    maximise = draw(st.lists(st.booleans(), min_size=columns, max_size=columns))
    return matrix, weights, maximise


def mixed_signs(matrix: np.ndarray) -> bool:
    return bool(np.any((matrix.min(axis=0) < 0) & (matrix.max(axis=0) > 0)))


@pytest.mark.parametrize("method", [Method.WEIGHTED_SUM, Method.TOPSIS])
@pytest.mark.parametrize("normalisation", list(Normalisation))
@settings(max_examples=80, deadline=None)
@given(problem=signed_problems())
def test_weighted_sum_and_topsis_scores_lie_in_0_1_for_any_finite_values(method, normalisation, problem):
    """Negative values included; vector and sum normalisation refuse (in French) only a criterion
    that mixes signs, where a ratio to the norm means nothing."""
    matrix, weights, maximise = problem
    if normalisation in (Normalisation.VECTOR, Normalisation.SUM) and mixed_signs(matrix):
        with pytest.raises(InvalidSettings, match="mêle valeurs positives et négatives"):
            rank(matrix, weights, maximise, method, normalisation)
        return
    scores = rank(matrix, weights, maximise, method, normalisation).scores
    assert np.all(np.isfinite(scores))
    assert np.all(scores >= -1e-12) and np.all(scores <= 1 + 1e-12)


@pytest.mark.parametrize(("method", "normalisation"), COMBINATIONS)
@settings(max_examples=60, deadline=None)
@given(problem=signed_problems(), data=st.data())
def test_negating_a_criterion_and_flipping_its_direction_gives_the_same_ranking(
    method, normalisation, problem, data
):
    matrix, weights, maximise = problem
    column = data.draw(st.integers(0, matrix.shape[1] - 1))
    flipped, directions = matrix.copy(), list(maximise)
    flipped[:, column] = -flipped[:, column]
    directions[column] = not directions[column]
    if normalisation in (Normalisation.VECTOR, Normalisation.SUM) and mixed_signs(matrix):
        for values, sense in ((matrix, maximise), (flipped, directions)):
            with pytest.raises(InvalidSettings):
                rank(values, weights, sense, method, normalisation)
        return
    before = rank(matrix, weights, maximise, method, normalisation)
    after = rank(flipped, weights, directions, method, normalisation)
    assert after.ranks.tolist() == before.ranks.tolist()
    np.testing.assert_allclose(after.scores, before.scores, atol=1e-9)


@pytest.mark.parametrize(("method", "normalisation"), COMBINATIONS)
@settings(max_examples=60, deadline=None)
@given(problem=problems(), constant=any_value, weight=st.floats(0.01, 100), maximise=st.booleans())
def test_a_constant_criterion_changes_no_ranking_whatever_its_direction(
    method, normalisation, problem, constant, weight, maximise
):
    matrix, weights, directions = problem
    before = rank(matrix, weights, directions, method, normalisation)
    with_constant = np.column_stack([matrix, np.full(len(matrix), constant)])
    after = rank(with_constant, [*weights, weight], [*directions, maximise], method, normalisation)
    other_way = rank(with_constant, [*weights, weight], [*directions, not maximise], method, normalisation)
    # No order is reversed. (A heavy constant criterion compresses the scores: two projects whose
    # scores differ by less than the tie tolerance, 1e-9, may then tie — never swap.)
    better = before.ranks[:, None] < before.ranks[None, :]
    assert np.all((after.ranks[:, None] <= after.ranks[None, :])[better])
    # Little compression, and no two scores near the tolerance already: the very same ranks.
    # (A gap of 1e-9 compressed even fourfold becomes a tie: Hypothesis found 30 / 0,01 weights.)
    gaps = np.diff(np.unique(before.scores))
    if weight <= 10 * sum(weights) and (gaps.size == 0 or gaps.min() > 1e-6):
        assert after.ranks.tolist() == before.ranks.tolist()
    np.testing.assert_array_equal(after.scores, other_way.scores)  # the same whatever its direction


def test_with_negative_values_the_best_project_ranks_first_under_sum_normalisation():
    """Issue 10.6: a custom criterion of losses (« -1 200 ») to maximise: the least negative is best
    (x / Σx ranked it last)."""
    losses = np.array([[-1200.0], [-300.0], [-50.0]])
    for method in (Method.WEIGHTED_SUM, Method.TOPSIS):
        for normalisation in (Normalisation.SUM, Normalisation.VECTOR, Normalisation.MINMAX):
            result = rank(losses, [1], [True], method, normalisation)
            assert result.ranks.tolist() == [3, 2, 1], (method, normalisation)
    vector = rank(
        np.array([[-4.0, 3.0], [-1.0, 2.0]]), [1, 1], [True, True], Method.WEIGHTED_SUM, Normalisation.VECTOR
    )
    assert np.all(vector.scores >= 0)  # x / ‖x‖ gave negative scores


def test_a_constant_criterion_weighs_the_same_to_maximise_or_to_minimise():
    """Issue 10.6: it scored 1 maximised and 0 minimised."""
    matrix = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    for normalisation in Normalisation:
        up = rank(matrix, [1, 1], [True, True], Method.WEIGHTED_SUM, normalisation)
        down = rank(matrix, [1, 1], [True, False], Method.WEIGHTED_SUM, normalisation)
        np.testing.assert_array_equal(up.scores, down.scores)
