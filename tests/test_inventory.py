"""Inventories as people keep them are read; every problem is reported where the user sees it."""

from __future__ import annotations

import datetime as dt
import io
import math

import pytest

from prioritisation.ranking.criteria import Criterion, RankingSettings
from prioritisation.ranking.priorities import check
from prioritisation.reading.fields import UnknownOverride, map_columns, normalise_header, recognise
from prioritisation.reading.inventory import Scale, load_inventory, with_cells, with_mapping
from prioritisation.reading.untrusted import FileRefused
from tests import corpus


def messages(inventory, settings=None) -> list[str]:
    return [str(problem) for problem in check(inventory, settings or RankingSettings())]


# -- finding the table ---------------------------------------------------------------------


def test_finds_the_data_sheet_after_a_cover_sheet_and_the_header_below_title_rows():
    data = corpus.xlsx(
        {
            "Lisez-moi": [["Inventaire 2026"], ["Projet : voir l'onglet suivant"]],
            "Projets": [["Feuille de route numérique"], [], ["Version 3"], corpus.HEADERS, *corpus.ROWS],
        },
        merged={"Projets": "A1:F1"},
    )
    inventory = load_inventory(data, "inventaire.xlsx")
    assert inventory.table.sheet == "Projets"
    assert inventory.table.header_row == 4
    assert list(inventory.projects.index) == [5, 6, 7]
    assert list(inventory.projects["title"]) == [row[1] for row in corpus.ROWS]


def test_sheet_option_overrides_the_guess_and_names_the_sheets_when_wrong():
    data = corpus.xlsx({"A": [corpus.HEADERS, *corpus.ROWS], "B": [corpus.HEADERS, corpus.ROWS[0]]})
    assert len(load_inventory(data, "x.xlsx", sheet="B").projects) == 1
    with pytest.raises(FileRefused, match=r"n.a pas de feuille « C »\. Feuilles : « A », « B »"):
        load_inventory(data, "x.xlsx", sheet="C")


def test_a_workbook_with_no_inventory_anywhere_is_refused_with_advice():
    data = corpus.xlsx({"Notes": [["Bonjour"]], "Budget": [["Année", "Enveloppe"], [2026, 100]]})
    with pytest.raises(FileRefused, match=r"Aucune feuille .* ne ressemble à un inventaire"):
        load_inventory(data, "x.xlsx")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("URGENCE", "urgency"),
        ("Urgence (1 à 5)", "urgency"),
        ("Faisabilite", "feasibility"),
        ("  faisabilité  ", "feasibility"),
        ("Coût total HT", "capex"),
        ("Coût (€)", "capex"),
        ("Montant", "capex"),
        ("Coût d’investissement (€)", "capex"),
        ("Intitulé", "title"),
        ("Libellé", "title"),
        ("Nom du projet", "title"),
        ("Prérequis", "depends_on"),
        ("N°", "id"),
        ("Durée en mois", "duration"),
        ("Fonds propres", "own_funds"),
        ("Partenaires privés (€)", "private"),
        ("Commentaire", None),
    ],
)
def test_recognises_headers_written_the_users_way(header, field):
    assert recognise(header) == field


def test_normalised_headers_lose_case_accents_units_and_brackets():
    assert normalise_header("Coût d'investissement (€)") == "cout d investissement"
    assert normalise_header("ŒUVRE [note]") == "oeuvre"


def test_column_override_maps_a_field_to_the_users_header_and_reports_unknowns():
    headers = ["Nom de l'action", "Urgence", "Impact", "Faisabilité"]
    mapping = map_columns(headers, {"title": "Nom de l'action"})
    assert mapping.position("title") == 0
    with pytest.raises(UnknownOverride, match="Champ inconnu « titre_du_projet »"):
        map_columns(headers, {"titre_du_projet": "Nom de l'action"})
    with pytest.raises(UnknownOverride, match="Aucune colonne « Absente »"):
        map_columns(headers, {"title": "Absente"})


def test_column_override_lets_the_header_row_be_found_from_the_users_own_words():
    data = corpus.xlsx({"Feuille": [["Action", "Priorité politique"], ["Fibre", 3], ["Portail", 5]]})
    inventory = load_inventory(data, "x.xlsx", columns={"title": "Action"})
    assert list(inventory.projects["title"]) == ["Fibre", "Portail"]
    settings = RankingSettings(criteria=(Criterion("Priorité politique"),))
    assert messages(inventory, settings) == []


