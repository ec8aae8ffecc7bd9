"""Where the store keeps its data and for how long: settings, read from the environment.

- PRIORISATION_DONNEES: the data folder of the embedded SQLite store, created on first use
  (default: `donnees/` in the directory the server is started from — the repository when
  started by `bash scripts/run.sh` —, next to the tool, easy to find, back up or delete,
  and the same on a Windows laptop as on a server; a server sets it to /var/lib/…).
- PRIORISATION_BASE_URL: a PostgreSQL URL (postgresql://user:password@host:5432/base);
  when set, the data folder is not used and every process given the same URL shares the
  same working states and workshops.
- PRIORISATION_EXPIRATION_JOURS: days a working state is kept after its last use (30).
- PRIORISATION_EXPIRATION_ATELIER_JOURS: days a workshop is kept after it opens (30).
A wrong value stops the server at start with a French message: a setting is never guessed.
docs/stockage.md describes the store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prioritisation.reading.untrusted import ReadLimits
from prioritisation.store.errors import StoreConfigurationError

DATA_FOLDER_VARIABLE = "PRIORISATION_DONNEES"
DATABASE_URL_VARIABLE = "PRIORISATION_BASE_URL"
WORKING_STATE_DAYS_VARIABLE = "PRIORISATION_EXPIRATION_JOURS"
WORKSHOP_DAYS_VARIABLE = "PRIORISATION_EXPIRATION_ATELIER_JOURS"
DEFAULT_DATA_FOLDER = "donnees"
SQLITE_FILE_NAME = "priorisation.sqlite3"
MB = 1024 * 1024
_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True)
class StoreSettings:
    data_folder: Path = Path(DEFAULT_DATA_FOLDER)
    database_url: str | None = None  # PostgreSQL; None = SQLite in the data folder
    working_state_days: int = 30
    workshop_days: int = 30
    # One upload limit for the whole tool: the reader's (issue 9.8).
    max_file_bytes: int = ReadLimits().max_file_bytes
    max_document_bytes: int = 5 * MB  # the settings and edits of one working state, as JSON
    busy_timeout_seconds: float = 15.0  # how long a SQLite writer waits for another

    def __post_init__(self) -> None:
        if self.database_url is not None and not self.database_url.startswith(_POSTGRES_SCHEMES):
            raise StoreConfigurationError(
                f"{DATABASE_URL_VARIABLE} doit être une adresse PostgreSQL "
                "(postgresql://utilisateur:motdepasse@serveur:5432/base)."
            )
        for name, days in (
            (WORKING_STATE_DAYS_VARIABLE, self.working_state_days),
            (WORKSHOP_DAYS_VARIABLE, self.workshop_days),
        ):
            if not 1 <= days <= 3650:
                raise StoreConfigurationError(f"{name} doit être un nombre de jours entre 1 et 3650.")
        if self.max_file_bytes <= 0 or self.max_document_bytes <= 0 or self.busy_timeout_seconds <= 0:
            raise StoreConfigurationError("Les limites du stockage doivent être positives.")

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def sqlite_path(self) -> Path:
        return self.data_folder / SQLITE_FILE_NAME

    def sqlalchemy_url(self) -> str:
        """The URL for SQLAlchemy: psycopg 3 for PostgreSQL, the standard sqlite3 otherwise."""
        if self.database_url is None:
            return f"sqlite+pysqlite:///{self.sqlite_path.resolve()}"
        for scheme in ("postgresql://", "postgres://"):
            if self.database_url.startswith(scheme):
                return "postgresql+psycopg://" + self.database_url[len(scheme) :]
        return self.database_url

    def describe(self) -> str:
        """Where the data is, for the administrator (never the password)."""
        if self.database_url is None:
            return f"SQLite, fichier {self.sqlite_path.resolve()}"
        return "PostgreSQL (" + self.database_url.split("@")[-1].split("?")[0] + ")"


def settings_from_environment(environment: Mapping[str, str] | None = None) -> StoreSettings:
    """The settings a server was started with; StoreConfigurationError (French) when wrong."""
    environment = os.environ if environment is None else environment
    folder = environment.get(DATA_FOLDER_VARIABLE, "").strip() or DEFAULT_DATA_FOLDER
    url = environment.get(DATABASE_URL_VARIABLE, "").strip() or None
    return StoreSettings(
        data_folder=Path(folder).expanduser().resolve(),
        database_url=url,
        working_state_days=_days(environment, WORKING_STATE_DAYS_VARIABLE, 30),
        workshop_days=_days(environment, WORKSHOP_DAYS_VARIABLE, 30),
    )


def _days(environment: Mapping[str, str], name: str, default: int) -> int:
    text = environment.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise StoreConfigurationError(
            f"{name} doit être un nombre entier de jours (reçu : {text!r})."
        ) from None
