"""Hostile and broken files are refused before any spreadsheet library sees them."""

from __future__ import annotations

import time

import pytest

from prioritisation.reading.inventory import load_inventory
from prioritisation.reading.spreadsheet import read_bytes, read_file
from prioritisation.reading.untrusted import (
    MB,
    FileRefused,
    ReadLimits,
    column_letters,
    column_number,
)
from tests import corpus


def refusal(data: bytes, name: str = "inventaire.xlsx", limits: ReadLimits | None = None) -> str:
    with pytest.raises(FileRefused) as refused:
        read_bytes(data, name, limits)
    return str(refused.value)


def test_refuses_a_file_over_the_upload_limit_before_reading_it():
    message = refusal(corpus.simple_xlsx(), limits=ReadLimits(max_file_bytes=1000))
    assert "« inventaire.xlsx » pèse" in message and "la limite est de" in message


def test_refuses_a_path_over_the_limit_from_its_size_alone(tmp_path):
    path = tmp_path / "gros.csv"
    path.write_bytes(b"Projet;Urgence\n" * 1000)
    with pytest.raises(FileRefused, match="pèse"):
        read_file(path, ReadLimits(max_file_bytes=100))


def test_refuses_a_workbook_whose_cells_would_span_the_whole_sheet():
    """5 KB, cells at A1 and XFD1048576: python-calamine would ask for 549 GB and abort."""
    data = corpus.xlsx({"Projets": [["Projet"]]})
    data = corpus.replace_member(
        data,
        "xl/worksheets/sheet1.xml",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Projet</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    )
    assert len(data) < 10_000
    message = refusal(data)
    assert (
        "feuille « Projets » : les valeurs s'étendent sur 1 048 576 lignes × 16 384 colonnes"
        in message.replace("\u202f", " ")
    )


def test_refuses_a_far_cell_even_when_attributes_come_in_another_order():
    data = corpus.replace_member(
        corpus.simple_xlsx(),
        "xl/worksheets/sheet1.xml",
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b"<row r='1'><c t='n' s='0' r='ZZZ900000'><v>1</v></c></row></sheetData></worksheet>",
    )
    assert "au-delà de la limite" in refusal(data)


def test_refuses_an_archive_that_inflates_far_beyond_its_size():
    data = corpus.zip_bomb_xlsx(inflated_bytes=300 * MB)
    assert len(data) < 2 * MB
    started = time.perf_counter()
    message = refusal(data)
    assert "bombe de décompression" in message
    assert time.perf_counter() - started < 10


def test_refuses_entity_expansion_in_a_workbook():
    data = corpus.simple_xlsx()
    data = corpus.replace_member(
        data,
        "xl/worksheets/sheet1.xml",
        (
            '<?xml version="1.0"?>'
            + corpus.BILLION_LAUGHS
            + '<worksheet xmlns="http://schemas.openxmlformats.'
            'org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t>'
            "</is></c></row></sheetData></worksheet>"
        ).encode(),
    )
    assert "déclarations XML interdites" in refusal(data)


def test_refuses_entity_expansion_in_an_ods():
    content = corpus.ods({"Projets": [["Projet"]]})
    data = corpus.ods({"Projets": [["Projet"], ["&lol9;"]]}, doctype=corpus.BILLION_LAUGHS)
    assert content != data
    assert "déclarations XML interdites" in refusal(data, "inventaire.ods")


def test_refuses_an_ods_whose_repeated_rows_would_fill_billions_of_cells():
    bomb_rows = (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )
    data = corpus.ods({"Projets": [["Projet"]]}, raw_rows=bomb_rows)
    assert "au-delà de la limite" in refusal(data, "inventaire.ods")


def test_reads_an_ods_with_libreoffice_trailing_empty_rows():
    data = corpus.ods({"Projets": [corpus.HEADERS, *corpus.ROWS]}, trailing_empty_rows=1_048_000)
    inventory = load_inventory(data, "inventaire.ods")
    assert len(inventory.projects) == 3
    assert inventory.errors == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (corpus.encrypted_office_file(), "protégé par un mot de passe"),
        (corpus.legacy_xls(), "Excel 97-2003 (.xls)"),
        (b"", "est vide"),
        (b"%PDF-1.7\n\x00\x01\x02 binary", "ni un classeur"),
        (corpus.simple_xlsx()[:400], "endommagé ou incomplet"),
        (corpus.replace_member(corpus.simple_xlsx(), "xl/workbook.xml", b"<workbook"), "ne peut pas être lu"),
    ],
    ids=["password", "xls", "empty", "pdf", "truncated", "broken-xml"],
)
def test_refuses_what_is_not_a_readable_workbook_with_a_french_reason(data, expected):
    assert expected in refusal(data)


def test_refuses_text_that_claims_to_be_a_workbook_by_its_name():
    with pytest.raises(FileRefused, match="porte l'extension d'un classeur"):
        read_bytes(b"Projet;Urgence\nPortail;5\n", "inventaire.xlsx")
    assert read_bytes(b"Projet;Urgence\nPortail;5\n", "inventaire.csv").sheets[0].rows[1] == ["Portail", "5"]


def test_refuses_a_zip_that_is_not_a_workbook():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    assert "n'est pas un classeur" in refusal(buffer.getvalue())


@pytest.mark.parametrize(("letters", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("XFD", 16384)])
def test_column_letters_and_numbers_are_inverse(letters, number):
    assert column_number(letters) == number
    assert column_letters(number) == letters
