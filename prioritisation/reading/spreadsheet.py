"""Turns an uploaded file into grids of cell values, one per sheet, as the user sees them.

Row 0 of a grid is the spreadsheet's row 1 and column 0 its column A, so every message can
cite the row and column the user sees. python-calamine does the reading (about 8× faster
than openpyxl and it never expands XML entities); it only ever sees bytes that
`untrusted` has measured first. This is the only module that imports python-calamine.

Whatever a damaged file makes a library raise becomes FileRefused with a French reason:
zipfile, zlib and expat errors in `untrusted`, python-calamine's here (its Rust panics
included, which Python raises as BaseException), the csv module's below.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import python_calamine

from prioritisation import problems as p
from prioritisation.french import format_number
from prioritisation.problems import Problem, rows_text
from prioritisation.reading.sheet_census import SheetCensus
from prioritisation.reading.untrusted import (
    MB,
    UTF16_BOMS,
    FileKind,
    FileRefused,
    ReadLimits,
    check_file,
    check_size,
    column_letters,
    inspect_archive,
    looks_utf16,
)

Cell = object  # str, float, int, bool, date, datetime, time, timedelta; "" when empty


@dataclass(frozen=True)
class Sheet:
    """A sheet's grid, with what the grid cannot show: cells whose formula left no value.

    Positions are 0-based (row, column) in `rows`. A formula never calculated (a file
    written by a script) and an error such as #DIV/0! both read as an empty cell: these
    sets tell them apart from a cell the user left blank.
    """

    name: str
    rows: list[list[Cell]]
    formulas_without_value: frozenset[tuple[int, int]] = frozenset()
    formula_errors: Mapping[tuple[int, int], str] = field(default_factory=lambda: MappingProxyType({}))
    merged_problems: tuple[Problem, ...] = ()  # cells read with the value of a merge, said


@dataclass(frozen=True)
class RawWorkbook:
    file_name: str
    kind: FileKind
    sheets: tuple[Sheet, ...]
    problems: tuple[Problem, ...] = ()  # what reading changed, e.g. NUL bytes removed from a CSV

    def sheet(self, name: str) -> Sheet | None:
        return next((sheet for sheet in self.sheets if sheet.name == name), None)


def read_file(path: Path | str, limits: ReadLimits | None = None) -> RawWorkbook:
    """Read a spreadsheet from disk (size checked before it is loaded)."""
    path = Path(path)
    limits = limits or ReadLimits()
    try:
        check_size(path.stat().st_size, path.name, limits)
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise FileRefused(f"Le fichier « {path} » est introuvable.") from error
    except IsADirectoryError as error:
        raise FileRefused(f"« {path} » est un dossier, pas un fichier.") from error
    except PermissionError as error:
        raise FileRefused(f"Le fichier « {path} » ne peut pas être lu (droits).") from error
    return read_bytes(data, path.name, limits)


def read_bytes(data: bytes, file_name: str, limits: ReadLimits | None = None) -> RawWorkbook:
    """Read an uploaded spreadsheet held in memory (what the dashboard passes)."""
    limits = limits or ReadLimits()
    kind = check_file(data, file_name, limits)
    if kind is FileKind.CSV:
        sheet, problems = _read_csv(data, file_name, limits)
        return RawWorkbook(file_name, kind, (sheet,), problems)
    census = inspect_archive(data, file_name, kind, limits)
    sheets = _read_workbook(data, file_name, census)
    return RawWorkbook(file_name, kind, sheets, tuple(q for sheet in sheets for q in sheet.merged_problems))


# ---------------------------------------------------------------------------------------
# Workbooks, through python-calamine


def _read_workbook(data: bytes, file_name: str, census: tuple[SheetCensus, ...]) -> tuple[Sheet, ...]:
    """The workbook's sheets; read again with Excel 365's newer errors made readable if need be.

    python-calamine refuses a whole workbook for one cell holding an error it does not know
    (#SPILL!, #CALC!, #FIELD!… of Excel 365's dynamic arrays). Those cells then read as a
    known error reads (blank), and the census, taken from the file as it is, still names
    the real error at its cell (`formula_problem`): one cell in error, not a refused file.
    """
    try:
        return _read_calamine(data, file_name, census)
    except FileRefused as refusal:
        if not isinstance(refusal.__cause__, Exception) or _UNSUPPORTED_ERROR not in str(refusal.__cause__):
            raise
        readable = _with_known_errors(data)
        if readable is None:
            raise
        return _read_calamine(readable, file_name, census)


_UNSUPPORTED_ERROR = "Unsupported cell error value"
# The error values python-calamine reads (its CellErrorType); any other is replaced by #N/A.
_KNOWN_ERRORS = frozenset({b"#DIV/0!", b"#N/A", b"#NAME?", b"#NULL!", b"#NUM!", b"#REF!", b"#VALUE!"})
_ERROR_VALUE = re.compile(
    rb"(<c\b[^<>]*?[ \t\r\n]t=([\"'])e\2[^<>]*>(?:<f\b[^<>]*/>|<f\b[^<>]*>[^<]*</f>)?<v>)([^<]*)(</v>)"
)
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


def _with_known_errors(data: bytes) -> bytes | None:
    """The workbook with every error value calamine does not know written #N/A; None if none.

    Streamed sheet by sheet, cut at a cell's start so a cell is never split between two
    pieces; only the error cells' values change. The archive was measured by `untrusted`.
    """
    changed = False

    def known(match: re.Match[bytes]) -> bytes:
        nonlocal changed
        if match.group(3) in _KNOWN_ERRORS:
            return match.group(0)
        changed = True
        return match.group(1) + b"#N/A" + match.group(4)

    rewritten = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if not _WORKSHEET.match(info.filename):
                target.writestr(info, source.read(info))
                continue
            with source.open(info) as member, target.open(info.filename, "w") as written:
                carry = b""
                while chunk := member.read(1 << 20):
                    text = carry + chunk
                    cut = text.rfind(b"<c ")
                    if cut <= 0:  # no cell starts past the first byte: hold back only the last tag
                        cut = max(text.rfind(b"<"), 0)
                    written.write(_ERROR_VALUE.sub(known, text[:cut]))
                    carry = text[cut:]
                written.write(_ERROR_VALUE.sub(known, carry))
    return rewritten.getvalue() if changed else None


def _read_calamine(data: bytes, file_name: str, census: tuple[SheetCensus, ...]) -> tuple[Sheet, ...]:
    by_name = {sheet.name: sheet for sheet in census}
    sheets = []
    name = None
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for metadata in workbook.sheets_metadata:
            if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            name = metadata.name
            counted = by_name.get(name)
            sheet = workbook.get_sheet_by_name(name)
            grid = _grid(sheet)
            sheets.append(
                Sheet(
                    name,
                    grid,
                    counted.formulas_without_value if counted else frozenset(),
                    counted.formula_errors if counted else MappingProxyType({}),
                    _fill_merged_down(grid, sheet.merged_cell_ranges or (), name),
                )
            )
    except python_calamine.PasswordError as error:
        raise FileRefused(
            f"« {file_name} » est protégé par un mot de passe. Retirez la protection dans "
            "Excel ou LibreOffice, enregistrez-le puis importez-le à nouveau."
        ) from error
    except Exception as error:  # whatever calamine makes of a damaged file
        raise FileRefused(_unreadable(file_name, name, by_name.get(name or ""), error)) from error
    except BaseException as error:
        if type(error).__name__ != "PanicException":  # pyo3_runtime.PanicException: a Rust panic
            raise
        raise FileRefused(_unreadable(file_name, name, None, error)) from error
    if not sheets:
        raise FileRefused(f"« {file_name} » ne contient aucune feuille de calcul.")
    return tuple(sheets)


MERGES_READ = 10_000  # merged ranges looked at per sheet: a hostile file may declare millions


def _fill_merged_down(
    rows: list[list[Cell]], ranges: Sequence[tuple[tuple[int, int], tuple[int, int]]], sheet: str
) -> tuple[Problem, ...]:
    """A cell merged down over several rows shows its value on each of them: read it so, and say
    it. Only merges within one column (a service spanning three projects); a title merged
    across columns stays where it is. The grid is filled in place; only empty cells are."""
    filled: list[tuple[int, int]] = []
    for (top, left), (bottom, right) in list(ranges)[:MERGES_READ]:
        if left != right or bottom <= top or top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        if value == "" or value is None:
            continue
        for number in range(top + 1, min(bottom, len(rows) - 1) + 1):
            if left < len(rows[number]) and rows[number][left] == "":
                rows[number][left] = value
                filled.append((number, left))
    if not filled:
        return ()
    shown_rows = sorted({row + 1 for row, _ in filled})
    letters = ", ".join(column_letters(column + 1) for column in sorted({column for _, column in filled}))
    return (
        p.warning(
            f"{format_number(len(filled))} cellule(s) fusionnée(s) sur plusieurs lignes (colonne(s) "
            f"{letters}) : la valeur de la fusion est lue sur chacune de ses lignes "
            f"({rows_text(shown_rows)}).",
            sheet=sheet,
            row=shown_rows[0],
            code="merged_cells_read",
        ),
    )


def _grid(sheet: python_calamine.CalamineSheet) -> list[list[Cell]]:
    """The sheet's cells from A1, padded here rather than by calamine.

    `to_python(skip_empty_area=False)` makes calamine copy its whole grid once more (every
    string cloned) before converting it; padding the converted rows costs only pointers.
    """
    rows: list[list[Cell]] = sheet.to_python(skip_empty_area=True)
    start = sheet.start
    if start is None or not rows:
        return rows
    first_row, first_column = start
    if first_column:
        padding = [""] * first_column
        for row in rows:
            row[0:0] = padding
    if first_row:
        width = len(rows[0])
        rows[0:0] = [[""] * width for _ in range(first_row)]
    return rows


def _unreadable(file_name: str, sheet: str | None, census: SheetCensus | None, error: BaseException) -> str:
    text = str(error)
    where = f"« {file_name} »" + (f", feuille « {sheet} »" if sheet else "")
    if "Unsupported cell error value" in text:
        code = text.rsplit("'", 2)[-2] if text.count("'") >= 2 else "?"
        cells = sorted(
            position for position, value in (census.formula_errors if census else {}).items() if value == code
        )
        at = f" (cellule {column_letters(cells[0][1] + 1)}{cells[0][0] + 1})" if cells else ""
        return (
            f"{where}{at} : une formule donne l'erreur « {code} », que le lecteur ne sait pas lire. "
            "Corrigez cette formule ou remplacez-la par sa valeur, enregistrez, puis importez à nouveau."
        )
    return (
        f"{where} ne peut pas être lu comme un classeur : il est endommagé ou d'un format inattendu. "
        "Ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau."
    )


# ---------------------------------------------------------------------------------------
# CSV, under the same budget as a workbook


def _read_csv(data: bytes, file_name: str, limits: ReadLimits) -> tuple[Sheet, tuple[Problem, ...]]:
    """Rows of a CSV, checked against the limits while they are read, before any is padded.

    A row of 200 000 separators would make every row 200 000 cells wide once the table is
    squared: the width of each line is checked before the csv module splits it, the cells
    (rows × widest row) after each row, so a refusal comes before the memory is spent.
    """
    name = Path(file_name).stem or "CSV"
    encoding = _encoding(data, file_name)
    delimiter = _guess_delimiter(_start_of(data, encoding))
    budget = _CsvBudget(file_name, delimiter, limits)
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    rows: list[list[Cell]] = budget.rows
    cleaned: list[tuple[int, int]] = []  # (row number, NULs removed)
    reader = csv.reader(budget.lines(text), delimiter=delimiter)
    widest, max_cells, checked = 1, budget.max_cells, 0
    try:
        for row in reader:
            budget.separators = 0  # the record is read: its separators no longer add up
            if len(row) > widest:
                widest = budget.widen(len(row), len(rows) + 1)
            if (len(rows) + 1) * widest > max_cells:  # an empty line is a row all the same
                budget.too_many_cells(len(rows) + 1, widest)
            if budget.nul:
                row, removed = _without_nul(row)
                cleaned.append((len(rows) + 1, removed))
                budget.nul = False
            rows.append(row)
            if len(rows) - checked >= _CHECKED_TOGETHER:
                budget.check_lengths(rows, checked)
                checked = len(rows)
    except csv.Error as error:
        raise FileRefused(_unreadable_csv(file_name, len(rows) + 1, str(error))) from error
    budget.check_lengths(rows, checked)
    return Sheet(name, rows), _nul_problems(cleaned, name)


_CHECKED_TOGETHER = 10_000  # rows whose cell lengths are checked in one go


def _unreadable_csv(file_name: str, number: int, reason: str) -> str:
    where = f"« {file_name} », ligne {format_number(number)}"
    if "field larger than field limit" in reason:
        return (
            f"{where} : une valeur dépasse {format_number(csv.field_size_limit())} caractères, la "
            "limite par cellule. Si cette ligne ne contient pas un texte aussi long, un guillemet y "
            "est resté ouvert : corrigez-la dans un tableur, puis enregistrez à nouveau."
        )
    return (
        f"{where} : la ligne ne se lit pas comme du CSV (guillemet mal placé, retour à la ligne "
        "au milieu d'une valeur ?). Corrigez-la dans un tableur, puis enregistrez à nouveau."
    )


def _encoding(data: bytes, file_name: str) -> str:
    """UTF-16 when Excel's « Texte Unicode » wrote it, UTF-8 (BOM or not) when valid, else
    Windows-1252 (Excel's French « CSV (séparateur : point-virgule) »)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith(UTF16_BOMS) or looks_utf16(data[:4096]):
        encoding = "utf-16" if data.startswith(UTF16_BOMS) else _utf16_order(data)
        if not _decodes(data, encoding):
            raise FileRefused(
                f"« {file_name} » semble écrit en Unicode (UTF-16) mais ne se décode pas : il est "
                "endommagé. Enregistrez-le à nouveau en « CSV UTF-8 »."
            )
        return encoding
    return "utf-8" if _decodes(data, "utf-8") else "cp1252"


def _utf16_order(data: bytes) -> str:
    return "utf-16-le" if data[1:4096:2].count(0) > data[0:4096:2].count(0) else "utf-16-be"


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether `data` is valid in `encoding`, decoded a chunk at a time and kept nowhere."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(data), MB):
            decoder.decode(data[start : start + MB], final=start + MB >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _start_of(data: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(data[:65536])


class _CsvBudget:
    """The limits of a workbook applied to a CSV, line by line while the csv module reads."""

    def __init__(self, file_name: str, delimiter: str, limits: ReadLimits) -> None:
        self.file_name = file_name
        self.delimiter = delimiter
        self.limits = limits
        self.max_cells = min(limits.max_cells_per_sheet, limits.max_cells)
        self.separators = 0  # in the record being read
        self.nul = False
        self.rows: list[list[Cell]] = []  # read so far (the reader's own list)

    def lines(self, text: Iterator[str]) -> Iterator[str]:
        """The file's lines, refusing one that would make a record too wide before it is split."""
        for line in text:
            self.separators += line.count(self.delimiter)
            if self.separators >= self.limits.max_columns:
                self._too_wide(len(self.rows) + 1, self.separators + 1)
            if "\x00" in line:
                self.nul = True
            yield line

    def widen(self, width: int, number: int) -> int:
        if width > self.limits.max_columns:
            self._too_wide(number, width)
        return width

    def too_many_cells(self, number: int, widest: int) -> None:
        raise FileRefused(
            f"« {self.file_name} » : à la ligne {format_number(number)}, le tableau compte déjà "
            f"{format_number(number)} lignes × {format_number(widest)} colonnes, au-delà de la "
            f"limite de {format_number(self.max_cells)} cellules. Vérifiez qu'il s'agit bien de "
            "l'inventaire et que le séparateur est le bon."
        )

    def check_lengths(self, rows: list[list[Cell]], start: int) -> None:
        """No cell of rows[start:] longer than the limit (the csv module stops at its own)."""
        if (
            max(map(len, itertools.chain.from_iterable(rows[start:])), default=0)
            <= self.limits.max_cell_chars
        ):
            return
        for number, row in enumerate(rows[start:], start=start + 1):
            for column, cell in enumerate(row):
                if len(cell) > self.limits.max_cell_chars:  # type: ignore[arg-type]
                    raise FileRefused(
                        f"« {self.file_name} », ligne {format_number(number)}, colonne "
                        f"{column_letters(column + 1)} : la valeur compte {format_number(len(cell))} "
                        f"caractères, au-delà de la limite de {format_number(self.limits.max_cell_chars)} "
                        "par cellule."
                    )

    def _too_wide(self, number: int, width: int) -> None:
        raise FileRefused(
            f"« {self.file_name} », ligne {format_number(number)} : elle compte au moins "
            f"{format_number(width)} valeurs, au-delà de la limite de "
            f"{format_number(self.limits.max_columns)} colonnes. Vérifiez que le séparateur est "
            "le bon et qu'aucun guillemet n'est resté ouvert."
        )


def _without_nul(row: list[str]) -> tuple[list[str], int]:
    removed = sum(cell.count("\x00") for cell in row)
    return [cell.replace("\x00", "") for cell in row], removed


def _nul_problems(cleaned: list[tuple[int, int]], sheet: str) -> tuple[Problem, ...]:
    """One warning naming the rows whose NUL bytes were removed (never a silent change)."""
    if not cleaned:
        return ()
    total = sum(removed for _, removed in cleaned)
    rows = ", ".join(format_number(row) for row, _ in cleaned[:20])
    more = f" et {format_number(len(cleaned) - 20)} autres" if len(cleaned) > 20 else ""
    plural = "s" if len(cleaned) > 1 else ""
    return (
        p.warning(
            f"{format_number(total)} caractère{'s' if total > 1 else ''} nul{'s' if total > 1 else ''} "
            f"(octet 0, invisible dans un tableur) retiré{'s' if total > 1 else ''} à la lecture, "
            f"ligne{plural} {rows}{more}. Vérifiez ces lignes : le fichier a peut-être été "
            "endommagé ou produit par un logiciel qui les y a laissés.",
            sheet=sheet,
            row=cleaned[0][0],
        ),
    )


def _guess_delimiter(text: str) -> str:
    """The separator that splits the first lines most consistently: ';', ',' or tab."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ";", -1
    for delimiter in (";", ",", "\t"):
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        widest = max(counts, default=1)
        if widest <= 1:
            continue
        score = sum(count == widest for count in counts) * widest
        if score > best_score:
            best, best_score = delimiter, score
    return best
