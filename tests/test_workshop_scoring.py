"""Optional project scoring: sheets checked against the facilitator's choice, then summarised."""

from __future__ import annotations

import pytest

from prioritisation.workshop.scoring import (
    ProjectScore,
    ScoredProject,
    ScoringSetup,
    parse_scores,
    read_setup,
    scores_document,
    setup_document,
    summarise_scores,
)
from prioritisation.workshop.session import Refused
from prioritisation.workshop.votes import VotingCriterion

SETUP = ScoringSetup(
    projects=(ScoredProject("P001", "Fibre des écoles"), ScoredProject("P002", "Tiers-lieu")),
    criteria=(VotingCriterion("urgency", "Urgence"), VotingCriterion("impact", "Impact")),
)


def test_reads_a_partial_score_sheet():
    scores = parse_scores({"scores": {"P001": {"urgency": 4, "impact": 2.5}}}, SETUP)
    assert scores == (ProjectScore("P001", "urgency", 4.0), ProjectScore("P001", "impact", 2.5))
    assert parse_scores(scores_document(scores), SETUP) == scores


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"scores": {"P009": {"urgency": 3}}}, "projet inconnu « P009 »"),
        ({"scores": {"P001": {"cost": 3}}}, "critère inconnu « cost »"),
        (
            {"scores": {"P001": {"urgency": 6}}},
            "la note de « Fibre des écoles » en « Urgence » doit aller de 1 à 5 (reçu : 6)",
        ),
        ({"scores": {"P001": {"urgency": "4"}}}, "(reçu : 4)"),
        ({"scores": {"P001": 4}}, "les notes de « Fibre des écoles » sont illisibles"),
        ({"notes": {}}, "n'est pas une feuille de notes"),
        (
            {"scores": {f"P{index}": {} for index in range(3)}},
            "plus de projets notés que de projets proposés",
        ),
    ],
)
def test_refuses_a_malformed_score_sheet(document, message):
    with pytest.raises(Refused) as refusal:
        parse_scores(document, SETUP)
    assert message in str(refusal.value)


def test_summarises_each_project_and_criterion():
    scores = [ProjectScore("P001", "urgency", value) for value in (1, 4, 5)] + [
        ProjectScore("P002", "impact", 3)
    ]
    first, second = summarise_scores(scores)
    assert (first.count, first.mean, first.median, first.minimum, first.maximum) == (
        3,
        pytest.approx(10 / 3),
        4,
        1,
        5,
    )
    assert (second.project, second.count, second.mean) == ("P002", 1, 3)


def test_a_setup_reads_back_as_written():
    assert read_setup(setup_document(SETUP)) == SETUP


def test_a_setup_needs_projects_criteria_and_a_scale():
    with pytest.raises(Refused) as refusal:
        ScoringSetup(projects=(), criteria=(), low=5, high=1)
    assert len(refusal.value.messages) == 3
