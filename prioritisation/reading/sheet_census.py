"""What each sheet of a workbook really holds, counted before python-calamine reads it.

python-calamine 0.9.1 (calamine 0.37) turns a sheet into a dense grid of 32-byte cells from
its first to its last cell holding a value, and we ask for the rows from A1; it clones a
shared string into every cell that uses it. None of that is bounded by the file's size: a
6 KB workbook whose 300 cells share one 1 MB string takes 575 MB. The census counts, sheet
by sheet, the grid and the text calamine will build, reading the XML the way calamine does,
so that `untrusted` can refuse a file before calamine sees it. What calamine allocates
from, measured, is in docs/lecture-des-fichiers.md; ods_census does the same for .ods.

An XLSX sheet is read three ways, from the cheapest to the surest, each never counting less
than calamine builds (tests/test_sheet_census.py checks them against calamine itself):
BoundXlsxSheetScan bounds it from every cell reference (numpy); PlainXlsxSheetScan counts
exactly the cells that hold a value, by regular expression, when every cell is written the
way Excel, LibreOffice, XlsxWriter and openpyxl write it (`<c r="B12" s="3" t="s"><v>7</v></c>`);
XlsxSheetScan does it with expat (and defusedxml's protections) for anything else.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from xml.parsers import expat

import numpy as np
from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

RECORDED_CELLS = 100_000  # positions kept per sheet for messages; beyond, the file is odd anyway


@dataclass(frozen=True)
class SheetCensus:
    """One sheet as calamine will hold it: its grid from A1, its text, the cells worth a word.

    Positions are 0-based (row, column), as in the grids `spreadsheet` returns.
    """

    name: str
    rows: int  # from row 1 through the last row holding a value
    columns: int  # from column A through the last column holding a value
    text_chars: int  # characters of text in its cells, shared strings and repeats expanded
    longest_text: int = 0
    longest_at: tuple[int, int] | None = None
    formulas_without_value: frozenset[tuple[int, int]] = frozenset()
    formula_errors: Mapping[tuple[int, int], str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def cells(self) -> int:
        return self.rows * self.columns


class SheetTally:
    """What a sheet holds so far, while its XML streams past."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0
        self.columns = 0
        self.text = 0
        self.longest = 0
        self.longest_at: tuple[int, int] | None = None
        self.formulas: set[tuple[int, int]] = set()
        self.errors: dict[tuple[int, int], str] = {}

    def value(self, row: int, column: int, text: int) -> None:
        """A cell that holds a value (calamine places it in the grid), with `text` characters."""
        if row >= self.rows:
            self.rows = row + 1
        if column >= self.columns:
            self.columns = column + 1
        self.text += text
        if text > self.longest:
            self.longest, self.longest_at = text, (row, column)

    def formula_without_value(self, row: int, column: int) -> None:
        if len(self.formulas) < RECORDED_CELLS:
            self.formulas.add((row, column))

    def formula_error(self, row: int, column: int, code: str) -> None:
        if len(self.errors) < RECORDED_CELLS:
            self.errors[(row, column)] = code

    def census(self) -> SheetCensus:
        return SheetCensus(
            name=self.name,
            rows=self.rows,
            columns=self.columns,
            text_chars=self.text,
            longest_text=self.longest,
            longest_at=self.longest_at,
            formulas_without_value=frozenset(self.formulas),
            formula_errors=MappingProxyType(dict(self.errors)),
        )


class MalformedSheet(ValueError):
    """The XML cannot be read as calamine would read it (damaged or crafted)."""


# ---------------------------------------------------------------------------------------
# A defused expat parser


def _refuse_doctype(*_: object) -> None:
    raise DTDForbidden(None, None, None)


def _refuse_entity(*_: object) -> None:
    raise EntitiesForbidden(None, None, None, None, None, None)


def _refuse_external(*_: object) -> None:
    raise ExternalReferenceForbidden(None, None, None, None)


