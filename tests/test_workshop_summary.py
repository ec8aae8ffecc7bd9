"""Adopting a workshop's weights: whole weights for the sliders, the record, the workbook sheet."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation import usecases
from prioritisation.reading.inventory import load_inventory, with_cells
from prioritisation.request import Request
from prioritisation.workshop.summary import slider_weights, summarise
from prioritisation.workshop.votes import DirectVote, PairwiseVote
from tests.test_app import SAMPLE

shares = st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=10).filter(lambda row: sum(row) > 0)


@given(shares)
def test_slider_weights_are_whole_sum_to_100_and_each_within_one_point_of_its_share(row):
    weights = slider_weights(row)
    assert sum(weights) == 100 and all(isinstance(weight, int) for weight in weights)
    assert all(abs(weight - share / sum(row) * 100) < 1 for weight, share in zip(weights, row, strict=True))


def test_slider_weights_of_a_third_each_give_the_extra_point_to_the_first():
    assert slider_weights([1, 1, 1]) == (34, 33, 33)


def sample_room(votes):
    inventory = load_inventory(SAMPLE)
    request = Request("inventaire_exemple.xlsx")
    criteria = usecases.workshop_criteria(inventory, request.ranking)
    settings = usecases.workshop_ranking_settings(usecases.workshop_settings(request, 5), criteria)
    return (
        inventory,
        request,
        criteria,
        usecases.workshop_room(votes, inventory, replace(request, ranking=settings), 5),
    )


def test_the_room_ranks_the_sample_under_the_group_and_each_participant():
    votes = [DirectVote((80, 10, 10)), DirectVote((10, 80, 10))]
    inventory, request, _, room = sample_room(votes)
    ranking = room.view.ranking
    assert room.projects is not None and len(ranking.group_ranks) == len(inventory.projects)
    alone = usecases.rank(inventory, replace(request, ranking=replace(request.ranking, weights=(80, 10, 10))))
    assert list(ranking.participant_ranks[0]) == alone.result.ranks.tolist()
    assert all(best <= worst for best, worst in zip(ranking.best_ranks, ranking.worst_ranks, strict=True))


def test_an_inventory_with_errors_still_shows_the_weights_and_says_why_there_is_no_ranking():
    inventory = with_cells(load_inventory(SAMPLE), {(5, "Impact"): "beaucoup"})
    request = Request("inventaire_exemple.xlsx")
    room = usecases.workshop_room([DirectVote((80, 10, 10))], inventory, request, 5)
    assert room.view is not None and room.view.ranking is None and room.projects is None
    assert "sans erreur" in room.why_no_ranking


def test_the_workshop_settings_give_back_the_ranking_settings_it_opened_on():
    from prioritisation.ranking.criteria import Criterion, RankingSettings
    from prioritisation.ranking.methods import Method, Normalisation

    settings = RankingSettings(
        criteria=(Criterion("urgency"), Criterion("Coût total HT", maximise=False)),
        method=Method.VIKOR,
        normalisation=Normalisation.MINMAX,
        vikor_v=0.3,
    )
    inventory = load_inventory(SAMPLE)
    criteria = usecases.workshop_criteria(inventory, settings)
    document = usecases.workshop_settings(Request("x.xlsx", ranking=settings), 10)
    assert usecases.workshop_ranking_settings(document, criteria) == replace(settings, weights=None)
    assert usecases.workshop_ranking_settings({}, criteria).method is Method.WEIGHTED_SUM


def test_the_atelier_sheet_records_the_workshop_and_parametres_says_where_the_weights_came_from():
    votes = [PairwiseVote(3, (3, 5, 2)), PairwiseVote(3, (2, 4, 2)), DirectVote((20, 60, 20))]
    inventory, request, criteria, room = sample_room(votes)
    held = dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC)
    summary = summarise("Atelier =SOMME(A1)", held, criteria, 4, votes, room.view)
    adopted = replace(request.ranking, weights=tuple(float(weight) for weight in summary.slider_weights))
    ranking = usecases.rank(inventory, replace(request, ranking=adopted))
    workbook = openpyxl.load_workbook(
        io.BytesIO(usecases.workbook_bytes(ranking, None, request, None, None, summary)), read_only=True
    )
    assert workbook.sheetnames == ["Classement", "Atelier", "Paramètres"]
    rows = [row for row in workbook["Atelier"].values if any(cell is not None for cell in row)]
    about = {row[0]: row[1] for row in rows}
    assert about["Titre"] == "Atelier =SOMME(A1)"  # text, never a formula
    assert about["Date"].startswith("12 mars 2026") and about["Participants"] == 4
    assert about["Votes"].startswith("3 : 2 par comparaison par paires, 1 en poids directs")
    assert about["Agrégation adoptée"] == "moyenne des poids"
    assert about["Consensus"].endswith("(concordance des classements (W de Kendall))")  # mixed votes
    group = next(row for row in rows if row[0] == criteria[0].label)
    assert group[1] == pytest.approx(room.view.adopted.weights[0]) and group[-1] == summary.slider_weights[0]
    people = [row for row in rows if str(row[0]).startswith("participant ")]
    assert [row[0] for row in people] == ["participant 1", "participant 2", "participant 3"]
    assert people[2][1:4] == pytest.approx((0.2, 0.6, 0.2))
    origin = next(row[1] for row in workbook["Paramètres"].values if row[0] == "Origine des poids")
    assert origin.startswith("atelier « Atelier =SOMME(A1) » du 12 mars 2026 : 3 vote(s), moyenne des poids")


def test_parametres_says_when_the_weights_were_changed_after_the_adoption():
    votes = [DirectVote((80, 10, 10))]
    inventory, request, criteria, room = sample_room(votes)
    summary = summarise("Atelier", dt.datetime(2026, 3, 12, tzinfo=dt.UTC), criteria, 1, votes, room.view)
    moved = replace(request.ranking, weights=(50.0, 25.0, 25.0))
    ranking = usecases.rank(inventory, replace(request, ranking=moved))
    workbook = openpyxl.load_workbook(
        io.BytesIO(usecases.workbook_bytes(ranking, None, request, None, None, summary)), read_only=True
    )
    origin = next(row[1] for row in workbook["Paramètres"].values if row[0] == "Origine des poids")
    assert "puis modifiés à la main" in origin
    assert summary.followed_by(["urgency", "impact", "feasibility"], (80.0, 10.0, 10.0))
    assert not summary.followed_by(["urgency", "impact", "feasibility"], (50.0, 25.0, 25.0))


@pytest.mark.parametrize(
    "votes",
    [
        [PairwiseVote(3, (3, 5, 2)), PairwiseVote(3, (2, 4, 2))],  # AHP: the group matrix's consistency
        [PairwiseVote(3, (3, 5, 2)), DirectVote((20, 60, 20))],  # mixed
        [DirectVote((80, 10, 10))],  # one vote: no consensus value
    ],
    ids=["paires", "mixtes", "un-vote"],
)
def test_an_adopted_workshop_survives_the_working_states_json_unchanged(votes):
    """A reload restores the adopted workshop from the kept working state (JSON) exactly."""
    import json

    from prioritisation.workshop.summary import summary_document, summary_from_document

    _, _, criteria, room = sample_room(votes)
    summary = summarise(
        "Atelier « vert »", dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC), criteria, 3, votes, room.view
    )
    assert summary_from_document(json.loads(json.dumps(summary_document(summary)))) == summary


def test_a_damaged_adopted_workshop_document_is_refused_not_half_read():
    from prioritisation.workshop.summary import summary_document, summary_from_document

    votes = [DirectVote((80, 10, 10)), DirectVote((10, 80, 10))]
    _, _, criteria, room = sample_room(votes)
    document = summary_document(
        summarise("A", dt.datetime(2026, 3, 12, tzinfo=dt.UTC), criteria, 2, votes, room.view)
    )
    with pytest.raises(ValueError):
        summary_from_document({**document, "poids_curseurs": [50, 50]})  # one weight missing
    with pytest.raises(KeyError):
        summary_from_document({key: value for key, value in document.items() if key != "consensus"})
