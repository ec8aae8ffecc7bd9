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
