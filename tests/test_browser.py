"""End to end in a real browser: Debian's chromium driven by Playwright against `streamlit run`.

The server runs on a free local port; the test uploads the sample through the page, visits
every page from the sidebar, checks that no exception is shown and that axe-core finds no
serious accessibility violation, downloads the workbook and opens it, and saves a screenshot
of each page under test-artefacts/ (one at phone size).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from tests.browser import ARTEFACTS, ROOT, assert_accessible, assert_no_exception, launch, nav_titles, settle
from ui.navigation import PAGES

pytestmark = pytest.mark.browser
SAMPLE = ROOT / "sample_data" / "inventaire_exemple.xlsx"


def test_a_user_uploads_ranks_and_exports_in_a_real_browser(
    browser_path: str, server_url: str, tmp_path: Path
):
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(
                viewport={"width": 1400, "height": 1500}, accept_downloads=True, locale="en-US"
            )
            page.goto(server_url)
            settle(page)
            assert nav_titles(page) == [spec.title for spec in PAGES]
            assert "données d'exemple" in page.locator('[data-testid="stMain"]').inner_text()
            assert_no_exception(page, "Accueil")
            assert_accessible(page, "Accueil")
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
            assert_accessible(page, "Inventaire")
            page.screenshot(path=ARTEFACTS / "inventaire.png", full_page=True)

            page.get_by_role("link", name="Priorisation").first.click()
            page.get_by_text("Pourquoi ce rang ?").wait_for(timeout=60_000)
            settle(page)
            page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
            assert_no_exception(page, "Priorisation")
            assert_accessible(page, "Priorisation")
            page.screenshot(path=ARTEFACTS / "priorisation.png", full_page=True)

            for title, marker in (("Calendrier", "Projets reportés"), ("Budget", "Plans de financement")):
                page.get_by_role("link", name=title).first.click()
                page.get_by_text(marker).first.wait_for(timeout=60_000)
                settle(page)
                page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
                assert_no_exception(page, title)
                assert_accessible(page, title)
                page.screenshot(path=ARTEFACTS / f"{title.lower()}.png", full_page=True)

            page.get_by_role("link", name="Export").first.click()
            button = page.get_by_role("button", name="Télécharger le classeur Excel")
            button.wait_for(timeout=60_000)
            settle(page)
            assert_no_exception(page, "Export")
            assert_accessible(page, "Export")
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
            assert_accessible(phone, "Priorisation (téléphone)")
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
