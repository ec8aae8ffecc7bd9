"""Why a project ranks where it does: movement against equal weights, close calls, the median."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from prioritisation.ranking.criteria import RankingSettings
from prioritisation.ranking.explanation import (
    CLOSE,
    TIED,
    close_calls,
    equal_weights_baseline,
    explain,
    movement,
)
from prioritisation.ranking.methods import Method
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from tests import corpus


def ranked(rows, settings=None):
    inventory = load_inventory(corpus.simple_xlsx(corpus.HEADERS, rows), "inventaire.xlsx")
    return rank_inventory(inventory, settings)


def test_equal_weights_move_nobody():
    ranking = ranked(corpus.ROWS)
    assert movement(ranking, equal_weights_baseline(ranking)).tolist() == [0, 0, 0]


def test_movement_counts_places_gained_against_equal_weights():
    ranking = ranked(corpus.ROWS, RankingSettings(weights=(0, 0, 1)))  # feasibility only
    baseline = equal_weights_baseline(ranking)
    assert baseline.result.ranks.tolist() == [3, 1, 2]
    assert ranking.result.ranks.tolist() == [3, 2, 1]
    assert movement(ranking, baseline).tolist() == [0, -1, 1]


def test_tied_projects_are_ex_aequo_and_near_ones_are_close():
    rows = [
        ["A", "Alpha", "Axe 1", 5, 5, 5],
        ["B", "Bêta", "Axe 1", 5, 5, 5],
        ["C", "Gamma", "Axe 1", 3, 3, 3],
        ["D", "Delta", "Axe 1", 3, 3, 2.9],
        ["E", "Epsilon", "Axe 1", 1, 1, 1],
    ]
    marks = close_calls(ranked(rows), margin=0.01)
    assert marks == [TIED, TIED, CLOSE, CLOSE, ""]


@settings(deadline=None, max_examples=50)  # each example reads a workbook and ranks it
@given(st.lists(st.tuples(*[st.integers(1, 5)] * 3), min_size=1, max_size=12))
def test_a_project_is_marked_only_when_a_neighbour_is_within_the_margin(scores):
    rows = [[f"P{i}", f"Projet {i}", "Axe 1", *values] for i, values in enumerate(scores)]
    ranking = ranked(rows)
    marks = close_calls(ranking, margin=0.01)
    ordered = ranking.result.scores[ranking.order]
    for place, position in enumerate(ranking.order):
        gaps = [
            abs(ordered[place] - ordered[other])
            for other in (place - 1, place + 1)
            if 0 <= other < len(ordered)
        ]
        assert (marks[position] != "") == any(gap < 0.01 for gap in gaps)


def test_explain_compares_each_criterion_with_the_median_of_all_projects():
    ranking = ranked(corpus.ROWS)
    first = explain(ranking, 1)  # P02: urgency 5, impact 4, feasibility 4
    assert first.rank == 1 and first.count == 3
    assert [reading.median for reading in first.readings] == [4, 4, 4]
    assert first.strengths == ["Urgence"]
    assert first.weaknesses == []
    assert first.sentence().startswith("Rang 1 sur 3. Mieux que la médiane des projets : Urgence.")
    assert np.isclose(sum(reading.contribution for reading in first.readings), first.score)


def test_explain_reads_a_criterion_to_minimise_the_other_way_round():
    from prioritisation.ranking.criteria import Criterion

    settings = RankingSettings(criteria=(Criterion("urgency"), Criterion("Impact", maximise=False)))
    explanation = explain(ranked(corpus.ROWS, settings), 0)  # P01: impact 5, the most
    assert explanation.weaknesses == ["Impact"]


def test_other_methods_have_no_contributions_but_still_explain():
    explanation = explain(ranked(corpus.ROWS, RankingSettings(method=Method.TOPSIS)), 2)
    assert all(reading.contribution is None for reading in explanation.readings)
    assert explanation.strengths == ["Faisabilité"]
