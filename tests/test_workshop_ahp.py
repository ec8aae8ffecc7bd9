"""One participant's pairwise comparisons: priorities, λmax, CI, CR, the hint and the words."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation.workshop.ahp import (
    RANDOM_INDEX,
    analyse,
    check_reciprocal,
    judgment_phrase,
    most_inconsistent_pair,
    nearest_scale_value,
    scale_values,
)

DRINKS = ["café", "vin", "thé", "bière", "soda", "lait", "eau"]
DRINKS_MATRIX = np.array(
    [
        [1, 9, 5, 2, 1, 1, 1 / 2],
        [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
        [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
        [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [1, 9, 4, 2, 1, 2, 1 / 2],
        [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [2, 9, 9, 3, 2, 3, 1],
    ]
)

weights_strategy = st.lists(st.floats(0.05, 1.0), min_size=3, max_size=8)


def consistent_matrix(weights: list[float]) -> np.ndarray:
    array = np.asarray(weights, dtype=float)
    return array[:, np.newaxis] / array[np.newaxis, :]


def test_reproduces_saatys_drinks_example():
    """Saaty (2008), « Decision making with the analytic hierarchy process », IJSSCI 1(1):
    relative consumption of drinks in the USA. Priorities [0.177, 0.019, 0.042, 0.116, 0.190,
    0.129, 0.327], λmax 7.1766, CI 0.0294, CR 0.022 with Saaty's random index RI(7) = 1.32
    (the table of Saaty 1980, pinned in the code)."""
    result = analyse(DRINKS_MATRIX)
    np.testing.assert_allclose(
        result.priorities, [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327], atol=5e-4
    )
    assert result.lambda_max == pytest.approx(7.1766, abs=1e-4)
    assert result.consistency_index == pytest.approx(0.0294, abs=1e-4)
    assert result.random_index == 1.32
    assert round(result.consistency_ratio, 3) == 0.022
    assert result.consistent_enough


def test_pins_saatys_1980_random_index_table():
    """Saaty (1980), *The Analytic Hierarchy Process*: RI for orders 1 to 10."""
    assert RANDOM_INDEX == {
        1: 0.0,
        2: 0.0,
        3: 0.58,
        4: 0.90,
        5: 1.12,
        6: 1.24,
        7: 1.32,
        8: 1.41,
        9: 1.45,
        10: 1.49,
    }


@given(weights_strategy)
def test_a_consistent_matrix_gives_back_its_weights_with_zero_inconsistency(weights):
    result = analyse(consistent_matrix(weights))
    np.testing.assert_allclose(result.priorities, np.asarray(weights) / sum(weights), rtol=1e-6)
    assert result.lambda_max == pytest.approx(len(weights), abs=1e-6)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-6)


def test_two_criteria_are_always_consistent():
    result = analyse(np.array([[1, 7], [1 / 7, 1]]))
    assert result.priorities == pytest.approx((7 / 8, 1 / 8))
    assert result.consistency_ratio == 0.0


def test_refuses_a_matrix_that_is_not_reciprocal():
    with pytest.raises(ValueError, match="reciprocal"):
        check_reciprocal(np.array([[1, 3], [3, 1]]))
    with pytest.raises(ValueError, match="positive"):
        check_reciprocal(np.array([[1, -3], [-1 / 3, 1]]))


def test_refuses_more_criteria_than_the_random_index_covers():
    with pytest.raises(ValueError, match="at most 10"):
        analyse(np.ones((11, 11)))


@given(weights_strategy.filter(lambda weights: len(weights) >= 4), st.data())
def test_the_hint_names_the_one_judgment_that_was_changed(weights, data):
    """A consistent matrix with one judgment pushed far from the others (×/÷ 9 and more):
    the hint is that pair, and suggests the scale value nearest to what the rest implies."""
    size = len(weights)
    first = data.draw(st.integers(0, size - 2))
    second = data.draw(st.integers(first + 1, size - 1))
    matrix = consistent_matrix(weights)
    implied = matrix[first, second]
    wrong = implied * 40 if implied < 1 else implied / 40
    matrix[first, second], matrix[second, first] = wrong, 1 / wrong
    result = analyse(matrix)
    hint = most_inconsistent_pair(matrix, result.priorities)
    assert (hint.first, hint.second) == (first, second)
    assert hint.given == pytest.approx(wrong)
    assert hint.suggested != pytest.approx(wrong)


def test_the_hint_skips_a_judgment_already_at_the_end_of_the_scale():
    """In the drinks example the largest deviation is wine against water (1/9 given, about
    1/17 implied): 1/9 is the end of the scale, so the hint moves to a judgment that can
    change — wine against beer, 1/9 given where the rest implies about 1/6."""
    result = analyse(DRINKS_MATRIX)
    weights = np.asarray(result.priorities)
    deviation = DRINKS_MATRIX * weights[np.newaxis, :] / weights[:, np.newaxis]
    largest = np.unravel_index(np.argmax(deviation), deviation.shape)
    assert {DRINKS[index] for index in largest} == {"vin", "eau"}
    hint = most_inconsistent_pair(DRINKS_MATRIX, result.priorities)
    assert (DRINKS[hint.first], DRINKS[hint.second]) == ("vin", "bière")
    assert hint.given == pytest.approx(1 / 9)
    assert hint.suggested == pytest.approx(1 / 6)


def test_no_hint_below_three_criteria():
    assert most_inconsistent_pair(np.array([[1, 3], [1 / 3, 1]]), [0.75, 0.25]) is None


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (1, "la faisabilité et l'impact comptent autant"),
        (2, "la faisabilité compte à peine plus que l'impact"),
        (3, "la faisabilité compte un peu plus que l'impact"),
        (4, "la faisabilité compte sensiblement plus que l'impact"),
        (5, "la faisabilité compte nettement plus que l'impact"),
        (6, "la faisabilité compte bien plus que l'impact"),
        (7, "la faisabilité compte beaucoup plus que l'impact"),
        (8, "la faisabilité compte énormément plus que l'impact"),
        (9, "la faisabilité compte extrêmement plus que l'impact"),
        (1 / 3, "l'impact compte un peu plus que la faisabilité"),
        (1 / 9, "l'impact compte extrêmement plus que la faisabilité"),
        (2.6, "la faisabilité compte un peu plus que l'impact"),
    ],
)
def test_says_a_judgment_in_words(value, phrase):
    assert judgment_phrase("la faisabilité", "l'impact", value) == phrase


def test_elides_que_before_a_vowel():
    assert judgment_phrase("Coût", "Urgence", 5) == "Coût compte nettement plus qu'Urgence"
    assert judgment_phrase("Urgence", "Coût", 5) == "Urgence compte nettement plus que Coût"


def test_the_scale_has_seventeen_answers_reciprocal_around_one():
    values = scale_values()
    assert len(values) == 17 and values[8] == 1.0
    assert all(low * high == pytest.approx(1) for low, high in zip(values, reversed(values), strict=True))


@pytest.mark.parametrize(
    ("value", "nearest"), [(2.4, 2), (2.5, 3), (0.3, 1 / 3), (17, 9), (1 / 17, 1 / 9), (1.3, 1)]
)
def test_rounds_a_ratio_to_the_nearest_answer_of_the_scale(value, nearest):
    assert nearest_scale_value(value) == pytest.approx(nearest)
