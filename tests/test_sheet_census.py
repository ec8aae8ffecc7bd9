"""The census counts what python-calamine will really build, never less.

Each property builds a sheet, counts it, then lets python-calamine read it: the grid it
returns is never larger than the census (that is what makes the size guard a guard), and
for the ways real files are written it is exactly the census. The regular-expression scan
and the expat scan give the same census wherever both apply.
"""

from __future__ import annotations

from array import array

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prioritisation.reading.ods_census import OdsContentScan
from prioritisation.reading.sheet_census import (
    BoundXlsxSheetScan,
    PlainSharedStringsScan,
    PlainXlsxSheetScan,
    SharedStrings,
    SharedStringsScan,
    SheetCensus,
    SheetTally,
    XlsxSheetScan,
    calamine_position,
)
from prioritisation.reading.spreadsheet import read_bytes
from prioritisation.reading.untrusted import column_letters
from tests import corpus

SHARED = ["", "Fibre", "Portail citoyen", "Conseillers numériques", "x" * 40]
# Each kind of cell, as written in a sheet, and whether calamine reads a value from it.
CELLS = {
    "number": ('<c r="{ref}"><v>1.5</v></c>', True),
    "typed number": ('<c r="{ref}" s="0" t="n"><v>4</v></c>', True),
    "shared string": ('<c r="{ref}" s="0" t="s"><v>{index}</v></c>', True),
    "text": ('<c r="{ref}" t="str"><v>abc</v></c>', True),
    "empty text": ('<c r="{ref}" t="str"><v></v></c>', True),
    "inline text": ('<c r="{ref}" t="inlineStr"><is><t>abc</t></is></c>', True),
    "error": ('<c r="{ref}" t="e"><v>#DIV/0!</v></c>', True),
    "formula and value": ('<c r="{ref}"><f>1+1</f><v>2</v></c>', True),
    "formula without value": ('<c r="{ref}"><f>SUM(A1:A2)</f></c>', False),
    "formula and empty value": ('<c r="{ref}"><f>SUM(A1:A2)</f><v></v></c>', False),
    "styled empty": ('<c r="{ref}" s="0"/>', False),
    "styled open and closed": ('<c r="{ref}" s="0"></c>', False),
    "empty number": ('<c r="{ref}"><v></v></c>', False),
}

positions = st.tuples(st.integers(1, 40), st.integers(1, 30))
cells = st.dictionaries(
    positions, st.tuples(st.sampled_from(sorted(CELLS)), st.integers(0, len(SHARED) - 1)), max_size=30
)


def cell_xml(row: int, column: int, kind: str, index: int) -> str:
    return CELLS[kind][0].format(ref=f"{column_letters(column)}{row}", index=index)


def rows_xml(sheet: dict[tuple[int, int], tuple[str, int]], far_empty_row: bool = True) -> str:
    by_row: dict[int, list[str]] = {}
    for (row, column), (kind, index) in sorted(sheet.items()):
        by_row.setdefault(row, []).append(cell_xml(row, column, kind, index))
    body = "".join(f'<row r="{row}">{"".join(items)}</row>' for row, items in sorted(by_row.items()))
    return body + ('<row r="1048576"></row>' if far_empty_row else "")


def shared_lengths() -> SharedStrings:
    return SharedStrings(array("q", [len(text) for text in SHARED]), len(SHARED))


def census_by(scan_class: type, xml: bytes, chunk: int = 1 << 20) -> tuple[SheetCensus, bool]:
    tally = SheetTally("Projets")
    scan = scan_class(tally, shared_lengths())
    for start in range(0, len(xml), chunk):
        scan.feed(xml[start : start + chunk])
    scan.feed(b"", True)
    return tally.census(), getattr(scan, "plain", True)


def calamine_grid(sheet: bytes) -> tuple[int, int]:
    """(rows, columns) of the grid python-calamine returns for this sheet."""
    data = corpus.xlsx_with_sheets({"Projets": sheet}, corpus.shared_strings_xml(SHARED))
    rows = read_bytes(data, "inventaire.xlsx").sheet("Projets").rows
    return len(rows), max(map(len, rows), default=0)