def safe_parser() -> expat.XMLParserType:
    """An expat parser with defusedxml's protections: no DTD, no entity, nothing external.

    Namespaces stay unprocessed: calamine matches element names as written (`table:table-row`,
    or the local name after the last colon for XLSX), and so must we.
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.ordered_attributes = True
    return parser


class ExpatScan:
    """A part of the archive fed chunk by chunk to a `safe_parser`: a subclass names what it
    reads in `_start`, and in `_end` and `_characters` when it needs them."""

    def __init__(self) -> None:
        self.parser = safe_parser()
        self.parser.StartElementHandler = self._start
        for handler, method in (("EndElementHandler", "_end"), ("CharacterDataHandler", "_characters")):
            if hasattr(self, method):
                setattr(self.parser, handler, getattr(self, method))

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self.parser.Parse(chunk, final)

    def _start(self, name: str, attributes: list[str]) -> None:
        raise NotImplementedError


def _local(name: str) -> str:
    return name[name.rfind(":") + 1 :]


def _attribute(attributes: list[str], key: str) -> str | None:
    """The value of `key` among expat's ordered attributes (expat refuses duplicates)."""
    for index in range(0, len(attributes), 2):
        if attributes[index] == key:
            return attributes[index + 1]
    return None


# ---------------------------------------------------------------------------------------
# Cell references, read as calamine reads them


def calamine_position(reference: str) -> tuple[int, int | None]:
    """0-based (row, column) of 'B12' ('b12' too: calamine ignores case); column None for '12'.

    calamine's get_row_and_optional_column: letters, then digits, nothing else; row 0 is an
    error. It computes in u32 and wraps; Python's exact integers are never smaller.
    """
    column = row = 0
    index, size = 0, len(reference)
    while index < size and reference[index].isascii() and reference[index].isalpha():
        column = column * 26 + (ord(reference[index].upper()) - ord("A") + 1)
        index += 1
    digits = reference[index:]
    if not (digits.isascii() and digits.isdigit()):
        raise MalformedSheet(f"référence de cellule illisible : {reference!r}")
    row = int(digits)
    if row == 0:
        raise MalformedSheet(f"référence de cellule illisible : {reference!r}")
    return row - 1, (column - 1 if column else None)


# ---------------------------------------------------------------------------------------
# Shared strings (XLSX)


@dataclass(frozen=True)
class SharedStrings:
    """The length of each shared string, in calamine's order, and what the table declares."""

    lengths: array = field(default_factory=lambda: array("q"))
    declared: int = 0  # uniqueCount, which calamine reserves room for before reading

    @property
    def count(self) -> int:
        return len(self.lengths)

    @property
    def text_chars(self) -> int:
        return sum(self.lengths)

    def length(self, index: int) -> int:
        return self.lengths[index] if 0 <= index < len(self.lengths) else 0


_DECLARED = re.compile(r"\+?0*([0-9]{1,30})")


class SharedStringsScan(ExpatScan):
    """Counts the characters of each `<si>` as calamine's read_shared_strings builds them.

    calamine pushes one string per `<si>`, ending it at the first closing tag of the same
    name; text in phonetic runs is dropped and spaces trimmed, which we count anyway.
    """

    def __init__(self) -> None:
        self.lengths = array("q")
        self.declared = 0
        self.open: str | None = None
        self.length = 0
        super().__init__()

    def result(self) -> SharedStrings:
        return SharedStrings(self.lengths, self.declared)

    def _start(self, name: str, attributes: list[str]) -> None:
        if self.open is not None:
            return
        local = _local(name)
        if local == "si":
            self.open, self.length = name, 0
        elif local == "sst":
            declared = _attribute(attributes, "uniqueCount")
            matched = _DECLARED.fullmatch(declared or "")
            self.declared = int(matched.group(1)) if matched else 0

    def _end(self, name: str) -> None:
        if name == self.open:
            self.lengths.append(self.length)
            self.open = None

    def _characters(self, text: str) -> None:
        if self.open is not None:
            self.length += len(text)


