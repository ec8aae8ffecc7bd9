"""A user's working state survives a reload, never loses a concurrent edit, and expires.

Every test runs on SQLite and on PostgreSQL (the `store_settings` fixture).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading

import pytest

from prioritisation.reading.untrusted import ReadLimits
from prioritisation.store import NewFile, NotFound, StaleRevision, Store, StoreSettings, TooLarge
from tests.store_fixtures import raw_rows

WORKBOOK = NewFile("inventaire.xlsx", b"PK\x03\x04 un classeur" * 100)
SETTINGS = {
    "version": 1,
    "feuille": "Projets",
    "poids": {"urgency": 60, "impact": 20},
    "modifications": [[3, "Coût", "1 200"]],
}


def test_a_reload_brings_back_the_file_and_the_settings(store_settings):
    with Store(store_settings) as first:
        created = first.working_states.create(SETTINGS, WORKBOOK)
    with Store(store_settings) as after_restart:  # a reload, a restart or another process
        loaded = after_restart.working_states.load(created.token)
        stored = after_restart.working_states.read_file(created.token)
    assert loaded.document == SETTINGS
    assert (loaded.revision, loaded.file_name, loaded.file_size) == (1, "inventaire.xlsx", len(WORKBOOK.data))
    assert (stored.name, stored.data) == (WORKBOOK.name, WORKBOOK.data)
    assert stored.sha256 == hashlib.sha256(WORKBOOK.data).hexdigest()


def test_the_token_is_unguessable_and_only_its_hash_is_stored(store, store_settings):
    tokens = [store.working_states.create({}).token for _ in range(3)]
    assert len(set(tokens)) == 3
    assert all(len(token) == 32 for token in tokens)  # 24 random bytes: 192 bits
    stored = {row[0] for row in raw_rows(store_settings, "SELECT key_hash FROM working_states")}
    assert stored == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}
    assert not stored & set(tokens)


@pytest.mark.parametrize("token", ["", "x", "A" * 32, "../../etc/passwd", "' OR 1=1 --", "é" * 32])
def test_an_unknown_or_malformed_token_finds_nothing(store, token):
    assert store.working_states.load(token) is None
    assert store.working_states.read_file(token) is None
    assert store.working_states.delete(token) is False
    with pytest.raises(NotFound, match="n'existe plus"):
        store.working_states.save(token, {}, expected_revision=1)


def test_a_save_from_a_stale_page_is_refused_with_the_current_state(store):
    created = store.working_states.create({"poids": 1})
    saved = store.working_states.save(created.token, {"poids": 2}, expected_revision=1)
    assert saved.revision == 2
    with pytest.raises(StaleRevision, match="modifiés entre-temps") as refusal:
        store.working_states.save(created.token, {"poids": 3}, expected_revision=1)
    assert (refusal.value.current.revision, refusal.value.current.document) == (2, {"poids": 2})
    assert store.working_states.load(created.token).document == {"poids": 2}


def test_concurrent_edits_of_one_state_are_never_lost(store):
    """Twelve tabs append their own edit at once; each retries from the current state when
    its save is refused: every edit is there at the end, none overwritten."""
    created = store.working_states.create({"modifications": []})
    start = threading.Barrier(12)
    failures: list[BaseException] = []

    def edit(number: int) -> None:
        try:
            start.wait()
            state = store.working_states.load(created.token)
            while True:
                document = {"modifications": [*state.document["modifications"], number]}
                try:
                    store.working_states.save(created.token, document, expected_revision=state.revision)
                    return
                except StaleRevision as refusal:
                    state = refusal.current
        except BaseException as error:  # reported below: a thread's failure must fail the test
            failures.append(error)

    threads = [threading.Thread(target=edit, args=(number,)) for number in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    final = store.working_states.load(created.token)
    assert sorted(final.document["modifications"]) == list(range(12))
    assert final.revision == 13


def test_the_same_file_is_stored_once(store, store_settings):
    store.working_states.create({}, WORKBOOK)
    store.working_states.create({}, NewFile("copie.xlsx", WORKBOOK.data))
    assert raw_rows(store_settings, "SELECT COUNT(*) FROM files") == [(1,)]


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(store_settings):
    with Store(dataclasses.replace(store_settings, max_file_bytes=1000)) as store:
        with pytest.raises(TooLarge, match=r"« inventaire.xlsx » pèse .* Mo : la limite est de"):
            store.working_states.create({}, WORKBOOK)
        created = store.working_states.create({"a": 1})
        with pytest.raises(TooLarge):
            store.working_states.save(created.token, {"a": 2}, expected_revision=1, file=WORKBOOK)
        assert store.working_states.load(created.token).document == {"a": 1}
    assert raw_rows(store_settings, "SELECT COUNT(*) FROM files") == [(0,)]
    assert raw_rows(store_settings, "SELECT COUNT(*) FROM working_states") == [(1,)]


def test_settings_over_the_limit_are_refused_and_the_stored_ones_kept(store_settings):
    with Store(dataclasses.replace(store_settings, max_document_bytes=200)) as store:
        created = store.working_states.create({"a": 1})
        with pytest.raises(TooLarge, match="dépassent la taille permise"):
            store.working_states.save(created.token, {"a": "x" * 500}, expected_revision=1)
        assert store.working_states.load(created.token).document == {"a": 1}


def test_a_document_json_cannot_hold_is_a_programming_error(store):
    with pytest.raises(ValueError):
        store.working_states.create({"poids": float("nan")})
    with pytest.raises(TypeError):
        store.working_states.create(["not", "a", "mapping"])


def test_the_document_handed_out_is_a_copy(store):
    created = store.working_states.create({"poids": {"urgency": 50}})
    created.document["poids"]["urgency"] = 99
    assert store.working_states.load(created.token).document == {"poids": {"urgency": 50}}


def test_replaces_or_removes_the_file_and_purges_the_one_left_behind(store, store_settings):
    created = store.working_states.create({}, WORKBOOK)
    replaced = store.working_states.save(
        created.token, {}, expected_revision=1, file=NewFile("v2.csv", b"Projet;Urgence\n")
    )
    assert (replaced.file_name, store.working_states.read_file(created.token).data) == (
        "v2.csv",
        b"Projet;Urgence\n",
    )
    kept = store.working_states.save(created.token, {"a": 1}, expected_revision=2)
    assert kept.file_name == "v2.csv" and kept.file_size == len(b"Projet;Urgence\n")
    removed = store.working_states.save(created.token, {}, expected_revision=3, remove_file=True)
    assert removed.file_name is None and store.working_states.read_file(created.token) is None
    assert store.purge_expired().files == 2
    assert raw_rows(store_settings, "SELECT COUNT(*) FROM files") == [(0,)]


def test_deleting_a_state_deletes_its_file_unless_another_state_uses_it(store, store_settings):
    mine = store.working_states.create({}, WORKBOOK)
    theirs = store.working_states.create({}, WORKBOOK)
    assert store.working_states.delete(mine.token) is True
    assert store.working_states.load(mine.token) is None
    assert store.working_states.read_file(theirs.token).data == WORKBOOK.data
    assert store.working_states.delete(theirs.token) is True
    assert raw_rows(store_settings, "SELECT COUNT(*) FROM files") == [(0,)]


def test_a_state_unused_for_its_lifetime_expires_and_is_purged(store_settings, clock):
    with Store(store_settings, clock=clock) as store:
        created = store.working_states.create(SETTINGS, WORKBOOK)
        clock.advance(days=30, seconds=1)
        assert store.working_states.load(created.token) is None
        with pytest.raises(NotFound):
            store.working_states.save(created.token, {}, expected_revision=1)
        report = store.purge_expired()
    assert (report.working_states, report.files) == (1, 1)
    assert raw_rows(store_settings, "SELECT COUNT(*) FROM working_states") == [(0,)]


def test_using_a_state_keeps_it_alive(store_settings, clock):
    with Store(store_settings, clock=clock) as store:
        created = store.working_states.create(SETTINGS)
        for _ in range(4):
            clock.advance(days=20)
            assert store.working_states.load(created.token).document == SETTINGS
        assert store.working_states.load(created.token).expires_at == clock.now + dt.timedelta(days=30)


def test_the_store_purges_by_itself_at_most_hourly(store_settings, clock):
    with Store(store_settings, clock=clock) as store:
        old = store.working_states.create({})
        clock.advance(days=31)
        assert raw_rows(store_settings, "SELECT COUNT(*) FROM working_states") == [(1,)]  # not purged yet…
        store.working_states.create({})  # …until the next write, more than an hour after the last purge
        assert store.working_states.load(old.token) is None
        assert raw_rows(store_settings, "SELECT COUNT(*) FROM working_states") == [(1,)]


def test_defaults_keep_a_state_thirty_days_and_share_the_readers_upload_limit():
    settings = StoreSettings()
    assert settings.working_state_days == 30 and settings.max_file_bytes == ReadLimits().max_file_bytes