def test_a_second_column_for_the_same_field_is_kept_and_reported():
    headers = ["Projet", "Coût", "Montant", "Urgence", "Impact", "Faisabilité"]
    inventory = load_inventory(corpus.simple_xlsx(headers, [["A", 10, 20, 1, 2, 3]]), "x.xlsx")
    assert inventory.header_of("capex") == "Coût"
    assert any("« Montant » désigne aussi" in note for note in inventory.notes)
    assert inventory.original.loc[2, "Montant"] == 20


# -- values written the French way ----------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8", ";"), ("cp1252", ";"), ("utf-8", ","), ("utf-8-sig", "\t")]
)
def test_reads_csv_in_french_excel_dialects(encoding, delimiter):
    rows = [
        ["Projet", "Urgence", "Impact", "Faisabilité", "Coût total HT", "Durée (mois)"],
        ["Écoles numériques", "4", "4,5", "3", "1 200 000 €", "12"],
        ["Fibre", "5", "5", "2", "45\u202f000,50", "36"],
    ]
    if delimiter == ",":  # a comma-separated file quotes its French decimals
        rows = [[f'"{cell}"' if "," in cell else cell for cell in row] for row in rows]
    if encoding == "cp1252":  # Windows-1252 has the no-break space, not the narrow one
        rows = [[cell.replace("\u202f", "\u00a0") for cell in row] for row in rows]
    inventory = load_inventory(corpus.csv_bytes(rows, delimiter, encoding), "inventaire.csv")
    assert inventory.errors == []
    assert list(inventory.projects["title"]) == ["Écoles numériques", "Fibre"]
    assert list(inventory.projects["impact"]) == [4.5, 5.0]
    assert list(inventory.projects["capex"]) == [1_200_000.0, 45_000.5]


def test_keeps_every_unknown_column_and_its_values_untouched():
    headers = [*corpus.HEADERS, "Commentaire", "", "Date de dépôt"]
    rows = [[*row, "=SOMME(A1:A2)", "libre", dt.date(2026, 3, 12)] for row in corpus.ROWS]
    inventory = load_inventory(corpus.simple_xlsx(headers, rows), "x.xlsx")
    assert list(inventory.table.headers) == headers
    assert list(inventory.original.columns[-3:]) == ["Commentaire", "Colonne H", "Date de dépôt"]
    assert inventory.original["Commentaire"].tolist() == ["=SOMME(A1:A2)"] * 3
    assert inventory.original["Date de dépôt"].tolist()[0] == dt.date(2026, 3, 12)


def test_generates_ids_when_the_file_has_none_and_says_so():
    headers = ["Projet", "Urgence", "Impact", "Faisabilité"]
    inventory = load_inventory(corpus.simple_xlsx(headers, [["A", 1, 2, 3], ["B", 3, 2, 1]]), "x.xlsx")
    assert list(inventory.projects["id"]) == ["P001", "P002"]
    assert any("numérotés P001" in note for note in inventory.notes)


def test_recognises_axes_written_in_short_forms():
    rows = [
        [f"P{i}", f"Projet {i}", axis, 3, 3, 3]
        for i, axis in enumerate(["1", "Axe 2", "3 - Services", "inclusion"])
    ]
    inventory = load_inventory(corpus.simple_xlsx(corpus.HEADERS, rows), "x.xlsx")
    assert list(inventory.projects["axis"]) == [
        "Infrastructures d'accès au numérique",
        "Nouveaux modèles de développement territorial",
        "Services numériques innovants",
        "Usages numériques et inclusion",
    ]


# -- every problem at once, located as the user sees it -----------------------------------


def broken_inventory():
    headers = [
        "N°",
        "Intitulé",
        "Axe",
        "URGENCE",
        "Impact",
        "Faisabilite",
        "Coût total HT",
        "Prérequis",
        "DETR (€)",
    ]
    rows = [
        ["P01", "Fibre", "Axe 1", 4, 5, 2, "1 000 000", "", 2_000_000],
        ["P02", "Portail", "", 7, "à voir", "", "-5", "P09", None],
        ["P01", "", "Axe 9", 3, 3, 3, 10, "P04", None],
        ["P04", "Fibre", "Axe 3", 3, 3, 3, 10, "P05", None],
        ["P05", "Total", "Axe 3", 3, 3, 3, 10, "P04", None],
    ]
    data = corpus.xlsx({"Projets": [["Inventaire"], [], headers, *rows]})
    return load_inventory(data, "inventaire.xlsx")