# A string of one plain <t> (its text measured exactly), or of anything else (its bytes).
_SHARED_STRING = re.compile(
    rb'<si><t(?: xml:space="preserve")?>([^<]*)</t></si>|<si>(.*?)</si>|<si/>', re.DOTALL
)
_SHARED_STRING_STARTS = (b"<si>", b"<si/", b"<si ", b"<si\t", b"<si\n", b"<si\r")
_TABLE_START = re.compile(rb"<sst\b([^<>]*)>")
_DECLARED_COUNT = re.compile(rb"[ \t\r\n]uniqueCount[ \t\r\n]*=[ \t\r\n]*[\"']([^\"']*)[\"']")
_ODD_SHARED_NAME = re.compile(rb"<[^ \t\r\n<>/!?]{0,256}:s(?:i|st)[ \t\r\n/>]|<[^ \t\r\n<>/!?]{257}")


class PlainSharedStringsScan:
    """The shared strings by regular expression, when written the usual way (`<si>…</si>`).

    A string of one plain `<t>` counts its bytes; any other counts every byte between its
    tags, markup included: never fewer than the characters calamine keeps. Anything unusual
    (a prefix, attributes, nesting) and `plain` turns False: the caller reads the table
    with SharedStringsScan instead.
    """

    def __init__(self) -> None:
        self.lengths = array("q")
        self.declared = 0
        self.plain = True
        self.started = False
        self.carry = b""
        self.tail = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.plain:
            return
        data = self.carry + chunk
        if _ODD_SHARED_NAME.search(self.tail + chunk):
            self.plain = False
            return
        self.tail = chunk[-_OVERLAP:]
        if not self.started:
            start = self._table(data, final)
            if start is None:
                return
            data = data[start:]  # calamine reads strings only after the table's tag
        cut = len(data) if final else data.rfind(b"<si")
        if cut < 0:
            cut = len(data) - 1 if data.endswith(b"<") else len(data)
        if len(data) - cut > _LONGEST_CARRY:
            self.plain = False  # one string longer than that is refused anyway; expat will say
            return
        self.carry = data[cut:]
        region = data[:cut]
        strings = _SHARED_STRING.findall(region)
        if len(strings) != sum(region.count(start) for start in _SHARED_STRING_STARTS):
            self.plain = False
            return
        self.lengths.extend(len(text) + len(other) for text, other in strings)

    def _table(self, data: bytes, final: bool) -> int | None:
        """Reads uniqueCount from the <sst> tag: where the strings start, None before the tag."""
        table = _TABLE_START.search(data)
        if table is None:
            self.carry = data[-_OVERLAP:]
            if final:
                self.plain = False
            return None
        declared = _DECLARED_COUNT.search(table.group(1))
        matched = _DECLARED.fullmatch(declared.group(1).decode("ascii", "replace")) if declared else None
        self.declared = int(matched.group(1)) if matched else 0
        self.started = True
        return table.end()

    def result(self) -> SharedStrings:
        return SharedStrings(self.lengths, self.declared)


# ---------------------------------------------------------------------------------------
# XLSX worksheets

_BLANK_IS_EMPTY = frozenset({"", "n", "s", "b", "e"})  # calamine reads <v></v> as empty for these
_INLINE = frozenset({"inlineStr", "is"})  # calamine ignores <v> for these types


