"""The group's weights: geometric mean of judgments for pairwise votes, mean and median for weights."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation.workshop.aggregation import (
    Aggregation,
    aggregate_judgments,
    geometric_mean_of_judgments,
    group_weights,
    mean_weights,
    median_weights,
)
from prioritisation.workshop.ahp import analyse
from prioritisation.workshop.spread import criterion_spreads
from prioritisation.workshop.votes import DirectVote, PairwiseVote

SAATY = st.sampled_from([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9])


@st.composite
def pairwise_votes(draw: st.DrawFn, size: int = 4) -> PairwiseVote:
    return PairwiseVote(
        size, tuple(draw(st.lists(SAATY, min_size=size * (size - 1) // 2, max_size=size * (size - 1) // 2)))
    )


direct_votes = (
    st.lists(st.integers(0, 100), min_size=4, max_size=4)
    .filter(lambda weights: sum(weights) > 0)
    .map(lambda weights: DirectVote(tuple(float(weight) for weight in weights)))
)


@given(pairwise_votes(), st.integers(1, 12))
def test_aggregating_identical_pairwise_votes_gives_that_vote(vote, participants):
    group = aggregate_judgments([vote.matrix()] * participants)
    np.testing.assert_allclose(
        geometric_mean_of_judgments([vote.matrix()] * participants), vote.matrix(), rtol=1e-12
    )
    np.testing.assert_allclose(group.weights, analyse(vote.matrix()).priorities, atol=1e-9)
    assert group.participants == participants


@given(direct_votes, st.integers(1, 12))
def test_aggregating_identical_direct_votes_gives_that_vote(vote, participants):
    for group in group_weights([vote] * participants):
        np.testing.assert_allclose(group.weights, vote.shares(), atol=1e-12)


@given(st.lists(pairwise_votes(), min_size=1, max_size=8))
def test_the_geometric_mean_of_judgments_is_reciprocal(votes):
    group = geometric_mean_of_judgments([vote.matrix() for vote in votes])
    np.testing.assert_allclose(group * group.T, np.ones_like(group), rtol=1e-9)


def test_opposite_judgments_meet_at_equal_importance():
    """« 3 times more » and « 3 times less » average to 1 geometrically; the arithmetic mean
    (5/3 one way, 5/3 the other) would say each criterion counts more than the other."""
    group = geometric_mean_of_judgments([np.array([[1, 3], [1 / 3, 1]]), np.array([[1, 1 / 3], [3, 1]])])
    np.testing.assert_allclose(group, np.ones((2, 2)))


def test_mean_and_median_normalise_each_participant_first():
    weights = [[40, 40, 20], [1, 1, 2], [50, 25, 25]]  # 100 %, then 4 points: shares matter, not totals
    mean = mean_weights(weights)
    np.testing.assert_allclose(
        mean.weights, [(0.4 + 0.25 + 0.5) / 3, (0.4 + 0.25 + 0.25) / 3, (0.2 + 0.5 + 0.25) / 3]
    )
    median = median_weights(weights)
    np.testing.assert_allclose(median.weights, np.array([0.4, 0.25, 0.25]) / 0.9)
    assert sum(median.weights) == pytest.approx(1)


def test_no_median_is_invented_when_every_median_is_zero():
    assert median_weights([[1, 0, 0], [0, 1, 0], [0, 0, 1]]) is None
    (only,) = group_weights([DirectVote((1, 0, 0)), DirectVote((0, 1, 0)), DirectVote((0, 0, 1))])
    assert only.aggregation is Aggregation.MEAN


def test_pairwise_votes_are_aggregated_by_their_judgments_first():
    votes = [PairwiseVote(3, (3, 5, 2)), PairwiseVote(3, (1, 3, 3))]
    aggregations = [group.aggregation for group in group_weights(votes)]
    assert aggregations == [Aggregation.JUDGMENTS_GEOMETRIC_MEAN, Aggregation.MEAN, Aggregation.MEDIAN]
    assert group_weights(votes)[0].consistency is not None


def test_mixed_votes_fall_back_to_mean_and_median_of_each_participants_weights():
    pairwise = PairwiseVote(3, (3, 5, 2))
    votes = [pairwise, DirectVote((20, 30, 50))]
    mean, median = group_weights(votes)
    np.testing.assert_allclose(mean.weights, (pairwise.shares() + np.array([0.2, 0.3, 0.5])) / 2)
    assert median.aggregation is Aggregation.MEDIAN
    assert group_weights([]) == ()


def test_each_aggregation_says_in_french_what_it_does():
    for aggregation in Aggregation:
        assert aggregation.label and aggregation.description
    assert "réciprocité" not in Aggregation.MEAN.description
    assert "moyenne géométrique" in Aggregation.JUDGMENTS_GEOMETRIC_MEAN.description


def test_the_spread_gives_spreadsheet_quartiles_and_one_point_per_participant():
    """QUARTILE.INCLUS of 0.1, 0.2, 0.3, 0.4, 0.5 is 0.2 and 0.4 (LibreOffice, Excel)."""
    weights = [[0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6], [0.5, 0.5]]
    first, second = criterion_spreads(weights)
    assert (
        first.minimum,
        first.first_quartile,
        first.median,
        first.third_quartile,
        first.maximum,
    ) == pytest.approx((0.1, 0.2, 0.3, 0.4, 0.5))
    assert first.points == pytest.approx((0.1, 0.2, 0.3, 0.4, 0.5))
    assert second.range == pytest.approx(0.4) and second.interquartile_range == pytest.approx(0.2)


def test_the_spread_works_on_shares_whatever_the_totals():
    (first, _) = criterion_spreads([[40, 60], [1, 1]])
    assert first.points == pytest.approx((0.4, 0.5))
