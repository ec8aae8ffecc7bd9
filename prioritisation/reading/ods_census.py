"""What each table of an OpenDocument spreadsheet really holds, counted before python-calamine reads it.

calamine reads every table of content.xml when the file is opened; a cell or a row repeated
n times is stored n times, its text cloned each time, so a few bytes of XML can ask for
gigabytes (docs/lecture-des-fichiers.md). The scan below counts each table as calamine
builds it, with the same census as an XLSX sheet (sheet_census.SheetCensus).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prioritisation.reading.sheet_census import RECORDED_CELLS, ExpatScan, MalformedSheet, SheetTally

_ODS_TABLE = "table:table"
_ODS_ROW = "table:table-row"
_ODS_CELLS = frozenset({"table:table-cell", "table:covered-table-cell"})
_ODS_SPACES = "text:s"
_ODS_VALUES = frozenset(
    {
        "office:value",
        "office:string-value",
        "office:date-value",
        "office:time-value",
        "office:boolean-value",
    }
)
# Attributes calamine keeps as text (the value of a string, date or duration, the formula).
_ODS_TEXTS = frozenset({"office:string-value", "office:date-value", "office:time-value", "table:formula"})
# Attributes an empty cell carries; any other one may give calamine something to store.
_ODS_PRESENTATION = frozenset(
    {
        "table:style-name",
        "table:number-columns-repeated",
        "table:number-columns-spanned",
        "table:number-rows-spanned",
        "table:content-validation-name",
        "table:protect",
        "table:protected",
    }
)


_REPEATED = "table:number-columns-repeated"


@dataclass(frozen=True)
class _CellShape:
    content: bool  # an attribute beyond layout
    texts: tuple[str, ...]  # attributes kept as text
    formula: bool
    valued: bool  # a value attribute (office:value, office:string-value…)
    repeated: bool


def _repeats(value: str | None) -> int:
    """A repeat count as calamine parses it; an unreadable one makes calamine fail anyway."""
    if value is None:
        return 1
    try:
        return max(1, int(value))
    except ValueError:
        return 1


class OdsContentScan(ExpatScan):
    """Counts each table of content.xml as calamine's read_table and read_row build it.

    Names are matched as written (`table:table-row`), like calamine. A row or a cell
    repeated n times is stored n times, its text cloned each time; trailing empty cells and
    rows are not stored. A cell holds something when it has any attribute beyond layout,
    any child or any text; `<text:s text:c="n"/>` stands for n spaces.
    """

    def __init__(self, on_table: Callable[[SheetTally], None]) -> None:
        self.on_table = on_table
        self.table: SheetTally | None = None
        self.in_row = False
        self.row = 0
        self.row_repeats = 1
        self.row_width = 0
        self.row_text = 0
        self.row_longest = (0, 0)
        self.row_formulas: list[int] = []
        self.row_errors: list[tuple[int, str]] = []
        self.column = 0
        self.cell_depth = 0  # > 0 inside a cell
        self.cell_repeats = 1
        self.cell_content = False
        self.cell_text = 0
        self.cell_formula = False
        self.cell_has_value = False
        self.cell_error = False
        self.error_text: list[str] = []
        self.shapes: dict[tuple[str, ...], _CellShape] = {}
        super().__init__()
        self.parser.ordered_attributes = False  # dictionaries: content.xml has a million cells
        self.parser.buffer_text = True  # one call per text; flushed every 8 KB, never held whole

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self.cell_depth:
            self.cell_depth += 1
            self.cell_content = True
            if name == _ODS_SPACES:
                self.cell_text += _repeats(attributes.get("text:c"))
            return
        if self.table is None:
            if name == _ODS_TABLE:
                self.table = SheetTally(attributes.get("table:name") or "")
                self.row = 0
            return
        if self.in_row:
            if name not in _ODS_CELLS:
                raise MalformedSheet(f"élément inattendu dans une ligne : {name}")  # so does calamine
            self._open_cell(attributes)
        elif name == _ODS_ROW:
            self.in_row = True
            self.row_repeats = _repeats(attributes.get("table:number-rows-repeated"))
            self.column = self.row_width = self.row_text = 0
            self.row_longest = (0, 0)
            self.row_formulas, self.row_errors = [], []

    def _open_cell(self, attributes: dict[str, str]) -> None:
        self.cell_depth = 1
        keys = tuple(attributes)
        shape = self.shapes.get(keys)
        if shape is None:  # what the attribute names alone say, worked out once per set of names
            shape = self.shapes[keys] = _CellShape(
                content=not _ODS_PRESENTATION.issuperset(keys),
                texts=tuple(_ODS_TEXTS.intersection(keys)),
                formula="table:formula" in keys,
                valued=not _ODS_VALUES.isdisjoint(keys),
                repeated=_REPEATED in keys,
            )
        self.cell_repeats = _repeats(attributes[_REPEATED]) if shape.repeated else 1
        self.cell_content = shape.content
        self.cell_text = sum(len(attributes[key]) for key in shape.texts) if shape.texts else 0
        self.cell_formula = shape.formula
        self.cell_has_value = shape.valued or attributes.get("office:value-type") == "string"
        self.cell_error = "error" in attributes.values() and any(
            key.endswith(":value-type") and value == "error" for key, value in attributes.items()
        )
        self.error_text = []

    def _end(self, name: str) -> None:
        if self.cell_depth:
            self.cell_depth -= 1
            if not self.cell_depth:
                self._close_cell()
            return
        if self.table is None:
            return
        if self.in_row and name == _ODS_ROW:
            self.in_row = False
            self._close_row()
        elif name == _ODS_TABLE:
            self.on_table(self.table)
            self.table = None

    def _close_cell(self) -> None:
        column, repeats = self.column, self.cell_repeats
        self.column += repeats
        if not self.cell_content:
            return
        self.row_width = self.column
        self.row_text += self.cell_text * repeats
        if self.cell_text > self.row_longest[0]:
            self.row_longest = (self.cell_text, column)
        room = RECORDED_CELLS - len(self.row_formulas) - len(self.row_errors)
        if self.cell_error and room > 0:
            self.row_errors.append((column, "".join(self.error_text)))
        elif self.cell_formula and not self.cell_has_value and room > 0:
            self.row_formulas.extend(range(column, column + min(repeats, room)))

    def _close_row(self) -> None:
        table, first, repeats = self.table, self.row, self.row_repeats
        self.row += repeats
        if table is None or not self.row_width:
            return
        last = first + repeats - 1
        table.value(last, self.row_width - 1, 0)
        table.text += self.row_text * repeats
        longest, column = self.row_longest
        if longest > table.longest:
            table.longest, table.longest_at = longest, (first, column)
        for row in range(first, first + repeats):
            formulas = self.row_formulas if len(table.formulas) < RECORDED_CELLS else []
            errors = self.row_errors if len(table.errors) < RECORDED_CELLS else []
            if not (formulas or errors):
                break
            for column in formulas:
                table.formula_without_value(row, column)
            for column, code in errors:
                table.formula_error(row, column, code)

    def _characters(self, text: str) -> None:
        if self.cell_depth:
            self.cell_text += len(text)
            if text.strip():
                self.cell_content = True
            if self.cell_error and len(self.error_text) < 8:
                self.error_text.append(text)