class XlsxSheetScan(ExpatScan):
    """Counts a worksheet's cells through expat, as calamine's XlsxCellReader reads them.

    calamine expands `<c/>` into `<c></c>`, places a cell by its r attribute or else after the
    previous one (`<row>` sets or advances the row), and takes a value from a `<v>` or `<is>`
    child; `<f>` alone leaves the cell empty. Element names count by their local part.
    """

    def __init__(self, tally: SheetTally, shared: SharedStrings) -> None:
        self.tally = tally
        self.shared = shared
        self.row = self.column = 0
        self.cell: tuple[int, int] | None = None
        self.depth = 0
        self.child = ""
        self.kind = ""
        self.has_value_tag = self.has_inline = self.has_formula = False
        self.value_text: list[str] = []
        self.text = 0
        super().__init__()

    def _start(self, name: str, attributes: list[str]) -> None:
        if self.cell is not None:
            self.depth += 1
            if self.depth == 1:
                self.child = _local(name)
                if self.child == "v":
                    self.has_value_tag = True
                elif self.child == "is":
                    self.has_inline = True
                elif self.child == "f":
                    self.has_formula = True
            return
        local = _local(name)
        if local == "c":
            reference = _attribute(attributes, "r")
            if reference is None:
                self.cell = (self.row, self.column)
            else:
                row, column = calamine_position(reference)
                if column is None:
                    raise MalformedSheet(f"référence de cellule sans colonne : {reference!r}")
                self.cell = (row, column)
            self.kind = _attribute(attributes, "t") or ""
            self.depth = 0
            self.child = ""
            self.has_value_tag = self.has_inline = self.has_formula = False
            self.value_text = []
            self.text = 0
        elif local == "row":
            reference = _attribute(attributes, "r")
            if reference is not None:
                self.row = calamine_position(reference)[0]

    def _end(self, name: str) -> None:
        if self.cell is None:
            if _local(name) == "row":
                self.row += 1
                self.column = 0
            return
        if self.depth:
            self.depth -= 1
            if not self.depth:
                self.child = ""
            return
        row, column = self.cell
        self.cell = None
        self.column = column + 1
        value = "".join(self.value_text)
        has_value = self.has_inline or (
            self.has_value_tag
            and self.kind not in _INLINE
            and (bool(value) or self.kind not in _BLANK_IS_EMPTY)
        )
        if has_value:
            text = self.text
            if self.kind == "s":
                # expat hands over <v>&#49;</v> as "1" where calamine reads index 0: count both
                text += max(self.shared.length(_shared_index(value)), self.shared.length(0))
            self.tally.value(row, column, text)
            if self.kind == "e":
                self.tally.formula_error(row, column, value)
        elif self.has_formula:
            self.tally.formula_without_value(row, column)

    def _characters(self, text: str) -> None:
        if self.cell is None or self.child not in ("v", "is"):
            return  # a formula's text is not read into the grid
        self.text += len(text)
        if self.child == "v" and self.depth == 1 and len(self.value_text) < 8:
            self.value_text.append(text)


