"""A workshop end to end in a real browser: one facilitator, three phones, one export.

Debian's chromium driven by Playwright against `streamlit run app.py` (the fixtures of
tests/test_browser.py: a free port, the throwaway data folder of tests/conftest.py). The
facilitator opens a workshop; three participants (one at phone size, 390 × 844) open the
join link with the code, join and vote — one by pairwise comparison; the room's view,
refreshed by itself, shows three votes and the group's ranking; the facilitator adopts the
weights and the downloaded workbook carries the « Atelier » sheet, read back with openpyxl.
Screenshots go to test-artefacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from tests.browser import ARTEFACTS, assert_accessible, assert_no_exception, download_workbook, launch, settle

pytestmark = pytest.mark.browser
WAIT = 60_000


def join_and_vote(context, server_url: str, code: str, name: str, pairwise: bool = False):
    """A participant opens the join link, joins under `name` and votes."""
    page = context.new_page()
    page.goto(f"{server_url}/rejoindre?code={code}")
    page.get_by_label("Votre nom d'affichage").wait_for(timeout=WAIT)
    settle(page)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # the join page alone
    assert "Seul votre nom d'affichage est conservé" in page.locator('[data-testid="stMain"]').inner_text()
    page.get_by_label("Votre nom d'affichage").fill(name)
    page.get_by_label("Votre nom d'affichage").press("Enter")
    settle(page)
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_text("Votre vote", exact=True).wait_for(timeout=WAIT)
    settle(page)
    if pairwise:
        page.get_by_text("Comparer les critères deux à deux").click()
        page.get_by_text("Vos poids :").wait_for(timeout=WAIT)
        settle(page)
        thumbs = page.locator('[data-testid="stMain"]').get_by_role("slider")
        assert thumbs.count() == 3
        for index, presses in ((0, 2), (1, 4), (2, 1)):  # towards « the first counts more »: 3, 5, 2
            thumbs.nth(index).focus()
            for _ in range(presses):
                thumbs.nth(index).press("ArrowLeft")
                settle(page)
        page.get_by_text("Vos réponses sont cohérentes").wait_for(timeout=WAIT)
    else:
        thumb = page.locator('[data-testid="stMain"]').get_by_role("slider").first
        thumb.focus()
        thumb.press("End")  # the first criterion to 100, the others left at 50
        settle(page)
        page.get_by_text("50 %").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="Envoyer mon vote").click()
    page.get_by_text("Vote enregistré").wait_for(timeout=WAIT)
    settle(page)
    assert_no_exception(page, f"vote de {name}")
    return page


def test_a_facilitator_and_three_phones_run_a_workshop_and_export_it(
    browser_path: str,
    server_url: str,
    tmp_path: Path,
):
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            room = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
            facilitator = room.new_page()
            facilitator.goto(f"{server_url}/atelier")
            facilitator.get_by_role("button", name="Ouvrir l'atelier").wait_for(timeout=WAIT)
            settle(facilitator)
            facilitator.get_by_role("button", name="Ouvrir l'atelier").click()
            facilitator.get_by_text("Code :").wait_for(timeout=WAIT)
            settle(facilitator)
            main = facilitator.locator('[data-testid="stMain"]')
            link = facilitator.get_by_text(re.compile(r"/rejoindre\?code=\w{6}"))
            link.wait_for(timeout=WAIT)
            code = re.search(r"rejoindre\?code=(\w{6})", link.inner_text()).group(1)
            facilitator.locator('[data-testid="stImage"] img').first.wait_for(timeout=WAIT)
            assert facilitator.locator('[data-testid="stImage"] img').count() == 1  # the QR code
            secret = re.search(r"animation=([\w-]+)", facilitator.url).group(1)
            assert secret not in main.inner_text()  # the facilitator's secret: in their link only
            assert_no_exception(facilitator, "Atelier ouvert")
            assert_accessible(facilitator, "Atelier ouvert")
            facilitator.screenshot(path=ARTEFACTS / "atelier_ouvert.png", full_page=True)

            phones = [
                browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True),
                browser.new_context(viewport={"width": 1000, "height": 1200}),
                browser.new_context(viewport={"width": 1000, "height": 1200}),
            ]
            pages = [
                join_and_vote(phones[0], server_url, code, "Marie", pairwise=True),
                join_and_vote(phones[1], server_url, code, "Ahmed"),
                join_and_vote(phones[2], server_url, code, "Paul"),
            ]
            pages[0].screenshot(path=ARTEFACTS / "atelier_telephone.png", full_page=True)
            assert_accessible(pages[0], "Rejoindre un atelier (téléphone)")

            votes = facilitator.locator('[data-testid="stMetric"]').filter(has_text="Votes reçus")
            votes.filter(has_text="3").wait_for(timeout=WAIT)  # the room's view refreshed by itself
            facilitator.get_by_text("Classement avec les poids du groupe").wait_for(timeout=WAIT)
            facilitator.get_by_text("quel que soit le participant").wait_for(timeout=WAIT)
            settle(facilitator)
            assert facilitator.locator(".js-plotly-plot").count() >= 1
            assert_no_exception(facilitator, "Vue de la salle")
            assert_accessible(facilitator, "Vue de la salle")
            facilitator.screenshot(path=ARTEFACTS / "atelier_salle.png", full_page=True)

            # The controls, drawn before anyone joined, list the three (the room's view redrew
            # the page when it saw them) and stay open across the reruns their widgets cause.
            facilitator.get_by_text("Conduire l'atelier").click()
            removal = facilitator.get_by_label("Participant à retirer")
            removal.wait_for(timeout=WAIT)
            facilitator.get_by_text("Afficher les noms dans la vue de la salle").click()
            settle(facilitator)
            removal.click()
            facilitator.get_by_role("option", name="participant 3 — Paul").wait_for(timeout=WAIT)
            facilitator.keyboard.press("Escape")
            assert facilitator.get_by_role(
                "button", name="Retirer", exact=True
            ).is_disabled()  # nobody by default
            facilitator.get_by_text("Afficher les noms dans la vue de la salle").click()
            settle(facilitator)

            facilitator.get_by_role("button", name="Adopter les poids du groupe").click()
            facilitator.get_by_text("Poids adoptés de «").wait_for(timeout=WAIT)
            settle(facilitator)
            saved = download_workbook(facilitator, tmp_path, timeout=WAIT, marker="Feuille « Atelier »")
        finally:
            browser.close()

    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert "Atelier" in workbook.sheetnames
    rows = [row for row in workbook["Atelier"].values if row and row[0] is not None]
    about = {row[0]: row[1] for row in rows}
    assert about["Participants"] == 3
    assert about["Votes"].startswith("3 : 1 par comparaison par paires, 2 en poids directs")
    assert [row[0] for row in rows if str(row[0]).startswith("participant ")] == [
        "participant 1",
        "participant 2",
        "participant 3",
    ]
    origin = next(row[1] for row in workbook["Paramètres"].values if row[0] == "Origine des poids")
    assert origin.startswith("atelier « Atelier du ")
