"""Shared by the browser tests: Debian's chromium, a `streamlit run` server, waiting and checks.

Without chromium the browser tests are skipped with the way to install it — except in CI
(`REQUIRE_BROWSER=1`), where a missing browser is a failure. axe-core (npm package, pinned in
package.json, installed by scripts/test.sh) checks every page against WCAG 2.1 AA (RGAA).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "inventaire_exemple.xlsx"
ARTEFACTS = ROOT / "test-artefacts"
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit s'est arrêté (code {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("streamlit n'a pas répondu « ok » sur /_stcore/health")


@pytest.fixture(scope="module")
def browser_path() -> str:
    path = chromium_path()
    if path is None:
        reason = (
            "chromium est absent : installez-le avec « apt-get update && apt-get install -y chromium » "
            "(le test de bout en bout utilise le chromium de Debian, jamais un téléchargement)."
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@contextlib.contextmanager
def serve(**environment: str) -> Iterator[str]:
    """A fresh `streamlit run app.py` on a free port (its own data folder if none is given)."""
    port = free_port()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **environment}
    server = subprocess.Popen(
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
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with serve() as url:
        yield url


def settle(page, timeout: float = 60_000) -> None:
    page.wait_for_selector(READY, timeout=timeout)
    page.wait_for_timeout(300)  # a rerun may start just after
    page.wait_for_selector(READY, timeout=timeout)


def assert_no_exception(page, where: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, where
    text = page.locator('[data-testid="stMain"]').inner_text()
    for sign in ("Traceback", "Error:", "Exception", "erreur inattendue"):
        assert sign not in text, f"{where}: « {sign} » affiché"


def nav_titles(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [link.inner_text().strip().splitlines()[-1].strip() for link in links.all()]


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page, where: str) -> None:
    """No serious or critical WCAG 2.1 AA violation on the page, as axe-core finds them."""
    if not AXE.is_file():
        reason = "axe-core est absent : « npm ci » l'installe (package.json) ; scripts/test.sh le fait."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    serious = [
        f"{v['id']} ({v['impact']}) : {v['help']} — {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{where} : " + " ; ".join(serious)


def launch(playwright, browser_path: str):
    return playwright.chromium.launch(executable_path=browser_path, headless=True, args=CHROMIUM_FLAGS)


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def upload(page, name: str, data: bytes, mime: str = "application/octet-stream") -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )


def download_workbook(page, folder: Path, timeout: float = 90_000, marker: str | None = None) -> Path:
    """From the Export page (its link clicked here): the workbook downloaded into `folder`,
    once `marker` (a text the page must show first) is there."""
    page.get_by_role("link", name="Export").first.click()
    button = page.get_by_role("button", name="Télécharger le classeur Excel")
    button.wait_for(timeout=timeout)
    if marker:
        page.get_by_text(marker).wait_for(timeout=timeout)
    settle(page, timeout=timeout)
    with page.expect_download(timeout=max(timeout, 90_000)) as download_info:
        button.click()
    saved = folder / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    return saved
