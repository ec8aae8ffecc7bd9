"""The room's view: one call from the stored votes to what the projector shows."""

from __future__ import annotations

import numpy as np
import pytest

from prioritisation.ranking.methods import rank_matrix
from prioritisation.workshop.aggregation import Aggregation
from prioritisation.workshop.consensus import ConsensusMeasure
from prioritisation.workshop.room import room_view
from prioritisation.workshop.votes import DirectVote, PairwiseVote

SCORES = np.array([[5, 1, 3], [1, 5, 3], [4, 4, 4], [2, 2, 2]], dtype=float)


def weighted_sum(weights: np.ndarray) -> np.ndarray:
    return rank_matrix(SCORES, maximise=[True] * 3, weights=weights, bounds=[(1, 5)] * 3).ranks


def test_pairwise_votes_get_aij_and_the_entropy_consensus():
    votes = [PairwiseVote(3, (3, 5, 2)), PairwiseVote(3, (2, 4, 2)), PairwiseVote(3, (1 / 3, 1, 3))]
    view = room_view(votes, weighted_sum, top=2)
    assert view.voters == 3 and len(view.individual_weights) == 3
    assert view.adopted.aggregation is Aggregation.JUDGMENTS_GEOMETRIC_MEAN
    assert view.consensus.measure is ConsensusMeasure.AHP_HOMOGENEITY
    assert 0 < view.consensus.value < 1
    assert len(view.spreads) == 3
    assert view.ranking.group_ranks == tuple(weighted_sum(np.asarray(view.adopted.weights)))
    assert view.projects_agreement.measure is ConsensusMeasure.KENDALL_W


def test_direct_or_mixed_votes_get_the_mean_and_kendalls_w():
    view = room_view([DirectVote((50, 30, 20)), PairwiseVote(3, (3, 5, 2))])
    assert view.adopted.aggregation is Aggregation.MEAN
    assert view.consensus.measure is ConsensusMeasure.KENDALL_W
    assert view.ranking is None and view.projects_agreement is None
    assert sum(view.adopted.weights) == pytest.approx(1)


def test_nothing_to_show_before_the_first_vote():
    assert room_view([]) is None