def test_reports_every_error_with_sheet_row_and_header_as_written():
    found = messages(broken_inventory())
    where = "Erreur — feuille « Projets », ligne"
    expected_errors = [
        f"{where} 5, colonne « URGENCE » : la note 7 est hors de l'échelle de 1 à 5.",
        f"{where} 5, colonne « Impact » : « à voir » n'est pas une note.",
        f"{where} 5, colonne « Coût total HT » : le montant -5\u00a0€ est négatif",
        f"{where} 5, colonne « Prérequis » : dépend de « P09 », qui n'est l'identifiant d'aucun projet.",
        f"{where} 5, colonne « Faisabilite » : valeur manquante pour le critère « Faisabilite ».",
        f"{where} 4, colonne « N° » : l'identifiant « P01 » est utilisé par plusieurs projets (lignes 4, 6).",
        f"{where} 6, colonne « Intitulé » : projet sans intitulé.",
        f"{where} 7, colonne « Prérequis » : dépendance circulaire : P04 → P05 → P04.",
        f"{where} 8, colonne « Intitulé » : « Total » ressemble à une ligne de total",
    ]
    for expected in expected_errors:
        assert any(message.startswith(expected) for message in found), expected
    expected_warnings = [
        "Avertissement — feuille « Projets », ligne 5, colonne « Axe » : axe stratégique non renseigné",
        "Avertissement — feuille « Projets », ligne 6, colonne « Axe » : axe « Axe 9 » non reconnu",
        "Avertissement — feuille « Projets », ligne 4, colonne « Intitulé » : l'intitulé « Fibre » apparaît "
        "plusieurs fois (lignes 4, 7)",
    ]  # funding above the cost is the funding check's (tests/test_funding.py), reported once
    for expected in expected_warnings:
        assert any(message.startswith(expected) for message in found), expected
    assert found.index(next(m for m in found if m.startswith("Avertissement"))) == sum(
        m.startswith("Erreur") for m in found
    ), "errors come before warnings"


def test_a_missing_title_or_criterion_column_is_an_error_naming_it():
    inventory = load_inventory(corpus.simple_xlsx(["Identifiant", "Urgence"], [["P01", 3]]), "x.xlsx")
    found = messages(inventory)
    assert any("aucune colonne ne donne l'intitulé des projets" in m for m in found)
    assert any("le critère « Impact » n'a pas de colonne dans la feuille" in m for m in found)
    assert any("le critère « Faisabilité » n'a pas de colonne" in m for m in found)


def test_a_declared_scale_accepts_scores_the_default_would_refuse():
    rows = [["P01", "A", "Axe 1", 8, 9, 10], ["P02", "B", "Axe 1", 0, 5, 5]]
    data = corpus.simple_xlsx(corpus.HEADERS, rows)
    assert len(load_inventory(data, "x.xlsx").errors) == 4
    assert load_inventory(data, "x.xlsx", scale=Scale(0, 10)).errors == []


def test_a_blank_template_is_an_inventory_with_no_projects():
    from prioritisation.export.workbook import template_bytes

    inventory = load_inventory(template_bytes(), "modele.xlsx")
    assert inventory.table.sheet == "Inventaire"
    assert [str(e) for e in inventory.errors] == [
        "Erreur — feuille « Inventaire », ligne 2 : aucun projet sous la ligne d'en-tête (ligne 1). "
        "Ajoutez une ligne par projet."
    ]


def test_an_edited_cell_is_revalidated_and_the_original_table_is_not_mutated():
    inventory = broken_inventory()
    before = inventory.original.copy()
    fixed = with_cells(inventory, {(5, "URGENCE"): 4})
    assert fixed.projects.loc[5, "urgency"] == 4
    assert not any("la note 7" in m for m in messages(fixed))
    assert inventory.original.equals(before)
    assert math.isnan(inventory.projects.loc[5, "urgency"])


