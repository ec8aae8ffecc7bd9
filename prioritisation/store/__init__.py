"""Where working states and workshops live: embedded SQLite by default, PostgreSQL when configured.

settings (environment) → database (engine, transactions) → schema (tables, migrations) →
working_states and workshops (what the dashboard calls) → store (one object per process).
The dashboard needs only what is imported here. docs/stockage.md describes the schema, the
tokens and secrets, expiry, and how to point two processes at one PostgreSQL.
"""

from prioritisation.store.errors import (
    NotFound,
    SchemaTooNew,
    StaleRevision,
    StoreConfigurationError,
    StoreError,
    StoreUnavailable,
    TooLarge,
)
from prioritisation.store.settings import StoreSettings, settings_from_environment
from prioritisation.store.store import PurgeReport, Store, open_store
from prioritisation.store.working_states import NewFile, StoredFile, WorkingState
from prioritisation.store.workshops import (
    Activity,
    Joined,
    Membership,
    OpenedWorkshop,
    Participant,
    RecordedScore,
    RecordedVote,
    Workshop,
    WorkshopResults,
)

__all__ = [
    "Activity",
    "Joined",
    "Membership",
    "NewFile",
    "NotFound",
    "OpenedWorkshop",
    "Participant",
    "PurgeReport",
    "RecordedScore",
    "RecordedVote",
    "SchemaTooNew",
    "StaleRevision",
    "Store",
    "StoreConfigurationError",
    "StoreError",
    "StoreSettings",
    "StoreUnavailable",
    "StoredFile",
    "TooLarge",
    "WorkingState",
    "Workshop",
    "WorkshopResults",
    "open_store",
    "settings_from_environment",
]
