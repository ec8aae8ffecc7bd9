"""What a cell cannot show is said, located: formulas never calculated, formula errors,
NaN, bytes removed from a CSV (issue 8 item 10, issue 9 item 8)."""

from __future__ import annotations

import math

import pytest

from prioritisation.reading.inventory import FORMULA_WITHOUT_VALUE, load_inventory
from prioritisation.reading.spreadsheet import read_bytes
from tests import corpus

HEADER_ROW = (
    '<row r="1">'
    + "".join(
        f'<c r="{column}1" t="inlineStr"><is><t>{header}</t></is></c>'
        for column, header in zip("ABCDEF", corpus.HEADERS, strict=True)
    )
    + "</row>"
)


def project_row(
    row: int, urgency_cell: str, title: str = '<c r="B{row}" t="inlineStr"><is><t>Portail {row}</t></is></c>'
) -> str:
    """A project whose Urgence cell (D) is written as given; Impact and Faisabilité are 3."""
    return (
        f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>P{row:02d}</t></is></c>'
        + title.format(row=row)
        + f'<c r="C{row}" t="inlineStr"><is><t>Axe 3</t></is></c>'
        + urgency_cell.format(row=row)
        + f'<c r="E{row}"><v>3</v></c><c r="F{row}"><v>3</v></c></row>'
    )


def inventory_of(*rows: str):
    data = corpus.xlsx_with_sheets({"Projets": corpus.sheet_xml(HEADER_ROW + "".join(rows))})
    return load_inventory(data, "inventaire.xlsx")


def messages(inventory, row: int) -> list[str]:
    return [problem.message for problem in inventory.errors if problem.row == row]


def test_reports_a_score_whose_formula_was_never_calculated_instead_of_a_missing_value():
    """A file written by a script: <f>SUM(…)</f> and no <v>, which reads as an empty cell."""
    inventory = inventory_of(
        project_row(2, '<c r="D{row}"><v>4</v></c>'), project_row(3, '<c r="D{row}"><f>SUM(E3:F3)</f></c>')
    )
    (problem,) = inventory.errors
    assert (problem.sheet, problem.row, problem.column) == ("Projets", 3, "Urgence")
    assert problem.message == FORMULA_WITHOUT_VALUE
    assert "ouvrez le fichier dans Excel ou LibreOffice et enregistrez-le" in problem.message


def test_reports_a_title_whose_formula_was_never_calculated_once():
    inventory = inventory_of(
        project_row(
            2, '<c r="D{row}"><v>4</v></c>', title='<c r="B{row}"><f>"Portail "&amp;A2</f><v></v></c>'
        )
    )
    assert messages(inventory, 2) == [FORMULA_WITHOUT_VALUE]


def test_a_calculated_formula_reads_as_its_value():
    inventory = inventory_of(project_row(2, '<c r="D{row}"><f>1+3</f><v>4</v></c>'))
    assert inventory.errors == []
    assert inventory.projects.loc[2, "urgency"] == 4


