"""A user's working state (issue 9.6): the uploaded file and the settings, across reloads.

The page's link carries an unguessable token; the store keeps, under the token's hash, the
file (by reference: the bytes live once in `files`, by SHA-256), its name, and a JSON
document of the settings that the dashboard owns (sheet, columns, scale, edits, criteria,
weights, method, plan settings… with its own format version inside). Each save bumps a
revision number and is refused if the page did not see the latest one (compare-and-set):
two tabs editing the same state never overwrite each other silently — the page gets the
current state back, merges and saves again. A state expires some days after its last use
and can be deleted by its user at once, file included when no one else uses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from prioritisation.reading.untrusted import format_size
from prioritisation.store import documents
from prioritisation.store.database import Database
from prioritisation.store.errors import NotFound, StaleRevision, TooLarge
from prioritisation.store.schema import files, working_states, workshops
from prioritisation.store.tokens import content_digest, new_secret, secret_hash

Clock = Callable[[], dt.datetime]
_EXTEND_AFTER = dt.timedelta(days=1)  # a read extends the expiry at most once a day
_GONE = (
    "Ce lien de travail n'existe plus (expiré ou supprimé) : le fichier et les réglages qu'il "
    "gardait ne sont plus disponibles."
)
_STALE = (
    "Ces réglages ont été modifiés entre-temps (dans un autre onglet ?) : la version la plus "
    "récente a été rechargée, vos dernières modifications sont à refaire ou à fusionner."
)


@dataclass(frozen=True)
class NewFile:
    """A file to keep with a working state or a workshop: its name as uploaded and its bytes."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class StoredFile:
    name: str
    data: bytes = field(repr=False)
    sha256: str


@dataclass(frozen=True)
class WorkingState:
    token: str
    revision: int  # pass it back as `expected_revision` when saving
    document: dict[str, Any]  # a fresh copy at each load: changing it changes nothing stored
    file_name: str | None
    file_sha256: str | None
    file_size: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime


class WorkingStates:
    """Create, load, save and delete working states. Thread-safe; one per Store."""

    def __init__(
        self, database: Database, clock: Clock, on_create: Callable[[], None] = lambda: None
    ) -> None:
        self._database = database
        self._clock = clock
        self._on_create = on_create  # the store's chance to purge expired data (hourly)
        self._lifetime = dt.timedelta(days=database.settings.working_state_days)

    def create(self, document: Mapping[str, Any] | None = None, file: NewFile | None = None) -> WorkingState:
        """A new working state and its token (to put in the page's link)."""
        self._on_create()
        token = new_secret()
        text = self._encode(document or {})
        now = self._clock()
        with self._database.writing() as connection:
            digest, size = keep_file(self._database, connection, file, now)
            connection.execute(
                working_states.insert().values(
                    key_hash=secret_hash(token),
                    revision=1,
                    document=text,
                    file_sha256=digest,
                    file_name=file.name if file else None,
                    created_at=now,
                    updated_at=now,
                    expires_at=now + self._lifetime,
                )
            )
        return WorkingState(
            token, 1, documents.decode(text), file and file.name, digest, size, now, now, now + self._lifetime
        )

    def load(self, token: str) -> WorkingState | None:
        """The state behind a link; None when the token is unknown, expired or malformed.

        Loading counts as use: the expiry moves to N days from now (at most once a day).
        """
        key = secret_hash(token)
        if key is None:
            return None
        now = self._clock()
        with self._database.reading() as connection:
            row = self._live_row(connection, key, now)
        if row is None:
            return None
        if row.expires_at - now < self._lifetime - _EXTEND_AFTER:
            with self._database.writing() as connection:
                connection.execute(
                    update(working_states)
                    .where(working_states.c.key_hash == key, working_states.c.expires_at > now)
                    .values(expires_at=now + self._lifetime)
                )
            return _state(token, row, expires_at=now + self._lifetime)
        return _state(token, row)

    def read_file(self, token: str) -> StoredFile | None:
        """The uploaded file of a working state, bytes included; None when it has none."""
        key = secret_hash(token)
        if key is None:
            return None
        with self._database.reading() as connection:
            found = connection.execute(
                select(working_states.c.file_name, files.c.content, files.c.sha256)
                .join(files, files.c.sha256 == working_states.c.file_sha256)
                .where(working_states.c.key_hash == key, working_states.c.expires_at > self._clock())
            ).first()
        return None if found is None else StoredFile(found.file_name, bytes(found.content), found.sha256)

    def save(
        self,
        token: str,
        document: Mapping[str, Any],
        *,
        expected_revision: int,
        file: NewFile | None = None,
        remove_file: bool = False,
    ) -> WorkingState:
        """Replace the document (and the file, when one is given or `remove_file`).

        `expected_revision` is the revision the page loaded. StaleRevision (with the
        current state in `.current`) when it changed since; NotFound when the state is
        gone; TooLarge when the document or the file is over the limit. Atomic: all or
        nothing is written.
        """
        if file is not None and remove_file:
            raise ValueError("either a new file or remove_file, not both")
        key = secret_hash(token)
        if key is None:
            raise NotFound(_GONE)
        text = self._encode(document)
        for attempt in range(3):
            try:
                return self._save_once(token, key, text, expected_revision, file, remove_file)
            except IntegrityError:
                # PostgreSQL only: the purge removed the file between our insert and our
                # reference to it; the next attempt inserts it again.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def delete(self, token: str) -> bool:
        """Delete the state now, and its file unless another state or a workshop uses it."""
        key = secret_hash(token)
        if key is None:
            return False
        with self._database.writing() as connection:
            digest = connection.execute(
                select(working_states.c.file_sha256).where(working_states.c.key_hash == key)
            ).scalar_one_or_none()
            deleted = connection.execute(
                delete(working_states).where(working_states.c.key_hash == key)
            ).rowcount
            if digest is not None:
                delete_file_if_unused(connection, digest)
        if deleted:
            self._database.forget_erased()
        return deleted > 0

    def _save_once(
        self,
        token: str,
        key: str,
        text: str,
        expected_revision: int,
        file: NewFile | None,
        remove_file: bool,
    ) -> WorkingState:
        now = self._clock()
        with self._database.writing() as connection:
            row = self._live_row(connection, key, now, lock=True)
            if row is None:
                raise NotFound(_GONE)
            if row.revision != expected_revision:
                raise StaleRevision(_STALE, current=_state(token, row))
            values: dict[str, Any] = {
                "revision": row.revision + 1,
                "document": text,
                "updated_at": now,
                "expires_at": now + self._lifetime,
            }
            size = row.file_size
            if file is not None or remove_file:
                values["file_sha256"], size = keep_file(self._database, connection, file, now)
                values["file_name"] = file.name if file else None
            changed = connection.execute(
                update(working_states)
                .where(working_states.c.key_hash == key, working_states.c.revision == expected_revision)
                .values(**values)
            ).rowcount
            if changed != 1:  # cannot happen under the row lock; refuse rather than guess
                raise StaleRevision(_STALE, current=_state(token, row))
        return WorkingState(
            token=token,
            revision=values["revision"],
            document=documents.decode(text),
            file_name=values.get("file_name", row.file_name),
            file_sha256=values.get("file_sha256", row.file_sha256),
            file_size=size,
            created_at=row.created_at,
            updated_at=now,
            expires_at=values["expires_at"],
        )

    def _live_row(
        self, connection: Connection, key: str, now: dt.datetime, lock: bool = False
    ) -> Row[Any] | None:
        query = (
            select(working_states, files.c.size.label("file_size"))
            .outerjoin(files, files.c.sha256 == working_states.c.file_sha256)
            .where(working_states.c.key_hash == key, working_states.c.expires_at > now)
        )
        if lock:
            query = query.with_for_update(of=working_states)
        return connection.execute(query).first()

    def _encode(self, document: Mapping[str, Any]) -> str:
        if not isinstance(document, Mapping):
            raise TypeError("a working state's document is a JSON object (a mapping)")
        return documents.encode(dict(document), self._database.settings.max_document_bytes)


