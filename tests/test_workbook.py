"""The exported workbook: every original column, Rang and Score, parameters, text kept text."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from prioritisation.export.workbook import EUROS, ranking_bytes, template_bytes
from prioritisation.ranking.criteria import Criterion, RankingSettings
from prioritisation.ranking.methods import Method
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from tests import corpus
from tests.test_app import SAMPLE

HEADERS = [*corpus.HEADERS, "Coût total HT", "Commentaire", "Date de dépôt"]
ROWS = [
    [*corpus.ROWS[0], "1 200 000 €", '=HYPERLINK("http://attaquant")', dt.date(2026, 3, 12)],
    [*corpus.ROWS[1], 210000, "+33 1 23 45 67 89", None],
    [*corpus.ROWS[2], 150000, "@SUM(1)", None],
]
NOW = dt.datetime(2026, 3, 12, 9, 30)


def exported(settings=None, headers=HEADERS, rows=ROWS, writer=corpus.simple_xlsx):
    inventory = load_inventory(writer(headers, rows), "inventaire.xlsx")
    ranking = rank_inventory(inventory, settings)
    return ranking, ranking_bytes(ranking, now=NOW)


def test_classement_keeps_every_column_then_rang_and_score_best_first():
    ranking, data = exported(RankingSettings(weights=(40, 35, 25)))
    sheet = load_workbook(io.BytesIO(data))["Classement"]
    rows = list(sheet.values)
    assert list(rows[0]) == [*HEADERS, "Rang", "Score"]
    assert [row[1] for row in rows[1:]] == ranking.summary()["Projet"].tolist()
    assert [row[-2] for row in rows[1:]] == sorted(row[-2] for row in rows[1:])
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["P01"][6] == 1_200_000 and by_id["P01"][8] == dt.datetime(2026, 3, 12)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K4"
    assert sheet["A1"].font.b
    assert sheet["G2"].number_format == EUROS


def test_text_that_looks_like_a_formula_is_written_as_text_never_as_a_formula():
    _, data = exported()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    sheet = load_workbook(io.BytesIO(data))["Classement"]
    comments = {cell.value for cell in sheet["H"][1:]}
    assert comments == {'=HYPERLINK("http://attaquant")', "+33 1 23 45 67 89", "@SUM(1)"}
    assert all(cell.data_type == "s" for cell in sheet["H"][1:])


def test_parametres_say_enough_to_reproduce_the_ranking():
    settings = RankingSettings(
        criteria=(Criterion("Urgence"), Criterion("Coût total HT", maximise=False)),
        weights=(3, 1),
        method=Method.TOPSIS,
    )
    _, data = exported(settings)
    values = dict(load_workbook(io.BytesIO(data))["Paramètres"].values)
    assert values["Méthode"] == "TOPSIS"
    assert values["Normalisation"].startswith("vectorielle")
    assert values["Fichier source"] == "inventaire.xlsx"
    assert values["Date"] == "12 mars 2026 à 09:30"
    assert values["Critère « Urgence »"] == "à maximiser, poids 3 → 75,0\u00a0%"
    assert values["Critère « Coût total HT »"] == "à minimiser, poids 1 → 25,0\u00a0%"
    assert "--method topsis" in values["Commande équivalente"]  # vector: TOPSIS's own normalisation
    assert "--method topsis" in values["Commande équivalente (PowerShell)"]


def test_a_text_longer_than_an_excel_cell_is_named_never_cut_silently():
    """A CSV cell may hold more than Excel's 32,767 characters; the export says which one it cut."""
    rows = [["Projet", "Urgence", "Impact", "Faisabilité", "Commentaire"], ["Fibre", 4, 4, 4, "x" * 40_000]]
    inventory = load_inventory(corpus.csv_bytes(rows), "inventaire.csv")
    data = ranking_bytes(rank_inventory(inventory), now=NOW)
    parameters = [list(row) for row in load_workbook(io.BytesIO(data))["Paramètres"].values]
    assert [
        "Texte tronqué",
        "ligne 2, colonne « Commentaire » : plus de 32\u202f767 caractères, la limite d'une cellule Excel",
    ] in parameters


