"""Real, careless and hostile use through a real browser (issues 8 and 9).

A collectivité's programme file reaches a ranking, a calendar, a budget and an export without
leaving the browser; a link opened first after a restart shows the whole app and the same
ranking; hostile link values and damaged files never show a traceback; a reload keeps the file
and edits typed quickly; the command shown on Export, pasted into bash, runs nothing else.
"""

from __future__ import annotations

import os
import random
import shlex
import subprocess
import sys

import openpyxl
import pytest

from prioritisation.ranking.criteria import RankingSettings
from prioritisation.ranking.methods import Method
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from tests import corpus
from tests.browser import (
    ROOT,
    assert_no_exception,
    download_workbook,
    launch,
    main_text,
    nav_titles,
    serve,
    settle,
    upload,
)
from ui.navigation import PAGES

pytestmark = pytest.mark.browser
SAMPLE = ROOT / "sample_data" / "inventaire_exemple.xlsx"


def go(page, url: str, marker: str) -> None:
    page.goto(url)
    page.get_by_text(marker).first.wait_for(timeout=90_000)
    settle(page)


def ranked_titles(page, count: int = 10) -> list[str]:
    """The first projects of the ranking as the scores chart labels them (« 1. Portail citoyen… »)."""
    ticks = page.locator(".js-plotly-plot").first.locator(".ytick text")
    ticks.first.wait_for(timeout=60_000)
    placed = ticks.evaluate_all("nodes => nodes.map(n => [n.getBoundingClientRect().top, n.textContent])")
    return [label for _, label in sorted(placed)][:count]  # top first: the chart's order


def wait_for_titles(page, expected: list[str], seconds: float = 60) -> list[str]:
    """The chart's first projects once they are `expected` (a rerun may still be drawing them)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        titles = ranked_titles(page, len(expected))
        if titles == expected or time.monotonic() > deadline:
            return titles
        page.wait_for_timeout(500)


def expected_titles(settings: RankingSettings, count: int = 10) -> list[str]:
    from ui.charts import LABEL_LENGTH
    from ui.tables import short

    summary = rank_inventory(load_inventory(SAMPLE), settings).summary()
    return [
        f"{rank}. {short(title, LABEL_LENGTH)}"
        for rank, title in zip(summary["Rang"], summary["Projet"], strict=True)
    ][:count]


def rank_on_a_cost(page, column: str, timeout: float) -> None:
    """On Priorisation with a file without scores: rank on `column`, the lower the better, up to
    the offer to rank without the rows in error."""
    page.get_by_text("Colonnes sur lesquelles classer").wait_for(timeout=timeout)
    settle(page, timeout=timeout)
    page.get_by_label("Colonnes sur lesquelles classer").click()
    page.get_by_role("option", name=column, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    page.get_by_text("Moins c'est élevé, mieux c'est").last.click()
    settle(page)
    page.get_by_role("button", name="Classer sur ces colonnes").click()
    page.get_by_role("button", name="Classer sans les").wait_for(timeout=timeout)
    settle(page, timeout=timeout)


def slider(page, label: str):
    return page.locator('[data-testid="stSlider"]').filter(has_text=label).locator('input[type="range"]')


def test_a_collectivite_programme_file_reaches_ranking_calendar_budget_and_export(
    browser_path, server_url, tmp_path
):
    """Issue 8, done when: a file with a « Lisez-moi » sheet, a title block, its own headers, no
    score columns, a grant-scheme column, two bad rows and a declared extent far beyond its data,
    uploaded as it is, is mapped by the tool, ranked on a column of its own, planned, budgeted and
    exported — without leaving the browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400}, accept_downloads=True)
            go(page, f"{server_url}/inventaire", "Importer l'inventaire")
            upload(page, "programme_numerique.xlsx", corpus.collectivite_programme_xlsx())
            page.get_by_text("(votre fichier)").wait_for(timeout=90_000)
            settle(page)
            text = main_text(page)
            assert "Programmation" in text and "12 projets" in text
            assert_no_exception(page, "Inventaire (programme)")

            page.get_by_role("link", name="Priorisation").first.click()
            rank_on_a_cost(page, "Coût prévisionnel HT", timeout=60_000)
            assert "erreurs" in main_text(page)
            page.get_by_role("button", name="Classer sans les").click()
            page.get_by_text("Pourquoi ce rang ?").wait_for(timeout=60_000)
            settle(page)
            assert_no_exception(page, "Priorisation (programme)")

            for title, marker in (("Calendrier", "Projets reportés"), ("Budget", "Plans de financement")):
                page.get_by_role("link", name=title).first.click()
                page.get_by_text(marker).first.wait_for(timeout=90_000)
                settle(page)
                assert_no_exception(page, f"{title} (programme)")

            saved = download_workbook(page, tmp_path)
        finally:
            browser.close()
    workbook = openpyxl.load_workbook(saved, read_only=True)
    classement = list(workbook["Classement"].values)
    assert classement[0][:2] == ("N° opération", "Libellé du projet")
    assert len(classement) - 1 == 12  # every project: ten ranked, then the two left out as asked
    header = list(classement[0])
    left_out = [row for row in classement[1:] if row[header.index("Ligne écartée")]]
    assert len(left_out) == 2 and all(row[header.index("Rang")] is None for row in left_out)
    parameters = list(workbook["Paramètres"].values)
    assert sum(1 for label, _ in parameters if label == "Ligne écartée") == 2