def expected(sheet: dict[tuple[int, int], tuple[str, int]]) -> tuple[int, int, frozenset, dict]:
    held = [position for position, (kind, _) in sheet.items() if CELLS[kind][1]]
    rows = max((row for row, _ in held), default=0)
    columns = max((column for _, column in held), default=0)
    formulas = frozenset(
        (row - 1, column - 1)
        for (row, column), (kind, _) in sheet.items()
        if kind in ("formula without value", "formula and empty value")
    )
    errors = {
        (row - 1, column - 1): "#DIV/0!" for (row, column), (kind, _) in sheet.items() if kind == "error"
    }
    return rows, columns, formulas, errors


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheet=cells, chunk=st.sampled_from([7, 64, 1 << 20]))
def test_both_scans_count_the_cells_calamine_fills_and_no_others(sheet, chunk):
    """Empty styled cells, formulas never calculated and an empty last row are not content."""
    xml = corpus.sheet_xml(rows_xml(sheet), dimension='<dimension ref="A1:XFD1048576"/>')
    plain, is_plain = census_by(PlainXlsxSheetScan, xml, chunk)
    full, _ = census_by(XlsxSheetScan, xml, chunk)
    rows, columns, formulas, errors = expected(sheet)
    assert is_plain
    for census in (plain, full):
        assert (census.rows, census.columns) == (rows, columns)
        assert census.formulas_without_value == formulas
        assert dict(census.formula_errors) == errors
    assert plain.text_chars == full.text_chars  # ASCII text: bytes and characters agree
    assert calamine_grid(xml) == (rows, columns)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheet=cells, chunk=st.sampled_from([7, 64, 1 << 20]))
def test_the_cheap_bounds_are_never_below_the_exact_count(sheet, chunk):
    """Every reference counts, filled or not: exact when no cell is empty."""
    xml = corpus.sheet_xml(rows_xml(sheet), dimension='<dimension ref="A1:XFD1048576"/>')
    bound, is_plain = census_by(BoundXlsxSheetScan, xml, chunk)
    exact, _ = census_by(PlainXlsxSheetScan, xml, chunk)
    assert is_plain
    assert bound.rows >= exact.rows and bound.columns >= exact.columns
    assert bound.text_chars >= exact.text_chars and bound.longest_text >= exact.longest_text
    if all(CELLS[kind][1] for kind, _ in sheet.values()):
        assert (bound.rows, bound.columns) == (exact.rows, exact.columns)
    assert bound.formulas_without_value == exact.formulas_without_value
    assert dict(bound.formula_errors) == dict(exact.formula_errors)


# Spellings that are valid XML and that calamine reads, but that the usual writers never use.
UNUSUAL = {
    "attributes in another order": lambda ref, body: f"<c t='n' s='0' r='{ref}'>{body}</c>",
    "lower-case reference": lambda ref, body: f'<c r="{ref.lower()}">{body}</c>',
    "spaces around the reference": lambda ref, body: f'<c r = "{ref}" >{body}</c>',
    "leading zeros": lambda ref, body: (
        f'<c r="{ref[0]}00{ref[1:]}">{body}</c>' if ref[1:2].isdigit() else None
    ),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sheet=st.dictionaries(positions, st.sampled_from(sorted(UNUSUAL)), min_size=1, max_size=20),
    prefix=st.sampled_from(["", "x", "spreadsheet"]),
    chunk=st.sampled_from([5, 64, 1 << 20]),
)
def test_unusual_spellings_are_read_in_full_and_counted_as_calamine_reads_them(sheet, prefix, chunk):
    by_row: dict[int, list[str]] = {}
    held = []
    for (row, column), spelling in sorted(sheet.items()):
        ref = f"{column_letters(column)}{row}"
        cell = UNUSUAL[spelling](
            ref, f"<{prefix + ':' if prefix else ''}v>1</{prefix + ':' if prefix else ''}v>"
        )
        if cell is None:
            continue
        if prefix:
            cell = cell.replace("<c ", f"<{prefix}:c ").replace("</c>", f"</{prefix}:c>")
        by_row.setdefault(row, []).append(cell)
        held.append((row, column))
    row_tag = f"{prefix}:row" if prefix else "row"
    body = "".join(
        f'<{row_tag} r="{row}">{"".join(items)}</{row_tag}>' for row, items in sorted(by_row.items())
    )
    xml = corpus.sheet_xml(body, prefix=prefix)
    plain, is_plain = census_by(PlainXlsxSheetScan, xml, chunk)
    bound, is_bounded = census_by(BoundXlsxSheetScan, xml, chunk)
    full, _ = census_by(XlsxSheetScan, xml, chunk)
    assert not (prefix and held and (is_plain or is_bounded))  # a prefixed cell is never read by pattern
    rows = max((row for row, _ in held), default=0)
    columns = max((column for _, column in held), default=0)
    assert (full.rows, full.columns) == (rows, columns)
    if is_plain:  # leading zeros are the usual form too
        assert (plain.rows, plain.columns) == (rows, columns)
    if is_bounded:
        assert (bound.rows, bound.columns) == (rows, columns)
    assert calamine_grid(xml) == (rows, columns)