def keep_file(
    database: Database, connection: Connection, file: NewFile | None, now: dt.datetime
) -> tuple[str | None, int | None]:
    """Store the file's bytes unless the same content is already stored: (sha256, size)."""
    if file is None:
        return None, None
    limit = database.settings.max_file_bytes
    if len(file.data) > limit:
        raise TooLarge(
            f"« {file.name} » pèse {format_size(len(file.data))} : la limite est de {format_size(limit)}."
        )
    digest = content_digest(file.data)
    database.insert_unless_present(
        connection, files, {"sha256": digest, "size": len(file.data), "content": file.data, "created_at": now}
    )
    return digest, len(file.data)


def _file_in_use(digest: Any) -> Any:
    """SQL: some working state or workshop refers to this file."""
    return exists().where(working_states.c.file_sha256 == digest) | exists().where(
        workshops.c.file_sha256 == digest
    )


def delete_file_if_unused(connection: Connection, digest: str) -> int:
    """Delete one file if nothing refers to it any more; 1 if deleted.

    On PostgreSQL another transaction may be taking the file into use at this very moment:
    its reference wins (the foreign key refuses our delete) and the file stays, which the
    savepoint turns into « not deleted » instead of a failed transaction.
    """
    try:
        with connection.begin_nested():
            return connection.execute(
                delete(files).where(files.c.sha256 == digest, ~_file_in_use(files.c.sha256))
            ).rowcount
    except IntegrityError:
        return 0


def purge_files(connection: Connection) -> int:
    """Delete every file that no working state and no workshop refers to; how many."""
    unused = connection.execute(select(files.c.sha256).where(~_file_in_use(files.c.sha256))).scalars().all()
    return sum(delete_file_if_unused(connection, digest) for digest in unused)


def purge_working_states(connection: Connection, now: dt.datetime) -> int:
    return connection.execute(delete(working_states).where(working_states.c.expires_at <= now)).rowcount


def _state(token: str, row: Row[Any], expires_at: dt.datetime | None = None) -> WorkingState:
    return WorkingState(
        token=token,
        revision=row.revision,
        document=documents.decode(row.document),
        file_name=row.file_name,
        file_sha256=row.file_sha256,
        file_size=row.file_size,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=expires_at or row.expires_at,
    )
