"""The connection to SQLite or PostgreSQL, and the two kinds of transaction the store uses.

SQLAlchemy Core with the standard sqlite3 module or psycopg 3 (docs/stockage.md says why).
Streamlit runs each session on its own thread: the engine's pool hands each call its own
connection, for the duration of one transaction, and takes it back (never a connection
shared by two threads: sqlite3 refuses it; docs/stockage.md).

SQLite: write-ahead log (readers never wait for the writer), a busy timeout (a writer
waits for another instead of failing), foreign keys on (they are off by default), and our
own BEGIN: a write transaction starts with BEGIN IMMEDIATE, taking the write lock at once,
so two read-then-write transactions can never deadlock or fail half-way on a lock upgrade
(sqlite3's own transaction handling is turned off, as SQLAlchemy's documentation advises).
PostgreSQL: read committed; rows that decide a write are locked (SELECT … FOR UPDATE),
and compare-and-set updates (`WHERE revision = :seen`) make concurrent edits safe.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import InterfaceError, OperationalError

from prioritisation.store.errors import StoreUnavailable
from prioritisation.store.settings import StoreSettings

_BEGIN_OPTION = "priorisation_sqlite_begin"
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "disk is full", "readonly")
_UNAVAILABLE = (
    "Le stockage ne répond pas pour l'instant (base de données occupée ou injoignable). "
    "Rien n'a été enregistré : réessayez dans un moment."
)


class Database:
    """One engine per process; thread-safe (each transaction takes its own connection)."""

    def __init__(self, settings: StoreSettings) -> None:
        self.settings = settings
        self._writers: threading.Lock | None = None
        if settings.uses_postgres:
            self.engine = _postgres_engine(settings)
        else:
            settings.data_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.engine = _sqlite_engine(settings)
            self._writers = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A transaction that only reads: a consistent snapshot, no lock held on SQLite."""
        with self._transaction("DEFERRED") as connection:
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction that writes: committed at the end of the block, rolled back on error.

        On SQLite, the writers of this process queue on a lock before asking for SQLite's
        own: SQLite serialises writers anyway, but makes the losers of a race poll with
        growing sleeps (up to 100 ms each), which gave thirty simultaneous voters a p95 of
        2 s; queued here, they go one after the other as soon as the previous one commits
        (docs/stockage.md has the figures). Other processes still meet at SQLite's lock.
        """
        if self._writers is None:
            with self._transaction("IMMEDIATE") as connection:
                yield connection
            return
        if not self._writers.acquire(timeout=self.settings.busy_timeout_seconds):
            raise StoreUnavailable(_UNAVAILABLE)
        try:
            with self._transaction("IMMEDIATE") as connection:
                yield connection
        finally:
            self._writers.release()

    @contextmanager
    def _transaction(self, sqlite_mode: str) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                connection.execution_options(**{_BEGIN_OPTION: sqlite_mode})
                with connection.begin():
                    yield connection
        except (OperationalError, InterfaceError) as error:
            if not self._is_unavailability(error):
                raise
            raise StoreUnavailable(_UNAVAILABLE) from error

    def _is_unavailability(self, error: OperationalError | InterfaceError) -> bool:
        """A database that is busy, unreachable or full — not a mistake in our SQL.

        psycopg reports SQL mistakes as ProgrammingError and keeps OperationalError for the
        server's state; sqlite3 reports both as OperationalError, told apart by message.
        """
        if self.dialect == "postgresql" or error.connection_invalidated or isinstance(error, InterfaceError):
            return True
        message = str(error.orig).lower()
        return any(sign in message for sign in _SQLITE_UNAVAILABLE)

    def insert_unless_present(self, connection: Connection, table: Table, values: Mapping[str, Any]) -> None:
        """INSERT … ON CONFLICT DO NOTHING: a row that is already there (same key) stays."""
        insert = postgresql_insert if self.dialect == "postgresql" else sqlite_insert
        connection.execute(insert(table).values(**values).on_conflict_do_nothing())

    def forget_erased(self) -> None:
        """Make what was just erased (names, a participant, a working state) unrecoverable from
        the data folder.

        SQLite keeps the pages a transaction replaced in its write-ahead log until a checkpoint,
        and reuses that file without emptying it: an erased name stayed readable there. With
        `secure_delete` (each connection) freed content is zeroed in the database; a TRUNCATE
        checkpoint copies the log into the database and empties the log. A reader holding an
        older snapshot makes it partial: it is tried again while readers finish (they are
        short). PostgreSQL keeps old row versions until its VACUUM (autovacuum) reclaims them:
        the server's business (docs/stockage.md).
        """
        if self.dialect != "sqlite":
            return
        for _ in range(_CHECKPOINT_TRIES):
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                cursor.close()
            finally:
                raw.close()
            if not busy:
                return
            time.sleep(_CHECKPOINT_PAUSE)

    def close(self) -> None:
        self.engine.dispose()


_CHECKPOINT_TRIES = 40
_CHECKPOINT_PAUSE = 0.05  # seconds: two seconds in all


def _sqlite_engine(settings: StoreSettings) -> Engine:
    engine = create_engine(
        settings.sqlalchemy_url(),
        connect_args={"timeout": settings.busy_timeout_seconds},
        pool_size=5,
        max_overflow=20,
        pool_timeout=60,
    )
    busy_milliseconds = int(settings.busy_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module doc)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_milliseconds}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # freed content is zeroed, not left in free pages
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _postgres_engine(settings: StoreSettings) -> Engine:
    return create_engine(
        settings.sqlalchemy_url(),
        pool_pre_ping=True,  # a load-balanced process outlives a database restart
        pool_size=5,
        max_overflow=20,
        pool_timeout=60,
        connect_args={"connect_timeout": 10, "application_name": "priorisation"},
    )