def test_a_link_opened_first_after_a_restart_shows_the_whole_app_and_the_same_ranking(browser_path, tmp_path):
    """Issue 9.7 and 8.7: on a server nobody has visited, a shared link opens on our menu, the
    wide layout and the file; a link copied after setting Impact to 0 gives the same ranking."""
    from playwright.sync_api import sync_playwright

    with serve(PRIORISATION_DONNEES=str(tmp_path / "donnees")) as url, sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            go(
                page,
                f"{url}/priorisation?poids_urgence=60&poids_impact=0&methode=topsis",
                "Pourquoi ce rang ?",
            )
            assert nav_titles(page) == [spec.title for spec in PAGES]
            width = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"]
            assert width > 1000, f"mise en page étroite ({width} px)"
            assert "inventaire_exemple" in page.locator('[data-testid="stSidebar"]').inner_text()
            assert_no_exception(page, "lien profond")
            expected = expected_titles(RankingSettings(weights=(60, 0, 50), method=Method.TOPSIS))
            assert wait_for_titles(page, expected) == expected

            thumb = slider(page, "Faisabilit")
            thumb.focus()
            thumb.press("Home")  # Faisabilité to 0
            page.wait_for_function(
                "() => window.location.search.includes('poids_faisabilite=0')", timeout=30_000
            )
            settle(page)
            expected = expected_titles(RankingSettings(weights=(60, 0, 0), method=Method.TOPSIS))
            assert wait_for_titles(page, expected) == expected
            link = page.url
            colleague = browser.new_context().new_page()
            colleague.set_viewport_size({"width": 1440, "height": 1400})
            go(colleague, link, "Pourquoi ce rang ?")
            assert wait_for_titles(colleague, expected) == expected
            assert "poids_impact=0" in link and "poids_faisabilite=0" in link
        finally:
            browser.close()


