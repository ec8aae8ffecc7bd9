"""How much the room agrees: AHP-OS's entropy consensus and Kendall's W."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.stats import friedmanchisquare

from prioritisation.workshop.consensus import (
    ConsensusMeasure,
    ahp_consensus,
    ahp_level,
    kendall_level,
    kendall_w,
    mid_ranks,
    minimum_alpha_entropy,
    rankings_agreement,
    weights_agreement,
)

priority_vectors = st.lists(st.floats(0.01, 1.0), min_size=2, max_size=8).map(
    lambda values: np.asarray(values) / sum(values)
)


@given(priority_vectors, st.integers(2, 20))
def test_identical_votes_are_a_full_consensus(priorities, participants):
    consensus = ahp_consensus([priorities] * participants)
    assert consensus.value == pytest.approx(1.0)
    assert consensus.level == "élevé"


@given(priority_vectors, st.data())
def test_consensus_falls_as_one_vote_moves_away(priorities, data):
    """Two participants, one moving from the other's priorities towards other ones: the
    farther it goes, the lower the consensus (Hβ, a Jensen–Shannon divergence, grows)."""
    other = data.draw(priority_vectors.filter(lambda vector: len(vector) == len(priorities)))
    assume(np.abs(other - priorities).max() > 0.05)
    steps = sorted(data.draw(st.lists(st.floats(0, 1), min_size=2, max_size=5)))
    values = [ahp_consensus([priorities, (1 - step) * priorities + step * other]).value for step in steps]
    assert all(later <= earlier + 1e-12 for earlier, later in itertools.pairwise(values))
    if steps[-1] > 0.1:
        assert values[-1] < 1.0


def test_a_room_where_each_puts_all_the_scale_allows_on_another_criterion_has_no_consensus():
    """n participants, each with (9, 1, …, 1)/(n + 8) on a different criterion: Hα is its
    minimum and Hγ its maximum (ln n), so S* = 0 by construction (Goepel 2013)."""
    size = 4
    extreme = np.array([9, 1, 1, 1]) / 12
    votes = [np.roll(extreme, shift) for shift in range(size)]
    consensus = ahp_consensus(votes)
    assert consensus.value == pytest.approx(0.0, abs=1e-12)
    assert consensus.level == "faible"


def test_matches_a_consensus_worked_by_hand():
    """Two participants, (0.6, 0.3, 0.1) and (0.1, 0.3, 0.6), worked by hand:
    Hα = −(0.6 ln 0.6 + 0.3 ln 0.3 + 0.1 ln 0.1) = 0.89794 for each; p̄ = (0.35, 0.3, 0.35),
    Hγ = 1.09606; Hβ = 0.19812, e^−Hβ = 0.82027. Hα,min for n = 3, M = 9 is the entropy of
    (9, 1, 1)/11 = 0.60016; c = e^(0.60016 − ln 3) = 0.60747. S* = (0.82027 − 0.60747) /
    (1 − 0.60747) = 0.5421: « faible » (up to 65 %)."""
    assert minimum_alpha_entropy(3) == pytest.approx(0.60016, abs=1e-5)
    consensus = ahp_consensus([[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]])
    assert consensus.value == pytest.approx(0.5421, abs=1e-4)
    assert consensus.level == "faible"
    assert consensus.measure is ConsensusMeasure.AHP_HOMOGENEITY


def test_one_vote_has_no_consensus_yet():
    consensus = ahp_consensus([[0.5, 0.5]])
    assert consensus.value is None and "deux votes" in consensus.level


@pytest.mark.parametrize(
    ("value", "level"), [(0.65, "faible"), (0.6501, "modéré"), (0.75, "modéré"), (0.7501, "élevé")]
)
def test_reads_the_ahp_consensus_with_ahp_os_bounds(value, level):
    """AHP-OS: low up to 65 %, moderate above 65 % up to 75 %, high above 75 %."""
    assert ahp_level(value) == level


@pytest.mark.parametrize(
    ("value", "level"), [(0.29, "très faible"), (0.3, "faible"), (0.7, "fort"), (0.95, "très fort")]
)
def test_reads_kendalls_w_with_schmidts_levels(value, level):
    assert kendall_level(value) == level


rank_rows = st.integers(3, 6).flatmap(
    lambda objects: st.lists(
        st.lists(st.integers(1, 4), min_size=objects, max_size=objects), min_size=2, max_size=8
    )
)


@given(rank_rows)
def test_kendalls_w_with_ties_matches_friedmans_statistic(scores):
    """Independent oracle: W = χ²_F / (m (n − 1)), with scipy's tie-corrected Friedman χ²."""
    ranks = [mid_ranks(row) for row in scores]
    objects = len(scores[0])
    assume(any(len(set(row)) > 1 for row in scores))  # not every judge tying everything
    value = kendall_w(ranks)
    chi_square = friedmanchisquare(*np.array(ranks).T).statistic
    assert value == pytest.approx(chi_square / (len(scores) * (objects - 1)), abs=1e-9)


def test_kendalls_w_is_one_for_identical_rankings_and_zero_for_opposite_ones():
    assert kendall_w([[1, 2, 3, 4]] * 3) == pytest.approx(1.0)
    assert kendall_w([[1, 2, 3, 4], [4, 3, 2, 1]]) == pytest.approx(0.0)
    assert kendall_w([[2, 2, 2]] * 3) is None


def test_mid_ranks_put_the_heaviest_first_and_share_ties():
    np.testing.assert_allclose(mid_ranks([0.5, 0.25, 0.25]), [1, 2.5, 2.5])
    np.testing.assert_allclose(mid_ranks([3, 1, 2], higher_first=False), [3, 1, 2])


def test_direct_weights_agreement_compares_the_orders_of_the_criteria():
    same_order = weights_agreement([[50, 30, 20], [40, 35, 25], [70, 20, 10]])
    assert same_order.value == pytest.approx(1.0) and same_order.level == "très fort"
    assert same_order.measure is ConsensusMeasure.KENDALL_W
    split = weights_agreement([[50, 30, 20], [20, 30, 50]])
    assert split.value == pytest.approx(0.0) and split.level == "très faible"
    flat = weights_agreement([[1, 1, 1], [2, 2, 2]])
    assert flat.value is None and "égalité" in flat.level
    assert rankings_agreement([[1, 2, 3]]).value is None


def test_each_measure_is_defined_in_french():
    for measure in ConsensusMeasure:
        assert "100 %" in measure.definition and measure.label
