"""Results kept in memory: each session's latest, shared between identical inputs, within a budget.

A session keeps its latest results (the parsed file, the inventory, a few rankings and
plans) in its own memo, dropped with the session or when its file changes. Sessions with
identical inputs share one object through a process-wide table of weak references: it lives
as long as one session holds it, and not a moment longer — nothing outlives the sessions
that used it (the old `st.cache_resource`, keyed by upload for two hours, kept 700 MB after
the sessions had ended). What sessions hold is counted against a memory budget
(`PRIORISATION_CACHE_MO`, 1,500 Mo by default): a new file that would exceed it is refused
in French until others are released. See docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
MB = 1_000_000
DEFAULT_BUDGET = 1_500 * MB


class ServerBusy(Exception):
    """The files sessions hold already fill the memory budget; the message is for the user."""


class Blob:
    """Bytes that a weak reference can point to (an export, kept while a session shows it)."""

    __slots__ = ("__weakref__", "data")

    def __init__(self, data: bytes) -> None:
        self.data = data


class SharedResults:
    """Process-wide: key → result while some session holds it, and the memory they weigh."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._live: weakref.WeakValueDictionary[Hashable, object] = weakref.WeakValueDictionary()
        self._weights: dict[int, int] = {}  # id of a live result → its estimated bytes
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        with self._lock:
            return sum(self._weights.values())

    def get(self, key: Hashable, compute: Callable[[], T], weigh: Callable[[T], int] | None = None) -> T:
        """The live result for `key`, or `compute()`'s — computed once even if sessions ask together."""
        found = self._live.get(key)
        if found is not None:
            return found  # type: ignore[return-value]
        with self._lock:
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            found = self._live.get(key)
            if found is not None:
                return found  # type: ignore[return-value]
            result = compute()
            self._admit(key, result, weigh(result) if weigh else 0)
        with self._lock:
            self._locks.pop(key, None)
        return result

    def admit(self, weight: int) -> None:
        """Refuse, before anything is read, a new file whose weight would exceed the budget."""
        if self.held + weight > self.budget:
            raise ServerBusy(
                "Le serveur garde déjà en mémoire les fichiers de nombreux utilisateurs : "
                "réessayez dans quelques minutes, ou importez un fichier plus petit."
            )

    def _admit(self, key: Hashable, result: object, weight: int) -> None:
        try:
            self._live[key] = result
        except TypeError:  # not weakly referable: the session's memo alone keeps it
            return
        if weight:
            with self._lock:
                self._weights[id(result)] = weight
            weakref.finalize(result, self._release, id(result))

    def _release(self, ident: int) -> None:
        with self._lock:
            self._weights.pop(ident, None)
        _return_memory_to_the_system()


_TRIM_EVERY = 10.0  # seconds
_last_trim = [0.0]


def _return_memory_to_the_system() -> None:
    """Ask the C allocator to give back the pages that freed results leave empty (glibc keeps
    them otherwise, and the server's resident size never comes down after sessions end).
    At most every few seconds; a no-op where glibc's `malloc_trim` does not exist."""
    import ctypes
    import time

    now = time.monotonic()
    if now - _last_trim[0] < _TRIM_EVERY:
        return
    _last_trim[0] = now
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _budget() -> int:
    try:
        return int(float(os.environ.get("PRIORISATION_CACHE_MO", DEFAULT_BUDGET / MB)) * MB)
    except ValueError:
        return DEFAULT_BUDGET


SHARED = SharedResults(_budget())


def remember(memo: dict, kind: str, key: Hashable, compute: Callable[[], T], keep: int = 2,
             weigh: Callable[[T], int] | None = None) -> T:  # fmt: skip
    """The session's result of `kind` for `key`: its memo's, another session's, or computed.

    The memo keeps the `keep` latest keys of each kind, so a page that draws two rankings
    (the current weights and equal weights) does not evict one with the other.
    """
    recent: OrderedDict = memo.setdefault(kind, OrderedDict())
    if key in recent:
        recent.move_to_end(key)
        return recent[key]
    result = SHARED.get((kind, key), compute, weigh)
    recent[key] = result
    while len(recent) > keep:
        recent.popitem(last=False)
    return result
