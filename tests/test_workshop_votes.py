"""Votes are checked completely before anything stores them; malformed ones are refused in French."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation.workshop.session import Refused
from prioritisation.workshop.votes import (
    DirectVote,
    PairwiseVote,
    VotingCriterion,
    check_criteria,
    parse_vote,
    vote_document,
)

CRITERIA = (
    VotingCriterion("urgency", "Urgence"),
    VotingCriterion("impact", "Impact"),
    VotingCriterion("feasibility", "Faisabilité"),
)
SAATY = st.sampled_from([1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9])


def direct(**weights: object) -> dict:
    return {"method": "direct", "weights": weights}


def pairwise(*judgments: tuple[str, str, object]) -> dict:
    return {
        "method": "pairwise",
        "judgments": [
            {"first": first, "second": second, "value": value} for first, second, value in judgments
        ],
    }


def test_reads_direct_weights_in_the_workshops_criteria_order():
    vote = parse_vote(direct(feasibility=25, urgency=40, impact=35), CRITERIA)
    assert vote == DirectVote((40.0, 35.0, 25.0))
    np.testing.assert_allclose(vote.shares(), [0.40, 0.35, 0.25])


def test_reads_a_judgment_given_in_either_order_as_the_same_comparison():
    one_way = parse_vote(
        pairwise(("urgency", "impact", 3), ("urgency", "feasibility", 5), ("impact", "feasibility", 2)),
        CRITERIA,
    )
    other_way = parse_vote(
        pairwise(
            ("impact", "urgency", 1 / 3), ("feasibility", "urgency", 1 / 5), ("feasibility", "impact", 1 / 2)
        ),
        CRITERIA,
    )
    np.testing.assert_allclose(one_way.matrix(), other_way.matrix())
    assert one_way.matrix()[1, 0] == pytest.approx(1 / 3)


@given(st.lists(st.floats(0, 100), min_size=3, max_size=3).filter(lambda weights: sum(weights) > 0))
def test_a_stored_direct_vote_reads_back_unchanged(weights):
    vote = DirectVote(tuple(weights))
    assert parse_vote(vote_document(vote, CRITERIA), CRITERIA) == vote


@given(st.lists(SAATY, min_size=3, max_size=3))
def test_a_stored_pairwise_vote_reads_back_unchanged(upper):
    vote = PairwiseVote(3, tuple(float(value) for value in upper))
    assert parse_vote(vote_document(vote, CRITERIA), CRITERIA) == vote


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("urgency=40", "le document reçu n'est pas un vote"),
        ({"method": "vote"}, "la méthode doit être « direct » ou « pairwise »"),
        ({"method": "direct"}, "les poids manquent"),
        (direct(urgency=40, impact=35), "il manque le poids de « Faisabilité »"),
        (
            direct(urgency=-1, impact=35, feasibility=25),
            "le poids de « Urgence » doit être un nombre de 0 à 100 (reçu : -1)",
        ),
        (direct(urgency=140, impact=35, feasibility=25), "(reçu : 140)"),
        (direct(urgency=math.nan, impact=35, feasibility=25), "(reçu : nan)"),
        (direct(urgency=math.inf, impact=35, feasibility=25), "(reçu : inf)"),
        (direct(urgency="40", impact=35, feasibility=25), "(reçu : 40)"),
        (direct(urgency=True, impact=35, feasibility=25), "(reçu : True)"),
        (direct(urgency=40, impact=35, feasibility=25, cost=10), "critère inconnu « cost »"),
        (
            direct(urgency=0, impact=0, feasibility=0),
            "au moins un critère doit avoir un poids supérieur à zéro",
        ),
        ({"method": "pairwise", "judgments": "3,5,2"}, "les comparaisons manquent"),
        (
            pairwise(("urgency", "impact", 3), ("urgency", "feasibility", 5)),
            "il manque la comparaison entre « Impact » et « Faisabilité »",
        ),
        (
            pairwise(
                ("urgency", "impact", 3),
                ("impact", "urgency", 3),
                ("urgency", "feasibility", 5),
                ("impact", "feasibility", 2),
            ),
            "la comparaison entre « Urgence » et « Impact » est donnée deux fois",
        ),
        (pairwise(("urgency", "urgency", 1), ("urgency", "impact", 3)), "« Urgence » est comparé à lui-même"),
        (pairwise(("urgency", "cost", 3)), "critère inconnu « cost » dans une comparaison"),
        (
            pairwise(("urgency", "impact", 10), ("urgency", "feasibility", 5), ("impact", "feasibility", 2)),
            "doit valoir de 1/9 à 9 (reçu : 10)",
        ),
        (
            pairwise(("urgency", "impact", 0), ("urgency", "feasibility", 5), ("impact", "feasibility", 2)),
            "(reçu : 0)",
        ),
        (
            {"method": "pairwise", "judgments": [{"first": "urgency"}] * 7},
            "7 comparaisons reçues pour 3 paires",
        ),
        ({"method": "pairwise", "judgments": [42, None, "x"]}, "une comparaison est illisible"),
    ],
)
def test_refuses_a_malformed_vote_with_a_french_reason(document, message):
    with pytest.raises(Refused) as refusal:
        parse_vote(document, CRITERIA)
    assert message in str(refusal.value)
    assert str(refusal.value).startswith("Vote refusé")


def test_names_every_problem_of_a_vote_at_once():
    with pytest.raises(Refused) as refusal:
        parse_vote(direct(urgency=-1, cost=3), CRITERIA)
    assert len(refusal.value.messages) == 4  # cost unknown, urgency invalid, impact and feasibility missing


def test_a_document_with_a_hundred_faults_gives_a_short_message():
    ten = [VotingCriterion(f"c{index}", f"Critère {index}") for index in range(10)]
    judgments = [{"first": "x", "second": "y", "value": 3}] * 90  # 90 unreadable, 45 pairs missing
    with pytest.raises(Refused) as refusal:
        parse_vote({"method": "pairwise", "judgments": judgments}, ten)
    assert len(refusal.value.messages) == 9
    assert refusal.value.messages[-1] == "… et 127 autre(s) problème(s)."


def test_a_flood_of_weights_is_refused_before_it_is_read():
    many = {f"critere{index}": 1 for index in range(100_000)}
    with pytest.raises(Refused, match="100000 poids reçus pour 3 critères"):
        parse_vote({"method": "direct", "weights": many}, CRITERIA)


def test_pairwise_comparison_stops_at_ten_criteria():
    eleven = [VotingCriterion(f"c{index}", f"Critère {index}") for index in range(11)]
    with pytest.raises(Refused, match="jusqu'à 10 critères"):
        parse_vote({"method": "pairwise", "judgments": []}, eleven)


def test_a_workshop_has_two_to_ten_distinct_criteria():
    with pytest.raises(Refused, match="2 à 10 critères"):
        check_criteria(CRITERIA[:1])
    with pytest.raises(Refused, match="même clé"):
        check_criteria((*CRITERIA, VotingCriterion("urgency", "Urgence bis")))
    with pytest.raises(Refused, match="même nom"):
        check_criteria((*CRITERIA, VotingCriterion("urgency2", "URGENCE")))
    assert check_criteria(list(CRITERIA)) == CRITERIA