def test_hostile_values_in_a_link_are_brought_within_bounds_with_a_notice(browser_path, server_url):
    """Issue 9.7: −50, 150, NaN, inf (1e308 in tests/test_app.py) and an unknown method never end in « erreur
    inattendue »; each is replaced or bounded, with a French notice, and the link says what is used."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            link = "poids_urgence=-50&poids_impact=150&poids_faisabilite=NaN&methode=TOPSIS&vikor_v=inf"
            go(page, f"{server_url}/priorisation?{link}", "Pourquoi ce rang ?")
            assert_no_exception(page, "lien hostile")
            text = page.locator('[data-testid="stApp"]').inner_text()
            assert "un poids va de 0 à 100" in text and "ce n'est pas un poids" in text
            page.wait_for_function("() => window.location.search.includes('poids_urgence=0')", timeout=30_000)
            assert "methode=topsis" in page.url and "poids_impact=100" in page.url
            page.reload()
            page.get_by_text("Pourquoi ce rang ?").wait_for(timeout=60_000)
            settle(page)
            assert_no_exception(page, "lien hostile rechargé")
        finally:
            browser.close()


def damaged_files(count: int = 6) -> list[tuple[str, bytes]]:
    """Byte flips and truncations of the sample, a CSV cell over 131 072 characters, a CSV with a
    NUL byte: the kinds of file that once showed a traceback."""
    sample = SAMPLE.read_bytes()
    generator = random.Random(20261202)
    files = [("tronque.xlsx", sample[: len(sample) // 2])]
    for number in range(count):
        flipped = bytearray(sample)
        for _ in range(8):
            flipped[generator.randrange(200, len(flipped))] ^= 1 << generator.randrange(8)
        files.append((f"abime_{number}.xlsx", bytes(flipped)))
    files.append(("longue_cellule.csv", ("Projet;Urgence\n" + "x" * 140_000 + ";3\n").encode()))
    files.append(("nul.csv", b"Projet;Urgence;Impact;Faisabilit\xc3\xa9\nA\x00;1;2;3\n"))
    return files


def test_damaged_uploads_never_show_a_traceback(browser_path, server_url):
    """Issue 9.2: whatever is uploaded, the page answers in French; never a traceback."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            go(page, f"{server_url}/inventaire", "Importer l'inventaire")
            for name, data in damaged_files():
                upload(page, name, data)
                page.wait_for_timeout(500)
                settle(page, timeout=90_000)
                assert_no_exception(page, name)
                text = main_text(page)
                assert "n'a pas été importé" in text or "(votre fichier)" in text, name
        finally:
            browser.close()


# Streamlit's own English (ui/interface_fr.js translates it): none of it may be left.
STREAMLIT_ENGLISH = (
    "Upload", "per file", "file upload", "Remove ", "Add files", "Help for", "Fullscreen", "Search",
    "Show/hide columns", "Download as CSV", "Collapse sidebar", "Main menu", "App pages", "Sidebar",
    "Copy to clipboard", "Increment", "Decrement", "Link to heading", "Choose an option", "Choose options",
)  # fmt: skip


def streamlit_words(page) -> list[str]:
    """Accessible names, placeholders and the uploader's own text, as the browser has them."""
    return page.evaluate(
        """() => [
          ...Array.from(document.querySelectorAll('[aria-label]'), (e) => e.getAttribute('aria-label')),
          ...Array.from(document.querySelectorAll('[placeholder]'), (e) => e.getAttribute('placeholder')),
          ...Array.from(document.querySelectorAll('[data-testid="stFileUploader"]'), (e) => e.innerText),
        ]"""
    )