def test_the_blank_template_has_drop_down_lists_and_instructions():
    workbook = load_workbook(io.BytesIO(template_bytes()))
    assert workbook.sheetnames == ["Lisez-moi", "Inventaire", "Listes"]
    sheet = workbook["Inventaire"]
    assert [cell.value for cell in sheet[1]][:3] == ["Identifiant", "Projet", "Axe stratégique"]
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    assert rules["C2:C501"].formula1 == "Listes!$A$2:$A$6"  # stored without "=", as Excel does
    assert rules["E2:E501"].formula1 == '"1,2,3,4,5"'


text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
)  # control characters too
cells = st.one_of(text, st.integers(-(10**9), 10**9), st.none())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scores=st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=8
    ),
    extras=st.lists(cells, min_size=8, max_size=8),
    costs=st.lists(st.floats(0, 1e8, allow_nan=False).map(lambda x: round(x, 2)), min_size=8, max_size=8),
)
def test_export_then_reimport_gives_back_the_same_table(scores, extras, costs):
    headers = ["Identifiant", "Projet", "Urgence", "Impact", "Faisabilité", "Coût (€)", "Note libre"]
    rows = [[f"P{i:02d}", f"Projet {i}", *score, costs[i], extras[i]] for i, score in enumerate(scores)]
    ranking, data = exported(headers=headers, rows=rows, writer=corpus.xlsx_any_text)
    again = load_inventory(data, "classement.xlsx")
    assert again.errors == []
    before = ranking.inventory.projects.set_index("id").sort_index()
    after = again.projects.set_index("id").sort_index()
    pd.testing.assert_frame_equal(before, after, check_dtype=False)
    notes_before = ranking.inventory.original.set_index("Identifiant")["Note libre"].map(_cell)
    notes_after = again.original.set_index("Identifiant")["Note libre"].map(_cell)
    pd.testing.assert_series_equal(notes_before.sort_index(), notes_after.sort_index())
    np.testing.assert_array_equal(again.original["Rang"].astype(int), np.sort(ranking.result.ranks))


def _cell(value):
    """What a spreadsheet cell holds, whoever wrote it: blank text is an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return re.sub(r"\r\n?", "\n", value) if isinstance(value, str) else value


def test_values_in_thousands_and_scores_in_words_are_exported_as_written():
    """A « Coût (k€) » of 45 is 45 000 € for the plan, but stays 45 under its header in the export
    (re-imported, it would otherwise be multiplied again); « forte » stays « forte » (the Paramètres
    sheet says it stood for 5). A French amount written as text becomes the number it says."""
    headers = ["Projet", "Urgence", "Impact", "Faisabilité", "Coût (k€)", "Coût de fonctionnement annuel"]
    rows = [["A", "forte", 3, 3, 45, "1 200 €"], ["B", "faible", 2, 2, 12, "300"]]
    inventory = load_inventory(corpus.simple_xlsx(headers, rows), "inventaire.xlsx")
    ranking = rank_inventory(inventory)
    assert inventory.projects["capex"].tolist() == [45_000.0, 12_000.0]
    book = load_workbook(io.BytesIO(ranking_bytes(ranking)))
    exported = {row[0]: row for row in book["Classement"].iter_rows(min_row=2, values_only=True)}
    assert exported["A"][1:6] == ("forte", 3, 3, 45, 1200)
    assert "forte → 5" in dict(book["Paramètres"].values)["Notes écrites en mots"]


def test_the_plan_sheets_speak_in_points_on_100_and_in_euros_and_cents_as_the_pages_do():
    """Calendrier said « score total 947 points » while Paramètres wrote 9,47…; the Budget sheet
    held 284973.1250000001."""
    from prioritisation import usecases
    from prioritisation.request import Request

    request = Request("inventaire_exemple.xlsx")
    ranking = rank_inventory(load_inventory(SAMPLE))
    plan = usecases.plan(ranking, request.plan)
    book = load_workbook(io.BytesIO(usecases.workbook_bytes(ranking, plan, request, None, None, None)))
    parameters = {row[0]: row[1] for row in book["Paramètres"].values if row and row[0]}
    total = parameters["Score total retenu (points, chaque score sur 100)"]
    assert total == round(plan.chosen.total_score * 100, 2) and total > 100
    amounts = [
        cell for row in book["Budget"].iter_rows(min_row=2, values_only=True) for cell in row[2:] if cell
    ]
    assert amounts and all(round(amount, 2) == amount for amount in amounts)
