"""Load benchmark of a workshop: participants vote over Streamlit's websocket while the room watches.

    python bench/workshop.py                      # 30 participants, 3 votes each; SQLite, then PostgreSQL
    python bench/workshop.py --quick              # 10 participants, 2 votes each
    python bench/workshop.py --stores sqlite      # one store only (sqlite, postgresql)

Two set-ups, as a real workshop would run them:
- SQLite: one dashboard process (`streamlit run app.py`) on the embedded store;
- PostgreSQL: two dashboard processes on one throwaway PostgreSQL server (started as in
  tests/store_fixtures.py), participants spread over both, the room's view on the first.

Each participant is a websocket speaking Streamlit's own protocol, as a phone's browser
does (bench/dashboard.py): it opens the join link (/rejoindre?code=…), types a name,
presses « Rejoindre », then moves its three sliders and presses « Envoyer mon vote »:
all at the same moment the first time (the facilitator says « votez ! » once everyone has
joined), then every 2 to 6 s. A vote's round trip runs from sending the click to the end of the rerun
that answers « Vote enregistré ». The room is the facilitator's Atelier page, opened on
the facilitator's link: the server asks it to rerun the room's fragment every second
(`auto_rerun`), which this client does, reading the participants' table each time. A vote
is « visible » when the room's table shows that participant's new weights: the delay runs
from the end of the vote's round trip to the end of the first room refresh showing it.
At the end the store is read directly: every vote sent must be the one stored.
Timings vary with the machine's load; they never decide a test (docs/stockage.md).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import User, free_port, ms, percentile  # noqa: E402  (bench/dashboard.py)

THINK_SECONDS = (2.0, 6.0)  # between two votes of one participant
ARRIVAL_SECONDS = 6.0  # participants scan the QR code within these seconds
WEIGHTS = list(range(0, 101, 5))


# -- A websocket session that reads what the page shows ------------------------------------------


@dataclass
class Shown:
    """What one run drew: widgets by label, alerts, metrics, tables."""

    widgets: dict[str, tuple[str, object]] = field(default_factory=dict)  # label → (kind, element)
    alerts: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    tables: list[object] = field(default_factory=list)  # pandas DataFrames

    def widget(self, prefix: str) -> object:
        return next(element for label, (_, element) in self.widgets.items() if label.startswith(prefix))

    def widgets_of(self, kind: str) -> list[object]:
        return [element for _, (found, element) in self.widgets.items() if found == kind]


class Session(User):
    """A browser tab: its page's query string, its fragment, what its last run showed."""

    def __init__(self, port: int, query: str = "") -> None:
        super().__init__(port)
        self.query = query
        self.fragment: tuple[str, float] | None = None  # (fragment id, interval) from auto_rerun

    async def show(
        self, page: str, widgets: list | None = None, fragment: str | None = None
    ) -> tuple[float, Shown]:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.page_name = page
        message.rerun_script.page_script_hash = self.page_hashes.get(page, "")
        message.rerun_script.query_string = self.query
        if fragment:
            message.rerun_script.fragment_id = fragment
            message.rerun_script.is_auto_rerun = True
        for widget in widgets or []:
            message.rerun_script.widget_states.widgets.append(widget)
        shown = Shown()
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        while True:
            answer = ForwardMsg()
            answer.ParseFromString(await self.socket.recv())
            kind = answer.WhichOneof("type")
            if kind == "navigation":
                self.page_hashes = {p.url_pathname: p.page_script_hash for p in answer.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query = answer.page_info_changed.query_string
            elif kind == "auto_rerun":
                self.fragment = (answer.auto_rerun.fragment_id, answer.auto_rerun.interval)
            elif kind == "delta" and answer.delta.WhichOneof("type") == "new_element":
                _read(answer.delta.new_element, shown)
            elif kind == "script_finished":
                return time.perf_counter() - started, shown


def _read(element: object, shown: Shown) -> None:
    kind = element.WhichOneof("type")  # type: ignore[attr-defined]
    body = getattr(element, kind)
    if kind in ("text_input", "slider", "button", "radio"):
        shown.widgets[body.label] = (kind, body)
    elif kind == "alert":
        shown.alerts.append(body.body)
    elif kind == "metric":
        shown.metrics[body.label] = body.body
    elif kind == "dataframe":
        import pyarrow as pa

        shown.tables.append(pa.ipc.open_stream(io.BytesIO(body.arrow_data.data)).read_pandas())


def trigger(element: object) -> object:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=element.id, trigger_value=True)  # type: ignore[attr-defined]


def text(element: object, value: str) -> object:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=element.id, string_value=value)  # type: ignore[attr-defined]


def number(element: object, value: float) -> object:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState(id=element.id)  # type: ignore[attr-defined]
    state.double_array_value.data.append(float(value))
    return state


# -- The workshop -----------------------------------------------------------------------------------


@dataclass
class Vote:
    participant: int
    weights: tuple[int, int, int]
    sent: float  # perf_counter when the click left
    answered: float  # when the rerun that stored it finished
    burst: bool  # one of the first votes, all sent at the same moment
    seen: float | None = None  # when the room's table first showed it