@pytest.mark.parametrize("code", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!"])
def test_reports_a_formula_error_in_a_score_by_its_code(code):
    """python-calamine reads an error cell as empty: the census kept its code."""
    inventory = inventory_of(project_row(2, f'<c r="D{{row}}" t="e"><f>E2/0</f><v>{code}</v></c>'))
    (problem,) = inventory.errors
    assert (problem.row, problem.column) == (2, "Urgence")
    assert f"la cellule contient une erreur de formule {code}" in problem.message


@pytest.mark.parametrize("value", ["NaN", "inf", "-inf", "1e400"])
def test_reports_a_score_that_is_a_number_type_but_not_a_number(value):
    """A float NaN took the fast path silently: the ranking refused later without naming the row."""
    inventory = inventory_of(project_row(2, f'<c r="D{{row}}"><v>{value}</v></c>'))
    (problem,) = inventory.errors
    assert (problem.row, problem.column) == (2, "Urgence")
    assert "qui n'est pas un nombre" in problem.message


@pytest.mark.parametrize("code", ["#DIV/0!", "#VALEUR!", "#N/A", "Err:502", "#NOM?"])
def test_reports_a_formula_error_written_into_a_csv(code):
    rows = [corpus.HEADERS, ["P01", "Portail", "Axe 3", code, 3, 3]]
    inventory = load_inventory(corpus.csv_bytes(rows), "inventaire.csv")
    (problem,) = inventory.errors
    assert (problem.row, problem.column) == (2, "Urgence")
    assert f"erreur de formule {code}" in problem.message


def test_reports_opendocument_formulas_without_value_and_errors():
    cells = {
        "without value": '<table:table-cell table:formula="of:=[.E2]"/>',
        "error": (
            '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="NaN" '
            'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
        ),
    }
    rows = "".join(
        "<table:table-row>"
        + "".join(corpus.ods_cell(value) for value in [f"P0{number}", "Portail", "Axe 3"])
        + cell
        + corpus.ods_cell(3)
        + corpus.ods_cell(3)
        + "</table:table-row>"
        for number, cell in enumerate(cells.values(), start=2)
    )
    data = corpus.ods_archive(
        corpus._ODS_HEAD.format(doctype="").replace(
            'office:version="1.2"',
            'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.2"',
        )
        + '<table:table table:name="Projets"><table:table-row>'
        + "".join(corpus.ods_cell(header) for header in corpus.HEADERS)
        + "</table:table-row>"
        + rows
        + "</table:table>"
        + corpus._ODS_TAIL
    )
    inventory = load_inventory(data, "inventaire.ods")
    assert messages(inventory, 2) == [FORMULA_WITHOUT_VALUE]
    assert [m.split(" :")[0] for m in messages(inventory, 3)] == [
        "la cellule contient une erreur de formule #DIV/0!"
    ]


# --- CSV: NUL bytes, UTF-16 ---------------------------------------------------------------


def test_reads_a_csv_with_a_stray_nul_byte_and_says_where_it_was_removed():
    """One NUL byte used to make the file « ni un classeur ni un CSV »."""
    data = corpus.csv_bytes(
        [corpus.HEADERS, ["P01", "Portail", "Axe 3", 4, 5, 2], ["P02", "Fibre", "Axe 1", 3, 4, 5]]
    )
    data = data.replace(b"Fibre", b"Fi\x00bre")
    inventory = load_inventory(data, "inventaire.csv")
    assert list(inventory.projects["title"]) == ["Portail", "Fibre"]
    (warning,) = [problem for problem in inventory.warnings if "nul" in problem.message]
    assert (warning.sheet, warning.row) == ("inventaire", 3)
    assert (
        "1 caractère nul (octet 0, invisible dans un tableur) retiré à la lecture, ligne 3" in warning.message
    )
    assert inventory.errors == []


def test_reads_a_csv_that_excel_saved_as_unicode_text():
    """Excel's « Texte Unicode (*.txt) »: UTF-16 little-endian with a byte-order mark, tab-separated."""
    data = corpus.csv_bytes(
        [corpus.HEADERS, ["P01", "Médiathèque numérique", "Axe 3", 4, 5, 2]],
        delimiter="\t",
        encoding="utf-16",
    )
    assert data.startswith(b"\xff\xfe")
    inventory = load_inventory(data, "inventaire.txt")
    assert list(inventory.projects["title"]) == ["Médiathèque numérique"]
    assert inventory.errors == []


def test_reads_utf16_without_a_byte_order_mark():
    data = corpus.csv_bytes(
        [corpus.HEADERS, ["P01", "Portail", "Axe 3", 4, 5, 2]], delimiter="\t", encoding="utf-16-be"
    )
    assert read_bytes(data, "inventaire.csv").sheets[0].rows[1][:2] == ["P01", "Portail"]


def test_a_criterion_added_from_the_file_says_which_cells_a_formula_left_blank():
    """ranking.criteria read them as « valeur manquante »; the census knows better."""
    from prioritisation.ranking.criteria import Criterion, RankingSettings
    from prioritisation.ranking.priorities import check

    rows = (
        '<row r="1"><c r="A1" t="str"><v>Projet</v></c><c r="B1" t="str"><v>Population</v></c></row>'
        '<row r="2"><c r="A2" t="str"><v>Portail</v></c><c r="B2"><v>1200</v></c></row>'
        '<row r="3"><c r="A3" t="str"><v>Fibre</v></c><c r="B3" t="e"><v>#DIV/0!</v></c></row>'
        '<row r="4"><c r="A4" t="str"><v>Tiers-lieu</v></c><c r="B4"><f>SUM(C4:D4)</f></c></row>'
        '<row r="5"><c r="A5" t="str"><v>Médiathèque</v></c></row>'
    )
    inventory = load_inventory(
        corpus.xlsx_with_sheets({"Projets": corpus.sheet_xml(rows)}), "inventaire.xlsx"
    )
    found = {
        problem.row: problem.message
        for problem in check(inventory, RankingSettings(criteria=(Criterion("Population"),)))
    }
    assert found[3].startswith("la cellule contient une erreur de formule #DIV/0!")
    assert found[4] == FORMULA_WITHOUT_VALUE.rstrip(".") + " (critère « Population »)."
    assert found[5].startswith("valeur manquante pour le critère « Population »")
    assert 2 not in found


def test_a_blank_score_left_by_a_formula_is_reported_once():
    from prioritisation.ranking.criteria import RankingSettings
    from prioritisation.ranking.priorities import check

    inventory = inventory_of(project_row(2, '<c r="D{row}"><f>SUM(E2:F2)</f></c>'))
    assert [problem.message for problem in check(inventory, RankingSettings()) if problem.row == 2] == [
        FORMULA_WITHOUT_VALUE
    ]


@pytest.mark.parametrize("nothing", ["-", " – ", "—", "néant", "Néant", "/"])
def test_a_dash_or_neant_in_an_amount_column_reads_as_no_amount_and_is_said(nothing):
    """« - » is how a grant column says « none »: not « n'est pas un montant » on every row."""
    data = f"Projet;Urgence;Impact;Faisabilité;Coût;Subvention DSIL\nPortail;3;3;3;1000;{nothing}\n".encode()
    inventory = load_inventory(data, "x.csv")
    assert inventory.errors == []
    assert math.isnan(inventory.projects["dsil"].iloc[0])
    assert any("« Subvention DSIL » : 1 cellule(s) « - » ou « néant »" in note for note in inventory.notes)


def test_a_dash_in_a_score_column_is_still_not_a_score():
    data = "Projet;Urgence;Impact;Faisabilité\nPortail;-;3;3\n".encode()
    [problem] = load_inventory(data, "x.csv").errors
    assert "« - » n'est pas une note" in problem.message
