"""End to end in a real browser: Debian's chromium driven by Playwright against `streamlit run`.

The server runs on a free local port; the test uploads the sample through the page, visits
every page from the sidebar, checks that no exception is shown, downloads the workbook and
opens it, and saves a screenshot of each page under test-artefacts/. Without chromium the
test is skipped with the way to install it — except in CI (`REQUIRE_BROWSER=1`), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from ui.navigation import PAGES

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
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


def test_a_user_uploads_ranks_and_exports_in_a_real_browser(
    browser_path: str, server_url: str, tmp_path: Path
):
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(
                viewport={"width": 1400, "height": 1500}, accept_downloads=True, locale="en-US"
            )
            page.goto(server_url)
            settle(page)
            assert nav_titles(page) == [spec.title for spec in PAGES]
            assert "données d'exemple" in page.locator('[data-testid="stMain"]').inner_text()
            assert_no_exception(page, "Accueil")
            page.screenshot(path=ARTEFACTS / "accueil.png", full_page=True)

            page.get_by_role("link", name="Inventaire").first.click()
            page.wait_for_selector(
                '[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=60_000
            )
            settle(page)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(SAMPLE))
            page.get_by_text("(votre fichier)").wait_for(timeout=60_000)
            settle(page)
            assert "40 projets" in page.locator('[data-testid="stMain"]').inner_text()
            assert_no_exception(page, "Inventaire")
            page.screenshot(path=ARTEFACTS / "inventaire.png", full_page=True)

            page.get_by_role("link", name="Priorisation").first.click()
            page.get_by_text("Pourquoi ce rang ?").wait_for(timeout=60_000)
            settle(page)
            page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
            assert_no_exception(page, "Priorisation")
            page.screenshot(path=ARTEFACTS / "priorisation.png", full_page=True)

            for title, marker in (("Calendrier", "Projets reportés"), ("Budget", "Plans de financement")):
                page.get_by_role("link", name=title).first.click()
                page.get_by_text(marker).first.wait_for(timeout=60_000)
                settle(page)
                page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
                assert_no_exception(page, title)
                page.screenshot(path=ARTEFACTS / f"{title.lower()}.png", full_page=True)

            page.get_by_role("link", name="Export").first.click()
            button = page.get_by_role("button", name="Télécharger le classeur Excel")
            button.wait_for(timeout=60_000)
            settle(page)
            assert_no_exception(page, "Export")
            page.screenshot(path=ARTEFACTS / "export.png", full_page=True)
            with page.expect_download(timeout=60_000) as download_info:
                button.click()
            download = download_info.value
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)

            phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone.goto(f"{server_url}/priorisation")
            phone.get_by_text("Pourquoi ce rang ?").wait_for(timeout=60_000)
            settle(phone)
            assert_no_exception(phone, "Priorisation (téléphone)")
            phone.screenshot(path=ARTEFACTS / "priorisation_telephone.png", full_page=True)
        finally:
            browser.close()

    assert saved.name.startswith("classement_inventaire_exemple_") and saved.suffix == ".xlsx"
    assert openpyxl.load_workbook(saved, read_only=True).sheetnames == [
        "Classement",
        "Calendrier",
        "Budget",
        "Robustesse",
        "Paramètres",
    ]
    exported = load_inventory(saved)
    expected = rank_inventory(load_inventory(SAMPLE)).summary()
    assert exported.projects["id"].tolist() == expected["Identifiant"].tolist()