@dataclass
class Outcome:
    votes: list[Vote]
    refused: list[str]
    refreshes: list[float]  # seconds per room refresh (fragment rerun)


def expected_row(weights: tuple[int, int, int]) -> list[str]:
    from prioritisation.french import format_percent

    total = sum(weights)
    return [format_percent(weight / total, 1) for weight in weights]


class Signal:
    """« Votez ! »: the facilitator's word once everyone has joined; every first vote leaves at once."""

    def __init__(self, people: int) -> None:
        self.waiting = people
        self.given = asyncio.Event()

    def joined(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0:
            self.given.set()


async def participant(
    port: int, code: str, name: str, votes: int, rng: random.Random, outcome: Outcome, signal: Signal
) -> None:
    await asyncio.sleep(rng.uniform(0, ARRIVAL_SECONDS))
    async with Session(port, f"code={code}") as phone:
        _, form = await phone.show("rejoindre")
        _, joined = await phone.show(
            "rejoindre",
            [text(form.widget("Code de l'atelier"), code), text(form.widget("Votre nom"), name),
             trigger(form.widget("Rejoindre"))],
        )  # fmt: skip
        welcome = next((alert for alert in joined.alerts if "participant" in alert), "")
        found = re.search(r"participant (\d+)", welcome.replace("\\", ""))
        signal.joined()
        if found is None:
            outcome.refused.append(f"{name} : pas de bienvenue ({joined.alerts})")
            return
        number_of = int(found.group(1))
        sliders = joined.widgets_of("slider")
        send = joined.widget("Envoyer mon vote")
        await asyncio.wait_for(signal.given.wait(), timeout=120)
        for turn in range(votes):
            if turn:
                await asyncio.sleep(rng.uniform(*THINK_SECONDS))
            weights = (rng.choice(WEIGHTS[1:]), rng.choice(WEIGHTS), rng.choice(WEIGHTS))
            states = [number(slider, weight) for slider, weight in zip(sliders, weights, strict=True)]
            sent = time.perf_counter()
            _, answer = await phone.show("rejoindre", [*states, trigger(send)])
            answered = time.perf_counter()
            if not any("Vote enregistré" in alert.replace("\\", "") for alert in answer.alerts):
                outcome.refused.append(f"{name} : {answer.alerts}")
                continue
            outcome.votes.append(Vote(number_of, weights, sent, answered, burst=turn == 0))
            send = answer.widget("Envoyer mon vote")


async def room(port: int, secret: str, outcome: Outcome, stop: asyncio.Event) -> None:
    """The facilitator's Atelier page, its room's fragment rerun as the browser's timer would."""
    async with Session(port, f"animation={secret}") as screen:
        await screen.show("atelier")
        if screen.fragment is None:
            raise RuntimeError("la page Atelier n'a pas demandé de rafraîchissement automatique")
        fragment, interval = screen.fragment
        while not stop.is_set():
            await asyncio.sleep(interval)
            seconds, shown = await screen.show("atelier", fragment=fragment)
            outcome.refreshes.append(seconds)
            now = time.perf_counter()
            table = next((frame for frame in shown.tables if "Participant" in frame.columns), None)
            if table is None:
                continue
            rows = {str(row[0]): [str(value) for value in row[1:4]] for row in table.itertuples(index=False)}
            for vote in outcome.votes:
                if vote.seen is None and rows.get(f"participant {vote.participant}") == expected_row(
                    vote.weights
                ):
                    vote.seen = now


async def workshop(ports: list[int], code: str, secret: str, people: int, votes: int, seed: int) -> Outcome:
    outcome = Outcome([], [], [])
    rng = random.Random(seed)
    stop = asyncio.Event()
    watcher = asyncio.create_task(room(ports[0], secret, outcome, stop))
    await asyncio.sleep(3)  # the room's page is up before the first phone arrives
    signal = Signal(people)
    await asyncio.gather(
        *(
            participant(
                ports[number % len(ports)], code, f"Participant {number + 1}", votes, rng, outcome, signal
            )
            for number in range(people)
        )
    )
    await asyncio.sleep(3)  # the last votes reach the room
    stop.set()
    await watcher
    return outcome


# -- Servers ----------------------------------------------------------------------------------------


def start_dashboard(port: int, environment: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env={**os.environ, **environment, "OPENBLAS_NUM_THREADS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(port: int, seconds: float = 90) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"le tableau de bord du port {port} n'a pas démarré")


def open_workshop(environment: dict[str, str]) -> tuple[str, str, object]:
    """The facilitator's part done directly on the store: the workshop, its code and secret."""
    from prioritisation import usecases
    from prioritisation.reading.inventory import load_inventory
    from prioritisation.request import Request
    from prioritisation.store import open_store, settings_from_environment

    store = open_store(settings_from_environment(environment))
    request = Request("inventaire_exemple.xlsx")
    inventory = load_inventory(ROOT / "sample_data" / "inventaire_exemple.xlsx")
    opened = store.workshops.open(
        "Banc d'essai",
        usecases.workshop_criteria(inventory, request.ranking),
        usecases.workshop_settings(request, 10),
    )
    return opened.workshop.join_code, opened.facilitator_secret, store


def stored_as_sent(store: object, secret: str, outcome: Outcome) -> tuple[int, int]:
    """(votes whose participant's stored vote is the last one sent, participants who voted):
    every accepted vote bumped the participant's revision, the last one is what is stored."""
    results = store.workshops.results(secret)  # type: ignore[attr-defined]
    last: dict[int, Vote] = {}
    counts: dict[int, int] = {}
    for vote in sorted(outcome.votes, key=lambda vote: vote.answered):
        last[vote.participant] = vote
        counts[vote.participant] = counts.get(vote.participant, 0) + 1
    kept = 0
    for recorded in results.votes:
        vote = last.get(recorded.participant_number)
        if vote is None:
            continue
        same = tuple(round(weight) for weight in recorded.vote.weights) == vote.weights
        if same and recorded.revision == counts[recorded.participant_number]:
            kept += counts[recorded.participant_number]
    return kept, len(results.votes)


def scenario(label: str, processes: int, environment: dict[str, str], people: int, votes: int) -> dict:
    ports = [free_port() for _ in range(processes)]
    servers = [start_dashboard(port, environment) for port in ports]
    try:
        for port in ports:
            wait_healthy(port)
        code, secret, store = open_workshop(environment)
        try:
            outcome = asyncio.run(workshop(ports, code, secret, people, votes, seed=11))
            kept, voters = stored_as_sent(store, secret, outcome)
        finally:
            store.close()  # type: ignore[attr-defined]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    trips = [vote.answered - vote.sent for vote in outcome.votes]
    burst = [vote.answered - vote.sent for vote in outcome.votes if vote.burst]
    delays = [vote.seen - vote.answered for vote in outcome.votes if vote.seen is not None]
    return {
        "label": label,
        "processes": processes,
        "sent": people * votes,
        "accepted": len(outcome.votes),
        "kept": kept,
        "voters": voters,
        "people": people,
        "refused": outcome.refused,
        "trips": trips,
        "burst": burst,
        "delays": delays,
        "unseen": len(outcome.votes) - len(delays),
        "refresh": statistics.median(outcome.refreshes) if outcome.refreshes else float("nan"),
    }


def seconds_text(value: float) -> str:
    return f"{value:.2f} s".replace(".", ",")


def report(rows: list[dict]) -> None:
    print(
        "\n| stockage | processus | votes gardés | votants | aller-retour médian | p95 | max "
        "| premiers votes, simultanés : p95 | max "
        "| rafraîchissement de la vue (médiane) | vote visible dans la vue : p95 | max | jamais vus |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        trips, delays = row["trips"], row["delays"]
        print(
            f"| {row['label']} | {row['processes']} | {row['kept']} / {row['sent']} "
            f"| {row['voters']} / {row['people']} "
            f"| {ms(statistics.median(trips))} | {ms(percentile(trips, 0.95))} | {ms(max(trips))} "
            f"| {ms(percentile(row['burst'], 0.95))} | {ms(max(row['burst']))} "
            f"| {ms(row['refresh'])} | {seconds_text(percentile(delays, 0.95))} "
            f"| {seconds_text(max(delays) if delays else float('nan'))} | {row['unseen']} |"
        )
    for row in rows:
        for refusal in row["refused"][:5]:
            print(f"refusé ({row['label']}) : {refusal}")
    print()
    for row in rows:
        p95, late = percentile(row["trips"], 0.95), max(row["delays"]) if row["delays"] else float("inf")
        verdict = (
            "tenu"
            if row["kept"] == row["sent"] and p95 < 1 and late <= 2 and not row["unseen"]
            else "NON TENU"
        )
        goals = "objectifs (tout gardé, p95 < 1 s, vue ≤ 2 s)"
        print(f"{row['label']} ({row['processes']} processus) : {goals} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--stores", default="sqlite,postgresql")
    options = parser.parse_args()
    people, votes = (10, 2) if options.quick else (30, 3)
    rows = []
    if "sqlite" in options.stores:
        with tempfile.TemporaryDirectory(prefix="banc-atelier-") as folder:
            rows.append(scenario("SQLite", 1, {"PRIORISATION_DONNEES": folder}, people, votes))
    if "postgresql" in options.stores:
        from tests.store_fixtures import CannotStart, start_server

        try:
            server = start_server()
        except CannotStart as error:
            print(f"PostgreSQL ne peut pas démarrer ici : {error}")
        else:
            try:
                url = server.url(server.create_database())
                rows.append(scenario("PostgreSQL", 2, {"PRIORISATION_BASE_URL": url}, people, votes))
            finally:
                server.stop()
    print(f"# Atelier : {people} participants, {votes} votes chacun, toutes les 2 à 6 s\n")
    print(f"Machine : {os.cpu_count()} cœurs, charge moyenne {os.getloadavg()[0]:.1f} à la fin.")
    report(rows)


if __name__ == "__main__":
    main()
