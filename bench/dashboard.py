"""Benchmark of the dashboard: first visit, reruns after a weight change, 30 users at once.

    python bench/dashboard.py            # 500 and 5,000 projects, 30 users (about 3 minutes)
    python bench/dashboard.py --quick    # fewer repeats, 10 users

1. Rerun of the Priorisation page after a weight change, server side, through Streamlit's
   AppTest (the script runs in-process exactly as under `streamlit run`; the browser's
   drawing is not counted). Baseline: the same harness rerunning a one-line app.
2. First visit: a fresh `streamlit run app.py`; time from the health check answering `ok`
   to the end of the first run of the Accueil page, then of the Priorisation page.
3. Workshop load: one server process, N simulated users speaking Streamlit's own websocket
   protocol (what the browser sends), each opening Priorisation then moving a weight every
   2 to 6 seconds; latency from the move to the end of the rerun.
Timings vary from run to run on a shared machine; they never decide a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import write_inventory_xlsx  # noqa: E402  (bench/bench.py, this folder being on the path)

WEIGHTS = list(range(0, 101, 5))


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share * 100)) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms".replace(",", " ")


# -- 1. reruns through AppTest ------------------------------------------------------------------


def rerun_timings(path: Path, moves: int) -> tuple[float, list[float]]:
    from streamlit.testing.v1 import AppTest

    from ui.state import Source

    data = path.read_bytes()
    import hashlib

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.session_state["source"] = Source(path.name, data, hashlib.sha256(data).hexdigest(), False)
    app.run()
    app.switch_page("pages/priorisation.py")
    started = time.perf_counter()
    app.run()
    first = time.perf_counter() - started
    assert not app.exception, app.exception
    timings = []
    for move in range(moves):
        app.slider(key="poids_urgence").set_value(WEIGHTS[(move * 7 + 3) % len(WEIGHTS)])
        started = time.perf_counter()
        app.run()
        timings.append(time.perf_counter() - started)
        assert not app.exception, app.exception
    return first, timings


def harness_baseline(moves: int) -> float:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_string("import streamlit as st\nst.slider('x', 0, 100, key='x')\n").run()
    timings = []
    for move in range(moves):
        app.slider(key="x").set_value(move % 100)
        started = time.perf_counter()
        app.run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


# -- a server and a websocket user --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, sample: Path | None) -> subprocess.Popen:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    if sample is not None:
        env["PRIORISATION_EXEMPLE"] = str(sample)
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(port: int) -> float:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return time.perf_counter()
        except OSError:
            time.sleep(0.05)


class User:
    """One browser tab, as the server sees it: a websocket speaking Streamlit's protobufs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.slider_id: str | None = None
        self.page_hashes: dict[str, str] = {}  # url path → page script hash, from the server

    async def __aenter__(self) -> User:
        import websockets

        self.socket = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"], max_size=None
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.socket.close()

    async def run(self, page: str, widgets: list | None = None) -> float:
        """Ask for a rerun of `page`; seconds until the server says the script finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.page_name = page
        message.rerun_script.page_script_hash = self.page_hashes.get(page, "")
        for widget in widgets or []:
            message.rerun_script.widget_states.widgets.append(widget)
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        while True:
            answer = ForwardMsg()
            answer.ParseFromString(await self.socket.recv())
            kind = answer.WhichOneof("type")
            if kind == "navigation":
                self.page_hashes = {p.url_pathname: p.page_script_hash for p in answer.navigation.app_pages}
            elif kind == "delta" and answer.delta.WhichOneof("type") == "new_element":
                element = answer.delta.new_element
                if element.WhichOneof("type") == "slider" and element.slider.label.startswith("Urgence"):
                    self.slider_id = element.slider.id
            elif kind == "script_finished":
                return time.perf_counter() - started

    async def open(self, page: str) -> float:
        """A first visit lands on the Accueil; following the link to `page` costs one more run."""
        home = await self.run("")
        seconds = await self.run(page)
        if self.slider_id is None and page == "priorisation":
            raise RuntimeError("la page Priorisation n'a pas affiché le curseur Urgence")
        return home + seconds

    async def move_weight(self, value: int) -> float:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        widget = WidgetState(id=self.slider_id)
        widget.double_array_value.data.append(float(value))
        return await self.run("priorisation", [widget])


async def first_visit(port: int) -> tuple[float, float]:
    async with User(port) as user:
        home = await user.run("")
        await asyncio.sleep(READING_SECONDS)
        ranking = await user.run("priorisation")
    if user.slider_id is None:
        raise RuntimeError("la page Priorisation n'a pas affiché le curseur Urgence")
    return home, ranking


READING_SECONDS = 3.0  # a newcomer reads the Accueil before following a link
THINK_SECONDS = (2.0, 6.0)  # between two moves of one participant: look, discuss, move again


async def workshop(port: int, users: int, moves: int, seed: int = 0) -> list[float]:
    """Latencies of every move; the server is warmed by one visit first, as before a meeting."""
    rng = random.Random(seed)
    latencies: list[float] = []
    async with User(port) as organiser:
        await organiser.open("priorisation")

    async def one(number: int) -> None:
        await asyncio.sleep(rng.uniform(0, THINK_SECONDS[1]))
        async with User(port) as user:
            await user.open("priorisation")
            for _ in range(moves):
                await asyncio.sleep(rng.uniform(*THINK_SECONDS))
                latencies.append(await user.move_weight(rng.choice(WEIGHTS)))

    await asyncio.gather(*(one(number) for number in range(users)))
    return latencies


def served(sample: Path | None, work) -> object:
    port = free_port()
    server = start_server(port, sample)
    try:
        ready = wait_healthy(port)
        return work(port, ready)
    finally:
        server.terminate()
        server.wait(timeout=20)


# -- the report -----------------------------------------------------------------------------------


def report_reruns(files: dict[int, Path], moves: int) -> None:
    print("## Rerun of Priorisation after a weight change (server side, AppTest)\n")
    baseline = harness_baseline(moves)
    print("| Projects | First run of the page | Rerun median | Rerun p95 | Ratio to an empty app |")
    print("|---|---|---|---|---|")
    for size, path in files.items():
        first, timings = rerun_timings(path, moves)
        median = statistics.median(timings)
        print(
            f"| {size:,} | {ms(first)} | {ms(median)} | {ms(percentile(timings, 0.95))} "
            f"| {median / baseline:.0f}× ({ms(baseline)}) |".replace(",", " ")
        )


def report_first_visit() -> None:
    print("\n## First visit to a freshly started server (websocket, no browser)\n")
    print("| Page | Time after the health check says ok |")
    print("|---|---|")

    def visit(port: int, ready: float) -> tuple[float, float]:
        _, ranking = asyncio.run(first_visit(port))
        return time.perf_counter() - ready - ranking - READING_SECONDS, ranking

    home, ranking = served(None, visit)
    print(f"| Accueil (sample, first session) | {ms(home)} |")
    print(f"| Priorisation, {READING_SECONDS:.0f} s later | {ms(ranking)} |")


def report_workshop(samples: dict[str, Path | None], users: int, moves: int) -> None:
    low, high = THINK_SECONDS
    print(f"\n## Workshop: {users} users, each moving a weight every {low:.0f}–{high:.0f} s, one server\n")
    print("| Projects | Moves | Median | p95 | Max |")
    print("|---|---|---|---|---|")
    for label, sample in samples.items():
        latencies = served(sample, lambda port, ready: asyncio.run(workshop(port, users, moves)))
        print(
            f"| {label} | {len(latencies)} | {ms(statistics.median(latencies))} "
            f"| {ms(percentile(latencies, 0.95))} | {ms(max(latencies))} |"
        )


# -- 4. every page at 20,000 projects ------------------------------------------------------------


def page_timings(path: Path) -> list[tuple[str, float, float]]:
    """(page, first visit, rerun) for every page of the list, in one session on `path`."""
    import hashlib

    from streamlit.testing.v1 import AppTest

    from ui.navigation import PAGES
    from ui.state import Source

    data = path.read_bytes()
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    app.session_state["source"] = Source(path.name, data, hashlib.sha256(data).hexdigest(), False)
    rows = []
    for spec in PAGES:
        app.switch_page(spec.script)
        started = time.perf_counter()
        app.run()
        first = time.perf_counter() - started
        started = time.perf_counter()
        app.run()
        rows.append((spec.title, first, time.perf_counter() - started))
        assert not app.exception, (spec.title, app.exception)
    return rows


def report_pages(path: Path, size: int) -> None:
    title = f"Every page at {size:,} projects".replace(",", " ")
    print(f"\n## {title} (server side, AppTest; long computations in the background)\n")
    print("| Page | First visit | Rerun |")
    print("|---|---|---|")
    for title, first, again in page_timings(path):
        print(f"| {title} | {ms(first)} | {ms(again)} |")


# -- 5. memory after 100 sessions with distinct files --------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def report_memory(sessions: int, size: int, folder: Path) -> None:
    """RSS of the process while `sessions` sessions each hold their own file, and after they end."""
    import gc
    import hashlib

    from streamlit.testing.v1 import AppTest

    from ui.cache import SHARED
    from ui.state import Source

    projects = f"{size:,}".replace(",", " ")
    print(f"\n## Memory: {sessions} sessions, each with its own {projects}-project file\n")
    gc.collect()
    before = rss_mb()
    apps, peak, refused = [], before, 0
    for number in range(sessions):
        path = folder / f"session_{number}.xlsx"
        write_inventory_xlsx(path, size, seed=number)
        data = path.read_bytes()
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        app.session_state["source"] = Source(path.name, data, hashlib.sha256(data).hexdigest(), False)
        app.run()
        app.switch_page("pages/priorisation.py")
        app.run()
        refused += any("Le serveur garde déjà" in e.value for e in app.error)
        apps.append(app)
        peak = max(peak, rss_mb())
    held = SHARED.held / 1e6
    apps.clear()
    gc.collect()
    import ctypes

    ctypes.CDLL("libc.so.6").malloc_trim(0)  # as the server does, at most every few seconds
    after, held_after = rss_mb(), SHARED.held / 1e6
    columns = ["Sessions", "RSS before", "RSS, all open (peak)", "Held in the budget", "Refused", "RSS after",
               "Held after"]  # fmt: skip
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {sessions} | {before:.0f} Mo | {peak:.0f} Mo | {held:.0f} Mo | {refused} | {after:.0f} Mo "
        f"| {held_after:.0f} Mo |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--parts",
        default="rerun,first,workshop,pages,memory",
        help="among rerun, first, workshop, pages, memory",
    )
    options = parser.parse_args()
    parts = set(options.parts.split(","))
    moves = 8 if options.quick else 20
    users = 10 if options.quick else 30
    with tempfile.TemporaryDirectory() as folder:
        files = {size: Path(folder) / f"inventaire_{size}.xlsx" for size in (500, 5_000)}
        for size, path in files.items():
            write_inventory_xlsx(path, size)
        if "rerun" in parts:
            report_reruns(files, moves)
        if "first" in parts:
            report_first_visit()
        if "workshop" in parts:
            report_workshop({"40 (sample)": None, "500": files[500]}, users, moves)
        if "pages" in parts:
            large = Path(folder) / "inventaire_20000.xlsx"
            write_inventory_xlsx(large, 20_000)
            report_pages(large, 20_000)
        if "memory" in parts:
            report_memory(20 if options.quick else 100, 2_000, Path(folder))


if __name__ == "__main__":
    main()
