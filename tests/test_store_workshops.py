"""Workshops in the store: joining, voting, replays refused, RGPD on end, expiry, several processes.

Every test runs on SQLite and on PostgreSQL (the `store_settings` fixture).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prioritisation.store import NewFile, NotFound, StaleRevision, Store
from prioritisation.store import workshops as workshops_module
from prioritisation.workshop.scoring import ScoredProject, ScoringSetup
from prioritisation.workshop.session import JOIN_CODE_ALPHABET, Refused, WorkshopState
from prioritisation.workshop.votes import DirectVote, PairwiseVote, VotingCriterion
from tests.store_fixtures import environment_for, raw_rows

ROOT = Path(__file__).resolve().parents[1]
CRITERIA = (
    VotingCriterion("urgency", "Urgence"),
    VotingCriterion("impact", "Impact"),
    VotingCriterion("feasibility", "Faisabilité"),
)
INVENTORY = NewFile("inventaire.xlsx", b"PK\x03\x04 inventaire")


def direct(urgency: float, impact: float = 30, feasibility: float = 30) -> dict:
    return {"method": "direct", "weights": {"urgency": urgency, "impact": impact, "feasibility": feasibility}}


PAIRWISE = {
    "method": "pairwise",
    "judgments": [
        {"first": "urgency", "second": "impact", "value": 3},
        {"first": "urgency", "second": "feasibility", "value": 5},
        {"first": "impact", "second": "feasibility", "value": 2},
    ],
}


def open_workshop(store: Store):
    return store.workshops.open("Atelier du 12 mars", CRITERIA, {"methode": "topsis"}, INVENTORY)


def test_opens_a_workshop_with_a_short_code_and_a_separate_facilitator_secret(store, store_settings):
    opened = open_workshop(store)
    workshop = opened.workshop
    assert len(workshop.join_code) == 6 and set(workshop.join_code) <= set(JOIN_CODE_ALPHABET)
    assert opened.facilitator_secret != workshop.join_code and len(opened.facilitator_secret) == 32
    assert (workshop.state, workshop.criteria, workshop.settings) == (
        WorkshopState.OPEN,
        CRITERIA,
        {"methode": "topsis"},
    )
    assert workshop.file_name == "inventaire.xlsx"
    stored = raw_rows(store_settings, "SELECT facilitator_hash FROM workshops")
    assert stored == [(hashlib.sha256(opened.facilitator_secret.encode()).hexdigest(),)]
    assert store.workshops.for_facilitator(opened.facilitator_secret).id == workshop.id


def test_participants_join_by_code_typed_any_way(store):
    code = open_workshop(store).workshop.join_code
    first = store.workshops.join(code.lower(), "Marie")
    second = store.workshops.join(f" {code[:3]} {code[3:]} ", "  Jean \u202e Dupont ")
    assert (first.membership.participant.number, second.membership.participant.number) == (1, 2)
    assert second.membership.participant.display_name == "Jean Dupont"
    assert store.workshops.find(code.lower()).title == "Atelier du 12 mars"


def test_an_unknown_code_is_refused_in_french(store):
    open_workshop(store)
    assert store.workshops.find("ZZZZZZ") is None
    with pytest.raises(NotFound, match="Aucun atelier en cours ne porte ce code"):
        store.workshops.join("ZZZZZZ", "Marie")


@pytest.mark.parametrize("code", ["0OIL1U", "", "K7M", "x" * 100])
def test_a_text_that_cannot_be_a_code_is_told_what_a_code_looks_like(store, code):
    open_workshop(store)
    assert store.workshops.find(code) is None
    with pytest.raises(Refused, match="Un code d'atelier compte 6 caractères"):
        store.workshops.join(code, "Marie")


def test_a_participant_finds_their_vote_again_after_a_reload(store_settings):
    with Store(store_settings) as first:
        opened = open_workshop(first)
        joined = first.workshops.join(opened.workshop.join_code, "Marie")
        first.workshops.cast_vote(joined.participant_secret, PAIRWISE, expected_revision=0)
    with Store(store_settings) as after_reload:
        membership = after_reload.workshops.for_participant(joined.participant_secret)
        vote = after_reload.workshops.vote_of(joined.participant_secret)
    assert (membership.participant.display_name, membership.participant.vote_revision) == ("Marie", 1)
    assert vote.vote == PairwiseVote(3, (3.0, 5.0, 2.0))
    assert vote.revision == 1


def test_a_replayed_or_stale_vote_is_refused_with_the_current_vote(store):
    opened = open_workshop(store)
    secret = store.workshops.join(opened.workshop.join_code, "Marie").participant_secret
    store.workshops.cast_vote(secret, direct(40), expected_revision=0)
    with pytest.raises(StaleRevision, match="déjà été remplacé") as replay:
        store.workshops.cast_vote(secret, direct(40), expected_revision=0)
    assert (replay.value.current.vote, replay.value.current.revision) == (DirectVote((40.0, 30.0, 30.0)), 1)
    store.workshops.cast_vote(secret, direct(60), expected_revision=1)
    with pytest.raises(StaleRevision):
        store.workshops.cast_vote(secret, direct(10), expected_revision=1)  # an old page, sent late
    assert store.workshops.vote_of(secret).vote == DirectVote((60.0, 30.0, 30.0))
    assert store.workshops.vote_of(secret).revision == 2


def test_a_malformed_vote_is_refused_and_nothing_is_stored(store):
    opened = open_workshop(store)
    secret = store.workshops.join(opened.workshop.join_code, "Marie").participant_secret
    with pytest.raises(Refused, match="il manque le poids de « Faisabilité »"):
        store.workshops.cast_vote(secret, {"method": "direct", "weights": {"urgency": 40, "impact": 60}}, 0)
    assert store.workshops.vote_of(secret) is None
    assert store.workshops.for_participant(secret).participant.vote_revision == 0
    assert store.workshops.cast_vote(secret, direct(40), expected_revision=0).revision == 1


def test_a_participants_secret_reaches_their_own_vote_only(store):
    opened = open_workshop(store)
    code = opened.workshop.join_code
    marie = store.workshops.join(code, "Marie").participant_secret
    jean = store.workshops.join(code, "Jean").participant_secret
    store.workshops.cast_vote(marie, direct(10), 0)
    store.workshops.cast_vote(jean, direct(90), 0)
    assert store.workshops.vote_of(marie).vote == DirectVote((10.0, 30.0, 30.0))
    assert store.workshops.vote_of(jean).vote == DirectVote((90.0, 30.0, 30.0))
    with pytest.raises(NotFound):
        store.workshops.vote_of(opened.facilitator_secret)  # the facilitator's secret is no participant's
    with pytest.raises(NotFound):
        store.workshops.results(marie)  # nor is a participant's a facilitator's
    with pytest.raises(NotFound):
        store.workshops.vote_of(code)


settings_for_store = settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings_for_store
@given(
    people=st.integers(2, 5),
    changes=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 100)), min_size=1, max_size=8),
)
def test_a_participants_change_moves_only_their_own_row(store, people, changes):
    opened = open_workshop(store)
    secrets = [
        store.workshops.join(opened.workshop.join_code, f"P{index}").participant_secret
        for index in range(people)
    ]
    for secret in secrets:
        store.workshops.cast_vote(secret, direct(50), 0)
    for who, urgency in changes:
        who %= people
        before = {
            vote.participant_number: vote for vote in store.workshops.results(opened.facilitator_secret).votes
        }
        revision = store.workshops.vote_of(secrets[who]).revision
        store.workshops.cast_vote(secrets[who], direct(urgency), revision)
        after = {
            vote.participant_number: vote for vote in store.workshops.results(opened.facilitator_secret).votes
        }
        assert {number for number in after if after[number] != before[number]} == {who + 1}
        assert after[who + 1].vote == DirectVote((float(urgency), 30.0, 30.0))


def test_a_closed_vote_refuses_votes_until_reopened_and_keeps_the_last_one(store):
    opened = open_workshop(store)
    secret = store.workshops.join(opened.workshop.join_code, "Marie").participant_secret
    store.workshops.cast_vote(secret, direct(40), 0)
    assert store.workshops.close_vote(opened.facilitator_secret).state is WorkshopState.CLOSED
    with pytest.raises(Refused, match="Le vote est clos"):
        store.workshops.cast_vote(secret, direct(80), 1)
    late = store.workshops.join(opened.workshop.join_code, "Retardataire")  # may join, to vote on reopening
    assert store.workshops.reopen_vote(opened.facilitator_secret).state is WorkshopState.OPEN
    assert store.workshops.cast_vote(secret, direct(80), 1).revision == 2
    assert store.workshops.cast_vote(late.participant_secret, direct(20), 0).revision == 1


def test_ending_erases_names_and_secrets_frees_the_code_and_keeps_anonymous_votes(store, store_settings):
    opened = open_workshop(store)
    code = opened.workshop.join_code
    secret = store.workshops.join(code, "Marie").participant_secret
    store.workshops.cast_vote(secret, direct(40), 0)
    ended = store.workshops.end(opened.facilitator_secret)
    assert (ended.state, ended.join_code) == (WorkshopState.ENDED, None)
    assert raw_rows(store_settings, "SELECT display_name, secret_hash FROM participants") == [(None, None)]
    with pytest.raises(NotFound, match="n'est plus valable"):
        store.workshops.for_participant(secret)
    assert store.workshops.find(code) is None
    with pytest.raises(NotFound):
        store.workshops.join(code, "Jean")
    results = store.workshops.results(opened.facilitator_secret)
    assert [(vote.participant_number, vote.display_name) for vote in results.votes] == [(1, None)]
    with pytest.raises(Refused, match="terminé"):
        store.workshops.reopen_vote(opened.facilitator_secret)
    with pytest.raises(Refused, match="terminé"):
        store.workshops.reveal_names(opened.facilitator_secret, True)


def test_erased_names_cannot_be_read_back_from_the_sqlite_data_folder(store, store_settings):
    """RGPD: the write-ahead log kept the erased names (it is reused, not emptied)."""
    if store_settings.uses_postgres:
        pytest.skip("PostgreSQL keeps old row versions until its VACUUM: the server's business")
    opened = open_workshop(store)
    code = opened.workshop.join_code
    names = ["Zéphyrine Quatremare", "Anatole Brisefer", "Ondine Vermillon"]
    secrets = [store.workshops.join(code, name).participant_secret for name in names]
    for secret in secrets:
        store.workshops.cast_vote(secret, direct(40), 0)
    store.workshops.remove_participant(opened.facilitator_secret, 3)
    assert not _found_on_disk(store_settings, names[2])
    store.workshops.end(opened.facilitator_secret)
    for name in names:
        assert not _found_on_disk(store_settings, name), name


def _found_on_disk(settings, text: str) -> bool:
    wanted = text.encode("utf-8")
    return any(wanted in path.read_bytes() for path in settings.data_folder.rglob("*") if path.is_file())


def test_a_removed_participant_loses_their_name_vote_and_link(store, store_settings):
    opened = open_workshop(store)
    marie = store.workshops.join(opened.workshop.join_code, "Marie").participant_secret
    jean = store.workshops.join(opened.workshop.join_code, "Jean").participant_secret
    store.workshops.cast_vote(marie, direct(40), 0)
    store.workshops.cast_vote(jean, direct(60), 0)
    assert store.workshops.remove_participant(opened.facilitator_secret, 1) is True
    assert store.workshops.remove_participant(opened.facilitator_secret, 1) is False
    with pytest.raises(NotFound):
        store.workshops.cast_vote(marie, direct(50), 1)
    results = store.workshops.results(opened.facilitator_secret)
    assert [participant.display_name for participant in results.participants] == ["Jean"]
    assert [vote.participant_number for vote in results.votes] == [2]
    assert "Marie" not in str(raw_rows(store_settings, "SELECT * FROM participants"))


def test_names_are_shown_to_the_room_only_when_the_facilitator_says_so(store):
    opened = open_workshop(store)
    assert opened.workshop.reveal_names is False
    assert store.workshops.reveal_names(opened.facilitator_secret, True).reveal_names is True


def test_project_scoring_when_the_facilitator_opens_it(store):
    opened = open_workshop(store)
    facilitator = opened.facilitator_secret
    secret = store.workshops.join(opened.workshop.join_code, "Marie").participant_secret
    sheet = {"scores": {"P001": {"urgency": 4, "impact": 5}, "P002": {"urgency": 2}}}
    with pytest.raises(Refused, match="pas ouverte"):
        store.workshops.submit_scores(secret, sheet, 0)
    with pytest.raises(Refused, match="Choisissez d'abord"):
        store.workshops.open_scoring(facilitator, True)
    setup = ScoringSetup(
        projects=(ScoredProject("P001", "Fibre"), ScoredProject("P002", "Tiers-lieu")),
        criteria=CRITERIA[:2],
    )
    assert store.workshops.set_scoring(facilitator, setup).scoring_open is True
    assert len(store.workshops.submit_scores(secret, sheet, 0)) == 3
    with pytest.raises(StaleRevision, match="déjà été remplacées") as replay:
        store.workshops.submit_scores(secret, sheet, 0)
    assert len(replay.value.current) == 3
    assert len(store.workshops.results(facilitator).scores) == 3
    store.workshops.set_scoring(
        facilitator, ScoringSetup((ScoredProject("P002", "Tiers-lieu"),), CRITERIA[:1])
    )
    assert [(score.project, score.score) for score in store.workshops.results(facilitator).scores] == [
        ("P002", 2.0)
    ]
    assert len(store.workshops.scores_of(secret)) == 3  # what was typed is kept, only the view narrows
    store.workshops.open_scoring(facilitator, False)
    with pytest.raises(Refused, match="pas ouverte"):
        store.workshops.submit_scores(secret, sheet, 1)


def test_activity_changes_when_someone_votes_or_the_facilitator_acts(store):
    opened = open_workshop(store)
    quiet = store.workshops.activity(opened.facilitator_secret)
    assert (quiet.participants, quiet.votes, quiet.last_vote_at) == (0, 0, None)
    secret = store.workshops.join(opened.workshop.join_code, "Marie").participant_secret
    store.workshops.cast_vote(secret, direct(40), 0)
    voted = store.workshops.activity(opened.facilitator_secret)
    assert (voted.participants, voted.votes) == (1, 1) and voted.last_vote_at is not None
    store.workshops.close_vote(opened.facilitator_secret)
    assert store.workshops.activity(opened.facilitator_secret).revision == voted.revision + 1


@pytest.mark.parametrize("secret", ["", "nope", "A" * 32, None])
def test_a_wrong_facilitator_secret_is_refused(store, secret):
    open_workshop(store)
    with pytest.raises(NotFound, match="lien d'animation"):
        store.workshops.close_vote(secret)


def test_a_workshop_expires_with_everything_in_it(store_settings, clock):
    with Store(store_settings, clock=clock) as store:
        opened = open_workshop(store)
        secret = store.workshops.join(opened.workshop.join_code, "Marie").participant_secret
        store.workshops.cast_vote(secret, direct(40), 0)
        clock.advance(days=30, seconds=1)
        with pytest.raises(NotFound):
            store.workshops.results(opened.facilitator_secret)
        with pytest.raises(NotFound):
            store.workshops.vote_of(secret)
        assert store.workshops.find(opened.workshop.join_code) is None
        report = store.purge_expired()
    assert (report.workshops, report.files) == (1, 1)
    for table in ("workshops", "participants", "votes", "files"):
        assert raw_rows(store_settings, f"SELECT COUNT(*) FROM {table}") == [(0,)]


def test_a_join_code_is_unique_among_live_workshops_and_reused_once_ended(store, monkeypatch):
    draws = iter(["AAAAAA", "AAAAAA", "BBBBBB", "AAAAAA"])
    monkeypatch.setattr(workshops_module, "new_join_code", lambda: next(draws))
    first = open_workshop(store)
    second = open_workshop(store)
    assert (first.workshop.join_code, second.workshop.join_code) == ("AAAAAA", "BBBBBB")
    store.workshops.end(first.facilitator_secret)
    assert open_workshop(store).workshop.join_code == "AAAAAA"


def test_deleting_a_workshop_deletes_its_participants_and_votes(store, store_settings):
    opened = open_workshop(store)
    secret = store.workshops.join(opened.workshop.join_code, "Marie").participant_secret
    store.workshops.cast_vote(secret, direct(40), 0)
    assert store.workshops.delete(opened.facilitator_secret) is True
    for table in ("workshops", "participants", "votes"):
        assert raw_rows(store_settings, f"SELECT COUNT(*) FROM {table}") == [(0,)]


def test_two_store_objects_on_one_database_share_the_workshop(store_settings):
    """Two dashboard processes behind a load balancer: each has its own Store (engine)."""
    with Store(store_settings) as facilitator_side, Store(store_settings) as participant_side:
        opened = open_workshop(facilitator_side)
        joined = participant_side.workshops.join(opened.workshop.join_code, "Marie")
        participant_side.workshops.cast_vote(joined.participant_secret, direct(70), 0)
        facilitator_side.workshops.close_vote(opened.facilitator_secret)
        with pytest.raises(Refused, match="clos"):
            participant_side.workshops.cast_vote(joined.participant_secret, direct(10), 1)
        (vote,) = facilitator_side.workshops.results(opened.facilitator_secret).votes
    assert vote.vote == DirectVote((70.0, 30.0, 30.0))


def test_a_separate_process_joins_and_votes_in_the_same_workshop(store, store_settings, tmp_path):
    opened = open_workshop(store)
    go = tmp_path / "partez"
    go.touch()
    finished = subprocess.run(
        [sys.executable, "-m", "tests.store_voter", opened.workshop.join_code, "2", "autre", str(go)],
        cwd=ROOT,
        env=environment_for(store_settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    printed = [json.loads(line) for line in finished.stdout.splitlines()]
    results = store.workshops.results(opened.facilitator_secret)
    assert sorted(participant.display_name for participant in results.participants) == sorted(
        entry["name"] for entry in printed
    )
    assert sorted(vote.vote.weights[0] for vote in results.votes) == [1.0, 2.0]


def test_a_removed_participants_number_is_never_given_to_someone_else(store):
    opened = open_workshop(store)
    store.workshops.join(opened.workshop.join_code, "Marie")
    store.workshops.join(opened.workshop.join_code, "Jean")
    store.workshops.remove_participant(opened.facilitator_secret, 2)
    later = store.workshops.join(opened.workshop.join_code, "Aïcha")
    assert later.membership.participant.number == 3
