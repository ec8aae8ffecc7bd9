"""The engine reproduces the published worked examples of docs/exemples-de-reference.md."""

from __future__ import annotations

import numpy as np
import pytest

from prioritisation.ranking.methods import Method, Normalisation, rank_matrix, vikor_details

TZENG_HUANG = np.array([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], dtype=float)
TZENG_HUANG_WEIGHTS = [0.3, 0.4, 0.3]
OPRICOVIC = np.array([[1, 3000], [2, 3750], [5, 4500]], dtype=float)
RISK_MIN_ALTITUDE_MAX = [False, True]


def test_topsis_reproduces_tzeng_and_huang_2011():
    """Tzeng & Huang (2011), Multiple Attribute Decision Making, CRC Press: vector-normalised TOPSIS."""
    result = rank_matrix(
        TZENG_HUANG,
        maximise=[True] * 3,
        weights=TZENG_HUANG_WEIGHTS,
        method=Method.TOPSIS,
        normalisation=Normalisation.VECTOR,
    )
    np.testing.assert_allclose(result.scores, [0.5037, 0.6581, 0.7482, 0.3340], atol=1e-4)
    assert result.ranks.tolist() == [3, 2, 1, 4]


@pytest.mark.parametrize(
    ("normalisation", "expected", "tolerance", "ranks"),
    [
        (Normalisation.MINMAX, [0.500, 0.617, 0.500], 5e-4, [2, 1, 2]),
        (Normalisation.VECTOR, [0.7621, 0.7222, 0.2379], 1e-4, [1, 2, 3]),
    ],
)
def test_the_normalisation_decides_the_topsis_winner(normalisation, expected, tolerance, ranks):
    """Opricovic & Tzeng (2004), EJOR 156(2): risk to minimise, altitude to maximise; another winner."""
    result = rank_matrix(
        OPRICOVIC,
        maximise=RISK_MIN_ALTITUDE_MAX,
        weights=[0.5, 0.5],
        method=Method.TOPSIS,
        normalisation=normalisation,
    )
    np.testing.assert_allclose(result.scores, expected, atol=tolerance)
    assert result.ranks.tolist() == ranks


def test_vikor_reproduces_opricovic_and_tzeng_2004():
    """Opricovic & Tzeng (2004), EJOR 156(2), VIKOR with v = 0.5."""
    details = vikor_details(OPRICOVIC, RISK_MIN_ALTITUDE_MAX, [0.5, 0.5], v=0.5)
    np.testing.assert_allclose(details["S"], [0.5, 0.375, 0.5], atol=1e-9)
    np.testing.assert_allclose(details["R"], [0.5, 0.25, 0.5], atol=1e-9)
    np.testing.assert_allclose(details["Q"], [1.0, 0.0, 1.0], atol=1e-9)


def test_vikor_reproduces_tzeng_and_huang_2011():
    """Tzeng & Huang (2011) data, VIKOR v = 0.5; lower Q is better."""
    details = vikor_details(TZENG_HUANG, [True] * 3, TZENG_HUANG_WEIGHTS, v=0.5)
    np.testing.assert_allclose(details["S"], [0.6, 0.3, 0.15, 0.65], atol=1e-9)
    np.testing.assert_allclose(details["R"], [0.3, 0.2, 0.15, 0.4], atol=1e-9)
    np.testing.assert_allclose(details["Q"], [0.75, 0.25, 0.0, 1.0], atol=1e-9)
    result = rank_matrix(TZENG_HUANG, maximise=[True] * 3, weights=TZENG_HUANG_WEIGHTS, method=Method.VIKOR)
    np.testing.assert_allclose(result.scores, [0.75, 0.25, 0.0, 1.0], atol=1e-9)
    assert result.ranks.tolist() == [3, 2, 1, 4]
    assert not result.higher_is_better


def test_weighted_sum_on_the_declared_scale_can_be_checked_by_hand():
    """Scores 1–5 rescaled (x − 1) / 4, weighted 40/35/25: (4−1)/4·0.4 + (5−1)/4·0.35 + (2−1)/4·0.25."""
    result = rank_matrix(
        np.array([[4, 5, 2], [5, 4, 4]], dtype=float),
        maximise=[True] * 3,
        weights=[40, 35, 25],
        bounds=[(1, 5)] * 3,
    )
    np.testing.assert_allclose(result.scores, [0.3 + 0.35 + 0.0625, 0.4 + 0.2625 + 0.1875])
    np.testing.assert_allclose(result.contributions.sum(axis=1), result.scores)
    assert result.normalisation is Normalisation.SCALE
