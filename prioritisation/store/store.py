"""The store: one object per process, holding the working states and the workshops.

    store = open_store()                      # settings from the environment
    state = store.working_states.create({"version": 1}, NewFile("inventaire.xlsx", data))
    opened = store.workshops.open("Atelier du 12 mars", criteria, settings, file)

Opening the store creates the data folder or the database's tables on first use, brings
an older schema up to date, and purges what has expired; the purge runs again at most once
an hour, on the next write. Thread-safe: one Store serves every Streamlit session of the
process (keep it in `st.cache_resource`). docs/stockage.md describes it all.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

from prioritisation.store.database import Database
from prioritisation.store.schema import CURRENT_VERSION, MIGRATIONS, Migration, migrate
from prioritisation.store.settings import StoreSettings, settings_from_environment
from prioritisation.store.working_states import WorkingStates, purge_files, purge_working_states
from prioritisation.store.workshops import Workshops, purge_workshops

PURGE_INTERVAL = dt.timedelta(hours=1)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PurgeReport:
    working_states: int
    workshops: int
    files: int


class Store:
    def __init__(
        self,
        settings: StoreSettings,
        clock: Clock = utc_now,
        migrations: Sequence[Migration] = MIGRATIONS,
        schema_version: int = CURRENT_VERSION,
    ) -> None:
        self.settings = settings
        self._database = Database(settings)
        self._clock = clock
        try:
            with self._database.writing() as connection:
                self.found_schema_version = migrate(connection, migrations, schema_version)
        except BaseException:
            self._database.close()
            raise
        self._purge_lock = threading.Lock()
        self._last_purge: dt.datetime | None = None
        self.working_states = WorkingStates(self._database, clock, on_create=self.purge_if_due)
        self.workshops = Workshops(self._database, clock, on_open=self.purge_if_due)
        self.purge_expired()

    @property
    def dialect(self) -> str:
        """« sqlite » or « postgresql »."""
        return self._database.dialect

    def describe(self) -> str:
        return self.settings.describe()

    def purge_expired(self) -> PurgeReport:
        """Delete expired working states and workshops, then the files nobody uses any more."""
        now = self._clock()
        with self._database.writing() as connection:
            states = purge_working_states(connection, now)
            meetings = purge_workshops(connection, now)
            unused = purge_files(connection)
        if states or meetings or unused:
            self._database.forget_erased()
        self._last_purge = now
        return PurgeReport(states, meetings, unused)

    def purge_if_due(self) -> None:
        """Purge if the last purge is more than an hour old (one thread at a time)."""
        if not self._purge_lock.acquire(blocking=False):
            return
        try:
            if self._last_purge is None or self._clock() - self._last_purge >= PURGE_INTERVAL:
                self.purge_expired()
        finally:
            self._purge_lock.release()

    def close(self) -> None:
        self._database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def open_store(settings: StoreSettings | None = None, clock: Clock = utc_now) -> Store:
    """The store the settings (by default, the environment's) point to."""
    return Store(settings or settings_from_environment(), clock)
