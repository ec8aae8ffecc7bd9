"""Long computations (the optimal portfolio, robustness draws) run off the page, in the background.

A page asks for a result by its key; if it is not ready, the work starts on a small pool of
threads (one computation per key, whoever asks) and the page draws what it has at once —
the ranking-order plan, say — with a notice that refreshes until the result arrives. No
page ever waits for the solver (issue: a workshop never waits). Finished results are kept a
few minutes for the sessions that asked; a failure is kept as a French message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

log = logging.getLogger("priorisation")
WORKERS = 2  # the machine's cores; the solver holds one each
KEPT = 8  # finished results kept until the sessions that asked take them into their memo


@dataclass(frozen=True)
class Pending:
    """A result on its way: since when, how long it may take at most, and the best partial
    result so far (an optimal search's latest step), if the computation reports one."""

    started: float
    expected: float
    partial: object | None = None

    def waited(self) -> float:
        return time.monotonic() - self.started


@dataclass(frozen=True)
class Failed:
    message: str


class Background:
    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="calcul")
        self._running: dict[Hashable, tuple[Future, Pending]] = {}
        self._done: OrderedDict[Hashable, object] = OrderedDict()
        self._partial: dict[Hashable, object] = {}
        self._lock = threading.Lock()

    def result(
        self, key: Hashable, compute: Callable[[Callable[[object], None]], object], expected: float
    ) -> object:
        """The result for `key`, or `Pending` while it is computed (started here if need be).

        `compute` receives a `report` function: each partial result it reports (a better plan
        found) is handed to the pages that ask meanwhile.
        """
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            if key in self._running:
                future, pending = self._running[key]
                if not future.done():
                    return replace(pending, partial=self._partial.get(key))
            else:
                pending = Pending(time.monotonic(), expected)
                future = self._pool.submit(compute, lambda partial: self._report(key, partial))
                self._running[key] = (future, pending)
                future.add_done_callback(lambda _: self._finish(key))
                return pending
        self._finish(key)
        return self.result(key, compute, expected)

    def _report(self, key: Hashable, partial: object) -> None:
        with self._lock:
            self._partial[key] = partial

    def _finish(self, key: Hashable) -> None:
        with self._lock:
            self._partial.pop(key, None)
            running = self._running.pop(key, None)
            if running is None:
                return
            future, _ = running
            error = future.exception()
            if error is None:
                outcome: object = future.result()
            else:
                log.error("Calcul en arrière-plan impossible", exc_info=error)
                outcome = Failed(
                    "Le calcul n'a pas abouti (erreur inattendue) ; les autres résultats restent valables."
                )
            self._done[key] = outcome
            while len(self._done) > KEPT:
                self._done.popitem(last=False)


JOBS = Background()
