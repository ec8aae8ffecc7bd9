"""Benchmark: thirty phones voting at once against the store, on SQLite and on PostgreSQL.

    python bench/store.py                 # SQLite, and PostgreSQL when a server can start
    python bench/store.py --rounds 10     # each participant changes their vote 10 times

Thirty participants join one workshop and each casts a vote, then changes it (rounds);
meanwhile the room's view reads the results and computes the group weights, consensus and
spread every 0.2 s. Measured: a vote's round trip through the store (cast_vote), the room
view's read and computation, and how long after a vote is stored the room's view shows
it. One process with 30 threads (one Streamlit server), then two processes of 15 threads
on the same database (two servers behind a load balancer). The PostgreSQL server is a
throwaway one started as in the tests (Debian's binaries) unless --postgres URL is given.
This is the store alone; the websocket round trip through Streamlit is the dashboard's
benchmark. Timings never decide a test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prioritisation.store import Store, StoreSettings
from prioritisation.workshop.room import room_view
from prioritisation.workshop.votes import VotingCriterion

CRITERIA = tuple(
    VotingCriterion(key, label) for key, label in [("u", "Urgence"), ("i", "Impact"), ("f", "Faisabilité")]
)
PARTICIPANTS = 30


def pairwise(seed: int, round_: int) -> dict:
    values = [1 / 3, 1 / 2, 1, 2, 3, 5]
    pick = [values[(seed * 7 + round_ * 3 + offset) % len(values)] for offset in range(3)]
    pairs = [("u", "i"), ("u", "f"), ("i", "f")]
    return {
        "method": "pairwise",
        "judgments": [{"first": a, "second": b, "value": v} for (a, b), v in zip(pairs, pick, strict=True)],
    }


def voters(settings: StoreSettings, code: str, first: int, count: int, rounds: int, start_at: float) -> list:
    """`count` participants on threads; returns (latency, stored_at, number, revision) per vote."""
    store = Store(settings)
    records: list = []
    lock = threading.Lock()

    def participant(index: int) -> None:
        secret = store.workshops.join(code, f"Participant {index}").participant_secret
        while time.time() < start_at:
            time.sleep(0.001)
        for round_ in range(rounds):
            started = time.perf_counter()
            recorded = store.workshops.cast_vote(secret, pairwise(index, round_), round_)
            elapsed = time.perf_counter() - started
            with lock:
                records.append((elapsed, time.time(), recorded.participant_number, recorded.revision))
            time.sleep(0.05)  # a person does not vote twice in the same instant

    threads = [threading.Thread(target=participant, args=(first + index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    return records


def room(settings: StoreSettings, secret: str, stop: threading.Event, seen: dict, timings: list) -> None:
    store = Store(settings)
    while not stop.is_set():
        started = time.perf_counter()
        results = store.workshops.results(secret)
        room_view([vote.vote for vote in results.votes])
        timings.append(time.perf_counter() - started)
        now = time.time()
        for vote in results.votes:
            seen.setdefault((vote.participant_number, vote.revision), now)
        stop.wait(0.2)
    store.close()


def scenario(settings: StoreSettings, processes: int, rounds: int) -> dict:
    with Store(settings) as store:
        opened = store.workshops.open("Banc d'essai", CRITERIA)
    code, secret = opened.workshop.join_code, opened.facilitator_secret
    seen: dict = {}
    room_timings: list = []
    stop = threading.Event()
    watcher = threading.Thread(target=room, args=(settings, secret, stop, seen, room_timings))
    watcher.start()
    start_at = time.time() + 3.0  # every voter joined and waiting
    share = PARTICIPANTS // processes
    if processes == 1:
        records = voters(settings, code, 0, PARTICIPANTS, rounds, start_at)
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(processes) as pool:
            parts = pool.starmap(
                voters,
                [(settings, code, index * share, share, rounds, start_at + 2) for index in range(processes)],
            )
        records = [record for part in parts for record in part]
    time.sleep(0.5)
    stop.set()
    watcher.join()
    with Store(settings) as store:
        stored = store.workshops.results(secret)
    delays = [
        seen[(number, revision)] - stored_at
        for _, stored_at, number, revision in records
        if (number, revision) in seen
    ]
    latencies = sorted(record[0] for record in records)
    return {
        "votes": len(records),
        "stored": sum(vote.revision for vote in stored.votes),
        "median": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "max": latencies[-1],
        "room": statistics.median(room_timings),
        "seen_p95": sorted(delays)[int(0.95 * (len(delays) - 1))] if delays else float("nan"),
    }


def postgres_settings(url: str | None) -> tuple[StoreSettings | None, object]:
    if url:
        return StoreSettings(database_url=url), None
    try:
        from tests.store_fixtures import CannotStart, start_server
    except ImportError:
        return None, None
    try:
        server = start_server()
    except CannotStart as reason:
        print(f"PostgreSQL ignoré : {reason}")
        return None, None
    return StoreSettings(database_url=server.url(server.create_database())), server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", help="URL d'un PostgreSQL existant (sinon un serveur jetable)")
    parser.add_argument("--sqlite-only", action="store_true")
    arguments = parser.parse_args()
    backends = [("SQLite", StoreSettings(data_folder=Path(tempfile.mkdtemp()) / "donnees"))]
    postgres, server = (None, None) if arguments.sqlite_only else postgres_settings(arguments.postgres)
    if postgres is not None:
        backends.append(("PostgreSQL", postgres))
    print(
        f"{PARTICIPANTS} participants, {arguments.rounds} votes chacun (comparaison par paires, 3 critères)"
    )
    print(
        f"{'stockage':<11} {'processus':>9} {'votes':>6} {'gardés':>6} {'médiane':>9} {'p95':>9} {'max':>9}"
        f" {'vue salle':>10} {'vu après p95':>13}"
    )
    try:
        for name, settings in backends:
            for processes in (1, 2):
                if name == "PostgreSQL" and processes == 2:
                    settings = (
                        StoreSettings(database_url=server.url(server.create_database()))
                        if server
                        else settings
                    )
                elif name == "SQLite" and processes == 2:
                    settings = StoreSettings(data_folder=Path(tempfile.mkdtemp()) / "donnees")
                row = scenario(settings, processes, arguments.rounds)
                print(
                    f"{name:<11} {processes:>9} {row['votes']:>6} {row['stored']:>6}"
                    f" {row['median'] * 1000:>7.1f} ms {row['p95'] * 1000:>6.1f} ms"
                    f" {row['max'] * 1000:>6.1f} ms"
                    f" {row['room'] * 1000:>7.1f} ms {row['seen_p95']:>11.2f} s"
                )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