def test_streamlits_own_words_are_french_on_every_page_and_a_file_the_browser_refuses_says_why(
    browser_path, server_url
):
    """Issue 9.8: one limit, one French message — also when the browser refuses the file before
    sending it (Streamlit's « File must be 20.0MB or smaller. », drawn off-screen); the page's
    language is French (RGAA 8.3) and no accessible name keeps a Markdown escape (« \\( »)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            for spec in PAGES:
                go(page, f"{server_url}/{spec.url_path}", spec.title)
                page.wait_for_timeout(500)
                assert page.evaluate("document.documentElement.lang") == "fr", spec.title
                words = streamlit_words(page)
                left = [w for w in words if any(english in w for english in STREAMLIT_ENGLISH)]
                assert not left, f"{spec.title} : {left}"
                assert not [w for w in words if "\\(" in w or "\\)" in w], spec.title
            go(page, f"{server_url}/inventaire", "Importer l'inventaire")
            uploader = page.locator('[data-testid="stFileUploader"]')
            assert "Choisir un fichier" in uploader.inner_text() and "20 Mo au plus" in uploader.inner_text()
            upload(page, "trop_gros.csv", b"Projet;Urgence\n" + b"x" * 20_000_001)
            refusal = uploader.get_by_role("alert")
            refusal.wait_for(timeout=30_000)
            assert refusal.inner_text().strip() == "Fichier refusé : il dépasse 20 Mo, la taille maximale."
            assert refusal.bounding_box()["width"] > 100  # shown, not only to screen readers
            assert "Fichier en cours : inventaire_exemple.xlsx" in main_text(page)  # nothing else changed
        finally:
            browser.close()


def test_a_reload_keeps_the_file_and_every_edit_typed_quickly(browser_path, server_url):
    """Issue 9.6: three values typed one after the other without waiting all land; a reload (F5)
    brings back the uploaded file and the edits, from the store, through the page's link."""
    from playwright.sync_api import sync_playwright

    data = corpus.csv_bytes(
        [["Projet", "Urgence", "Impact", "Faisabilité"], *[[f"Projet {i}", 3, 3, 3] for i in range(1, 9)]]
    )
    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            go(page, f"{server_url}/inventaire", "Importer l'inventaire")
            upload(page, "ma_commune.csv", data, "text/csv")
            page.get_by_text("(votre fichier)").wait_for(timeout=60_000)
            settle(page)
            editor = page.locator('[data-testid="stDataFrame"]').last
            editor.scroll_into_view_if_needed()
            box = editor.bounding_box()
            page.mouse.click(box["x"] + 400, box["y"] + 35 + 17)  # focus the table
            for row, value in enumerate(("5", "4", "2")):  # « Urgence », rows 1 to 3, one after the other
                page.mouse.dblclick(box["x"] + 400, box["y"] + 35 + 35 * row + 17)
                page.locator("textarea.gdg-input, input.gdg-input").first.wait_for(timeout=10_000)
                page.wait_for_timeout(150)  # a person's pace: the cell opens, then they type
                page.keyboard.press("Control+a")
                page.keyboard.type(value, delay=80)
                page.wait_for_timeout(150)
                page.keyboard.press("Enter")
                page.wait_for_timeout(300)  # the next value is typed while the page reruns
            page.get_by_text("3 cellule(s) modifiée(s)").wait_for(timeout=60_000)
            settle(page)
            page.wait_for_function("() => window.location.search.includes('etat=')", timeout=30_000)
            page.reload()
            page.get_by_text("3 cellule(s) modifiée(s)").wait_for(timeout=60_000)
            settle(page)
            assert "ma_commune.csv" in page.locator('[data-testid="stSidebar"]').inner_text()
            assert_no_exception(page, "rechargement")
        finally:
            browser.close()


def test_the_command_shown_on_export_pasted_into_bash_runs_nothing_else(browser_path, server_url, tmp_path):
    """Issue 9.1: a file named « inv$(touch X).csv »; the command the Export page shows, pasted
    into bash, creates no X and gives back the ranking the page shows."""
    from playwright.sync_api import sync_playwright

    name = "inv$(touch X).csv"
    rows = [["Projet", "Urgence", "Impact", "Faisabilité"]]
    rows += [[f"Projet {i}", 1 + i % 5, 1 + (i * 3) % 5, 1 + (i * 7) % 5] for i in range(10)]
    data = corpus.csv_bytes(rows)
    with sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            go(page, f"{server_url}/inventaire", "Importer l'inventaire")
            upload(page, name, data, "text/csv")
            page.get_by_text("(votre fichier)").wait_for(timeout=60_000)
            settle(page)
            page.get_by_role("link", name="Export").first.click()
            page.get_by_text("Refaire ce classement en ligne de commande").wait_for(timeout=60_000)
            settle(page)
            page.get_by_text("Refaire ce classement en ligne de commande").click()
            code = page.locator('[data-testid="stCode"]').first
            code.wait_for(timeout=30_000)
            command = code.inner_text().strip()
        finally:
            browser.close()
    (tmp_path / name).write_bytes(data)
    command = command.replace("python -m", f"{shlex.quote(sys.executable)} -m", 1)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    pasted = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    assert pasted.returncode == 0, pasted.stderr
    assert not (tmp_path / "X").exists()
    titles = [
        row[0]
        for row in list(
            openpyxl.load_workbook(tmp_path / "classement.xlsx", read_only=True)["Classement"].values
        )[1:]
    ]
    expected = rank_inventory(load_inventory(data, name)).summary()["Projet"].tolist()
    assert titles == expected


