"""French numbers and dates, read and written."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation.french import (
    format_amounts,
    format_date,
    format_euros,
    format_number,
    format_numbers,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1 200 000 €", 1_200_000),
        ("45 000,50", 45_000.5),
        ("4,5", 4.5),
        ("1\u202f234\u00a0567,89\u00a0€", 1_234_567.89),
        ("1.200.000", 1_200_000),
        ("1 234.5", 1234.5),
        ("1,2 M€", 1_200_000),
        ("12 k€", 12_000),
        ("-5", -5),
        ("(1 000)", -1000),
        ("1 000 € HT", 1000),
        ("  7  ", 7),
        (3, 3.0),
        (2.5, 2.5),
    ],
)
def test_reads_numbers_written_the_french_way(text, number):
    assert parse_number(text) == pytest.approx(number)


@pytest.mark.parametrize("text", ["", "haute", "1,2,3", "12..5", "€", True, None, float("nan"), "4,5,"])
def test_what_is_not_a_number_reads_as_none(text):
    assert parse_number(text) is None


@given(st.floats(-1e12, 1e12, allow_nan=False).map(lambda x: round(x, 2)))
def test_formatted_numbers_read_back_to_the_same_value(value):
    assert parse_number(format_number(value, 2)) == pytest.approx(value, abs=0.005)
    assert parse_number(format_euros(value, 2)) == pytest.approx(value, abs=0.005)


def test_formats_amounts_and_dates_for_french_readers():
    assert format_euros(1_234_567.89, 2) == "1\u202f234\u202f567,89\u00a0€"
    assert format_date(dt.date(2026, 3, 12)) == "12 mars 2026"
    assert format_date(dt.date(2026, 8, 1)) == "1er août 2026"


@given(st.lists(st.floats(allow_infinity=False, width=64) | st.none(), max_size=20), st.integers(0, 3))
def test_formatting_many_numbers_writes_each_as_alone(values, decimals):
    assert format_numbers(values, decimals) == [format_number(v, decimals) for v in values]
    assert format_amounts(values) == [format_euros(v) for v in values]
