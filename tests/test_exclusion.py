"""« Classer sans les lignes en erreur »: explicit, reversible, recorded row by row (issue 8.5)."""

from __future__ import annotations

import pytest

from prioritisation.ranking.criteria import Criterion, RankingSettings, criteria_matrix
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import (
    load_inventory,
    row_errors,
    unskippable_errors,
    with_cells,
    without_error_rows,
    without_rows,
)
from tests import corpus

HEADERS = ["Projet", "Urgence", "Impact", "Faisabilité", "Dépendances", "Coût"]


def read(rows, headers=HEADERS):
    return load_inventory(corpus.simple_xlsx(headers, rows), "x.xlsx")


def test_rows_with_errors_are_left_out_and_recorded_while_the_whole_inventory_is_unchanged():
    rows = [
        ["Fibre", 4, 5, 2, "", 100],
        ["", 3, 3, 3, "", 100],  # no title
        ["Portail", 9, 4, 4, "", 100],  # off the scale
        ["Écoles", 3, 4, 5, "", 100],
    ]
    whole = read(rows)
    before = whole.projects.copy()
    ranked = without_error_rows(whole)
    assert list(ranked.projects.index) == [2, 5]
    assert ranked.errors == []
    assert [(row.row, row.project_id) for row in ranked.excluded_rows] == [(3, "P002"), (4, "P003")]
    assert "colonne « Projet » : projet sans intitulé" in ranked.excluded_rows[0].reasons[0]
    assert str(ranked.excluded_rows[1]).startswith(
        "ligne 4 (P003 « Portail ») : colonne « Urgence » : la note 9"
    )
    assert any("2 ligne(s) écartée(s) car en erreur (lignes 3, 4)" in note for note in ranked.notes)
    assert whole.projects.equals(before) and len(whole.errors) == 2 and whole.excluded_rows == ()
    assert list(rank_inventory(ranked).summary()["Projet"]) == ["Écoles", "Fibre"]


def test_generated_identifiers_keep_their_values_once_rows_are_left_out():
    rows = [["A", 3, 3, 3, "", 1], ["", 3, 3, 3, "", 1], ["C", 3, 3, 3, "", 1]]
    ranked = without_error_rows(read(rows))
    assert list(ranked.projects["id"]) == ["P001", "P003"]


def test_a_project_that_needs_a_left_out_one_is_left_out_in_turn_with_that_reason():
    headers = ["Identifiant", *HEADERS]
    rows = [
        ["P1", "Socle", 3, 3, 3, "", 100],
        ["P2", "Réseau", 7, 3, 3, "", 100],  # off the scale
        ["P3", "Portail", 3, 3, 3, "P2", 100],  # needs P2
        ["P4", "Application", 3, 3, 3, "P3", 100],  # needs P3
    ]
    ranked = without_error_rows(read(rows, headers))
    assert list(ranked.projects["id"]) == ["P1"]
    reasons = {row.project_id: row.reasons for row in ranked.excluded_rows}
    assert "dépend de « P2 », écarté du classement avec la ligne 3" in reasons["P3"][0]
    assert "dépend de « P3 », écarté du classement avec la ligne 4" in reasons["P4"][0]


def test_errors_not_tied_to_a_row_cannot_be_skipped_and_are_said_so():
    inventory = read([["", 3], ["A", 3]], ["Identifiant", "Urgence"])  # no title column
    assert [problem.code for problem in unskippable_errors(inventory)] == ["no_title_column"]
    assert row_errors(inventory) == {}
    assert without_error_rows(inventory).errors == inventory.errors


def test_the_criterias_own_errors_can_leave_rows_out_too():
    rows = [["A", 3, 3, 3, "", 100], ["B", 3, 3, 3, "", None], ["C", 3, 3, 3, "", 50]]
    inventory = read(rows)
    settings = RankingSettings(criteria=(Criterion("urgency"), Criterion("capex", maximise=False)))
    _, _, missing = criteria_matrix(inventory, settings)
    assert [problem.row for problem in missing] == [3]
    ranked = without_error_rows(inventory, missing)
    assert list(ranked.projects["title"]) == ["A", "C"]
    assert "valeur manquante" in ranked.excluded_rows[0].reasons[0]
    assert list(rank_inventory(ranked, settings).summary()["Projet"]) == ["C", "A"]


def test_rows_can_be_left_out_by_hand_and_stay_out_through_edits():
    inventory = read([["A", 3, 3, 3, "", 1], ["B", 3, 3, 3, "", 1], ["C", 3, 3, 3, "", 1]])
    fewer = without_rows(inventory, {3: ["doublon de A"]})
    edited = with_cells(fewer, {(4, "Urgence"): 5})
    assert list(edited.projects.index) == [2, 4]
    assert [row.reasons for row in edited.excluded_rows] == [("doublon de A",)]
    with pytest.raises(ValueError, match="Lignes absentes de l'inventaire : 3"):
        without_rows(fewer, {3: ["encore"]})


def test_the_export_keeps_every_row_the_ones_left_out_last_unranked_with_why():
    """Finance reads the Classement sheet: a project left out as in error is still there, every
    cell as the file has it, without a rank, and says why (the CSV too)."""
    import csv
    import io

    import openpyxl

    from prioritisation import usecases
    from prioritisation.export.csv_export import ranking_csv
    from prioritisation.request import Request

    rows = [
        ["Fibre", 4, 5, 2, "", 100],
        ["Portail", 9, 4, 4, "", "1 200 €"],  # off the scale
        ["Écoles", 3, 4, 5, "", 100],
    ]
    ranking = rank_inventory(without_error_rows(read(rows)))
    book = openpyxl.load_workbook(
        io.BytesIO(usecases.workbook_bytes(ranking, None, Request("x.xlsx"), None, None, None)),
        read_only=True,
    )
    sheet = [row for row in book["Classement"].values if any(cell is not None for cell in row)]
    header = list(sheet[0])
    assert header[-3:] == ["Rang", "Score", "Ligne écartée"]
    body = [dict(zip(header, row, strict=True)) for row in sheet[1:]]
    assert [row["Projet"] for row in body] == ["Écoles", "Fibre", "Portail"]
    assert (body[2]["Urgence"], body[2]["Coût"], body[2]["Rang"]) == (9, "1 200 €", None)
    assert body[2]["Ligne écartée"].startswith("en erreur : colonne « Urgence » : la note 9")
    assert body[0]["Ligne écartée"] in ("", None)
    table = list(csv.reader(io.StringIO(ranking_csv(ranking).decode("utf-8-sig")), delimiter=";"))
    assert table[0][-3:] == ["Rang", "Score", "Ligne écartée"]
    assert table[3][0] == "Portail" and table[3][-3:-1] == ["", ""] and table[3][-1].startswith("en erreur")