def _shared_index(text: str | bytes) -> int:
    """calamine's index of a shared-string cell: the digits of <v>, else 0."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else 0


# A cell start tag (its attributes end with "/" when it closes itself), then, for a cell
# that does not, an optional <f>, an optional <v>, an optional inline string (openpyxl
# writes text that way) and the closing </c>.
_CELL = re.compile(
    rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"([^<>]*)>'
    rb"(?:(<f\b[^<>]*>(?:[^<]*</f>)?)?(<v>([^<]*)</v>|<v/>)?"
    rb'(<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?(</c>))?'
)
_ATTRIBUTES = re.compile(rb'(?:[ \t\r\n]+[A-Za-z_][\w.:-]*="[^"<>]*")*[ \t\r\n]*')
_ATTRIBUTE = re.compile(rb'([A-Za-z_][\w.:-]*)="([^"<>]*)"')
_CELL_STARTS = (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r")

_OVERLAP = 300
_LONGEST_CARRY = 8 * 1024 * 1024


class _Regions:
    """Cuts a streamed sheet into regions that end before a `<c`, so no cell is split.

    Also watches, across chunk boundaries, for element names a regular expression would
    miss: a prefixed cell (`<x:c …>`) or a name too long to tell.
    """

    def __init__(self) -> None:
        self.carry = b""
        self.tail = b""
        self.odd = False

    def next(self, chunk: bytes, final: bool) -> bytes:
        if not self.odd:
            self.odd = _odd_name(self.tail + chunk)
        self.tail = (self.tail + chunk)[-_OVERLAP:]
        data = self.carry + chunk
        if final:
            cut = len(data)
        else:
            cut = data.rfind(b"<c")
            if cut < 0:
                cut = len(data) - 1 if data.endswith(b"<") else len(data)
            if len(data) - cut > _LONGEST_CARRY:
                cut = len(data)  # no cell that long: a split here only sends the sheet to expat
        self.carry = data[cut:]
        return data[:cut]


def _odd_name(window: bytes) -> bool:
    """Whether `window` holds a prefixed cell element (`<x:c …>`).

    Looked for from its end, ':c' then a space, '/' or '>', which plain sheets seldom hold
    anywhere; then back to its '<'. A name reaching back past the window counts as odd.
    """
    for found in _PREFIXED_CELL_END.finditer(window):
        start = window.rfind(b"<", 0, found.start())
        if start < 0 or not _NAME_BREAK.search(window, start + 1, found.start()):
            return True
    return False


_PREFIXED_CELL_END = re.compile(rb":c[ \t\r\n/>]")
_NAME_BREAK = re.compile(rb"[ \t\r\n<>/!?]")
_WINDOW = np.arange(11)  # up to 3 letters, 7 digits and the closing quote
_SHARED_REFERENCE = re.compile(rb'<c r="[A-Za-z]{1,3}[0-9]{1,7}"[^<>]*?[ \t\r\n]t="s"[^<>]*><v>([^<]*)</v>')
_ANY_SHARED_TYPE = re.compile(rb"""[ \t\r\n]t[ \t\r\n]*=[ \t\r\n]*(?:"s"|'s')""")
_UNFILLED = re.compile(
    rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"([^<>]*)><f\b[^<>]*(?:/>|>[^<]*</f>)(<v></v>|<v/>)?</c>'
)
_ERROR_CELL = re.compile(
    rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"[^<>]*?[ \t\r\n]t="e"[^<>]*>'
    rb"(?:<f\b[^<>]*(?:/>|>[^<]*</f>))?<v>([^<]*)</v>"
)


class BoundXlsxSheetScan:
    """Upper bounds by the cheapest reading, for the sheets real files are made of.

    The grid is bounded by every cell's reference, whether the cell holds a value or not;
    the text by the shared strings the cells use plus every byte of text in the sheet; the
    longest cell by the longest shared string used and the longest run of text. Exact for a sheet
    without far empty cells, and a fraction of the cost of the exact count (numpy reads the
    references). Valid only when every cell tag starts `<c r="`: `plain` says whether it
    did; when it did not, or when a bound is over a limit, the caller counts exactly.
    """

    def __init__(self, tally: SheetTally, shared: SharedStrings) -> None:
        self.tally = tally
        self.shared = shared
        self.plain = True
        self.regions = _Regions()
        self.columns: dict[bytes, int] = {}

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.plain:
            return
        region = self.regions.next(chunk, final)
        if self.regions.odd:
            self.plain = False
            return
        if region:
            self.plain = self._bound(region)

    def _bound(self, region: bytes) -> bool:
        data = np.frombuffer(region, dtype=np.uint8)
        opening = np.flatnonzero(data == ord("<"))
        self._text_runs(data, opening)
        padded = np.concatenate([data, np.zeros(8, dtype=np.uint8)])
        after = padded[opening[:, None] + np.arange(1, 7)] if opening.size else np.zeros((0, 6), np.uint8)
        cells = (after[:, 0] == ord("c")) & _ENDS_A_NAME[after[:, 1]]
        if not cells.any():
            return True
        plain = (after[:, 1] == ord(" ")) & (after[:, 2] == ord("r")) & (after[:, 3] == ord("="))
        plain &= after[:, 4] == ord('"')
        if (cells & ~plain).any():
            return False
        references = _references(padded, opening[cells & plain] + 6)
        if references is None:
            return False
        rows, columns = references
        tally = self.tally
        tally.rows = max(tally.rows, int(rows.max()) + 1)
        tally.columns = max(tally.columns, int(columns.max()) + 1)
        return self._text(region) and self._messages(region)

    def _text_runs(self, data: np.ndarray, opening: np.ndarray) -> None:
        """Every byte between a '>' and the next '<' may be a cell's text: count them all."""
        closing = np.flatnonzero(data == ord(">"))
        ends = np.append(opening, data.size)[np.searchsorted(opening, closing)]
        self.tally.text += int((ends - closing - 1).sum())
        if opening.size:  # no run of text is longer than the gap between two '<'
            self._longest(int(np.diff(opening, prepend=0, append=data.size).max()), None)

    def _text(self, region: bytes) -> bool:
        """Plus the shared strings the cells use, each counted where it is used."""
        if b'"s"' not in region and b"'s'" not in region:
            return True  # no shared string, however the type would be written
        indices = _SHARED_REFERENCE.findall(region)
        if len(indices) != region.count(b' t="s"') or len(_ANY_SHARED_TYPE.findall(region)) != len(indices):
            return False
        if indices:
            lengths = shared_lengths(self.shared, indices) + np.fromiter(
                map(len, indices), np.int64, len(indices)
            )
            self.tally.text += int(lengths.sum())
            self._longest(int(lengths.max()), None)
        return True

    def _messages(self, region: bytes) -> bool:
        """Formulas never calculated and error cells, found where the sheet has any."""
        if b"<f" in region:
            for letters, digits, attributes, empty_value in _UNFILLED.findall(region):
                kind = _cell_type(attributes.removesuffix(b"/"))
                if kind is None:
                    return False
                if not (empty_value and kind not in _BLANK_IS_EMPTY):
                    self.tally.formula_without_value(int(digits) - 1, self._column(letters))
        if b't="e"' in region:
            for letters, digits, code in _ERROR_CELL.findall(region):
                self.tally.formula_error(
                    int(digits) - 1, self._column(letters), code.decode("utf-8", "replace")
                )
        return True

    def _longest(self, length: int, at: tuple[int, int] | None) -> None:
        if length > self.tally.longest:
            self.tally.longest, self.tally.longest_at = length, at

    def _column(self, letters: bytes) -> int:
        column = self.columns.get(letters)
        if column is None:
            column = self.columns[letters] = calamine_position(letters.decode() + "1")[1] or 0
        return column


