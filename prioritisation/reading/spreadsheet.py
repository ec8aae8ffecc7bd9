"""Turns an uploaded file into grids of cell values, one per sheet, as the user sees them.

Row 0 of a grid is the spreadsheet's row 1 and column 0 its column A, so every message can
cite the row and column the user sees. python-calamine does the reading (about 8× faster
than openpyxl and it never expands XML entities); it only ever sees bytes that
`untrusted` has measured first. This is the only module that imports python-calamine.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from prioritisation.reading.untrusted import (
    FileKind,
    FileRefused,
    ReadLimits,
    check_file,
    check_size,
    inspect_archive,
)

Cell = object  # str, float, int, bool, date, datetime, time, timedelta; "" when empty


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Cell]]


@dataclass(frozen=True)
class RawWorkbook:
    file_name: str
    kind: FileKind
    sheets: tuple[Sheet, ...]

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
        return RawWorkbook(file_name, kind, (_read_csv(data, file_name),))
    inspect_archive(data, file_name, kind, limits)
    return RawWorkbook(file_name, kind, _read_workbook(data, file_name))


def _read_workbook(data: bytes, file_name: str) -> tuple[Sheet, ...]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for metadata in workbook.sheets_metadata:
            if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = workbook.get_sheet_by_name(metadata.name)
            sheets.append(Sheet(metadata.name, sheet.to_python(skip_empty_area=False)))
    except python_calamine.PasswordError as error:
        raise FileRefused(
            f"« {file_name} » est protégé par un mot de passe. Retirez la protection dans "
            "Excel ou LibreOffice, enregistrez-le puis importez-le à nouveau."
        ) from error
    except (python_calamine.CalamineError, ValueError, OSError) as error:
        raise FileRefused(
            f"« {file_name} » ne peut pas être lu comme un classeur ({error}). Ouvrez-le dans "
            "Excel ou LibreOffice et enregistrez-le à nouveau."
        ) from error
    if not sheets:
        raise FileRefused(f"« {file_name} » ne contient aucune feuille de calcul.")
    return tuple(sheets)


def _read_csv(data: bytes, file_name: str) -> Sheet:
    text = _decode(data)
    delimiter = _guess_delimiter(text)
    rows: list[list[Cell]] = [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return Sheet(Path(file_name).stem or "CSV", rows)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it is valid, else Windows-1252 (Excel's French CSV)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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
