"""The store's schema is versioned and migrated on open; its settings come from the environment."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from prioritisation.store import (
    SchemaTooNew,
    Store,
    StoreConfigurationError,
    StoreSettings,
    StoreUnavailable,
    settings_from_environment,
)
from prioritisation.store.schema import CURRENT_VERSION, Migration
from prioritisation.workshop.votes import VotingCriterion
from tests.store_fixtures import raw_rows


def add_colour(connection: Connection) -> None:
    connection.execute(text("ALTER TABLE workshops ADD COLUMN colour VARCHAR(20)"))


def fill_colour(connection: Connection) -> None:
    """Needs the column of migration 2: run out of order, it fails."""
    connection.execute(text("UPDATE workshops SET colour = 'bleu'"))


MIGRATIONS = (
    Migration(3, "colour every workshop", fill_colour),  # listed out of order on purpose
    Migration(2, "a colour per workshop", add_colour),
)


def test_a_new_database_is_created_at_the_current_version(store, store_settings):
    assert store.found_schema_version == 0
    assert raw_rows(store_settings, "SELECT version FROM schema_version") == [(CURRENT_VERSION,)]
    with Store(store_settings) as reopened:
        assert reopened.found_schema_version == CURRENT_VERSION


def test_migrations_run_in_order_on_open_and_only_once(store_settings):
    with Store(store_settings) as first:
        first.workshops.open("Atelier", [VotingCriterion("a", "A"), VotingCriterion("b", "B")])
    with Store(store_settings, migrations=MIGRATIONS, schema_version=3) as migrated:
        assert migrated.found_schema_version == CURRENT_VERSION
    assert raw_rows(store_settings, "SELECT version FROM schema_version") == [(3,)]
    assert raw_rows(store_settings, "SELECT colour FROM workshops") == [("bleu",)]
    with Store(store_settings, migrations=MIGRATIONS, schema_version=3) as again:  # nothing left to do
        assert again.found_schema_version == 3


def test_a_failed_migration_leaves_the_database_as_it_was(store_settings):
    Store(store_settings).close()

    def broken(connection: Connection) -> None:
        add_colour(connection)
        raise RuntimeError("migration interrompue")

    with pytest.raises(RuntimeError, match="interrompue"):
        Store(store_settings, migrations=(Migration(2, "broken", broken),), schema_version=2)
    assert raw_rows(store_settings, "SELECT version FROM schema_version") == [(CURRENT_VERSION,)]
    with Store(store_settings, migrations=MIGRATIONS, schema_version=3):  # the column was not left behind
        pass


def test_a_database_newer_than_the_code_is_refused_untouched(store_settings):
    Store(store_settings, migrations=MIGRATIONS, schema_version=3).close()
    with pytest.raises(SchemaTooNew, match=r"plus récente de l'outil \(schéma 3\)"):
        Store(store_settings)
    assert raw_rows(store_settings, "SELECT version FROM schema_version") == [(3,)]


def test_a_missing_migration_is_a_programming_error(store_settings):
    Store(store_settings).close()
    with pytest.raises(RuntimeError, match="not all defined"):
        Store(store_settings, migrations=MIGRATIONS[:1], schema_version=3)


def test_processes_opening_a_new_database_together_create_it_once(store_settings):
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_store() -> None:
        try:
            start.wait()
            Store(store_settings).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert raw_rows(store_settings, "SELECT COUNT(*) FROM schema_version") == [(1,)]


def test_the_sqlite_store_is_created_on_first_use_private_and_in_wal_mode(tmp_path):
    folder = tmp_path / "donnees" / "priorisation"
    with Store(StoreSettings(data_folder=folder)) as store:
        store.working_states.create({})
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    with sqlite3.connect(folder / "priorisation.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_sqlite_enforces_foreign_keys(tmp_path):
    settings = StoreSettings(data_folder=tmp_path)
    with (
        Store(settings) as store,
        pytest.raises(Exception, match="FOREIGN KEY"),
        store._database.writing() as connection,
    ):
        connection.execute(text("INSERT INTO votes VALUES (999, 'direct', '{}', '2026-01-01')"))


def test_a_sqlite_store_busy_for_too_long_says_so_in_french(tmp_path):
    settings = StoreSettings(data_folder=tmp_path, busy_timeout_seconds=0.2)
    with Store(settings) as store:
        blocker = sqlite3.connect(tmp_path / "priorisation.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        try:
            with pytest.raises(StoreUnavailable, match="Rien n'a été enregistré"):
                store.working_states.create({"a": 1})
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.working_states.create({"a": 1}).revision == 1


def test_an_unreachable_postgresql_says_so_in_french(tmp_path):
    settings = StoreSettings(database_url=f"postgresql://postgres@/absente?host={tmp_path}&port=5432")
    with pytest.raises(StoreUnavailable, match="ne répond pas"):
        Store(settings)


def test_a_mistake_in_sql_is_not_disguised_as_an_unavailable_store(tmp_path):
    with (
        Store(StoreSettings(data_folder=tmp_path)) as store,
        pytest.raises(Exception, match="no such table") as raised,
        store._database.reading() as connection,
    ):
        connection.execute(text("SELECT * FROM absente"))
    assert not isinstance(raised.value, StoreUnavailable)


def test_reads_its_settings_from_the_environment(tmp_path):
    settings = settings_from_environment(
        {
            "PRIORISATION_DONNEES": str(tmp_path / "ici"),
            "PRIORISATION_BASE_URL": "postgresql://priorisation:secret@db.example:5432/priorisation",
            "PRIORISATION_EXPIRATION_JOURS": "7",
            "PRIORISATION_EXPIRATION_ATELIER_JOURS": "90",
        }
    )
    assert settings.data_folder == tmp_path / "ici"
    assert (
        settings.sqlalchemy_url() == "postgresql+psycopg://priorisation:secret@db.example:5432/priorisation"
    )
    assert (settings.working_state_days, settings.workshop_days) == (7, 90)
    assert "secret" not in settings.describe()


def test_defaults_to_sqlite_in_donnees_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = settings_from_environment({})
    assert settings.data_folder == Path(os.getcwd()) / "donnees" and not settings.uses_postgres
    assert settings.sqlalchemy_url() == f"sqlite+pysqlite:///{tmp_path}/donnees/priorisation.sqlite3"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"PRIORISATION_BASE_URL": "mysql://x@y/z"}, "doit être une adresse PostgreSQL"),
        ({"PRIORISATION_EXPIRATION_JOURS": "trente"}, "nombre entier de jours"),
        ({"PRIORISATION_EXPIRATION_ATELIER_JOURS": "0"}, "entre 1 et 3650"),
    ],
)
def test_a_wrong_setting_stops_the_server_with_a_french_message(environment, message):
    with pytest.raises(StoreConfigurationError, match=message):
        settings_from_environment(environment)
