"""Uploaded files are hostile until proven otherwise.

Everything here runs before a spreadsheet library sees the bytes: the size of the file,
what it really is (by its content, not its name), how far its archive would inflate and
how many cells its sheets would span. A 5 KB .xlsx whose two cells sit at A1 and XFD1048576
asks python-calamine for 549 GB and aborts the whole server process; a 2 MB archive that
inflates to 2 GB hangs openpyxl for minutes. Both are refused here, with a French message.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from enum import Enum
from io import BytesIO

import numpy as np
from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from prioritisation.french import format_number

MB = 1_000_000  # a « Mo » as the upload widget and the README count it


@dataclass(frozen=True)
class ReadLimits:
    """What we accept from a file. Settings, with defaults sized for real inventories."""

    max_file_bytes: int = 20 * MB
    max_inflated_bytes: int = 400 * MB
    max_inflation_ratio: float = 200.0
    max_archive_members: int = 2_000
    max_cells_per_sheet: int = 5_000_000


class FileRefused(Exception):
    """The file cannot be read or is refused as unsafe; the message is for the user."""


class FileKind(Enum):
    XLSX = "xlsx"
    ODS = "ods"
    CSV = "csv"


@dataclass(frozen=True)
class SheetExtent:
    """How many rows and columns a sheet would span once loaded, from A1."""

    name: str
    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 1 * MB


def format_size(size: int) -> str:
    return f"{format_number(size / MB, 1)} Mo"


def check_size(size: int, file_name: str, limits: ReadLimits) -> None:
    """Refuse a file over the upload limit, before a byte of it is read or inflated."""
    if size > limits.max_file_bytes:
        raise FileRefused(
            f"« {file_name} » pèse {format_size(size)} : la limite est de "
            f"{format_size(limits.max_file_bytes)}. Retirez les feuilles inutiles ou "
            "enregistrez seulement l'inventaire."
        )


_WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".ods")


def check_file(data: bytes, file_name: str, limits: ReadLimits) -> FileKind:
    """The kind of spreadsheet `data` holds, or FileRefused with the reason in French."""
    check_size(len(data), file_name, limits)
    if not data:
        raise FileRefused(f"« {file_name} » est vide.")
    if data.startswith(_OLE_MAGIC):
        raise FileRefused(_ole_reason(data, file_name))
    if data.startswith(_ZIP_MAGIC):
        return _archive_kind(data, file_name, limits)
    if b"\x00" in data[:65536]:
        raise FileRefused(f"« {file_name} » n'est ni un classeur (.xlsx, .xlsm, .ods) ni un fichier CSV.")
    if file_name.lower().endswith(_WORKBOOK_EXTENSIONS):
        raise FileRefused(
            f"« {file_name} » porte l'extension d'un classeur mais n'en est pas un : il est endommagé "
            "ou d'un autre format. Ouvrez-le dans Excel ou LibreOffice, enregistrez-le au format "
            ".xlsx, puis importez-le à nouveau."
        )
    return FileKind.CSV


def _ole_reason(data: bytes, file_name: str) -> str:
    if "EncryptedPackage".encode("utf-16-le") in data:
        return (
            f"« {file_name} » est protégé par un mot de passe. Ouvrez-le dans Excel ou "
            "LibreOffice, retirez la protection, enregistrez-le puis importez-le à nouveau."
        )
    return (
        f"« {file_name} » est au format Excel 97-2003 (.xls). Enregistrez-le au format "
        ".xlsx ou .ods, puis importez-le à nouveau."
    )


def _archive_kind(data: bytes, file_name: str, limits: ReadLimits) -> FileKind:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileRefused(_damaged(file_name)) from error
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return FileKind.XLSX
    if "mimetype" in names and archive.read("mimetype").strip() == _ODS_MIMETYPE:
        return FileKind.ODS
    raise FileRefused(f"« {file_name} » est une archive qui n'est pas un classeur (.xlsx, .xlsm, .ods).")


def _damaged(file_name: str) -> str:
    return (
        f"« {file_name} » est endommagé ou incomplet (téléchargement interrompu ?). "
        "Ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau."
    )


def inspect_archive(data: bytes, file_name: str, kind: FileKind, limits: ReadLimits) -> None:
    """Inflate every member under a cap and measure every sheet before any library loads it."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
        if len(members) > limits.max_archive_members:
            raise FileRefused(
                f"« {file_name} » contient {len(members)} éléments : ce n'est pas un "
                "classeur ordinaire, il est refusé par précaution."
            )
        budget = _InflationBudget(file_name, len(data), limits)
        for member in members:
            content = budget.inflate(archive, member)
            _refuse_declarations(content, file_name)
            for extent in _sheet_extents(kind, member.filename, content, file_name):
                _check_extent(extent, file_name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise FileRefused(_damaged(file_name)) from error
    except NotImplementedError as error:  # unknown compression or encryption method
        raise FileRefused(
            f"« {file_name} » utilise une compression ou un chiffrement non pris en charge. "
            "Enregistrez-le à nouveau depuis Excel ou LibreOffice."
        ) from error


def _refuse_declarations(content: bytes, file_name: str) -> None:
    """Office files never declare a DTD or entities; one that does is an attack (billion laughs)."""
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise FileRefused(
            f"« {file_name} » contient des déclarations XML interdites (DTD, entités) : "
            "il est refusé par précaution. Enregistrez-le à nouveau depuis Excel ou LibreOffice."
        )


class _InflationBudget:
    """Stream-inflates archive members, refusing as soon as the total goes past the bounds."""

    def __init__(self, file_name: str, packed_size: int, limits: ReadLimits) -> None:
        self.file_name = file_name
        allowed_by_ratio = int(max(packed_size, MB) * limits.max_inflation_ratio)
        self.remaining = min(limits.max_inflated_bytes, allowed_by_ratio)

    def inflate(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
        chunks: list[bytes] = []
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                self.remaining -= len(chunk)
                if self.remaining < 0:
                    raise FileRefused(
                        f"« {self.file_name} » se décompresse en un volume anormal "
                        "(bombe de décompression probable) : il est refusé."
                    )
                chunks.append(chunk)
        return b"".join(chunks)


_XLSX_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# Any r="…" attribute, however spelled: cells carry letters and a row number, rows a number.
_XLSX_REFERENCE = re.compile(rb"""\br\s*=\s*["']([A-Z]*)([0-9]+)["']""")
_WINDOW = np.arange(13)  # up to 3 letters, 9 digits and the closing quote


def _sheet_extents(kind: FileKind, member: str, content: bytes, file_name: str) -> list[SheetExtent]:
    if kind is FileKind.XLSX and _XLSX_SHEET.match(member):
        return [_xlsx_extent(member, content)]
    if kind is FileKind.ODS and member == "content.xml":
        return _ods_extents(content, file_name)
    return []


def _xlsx_extent(member: str, content: bytes) -> SheetExtent:
    """The farthest row and column any r="…" reference of a worksheet reaches.

    Excel, LibreOffice and openpyxl all write ` r="B12"`: those are decoded with numpy in a
    few milliseconds. A sheet that spells any r attribute otherwise (other whitespace or
    quotes, leading zeros, stray characters) is read by the exhaustive regular expression
    instead: slower, as safe.
    """
    data = np.frombuffer(content, dtype=np.uint8)
    starts = _plain_references(data)
    extent = None if starts is None else _decode_references(data, starts)
    if extent is None:
        return _xlsx_extent_by_regex(member, content)
    rows, columns = extent
    return SheetExtent(name=member, rows=rows, columns=columns)


def _plain_references(data: np.ndarray) -> np.ndarray | None:
    """Offsets just past ` r="` of every r attribute, or None if one is spelled otherwise."""
    if data.size < 8:
        return np.zeros(0, dtype=np.int64)
    letters_r = np.flatnonzero(data[1:-2] == ord("r")) + 1
    after = data[letters_r + 1]
    attribute = _is_space(data[letters_r - 1]) & ((after == ord("=")) | _is_space(after))
    candidates = letters_r[attribute]
    plain = (
        (data[candidates - 1] == ord(" "))
        & (data[candidates + 1] == ord("="))
        & (data[np.minimum(candidates + 2, data.size - 1)] == ord('"'))
    )
    return candidates + 3 if plain.all() else None


def _is_space(values: np.ndarray) -> np.ndarray:
    return (values == ord(" ")) | (values == ord("\t")) | (values == ord("\n")) | (values == ord("\r"))


def _decode_references(data: np.ndarray, starts: np.ndarray) -> tuple[int, int] | None:
    """(largest row, largest column) of the references at `starts`; None if one is unusual."""
    if starts.size == 0:
        return 0, 0
    padded = np.concatenate([data, np.zeros(_WINDOW.size, dtype=np.uint8)])
    window = padded[starts[:, None] + _WINDOW]
    upper = (window[:, :3] >= ord("A")) & (window[:, :3] <= ord("Z"))
    letters = upper.cumprod(axis=1).sum(axis=1)
    closing = window == ord('"')
    if not closing.any(axis=1).all():
        return None
    end = closing.argmax(axis=1)
    inside = (letters[:, None] <= _WINDOW) & (end[:, None] > _WINDOW)
    digit = (window >= ord("0")) & (window <= ord("9"))
    if (inside & ~digit).any():
        return None  # a fourth letter, or a stray character: let the regular expression decide
    row = _largest_row(window, letters, end - letters)
    return None if row is None else (row, _largest_column(window, letters))


def _largest_column(window: np.ndarray, letters: np.ndarray) -> int:
    most = int(letters.max())
    chosen = window[letters == most, :most].astype(np.int64) - ord("A") + 1
    return int((chosen @ (26 ** np.arange(most - 1, -1, -1))).max()) if most else 0


def _largest_row(window: np.ndarray, letters: np.ndarray, digits: np.ndarray) -> int | None:
    most = int(digits.max())
    if most < 1 or digits.min() < 1:
        return None
    chosen = digits == most
    positions = letters[chosen, None] + np.arange(most)
    values = np.take_along_axis(window[chosen], positions, axis=1).astype(np.int64) - ord("0")
    if values[:, 0].min() == 0:
        return None  # leading zeros: let the regular expression decide
    return int((values @ (10 ** np.arange(most - 1, -1, -1))).max())


def _xlsx_extent_by_regex(member: str, content: bytes) -> SheetExtent:
    rows = columns = 0
    for letters, row in set(_XLSX_REFERENCE.findall(content)):
        rows = max(rows, int(row))
        columns = max(columns, column_number(letters.decode()))
    return SheetExtent(name=member, rows=rows, columns=columns)


def column_number(letters: str) -> int:
    """'A' → 1, 'Z' → 26, 'AA' → 27, 'XFD' → 16384; '' → 0."""
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def column_letters(number: int) -> str:
    """1 → 'A', 27 → 'AA' (the inverse of column_number)."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = f"{{{_TABLE_NS}}}table"
_ROW = f"{{{_TABLE_NS}}}table-row"
_CELLS = (f"{{{_TABLE_NS}}}table-cell", f"{{{_TABLE_NS}}}covered-table-cell")
_ROWS_REPEATED = f"{{{_TABLE_NS}}}number-rows-repeated"
_COLUMNS_REPEATED = f"{{{_TABLE_NS}}}number-columns-repeated"
_VALUE_TYPE = f"{{{_OFFICE_NS}}}value-type"
_TABLE_NAME = f"{{{_TABLE_NS}}}name"


def _ods_extents(content: bytes, file_name: str) -> list[SheetExtent]:
    """Rows and columns up to the last filled cell of each table, repeats included."""
    extents: list[SheetExtent] = []
    row = height = width = column = row_width = 0
    try:
        events = SafeElementTree.iterparse(BytesIO(content), events=("start", "end"))
        for event, element in events:
            tag = element.tag
            if event == "start":
                if tag == _TABLE:
                    row = height = width = 0
                elif tag == _ROW:
                    column = row_width = 0
                continue
            if tag in _CELLS:
                column += _repeat(element, _COLUMNS_REPEATED)
                if element.get(_VALUE_TYPE) is not None or len(element) > 0:
                    row_width = column
                element.clear()
            elif tag == _ROW:
                repeated = _repeat(element, _ROWS_REPEATED)
                row += repeated
                if row_width:
                    height, width = row, max(width, row_width)
                element.clear()
            elif tag == _TABLE:
                extents.append(SheetExtent(element.get(_TABLE_NAME, "?"), height, width))
                element.clear()
    except DefusedXmlException as error:
        raise FileRefused(
            f"« {file_name} » contient des déclarations XML interdites (entités) : "
            "il est refusé par précaution."
        ) from error
    except SafeElementTree.ParseError as error:
        raise FileRefused(_damaged(file_name)) from error
    return extents


def _repeat(element: SafeElementTree.Element, attribute: str) -> int:
    try:
        return max(1, int(element.get(attribute, "1")))
    except ValueError:
        return 1


def _check_extent(extent: SheetExtent, file_name: str, limits: ReadLimits) -> None:
    if extent.cells > limits.max_cells_per_sheet:
        raise FileRefused(
            f"« {file_name} » : une feuille s'étend sur {format_number(extent.rows)} lignes "
            f"× {format_number(extent.columns)} colonnes, au-delà de la limite de "
            f"{format_number(limits.max_cells_per_sheet)} cellules. Supprimez les lignes et "
            "colonnes vides ou inutiles en fin de feuille, puis enregistrez à nouveau."
        )
