"""A damaged file is refused in French, never with a traceback (issue 9 item 2).

Byte flips and truncations of an .xlsx, an .ods and a .csv: `read_bytes` returns a
workbook or raises FileRefused, nothing else. The explicit recipes are mutations that made
the reader raise zipfile's, zlib's, the csv module's or expat's own errors before (found by
running 6 000 of them once: 23 % of the damaged archives ended in a traceback).
"""

from __future__ import annotations

import pytest

from prioritisation.reading.spreadsheet import RawWorkbook, read_bytes
from prioritisation.reading.untrusted import FileRefused
from tests import corpus

BASES = corpus.fuzz_bases()


def read_or_refuse(data: bytes, name: str) -> RawWorkbook | None:
    try:
        return read_bytes(data, name)
    except FileRefused as refused:
        assert str(refused).startswith("«")  # a French sentence about the file, not a traceback
        return None


@pytest.mark.parametrize(
    ("kind", "seed", "raised_before"),
    [
        ("xlsx", 0, "zlib.error: invalid distance too far back"),
        ("xlsx", 1021, "NotImplementedError: zip file version 21.3"),
        ("xlsx", 1657, "ValueError: negative seek value"),
        ("ods", 1, "BadZipFile: Bad CRC-32 for file 'mimetype'"),
        ("ods", 7, "zlib.error: invalid distance too far back"),
        ("ods", 142, "ValueError: negative seek value"),
        ("ods", 208, "RuntimeError: File 'mimetype' is encrypted"),
        ("ods", 543, "BadZipFile: File name in directory and header differ"),
        ("ods", 1380, "NotImplementedError: strong encryption"),
        ("csv", 1, "_csv.Error: new-line character seen in unquoted field"),
    ],
)
def test_damaged_files_that_raised_a_library_error_are_refused_in_french(kind, seed, raised_before):
    data, name = BASES[kind]
    mutated = corpus.mutated(data, f"{kind}-{seed}")
    assert mutated != data
    read_or_refuse(mutated, name)


@pytest.mark.parametrize("kind", ["xlsx", "ods", "csv"])
def test_random_damage_is_read_or_refused_never_raised(kind):
    data, name = BASES[kind]
    for seed in range(100_000, 100_150):
        read_or_refuse(corpus.mutated(data, f"{kind}-{seed}"), name)


def test_an_xml_declaration_naming_an_unknown_encoding_is_refused():
    """expat raised LookupError for « UTFK8 »."""
    content = corpus._ODS_HEAD.format(doctype="").replace('encoding="UTF-8"', 'encoding="UTFK8"')
    data = corpus.ods_archive(content + '<table:table table:name="Projets"/>' + corpus._ODS_TAIL)
    with pytest.raises(FileRefused, match="endommagé"):
        read_bytes(data, "inventaire.ods")


def test_a_csv_cell_over_the_csv_module_limit_is_refused_in_french():
    """_csv.Error: field larger than field limit (131072)."""
    data = b"Projet;Description\nPortail;" + b"x" * 200_000 + b"\n"
    with pytest.raises(
        FileRefused, match=r"ligne 2 : une valeur dépasse 131.072 caractères, la limite par cellule"
    ):
        read_bytes(data, "inventaire.csv")


def test_a_csv_quote_left_open_is_refused_in_french():
    data = b'Projet;Description\nPortail;"Un texte' + b" x" * 100_000 + b"\nAutre;5\n"
    with pytest.raises(FileRefused, match=r"ligne 2 : .* un guillemet y est resté ouvert"):
        read_bytes(data, "inventaire.csv")


def test_a_rust_panic_in_python_calamine_is_refused_in_french(monkeypatch):
    """pyo3 raises a Rust panic as pyo3_runtime.PanicException, a BaseException (not an Exception).

    A 5 KB workbook announcing 2^64 - 1 shared strings made python-calamine 0.9.1 panic with
    « capacity overflow »; that one is now refused before calamine, so the panic is simulated.
    """
    import python_calamine

    PanicException = type("PanicException", (BaseException,), {})  # as pyo3 names it

    def panic(_: object) -> None:
        raise PanicException("capacity overflow")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", panic)
    with pytest.raises(FileRefused, match="ne peut pas être lu comme un classeur"):
        read_bytes(corpus.simple_xlsx(), "inventaire.xlsx")


def test_an_interruption_is_not_taken_for_a_damaged_file(monkeypatch):
    import python_calamine

    def interrupt(_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", interrupt)
    with pytest.raises(KeyboardInterrupt):
        read_bytes(corpus.simple_xlsx(), "inventaire.xlsx")
