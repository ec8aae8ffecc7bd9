"""Thirty phones at once: every join and every vote lands, on SQLite and on PostgreSQL.

Threads are how one Streamlit process serves thirty sessions; processes are how several
dashboard processes share one database. Nothing here measures time: the tests check that
everything was stored, not how fast (the load benchmark is under bench/).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from prioritisation.store import Store
from prioritisation.workshop.votes import VotingCriterion
from tests.store_fixtures import environment_for

ROOT = Path(__file__).resolve().parents[1]
CRITERIA = (
    VotingCriterion("urgency", "Urgence"),
    VotingCriterion("impact", "Impact"),
    VotingCriterion("feasibility", "Faisabilité"),
)
VOTERS = 30


def test_thirty_voters_on_threads_all_land(store):
    opened = store.workshops.open("Conseil communautaire", CRITERIA)
    start = threading.Barrier(VOTERS)
    failures: list[BaseException] = []

    def vote(index: int) -> None:
        try:
            start.wait()
            joined = store.workshops.join(opened.workshop.join_code, f"Élu {index}")
            weights = {"urgency": index + 1, "impact": 50, "feasibility": 50}
            store.workshops.cast_vote(joined.participant_secret, {"method": "direct", "weights": weights}, 0)
        except BaseException as error:  # a thread's failure must fail the test
            failures.append(error)

    threads = [threading.Thread(target=vote, args=(index,)) for index in range(VOTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    results = store.workshops.results(opened.facilitator_secret)
    assert [participant.number for participant in results.participants] == list(range(1, VOTERS + 1))
    by_name = {participant.number: participant.display_name for participant in results.participants}
    assert sorted(
        (by_name[vote.participant_number], vote.vote.weights[0]) for vote in results.votes
    ) == sorted((f"Élu {index}", float(index + 1)) for index in range(VOTERS))


def test_thirty_voters_from_five_processes_all_land(store, store_settings, tmp_path):
    """Five processes of six voters each, released together, on one database."""
    opened = store.workshops.open("Consultation départementale", CRITERIA)
    go = tmp_path / "partez"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.store_voter", opened.workshop.join_code, "6", f"p{index}", str(go)],
            cwd=ROOT,
            env=environment_for(store_settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(5)
    ]
    wait_until_ready(processes, [go.with_name(f"partez.p{index}.ready") for index in range(5)])
    go.touch()  # all five release their voters together
    printed = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        printed += [json.loads(line) for line in out.splitlines()]
    assert len(printed) == VOTERS
    results = store.workshops.results(opened.facilitator_secret)
    assert results.voters == VOTERS
    assert sorted(participant.number for participant in results.participants) == list(range(1, VOTERS + 1))
    stored = {participant.number: participant.display_name for participant in results.participants}
    assert sorted(
        (stored[vote.participant_number], vote.vote.weights[0]) for vote in results.votes
    ) == sorted((entry["name"], float(entry["urgency"])) for entry in printed)


def wait_until_ready(processes: list[subprocess.Popen], flags: list[Path]) -> None:
    """Wait for every process to have opened the store (a generous bound, not a measure)."""
    deadline = time.monotonic() + 180
    while not all(flag.exists() for flag in flags):
        crashed = [process for process in processes if process.poll() is not None]
        assert not crashed, crashed[0].communicate()[1]
        assert time.monotonic() < deadline, "les processus votants ne se sont pas lancés"
        time.sleep(0.05)


def test_workshops_opened_at_once_get_distinct_codes(store_settings):
    with Store(store_settings) as store:
        codes: list[str] = []
        start = threading.Barrier(10)

        def open_one() -> None:
            start.wait()
            codes.append(store.workshops.open("Atelier", CRITERIA).workshop.join_code)

        threads = [threading.Thread(target=open_one) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(set(codes)) == 10