@settings(max_examples=40, deadline=None)
@given(
    widths=st.lists(st.integers(0, 6), min_size=1, max_size=8),
    skip_after=st.integers(0, 7),
    gap=st.integers(1, 5),
)
def test_cells_without_a_reference_follow_the_previous_one(widths, skip_after, gap):
    """calamine places a cell with no r after the previous cell, and a row with no r after the previous row."""
    rows = []
    for number, width in enumerate(widths):
        reference = f' r="{number + 1 + gap}"' if number == skip_after else ""
        rows.append(f"<row{reference}>" + "<c><v>1</v></c>" * width + "</row>")
    xml = corpus.sheet_xml("".join(rows))
    full, _ = census_by(XlsxSheetScan, xml)
    _, is_plain = census_by(PlainXlsxSheetScan, xml)
    assert not is_plain or not any(widths)
    assert (full.rows, full.columns) == calamine_grid(xml)


def test_a_cell_reference_is_read_as_calamine_reads_it():
    assert calamine_position("B12") == (11, 1)
    assert calamine_position("xfd1048576") == (1_048_575, 16_383)
    assert calamine_position("A0012") == (11, 0)
    assert calamine_position("12") == (11, None)
    for unreadable in ("A0", "A", "A1B", "A-1", "A 1"):
        with pytest.raises(ValueError):
            calamine_position(unreadable)


@settings(max_examples=40, deadline=None)
@given(
    strings=st.lists(
        st.text(st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="<&"), max_size=30),
        max_size=20,
    )
)
def test_both_shared_string_scans_keep_calamine_order_and_never_count_less(strings):
    xml = corpus.shared_strings_xml(strings, declared=7)
    plain, full = PlainSharedStringsScan(), SharedStringsScan()
    for scan in (plain, full):
        scan.feed(xml, True)
    assert plain.plain
    assert list(full.result().lengths) == [len(text) for text in strings]
    assert all(p >= f for p, f in zip(plain.result().lengths, full.result().lengths, strict=True))
    assert plain.result().declared == full.result().declared == 7


# --- OpenDocument ------------------------------------------------------------------------

ODS_CELLS = {
    "number": (
        '<table:table-cell office:value-type="float" office:value="2"{repeat}><text:p>2</text:p></table:table-cell>',
        True,
    ),
    "text": (
        '<table:table-cell office:value-type="string"{repeat}><text:p>abc</text:p></table:table-cell>',
        True,
    ),
    "empty": ("<table:table-cell{repeat}/>", False),
    "styled empty": ('<table:table-cell table:style-name="ce1"{repeat}/>', False),
    "formula without value": ('<table:table-cell table:formula="of:=1+1"{repeat}/>', False),
}
ods_rows = st.lists(
    st.tuples(
        st.lists(st.tuples(st.sampled_from(sorted(ODS_CELLS)), st.integers(1, 3)), max_size=6),
        st.integers(1, 3),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ods_rows, trailing=st.integers(0, 1_048_000))
def test_opendocument_repeats_are_counted_as_calamine_expands_them(rows, trailing):
    body = ""
    for cells_of_row, row_repeat in rows:
        cells_xml = "".join(
            ODS_CELLS[kind][0].format(
                repeat=f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
            )
            for kind, repeat in cells_of_row
        )
        repeat = f' table:number-rows-repeated="{row_repeat}"' if row_repeat > 1 else ""
        body += f"<table:table-row{repeat}>{cells_xml}</table:table-row>"
    if trailing:
        body += (
            f'<table:table-row table:number-rows-repeated="{trailing}">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        )
    content = (
        corpus._ODS_HEAD.format(doctype="")
        + f'<table:table table:name="Projets">{body}</table:table>'
        + corpus._ODS_TAIL
    )
    found: list[SheetCensus] = []
    scan = OdsContentScan(lambda tally: found.append(tally.census()))
    scan.feed(content.encode(), True)
    (census,) = found
    grid = read_bytes(corpus.ods_archive(content), "inventaire.ods").sheet("Projets").rows
    grid_size = (len(grid), max(map(len, grid), default=0))
    assert census.rows >= grid_size[0] and census.columns >= grid_size[1]
    if not any(kind == "formula without value" for cells_of_row, _ in rows for kind, _ in cells_of_row):
        assert (census.rows, census.columns) == grid_size
