"""The tables of the store, the schema's version and the migrations that bring a database to it.

One definition serves SQLite and PostgreSQL (SQLAlchemy Core). A new database is created
at the current version directly; an older one is brought up to date by the ordered
migrations, each in the same transaction as the version it stamps, under a lock (SQLite's
write lock, a PostgreSQL advisory lock) so that two processes starting together migrate
once. A database newer than this code is refused rather than touched.

To change the schema: edit the tables below, add a `Migration` that makes the same change
on an existing database, and raise CURRENT_VERSION to its number. docs/stockage.md lists
the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)
from sqlalchemy.types import TypeDecorator

from prioritisation.store.errors import SchemaTooNew

CURRENT_VERSION = 1
_MIGRATION_LOCK = 7_281_904_113  # PostgreSQL advisory lock key: « priorisation, schéma »


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on both databases.

    SQLite has no time zones: values are stored as naive UTC text, which sorts and compares
    correctly; PostgreSQL stores `timestamp with time zone`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the store keeps aware datetimes only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

# Uploaded files, once per content (SHA-256), whoever uploaded them.
files = Table(
    "files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# A user's working state (issue 9.6), found by the hash of the token in their link.
working_states = Table(
    "working_states",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("document", Text, nullable=False),  # JSON owned by the dashboard
    Column("file_sha256", String(64), ForeignKey("files.sha256"), nullable=True),
    Column("file_name", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("working_states_by_expiry", "expires_at"),
    Index("working_states_by_file", "file_sha256"),
)

workshops = Table(
    "workshops",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("join_code", String(12), unique=True, nullable=True),  # NULL once ended: reusable
    Column("facilitator_hash", String(64), unique=True, nullable=False),
    Column("title", Text, nullable=False),
    Column("state", String(10), nullable=False),
    Column("criteria", Text, nullable=False),  # JSON list of {key, label}
    Column("settings", Text, nullable=False),  # JSON snapshot of the dashboard's settings
    Column("file_sha256", String(64), ForeignKey("files.sha256"), nullable=True),
    Column("file_name", Text, nullable=True),
    Column("scoring", Text, nullable=True),  # JSON scoring setup, when the facilitator set one
    Column("scoring_open", Boolean, nullable=False),
    Column("reveal_names", Boolean, nullable=False),
    Column("revision", Integer, nullable=False),  # bumped by every facilitator change
    Column("joined", Integer, nullable=False),  # participants ever joined: numbers are never reused
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Index("workshops_by_expiry", "expires_at"),
    Index("workshops_by_file", "file_sha256"),
    sqlite_autoincrement=True,
)

participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("workshop_id", Integer, ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, 3… in order of joining
    Column("display_name", Text, nullable=True),  # erased when the workshop ends (RGPD)
    Column("secret_hash", String(64), unique=True, nullable=True),  # erased when it ends
    Column("joined_at", UtcDateTime, nullable=False),
    Column("vote_revision", Integer, nullable=False),
    Column("scores_revision", Integer, nullable=False),
    UniqueConstraint("workshop_id", "number", name="participants_number_in_workshop"),
    sqlite_autoincrement=True,
)

votes = Table(
    "votes",
    metadata,
    Column("participant_id", Integer, ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON of prioritisation.workshop.votes
    Column("updated_at", UtcDateTime, nullable=False),
)

project_scores = Table(
    "project_scores",
    metadata,
    Column("participant_id", Integer, ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("project", Text, primary_key=True),
    Column("criterion", Text, primary_key=True),
    Column("score", Float, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    """Brings a database from version − 1 to `version`, inside the caller's transaction."""

    version: int
    description: str
    apply: Callable[[Connection], None]


# Version 2 onwards, in order. A new database is created at CURRENT_VERSION directly.
MIGRATIONS: tuple[Migration, ...] = ()


def migrate(
    connection: Connection,
    migrations: Sequence[Migration] = MIGRATIONS,
    target: int = CURRENT_VERSION,
) -> int:
    """Create or bring the schema to `target`, in the caller's (write) transaction.

    Returns the version found before (0 for a new database). SchemaTooNew (French) when
    the database is newer than this code.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    if not inspect(connection).has_table(schema_version.name):
        metadata.create_all(connection)
        connection.execute(schema_version.insert().values(version=target))
        return 0
    found = connection.execute(select(schema_version.c.version)).scalar_one()
    if found > target:
        raise SchemaTooNew(
            f"La base de données a été créée par une version plus récente de l'outil (schéma {found}) ; "
            f"celle-ci connaît le schéma {target} et n'y touche pas. Mettez l'outil à jour."
        )
    pending = sorted(
        (migration for migration in migrations if found < migration.version <= target),
        key=lambda migration: migration.version,
    )
    if [migration.version for migration in pending] != list(range(found + 1, target + 1)):
        raise RuntimeError(f"the migrations to schema versions {found + 1} to {target} are not all defined")
    for migration in pending:
        migration.apply(connection)
        connection.execute(schema_version.update().values(version=migration.version))
    return found