def test_every_page_of_a_large_inventory_answers_without_a_traceback(browser_path, tmp_path):
    """Issue 9.5 (the timings are in bench/dashboard.py): 5,000 projects, every page drawn."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "bench"))
    from bench import write_inventory_xlsx

    path = tmp_path / "grand_inventaire.xlsx"
    write_inventory_xlsx(path, 5_000)
    environment = {"PRIORISATION_EXEMPLE": str(path), "PRIORISATION_DONNEES": str(tmp_path / "donnees")}
    with serve(**environment) as url, sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400})
            for spec in PAGES:
                page.goto(f"{url}/{spec.url_path}")
                settle(page, timeout=120_000)
                page.wait_for_timeout(500)
                settle(page, timeout=120_000)
                assert_no_exception(page, f"{spec.title} (5 000 projets)")
        finally:
            browser.close()


PUBLIC = corpus.public_files()
PUBLIC_FILES = [
    ("projets_dotations_investissement_2019.xlsx", "cout_total"),  # a cover sheet, declared to row 1 048 576
    ("Projets_DI_2018.ods", "COUT"),  # LibreOffice, 26 295 rows
]


@pytest.mark.parametrize(("name", "cost"), PUBLIC_FILES)
def test_a_public_grant_list_as_it_is_reaches_ranking_calendar_budget_and_export(
    browser_path, tmp_path, name, cost
):
    """Issue 8, done when: the State's grant lists (DGCL/ANCT, Licence Ouverte) uploaded as they
    are — no scores, the scheme in its own column, a few rows in error — are ranked on their
    cost, planned, budgeted and exported without leaving the browser. Skipped where the files
    are absent (not committed: fichiers_publics/ or PRIORISATION_FICHIERS_PUBLICS)."""
    from playwright.sync_api import sync_playwright

    path = PUBLIC / name
    if not path.is_file():
        pytest.skip(f"{name} n'est pas sur cette machine (dossier {PUBLIC})")
    with serve(PRIORISATION_DONNEES=str(tmp_path / "donnees")) as url, sync_playwright() as playwright:
        browser = launch(playwright, browser_path)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400}, accept_downloads=True)
            go(page, f"{url}/inventaire", "Importer l'inventaire")
            upload(page, name, path.read_bytes())
            page.get_by_text("(votre fichier)").wait_for(timeout=180_000)
            settle(page, timeout=180_000)
            assert_no_exception(page, f"Inventaire ({name})")
            page.get_by_role("link", name="Priorisation").first.click()
            rank_on_a_cost(page, cost, timeout=120_000)
            page.get_by_role("button", name="Classer sans les").click()
            page.get_by_text("Pourquoi ce rang ?").wait_for(timeout=180_000)
            settle(page, timeout=180_000)
            assert_no_exception(page, f"Priorisation ({name})")
            for title, marker in (("Calendrier", "Projets reportés"), ("Budget", "Plans de financement")):
                page.get_by_role("link", name=title).first.click()
                page.get_by_text(marker).first.wait_for(timeout=180_000)
                settle(page, timeout=180_000)
                assert_no_exception(page, f"{title} ({name})")
            saved = download_workbook(page, tmp_path, timeout=300_000)
        finally:
            browser.close()
    book = openpyxl.load_workbook(saved, read_only=True)
    assert {"Classement", "Calendrier", "Budget", "Paramètres"} <= set(book.sheetnames)
    left_out = sum(1 for label, _ in book["Paramètres"].values if label == "Ligne écartée")
    assert left_out > 0  # the rows in error, named