_ENDS_A_NAME = np.zeros(256, dtype=bool)
_ENDS_A_NAME[[ord(c) for c in " \t\r\n/>"]] = True


def _references(padded: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """0-based (rows, columns) of the references that start at `starts` (just past `r="`).

    Up to three letters of either case (calamine reads both), one to seven digits and the
    closing quote; None if one reference is written otherwise.
    """
    window = padded[starts[:, None] + _WINDOW].astype(np.int32)
    folded = window | 0x20  # 'A' → 'a'; digits and quotes unchanged
    is_letter = (folded >= ord("a")) & (folded <= ord("z"))
    letters = np.cumprod(is_letter[:, :3], axis=1).sum(axis=1)
    rest = np.take_along_axis(window, letters[:, None] + np.arange(8), axis=1)
    is_digit = (rest >= ord("0")) & (rest <= ord("9"))
    digits = np.cumprod(is_digit[:, :7], axis=1).sum(axis=1)
    closing = np.take_along_axis(rest, digits[:, None], axis=1)[:, 0] == ord('"')
    if not ((letters >= 1) & (digits >= 1) & closing).all():
        return None
    columns = np.zeros(len(starts), dtype=np.int32)
    for position in range(3):
        inside = position < letters
        columns = np.where(inside, columns * 26 + folded[:, position] - ord("a") + 1, columns)
    rows = np.zeros(len(starts), dtype=np.int32)
    for position in range(7):
        inside = position < digits
        rows = np.where(inside, rows * 10 + rest[:, position] - ord("0"), rows)
    if rows.min() < 1:
        return None  # row 0: calamine refuses it, and so will the exact count
    return rows - 1, columns - 1


class PlainXlsxSheetScan:
    """The same census by regular expression, for sheets written the usual way.

    Every `<c` must be a whole cell in the usual form: `r` first and alone, attributes
    in double quotes, at most an `<f>` then a `<v>` inside. The first cell that is not, or a
    prefixed element name, and `plain` turns False: the caller reads the sheet with
    XlsxSheetScan instead. Chunks are cut before the last `<c`, never inside a cell.
    """

    def __init__(self, tally: SheetTally, shared: SharedStrings) -> None:
        self.tally = tally
        self.shared = shared
        self.plain = True
        self.regions = _Regions()
        self.kinds: dict[bytes, tuple[int, int, bool]] = {}
        self.columns: dict[bytes, int] = {}

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.plain:
            return
        region = self.regions.next(chunk, final)
        if self.regions.odd:
            self.plain = False
        else:
            self._cells(region)

    def _cells(self, region: bytes) -> None:
        starts = sum(region.count(start) for start in _CELL_STARTS)
        if not starts:
            return
        cells = _CELL.findall(region)
        if len(cells) != starts:
            self.plain = False
            return
        letters, digits, attributes, formulas, value_tags, values, inline, inline_text, closings = zip(
            *cells, strict=True
        )
        modes = self._modes(attributes)
        if modes is None:
            self.plain = False
            return
        table = np.array(list(modes.values()), dtype=np.int64).reshape(-1, 3)
        index = {attribute: position for position, attribute in enumerate(modes)}
        rows_of_table = table[np.fromiter(map(index.__getitem__, attributes), np.int64, len(cells))]
        mode, kind, closes_itself = rows_of_table[:, 0], rows_of_table[:, 1], rows_of_table[:, 2].astype(bool)
        if not (closes_itself | _flags(closings)).all():
            self.plain = False  # a cell opened but not in the usual form inside
            return
        # calamine takes a value from <v> (unless empty for numbers, booleans, errors and
        # shared strings, or ignored for inline strings), and always from <is>
        held = _flags(value_tags) & (mode != _NO_VALUE) & (_flags(values) | (mode == _ANY_VALUE))
        held |= _flags(inline) & ~closes_itself
        rows = np.array(digits, dtype="S7").astype(np.int64) - 1
        if rows.min() < 0:
            raise MalformedSheet("référence de cellule à la ligne 0")
        columns = self._columns(letters)
        self._values(held, rows, columns, kind, values, inline_text)
        unfilled = _flags(formulas) & ~held & ~closes_itself
        for index in np.flatnonzero(unfilled):
            self.tally.formula_without_value(int(rows[index]), int(columns[index]))

    def _modes(self, attributes: tuple[bytes, ...]) -> dict[bytes, tuple[int, int, bool]] | None:
        """(what makes a value, type, closes itself) for each distinct attribute string.

        None if one is unusual (then expat reads the sheet).
        """
        for attribute in set(attributes) - self.kinds.keys():
            closing = attribute.endswith(b"/")
            kind = _cell_type(attribute[:-1] if closing else attribute)
            if kind is None:
                return None
            if closing or kind in _INLINE:
                mode = _NO_VALUE
            else:
                mode = _FILLED_VALUE if kind in _BLANK_IS_EMPTY else _ANY_VALUE
            self.kinds[attribute] = (mode, _KIND_CODES.get(kind, 0), closing)
        return self.kinds

    def _columns(self, letters: tuple[bytes, ...]) -> np.ndarray:
        distinct, inverse = np.unique(np.array(letters, dtype="S3"), return_inverse=True)
        numbers = np.array([self._column(bytes(name)) for name in distinct], dtype=np.int64)
        return numbers[inverse.reshape(-1)]

    def _values(
        self,
        held: np.ndarray,
        rows: np.ndarray,
        columns: np.ndarray,
        kind: np.ndarray,
        values: tuple[bytes, ...],
        inline_text: tuple[bytes, ...],
    ) -> None:
        """The cells that hold a value: the grid's extent, their text, their errors."""
        if not held.any():
            return
        text = np.fromiter(map(len, values), np.int64, len(values))
        text += np.fromiter(map(len, inline_text), np.int64, len(values))
        shared = np.flatnonzero(held & (kind == _SHARED))
        if shared.size:
            text[shared] += shared_lengths(self.shared, [values[index] for index in shared])
        tally = self.tally
        for index in np.flatnonzero(held & (kind == _ERROR)):
            tally.formula_error(
                int(rows[index]), int(columns[index]), values[index].decode("utf-8", "replace")
            )
        rows, columns, text = rows[held], columns[held], text[held]
        tally.rows = max(tally.rows, int(rows.max()) + 1)
        tally.columns = max(tally.columns, int(columns.max()) + 1)
        tally.text += int(text.sum())
        longest = int(text.argmax())
        if text[longest] > tally.longest:
            tally.longest, tally.longest_at = int(text[longest]), (int(rows[longest]), int(columns[longest]))

    def _column(self, letters: bytes) -> int:
        column = self.columns.get(letters)
        if column is None:
            column = self.columns[letters] = calamine_position(letters.decode() + "1")[1] or 0
        return column


def shared_lengths(shared: SharedStrings, indices: list[bytes]) -> np.ndarray:
    """The length of the shared string each cell uses (calamine reads index 0 for non-digits)."""
    if all(map(bytes.isdigit, indices)) and max(map(len, indices)) < 19:
        numbers = np.array(indices, dtype="S19").astype(np.int64)
    else:
        numbers = np.array([_shared_index(index) for index in indices], dtype=np.int64)
    lengths = np.frombuffer(shared.lengths, dtype=np.int64)
    if not lengths.size:
        return np.zeros(len(indices), dtype=np.int64)
    return np.where(numbers < lengths.size, lengths[np.minimum(numbers, lengths.size - 1)], 0)


def _flags(items: tuple[bytes, ...]) -> np.ndarray:
    """Which of `items` are not empty, as a boolean array."""
    return np.fromiter(map(bool, items), bool, len(items))


_NO_VALUE, _FILLED_VALUE, _ANY_VALUE = 0, 1, 2
_SHARED, _ERROR = 1, 2
_KIND_CODES = {"s": _SHARED, "e": _ERROR}


def _cell_type(attributes: bytes) -> str | None:
    """The t attribute of a cell in the usual form; None if the attributes are unusual."""
    if not _ATTRIBUTES.fullmatch(attributes):
        return None
    pairs = _ATTRIBUTE.findall(attributes)
    keys = [key for key, _ in pairs]
    if b"r" in keys or len(set(keys)) != len(keys):
        return None
    kind = dict(pairs).get(b"t", b"")
    try:
        return kind.decode("ascii")
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------------------------------
# Which worksheet is which (XLSX): names as the user sees them


class RelationshipsScan(ExpatScan):
    """Id → (Target, Type) of a .rels part, as calamine's read_relationships reads it."""

    def __init__(self) -> None:
        self.targets: dict[str, tuple[str, str]] = {}
        super().__init__()

    def _start(self, name: str, attributes: list[str]) -> None:
        if _local(name) == "Relationship":
            identifier = _attribute(attributes, "Id")
            if identifier is not None:
                self.targets[identifier] = (
                    _attribute(attributes, "Target") or "",
                    _attribute(attributes, "Type") or "",
                )


class WorkbookScan(ExpatScan):
    """(sheet name, relationship id) of each `<sheet>` of workbook.xml, in order."""

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []
        super().__init__()

    def _start(self, name: str, attributes: list[str]) -> None:
        if _local(name) != "sheet":
            return
        sheet_name = _attribute(attributes, "name") or ""
        identifier = next(
            (attributes[i + 1] for i in range(0, len(attributes), 2) if _local(attributes[i]) == "id"),
            "",
        )
        self.sheets.append((sheet_name, identifier))


def office_document_folder(root_relationships: Mapping[str, tuple[str, str]]) -> str:
    """calamine's xl_path: the folder of the officeDocument target, 'xl/' by default."""
    for target, kind in root_relationships.values():
        if kind.endswith("/relationships/officeDocument"):
            folder = target[: target.rfind("/") + 1]
            return folder.removeprefix("/")
    return "xl/"


def sheet_paths(
    folder: str, sheets: Iterable[tuple[str, str]], relationships: Mapping[str, tuple[str, str]]
) -> dict[str, str]:
    """Sheet name by member path (lower case, as calamine looks members up)."""
    paths: dict[str, str] = {}
    for name, identifier in sheets:
        target = relationships.get(identifier, ("", ""))[0]
        if target:
            path = target[1:] if target.startswith("/") else folder + target
            paths.setdefault(path.lower(), name)
    return paths