def test_remapping_a_column_rereads_the_table():
    headers = ["Projet", "Urgence", "Impact", "Faisabilité", "Enveloppe votée"]
    inventory = load_inventory(corpus.simple_xlsx(headers, [["A", 1, 2, 3, "12 k€"]]), "x.xlsx")
    assert math.isnan(inventory.projects.loc[2, "capex"])
    remapped = with_mapping(inventory, map_columns(headers, {"capex": "Enveloppe votée"}))
    assert remapped.projects.loc[2, "capex"] == 12_000


def test_reads_a_macro_enabled_workbook_without_running_anything():
    """An .xlsm: its own content type and a VBA project, which is never executed nor kept."""
    import zipfile

    data = corpus.simple_xlsx()
    types = (
        zipfile.ZipFile(io.BytesIO(data))
        .read("[Content_Types].xml")
        .replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    )
    data = corpus.replace_member(data, "[Content_Types].xml", types)
    data = corpus.replace_member(data, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    inventory = load_inventory(data, "inventaire.xlsm")
    assert list(inventory.projects["title"]) == [row[1] for row in corpus.ROWS]
    assert inventory.errors == []


def test_a_column_chosen_by_hand_is_taken_from_the_field_that_had_it():
    from prioritisation.reading.fields import map_columns, with_choices

    headers = ["Projet", "Urgence", "Impact", "Retombées"]
    recognised = map_columns(headers)
    moved = with_choices(recognised, headers, {"feasibility": 2, "urgency": None})
    assert moved.position("feasibility") == 2
    assert moved.position("impact") is None
    assert moved.position("urgency") is None
    assert moved.position("title") == 0
    assert any("« Impact » n'a plus de colonne" in note for note in moved.notes)
    assert recognised.position("impact") == 2  # the recognised mapping is left as it was


def test_a_total_row_that_closes_the_table_is_left_out_and_said_not_four_errors():
    """« TOTAL » under the projects, with sums and no score: not a project (it was one error for
    the total and one « valeur manquante » per score, and counted among the projects)."""
    headers = ["Projet", "Urgence", "Impact", "Faisabilité", "Coût"]
    rows = [["Fibre", 4, 5, 2, 1000], ["Portail", 3, 3, 3, 500], [], ["TOTAL", None, None, None, 1500]]
    inventory = load_inventory(corpus.xlsx({"Projets": [headers, *rows]}), "inventaire.xlsx")
    assert inventory.errors == [] and len(inventory.projects) == 2
    [said] = [problem for problem in inventory.warnings if problem.code == "closing_total_row"]
    assert (said.row, said.column) == (5, "Projet") and "« TOTAL » est une ligne de total" in said.message
    assert list(inventory.original["Projet"]) == ["Fibre", "Portail"]  # not exported as a project


def test_a_scored_project_titled_total_or_a_subtotal_among_projects_stays_an_error():
    headers = ["Projet", "Urgence", "Impact", "Faisabilité"]
    rows = [["Sous-total DSI", None, None, None], ["Fibre", 4, 5, 2], ["Total réseau", 3, 3, 3]]
    inventory = load_inventory(corpus.xlsx({"Projets": [headers, *rows]}), "inventaire.xlsx")
    assert [problem.row for problem in inventory.errors if problem.code == "total_row"] == [2, 4]


def test_a_cell_merged_down_over_several_projects_is_read_on_each_and_said():
    """« Service porteur » merged over rows 6–7 read empty on row 7."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Projets"
    sheet.append(["Programme numérique 2026"])  # a title merged across: left as it is
    sheet.merge_cells("A1:E1")
    sheet.append(["Projet", "Service porteur", "Urgence", "Impact", "Faisabilité"])
    for row in (["Fibre", "DSI", 4, 5, 2], ["Portail", None, 3, 3, 3], ["Écoles", "Éducation", 3, 4, 5]):
        sheet.append(row)
    sheet.merge_cells("B3:B4")
    data = io.BytesIO()
    book.save(data)
    inventory = load_inventory(data.getvalue(), "inventaire.xlsx")
    assert list(inventory.projects["owner_service"]) == ["DSI", "DSI", "Éducation"]
    [said] = [problem for problem in inventory.warnings if problem.code == "merged_cells_read"]
    assert (said.sheet, said.row) == ("Projets", 4) and "colonne(s) B" in said.message
