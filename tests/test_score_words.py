"""Scores written in words are read on the declared scale, with a mapping shown and editable (issue 8.10)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation.reading.fields import map_columns
from prioritisation.reading.inventory import (
    NoTableFound,
    Scale,
    ScoreWords,
    load_inventory,
    with_score_words,
)
from prioritisation.reading.scores import propose_score_words
from tests import corpus

HEADERS = ["Projet", "Urgence", "Impact", "Faisabilité"]


def read(rows, **options):
    return load_inventory(corpus.simple_xlsx(HEADERS, rows), "x.xlsx", **options)


def scores(inventory, field):
    return [None if math.isnan(value) else value for value in inventory.projects[field]]


def test_reads_strength_words_priorities_and_pluses_on_the_declared_scale():
    rows = [
        ["A", "P1", "forte", "+"],
        ["B", "P2", "Moyenne", "++"],
        ["C", "P3", "faible", "+++"],
    ]
    inventory = read(rows)
    assert inventory.errors == []
    assert scores(inventory, "urgency") == [5, 3, 1]  # P1 is the most urgent
    assert scores(inventory, "impact") == [5, 3, 1]
    assert scores(inventory, "feasibility") == [1, 3, 5]


def test_words_spread_over_another_scale():
    inventory = read([["A", "bas", 1, 1], ["B", "élevé", 2, 2], ["C", "moyen", 3, 3]], scale=Scale(0, 10))
    assert scores(inventory, "urgency") == [0, 10, 5]


def test_strength_words_take_five_levels_across_the_file_once_it_says_tres():
    """One table of words for the whole file: « forte » cannot mean two scores in two columns."""
    rows = [["A", "bas", "très forte", 1], ["B", "élevé", "forte", 2], ["C", "moyen", "très faible", 3]]
    inventory = read(rows, scale=Scale(0, 10))
    assert scores(inventory, "impact") == [10, 7.5, 0]
    assert scores(inventory, "urgency") == [2.5, 7.5, 5]


def test_the_mapping_in_force_is_reported_with_each_column_that_used_it():
    inventory = read([["A", "oui", 3, 3], ["B", "non", 3, 3]])
    assert inventory.score_words.describe() == "oui → 5, non → 1"
    assert any(note.startswith("« Urgence » : 2 note(s) écrite(s) en mots") for note in inventory.notes)


def test_an_unknown_word_stays_an_error_located_and_worded_for_dashboard_and_command_line():
    inventory = read([["A", "forte", "bof", 3]])
    [problem] = inventory.errors
    assert (problem.row, problem.column, problem.code) == (2, "Impact", "not_a_score")
    assert "« bof » n'est pas une note" in problem.message
    assert "correspondance des mots et des notes" in problem.message
    assert "--" not in problem.message


def test_a_word_without_a_score_is_offered_to_the_user_who_gives_it_one():
    """The message says « donnez une note à ce mot dans la correspondance »: the word must be
    there to be given one (only recognised words were listed)."""
    rows = [["A", "forte", "bof", 3], ["B", "faible", "Bof ", 3], ["C", "forte", "top", 3]]
    proposed = read(rows)
    assert proposed.unvalued_words == ("bof", "top")  # once each, as first written
    given = with_score_words(
        proposed, ScoreWords.of({**dict(proposed.score_words.values), "bof": 2, "top": 5})
    )
    assert given.errors == [] and given.unvalued_words == ()
    assert scores(given, "impact") == [2, 2, 5]


def test_feasibility_words_read_easy_as_high_and_hard_as_low():
    inventory = read([["A", 3, 3, "facile"], ["B", 3, 3, "difficile"], ["C", 3, 3, "moyenne"]])
    assert inventory.errors == [] and inventory.unvalued_words == ()
    assert scores(inventory, "feasibility") == [5, 1, 3]


def test_the_users_own_values_replace_the_proposal_and_words_they_left_out_are_errors():
    rows = [["A", "forte", "bof", 3], ["B", "faible", "top", 3]]
    proposed = read(rows)
    chosen = with_score_words(proposed, ScoreWords.of({"forte": 4, "faible": 2, "bof": 2.5, "top": 5}))
    assert chosen.errors == []
    assert scores(chosen, "urgency") == [4, 2]
    assert scores(chosen, "impact") == [2.5, 5]
    assert chosen.chosen_words is not None
    narrow = with_score_words(proposed, ScoreWords.of({"forte": 4}))
    assert [(problem.row, problem.column) for problem in narrow.errors] == [
        (3, "Urgence"),
        (2, "Impact"),
        (3, "Impact"),
    ]


def test_a_setting_that_puts_a_word_off_the_scale_is_refused():
    with pytest.raises(ValueError, match="« forte » sortent de l'échelle de 1 à 5"):
        read([["A", "forte", 3, 3]], score_words=ScoreWords.of({"forte": 7}))


def test_the_setting_validates_itself():
    with pytest.raises(ValueError, match="deux notes"):
        ScoreWords.of({"Forte": 5, "forte ": 4})
    with pytest.raises(ValueError, match="vide"):
        ScoreWords.of({" ": 5})
    with pytest.raises(ValueError, match="un nombre"):
        ScoreWords.of({"forte": float("nan")})


@given(low=st.integers(-5, 5), width=st.integers(1, 100))
def test_proposed_words_always_lie_on_the_scale_and_keep_their_order(low, width):
    scale = Scale(low, low + width)
    words = propose_score_words(["faible", "moyen", "fort", "P1", "P2", "P3", "P4", "+", "++++"], scale)
    assert words.outside(scale) == []
    assert words.value_of("faible") < words.value_of("moyen") < words.value_of("fort")
    assert words.value_of("P4") < words.value_of("P3") < words.value_of("P2") < words.value_of("P1")
    assert words.value_of("+") < words.value_of("++++")


def test_durations_and_amounts_in_other_units_are_read_in_months_and_euros():
    headers = ["Projet", "Investissement (k€)", "Durée (ans)", "Durée diagnostic"]
    rows = [["A", 12, 2, "4 mois"], ["B", "1,5 M€", "18 mois", "1 an"]]
    inventory = load_inventory(corpus.simple_xlsx(headers, rows), "x.xlsx")
    assert inventory.errors == []
    assert list(inventory.projects["capex"]) == [12_000, 1_500_000]
    assert list(inventory.projects["duration"]) == [24, 18]
    assert list(inventory.projects["diagnostic_months"]) == [4, 12]
    assert any("milliers d'euros" in note for note in inventory.notes)
    assert list(inventory.original["Investissement (k€)"]) == [12, "1,5 M€"]  # the user's values stay


def test_domain_messages_name_no_command_line_option():
    with pytest.raises(NoTableFound) as refused:
        load_inventory(corpus.xlsx({"Notes": [["Bonjour"]], "Budget": [["Année"], [2026]]}), "x.xlsx")
    assert "--" not in str(refused.value)
    inventory = read([["A", 9, 3, 3]])
    assert [problem.code for problem in inventory.errors] == ["score_out_of_scale"]
    assert "--" not in inventory.errors[0].message
    assert "échelle des notes" in inventory.errors[0].message


def test_score_words_are_proposed_only_from_the_score_columns():
    headers = ["Projet", "Urgence", "Commentaire"]
    inventory = load_inventory(
        corpus.simple_xlsx(headers, [["A", 3, "forte demande"], ["B", 2, "oui"]]), "x.xlsx"
    )
    assert not inventory.score_words
    assert map_columns(headers).position("urgency") == 1
