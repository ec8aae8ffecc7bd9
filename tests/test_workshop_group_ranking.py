"""The projects under the group's weights, their best and worst ranks, and the stable top N."""

from __future__ import annotations

import numpy as np
import pytest

from prioritisation.ranking.methods import Method, rank_matrix
from prioritisation.workshop.group_ranking import projects_agreement, rank_under_weights

# Four projects scored on urgency and impact (1–5): A urgent, B impactful, C good at both, D weak.
SCORES = np.array([[5, 1], [1, 5], [4, 4], [2, 2]], dtype=float)


def weighted_sum(weights: np.ndarray) -> np.ndarray:
    """The ranking function the dashboard passes: our own ranking engine, weights in."""
    return rank_matrix(
        SCORES, maximise=[True, True], weights=weights, method=Method.WEIGHTED_SUM, bounds=[(1, 5), (1, 5)]
    ).ranks


def test_ranks_under_the_group_and_under_each_participant():
    ranking = rank_under_weights([0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], weighted_sum, top=1)
    assert ranking.group_ranks == (2, 2, 1, 4)  # A and B tie under equal weights
    assert ranking.participant_ranks == ((1, 4, 2, 3), (4, 1, 2, 3))
    assert ranking.best_ranks == (1, 1, 2, 3)
    assert ranking.worst_ranks == (4, 4, 2, 3)
    assert ranking.order() == (2, 0, 1, 3)


def test_a_project_in_everyones_top_n_is_the_core_of_the_consensus():
    ranking = rank_under_weights([0.5, 0.5], [[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]], weighted_sum, top=2)
    assert ranking.always_in_top == (False, False, True, False)  # only C, the project good at both
    assert rank_under_weights([0.5, 0.5], [[0.9, 0.1]], weighted_sum, top=1).always_in_top == (
        True,
        False,
        False,
        False,
    )


def test_weights_are_normalised_before_ranking():
    seen = []

    def spy(weights: np.ndarray) -> np.ndarray:
        seen.append(weights)
        return weighted_sum(weights)

    rank_under_weights([50, 50], [[90, 10]], spy, top=1)
    assert all(np.sum(weights) == pytest.approx(1) for weights in seen)


def test_agreement_between_participants_project_rankings():
    same = rank_under_weights([0.5, 0.5], [[0.6, 0.4], [0.7, 0.3]], weighted_sum, top=1)
    assert projects_agreement(same).value == pytest.approx(1.0)
    split = rank_under_weights([0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], weighted_sum, top=1)
    assert projects_agreement(split).value < 0.5


def test_needs_at_least_one_participant_and_a_top_of_one():
    with pytest.raises(ValueError, match="participant"):
        rank_under_weights([0.5, 0.5], [], weighted_sum, top=1)
    with pytest.raises(ValueError, match="top N"):
        rank_under_weights([0.5, 0.5], [[0.5, 0.5]], weighted_sum, top=0)
