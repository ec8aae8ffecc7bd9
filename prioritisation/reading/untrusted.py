"""Uploaded files are hostile until proven otherwise.

Everything here runs before a spreadsheet library sees the bytes: the size of the file,
what it really is (by its content, not its name), how far its archive would inflate and
what its sheets would become once loaded. A 5 KB .xlsx whose two cells sit at A1 and
XFD1048576 asks python-calamine for 549 GB and aborts the whole server process; a 2 MB
archive that inflates to 2 GB hangs openpyxl for minutes; a 6 KB workbook whose cells share
one long string takes 575 MB. All are refused here, with a French message. What is measured
counts the cells that really hold something: a sheet declared `A1:N1048576` whose last
filled row is 24 812 is 24 812 rows long. The measurements behind the rules are in
docs/lecture-des-fichiers.md.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import Enum
from io import BytesIO
from xml.parsers import expat

import numpy as np
from defusedxml.common import DefusedXmlException

from prioritisation.french import format_number
from prioritisation.reading.ods_census import OdsContentScan
from prioritisation.reading.sheet_census import (
    BoundXlsxSheetScan,
    MalformedSheet,
    PlainSharedStringsScan,
    PlainXlsxSheetScan,
    RelationshipsScan,
    SharedStrings,
    SharedStringsScan,
    SheetCensus,
    SheetTally,
    WorkbookScan,
    XlsxSheetScan,
    office_document_folder,
    sheet_paths,
)

MB = 1_000_000  # a « Mo » as the upload widget and the README count it


@dataclass(frozen=True)
class ReadLimits:
    """What we accept from a file. Settings, with defaults sized for real inventories.

    The largest public inventories we know (the State's 2018 and 2019 investment-grant lists,
    26 295 and 24 811 projects) use a half of each limit or less; at the limits, reading a
    file takes less than 500 MB (bench/read_limits.py measures the worst files we could
    build; docs/lecture-des-fichiers.md says what python-calamine allocates and why).
    """

    max_file_bytes: int = 20 * MB
    # an archive may inflate to this much in all (the 2018 grant list: 61 MB), and to this
    # many times its own size; python-calamine may hold a whole member's worth at once (a
    # single tag, '<' and '>' inside its quoted values, is one token to its XML reader)
    max_inflated_bytes: int = 200 * MB
    max_inflation_ratio: float = 200.0
    max_archive_members: int = 2_000
    # a sheet counts from A1 to its last filled row × its widest filled row, as it is loaded
    # (the 2018 grant list, 26 295 projects × 18 columns, is 473 328 cells)
    max_cells_per_sheet: int = 1_000_000
    # and all the sheets of a workbook together
    max_cells: int = 1_500_000
    # columns of a sheet (Excel's own width is 16 384)
    max_columns: int = 16_384
    # characters in one cell (an Excel cell holds 32 767; the csv module stops at 131 072)
    max_cell_chars: int = 131_072
    # characters of text in all the cells of a file, each shared or repeated text counted
    # every time it is used, as the reader holds it (the 2018 grant list has 11 million)
    max_text_chars: int = 25_000_000

    def __post_init__(self) -> None:
        for limit in fields(self):
            value = getattr(self, limit.name)
            if not (isinstance(value, int | float) and value > 0):
                raise ValueError(f"La limite de lecture {limit.name} doit être un nombre positif.")


class FileRefused(Exception):
    """The file cannot be read or is refused as unsafe; the message is for the user."""


class FileKind(Enum):
    XLSX = "xlsx"
    ODS = "ods"
    CSV = "csv"


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 1 * MB
# Files that are surely not text, by their first bytes: PDF, PNG, JPEG, GIF, gzip, 7z, RAR, ELF.
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


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
    if _looks_binary(data[:65536]):
        raise FileRefused(f"« {file_name} » n'est ni un classeur (.xlsx, .xlsm, .ods) ni un fichier CSV.")
    if file_name.lower().endswith(_WORKBOOK_EXTENSIONS):
        raise FileRefused(
            f"« {file_name} » porte l'extension d'un classeur mais n'en est pas un : il est endommagé "
            "ou d'un autre format. Ouvrez-le dans Excel ou LibreOffice, enregistrez-le au format "
            ".xlsx, puis importez-le à nouveau."
        )
    return FileKind.CSV


def looks_utf16(sample: bytes) -> bool:
    """Excel's « Texte Unicode » export: UTF-16 with a byte-order mark (or NULs every other byte)."""
    if sample.startswith(UTF16_BOMS):
        return True
    pairs = sample[: len(sample) // 2 * 2]
    return len(pairs) >= 4 and (
        pairs[1::2].count(0) > 0.9 * len(pairs) / 2 or pairs[0::2].count(0) > 0.9 * len(pairs) / 2
    )


def _looks_binary(sample: bytes) -> bool:
    """A file that cannot be a CSV: a known binary format, or more control bytes than text has.

    A stray NUL or two is read (and reported) by the CSV reader; a PDF or an image is not text.
    """
    if sample.startswith(_BINARY_MAGIC):
        return True
    if looks_utf16(sample):
        return False
    controls = sum(sample.count(bytes([byte])) for byte in (*range(0, 9), 11, *range(14, 32)))
    return controls > 0.05 * len(sample)


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


# What zipfile and zlib raise on a damaged archive (a broken deflate stream, a bad offset, a
# wrong CRC, a truncated member); RuntimeError is an encrypted member.
_DAMAGED_ARCHIVE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    UnicodeError,
    LookupError,  # an XML declaration naming an unknown encoding
    OverflowError,
    expat.ExpatError,
)


def _archive_kind(data: bytes, file_name: str, limits: ReadLimits) -> FileKind:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = archive.namelist()
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return FileKind.XLSX
        mimetype = archive.getinfo("mimetype") if "mimetype" in names else None
        if (
            mimetype is not None
            and mimetype.file_size < 1024
            and archive.read(mimetype).strip() == _ODS_MIMETYPE
        ):
            return FileKind.ODS
    except NotImplementedError as error:
        raise FileRefused(_unsupported(file_name)) from error
    except _DAMAGED_ARCHIVE as error:
        raise FileRefused(_damaged(file_name)) from error
    raise FileRefused(f"« {file_name} » est une archive qui n'est pas un classeur (.xlsx, .xlsm, .ods).")


def _damaged(file_name: str) -> str:
    return (
        f"« {file_name} » est endommagé ou incomplet (téléchargement interrompu ?). "
        "Ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau."
    )


def _unsupported(file_name: str) -> str:
    return (
        f"« {file_name} » utilise une compression ou un chiffrement non pris en charge. "
        "Enregistrez-le à nouveau depuis Excel ou LibreOffice."
    )


# ---------------------------------------------------------------------------------------
# Inside the archive


def inspect_archive(
    data: bytes, file_name: str, kind: FileKind, limits: ReadLimits
) -> tuple[SheetCensus, ...]:
    """Inflate every member under a cap and count what every sheet holds, before any library loads it.

    Returns the census of each sheet (by the name the user sees), for the reader's messages.
    """
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = _members(archive, file_name, limits)
        inflater = _Inflater(archive, file_name, len(data), limits)
        if kind is FileKind.XLSX:
            sheets, shared_text = _xlsx_census(inflater, members, file_name, limits)
        else:
            sheets, shared_text = _ods_census(inflater, members), 0
    except FileRefused:
        raise
    except DefusedXmlException as error:
        raise FileRefused(_declarations(file_name)) from error
    except NotImplementedError as error:  # unknown compression or encryption method
        raise FileRefused(_unsupported(file_name)) from error
    except (*_DAMAGED_ARCHIVE, MalformedSheet) as error:
        raise FileRefused(_damaged(file_name)) from error
    check_sheets(sheets, file_name, limits)
    _check_text(shared_text + sum(sheet.text_chars for sheet in sheets), file_name, limits)
    return sheets


def _members(archive: zipfile.ZipFile, file_name: str, limits: ReadLimits) -> dict[str, zipfile.ZipInfo]:
    """Members by the name calamine looks them up with (lower case, '/' separators).

    Two members of one name leave open which one calamine reads: no workbook has them.
    """
    infos = archive.infolist()
    if len(infos) > limits.max_archive_members:
        raise FileRefused(
            f"« {file_name} » contient {len(infos)} éléments : ce n'est pas un "
            "classeur ordinaire, il est refusé par précaution."
        )
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        key = info.filename.replace("\\", "/").lower()
        if key in members:
            raise FileRefused(
                f"« {file_name} » contient deux fois l'élément « {info.filename} » : il est "
                "endommagé ou fabriqué, il est refusé par précaution."
            )
        members[key] = info
    return members


Feed = Callable[[bytes, bool], None]


class _Inflater:
    """Stream-inflates archive members, refusing as soon as the total goes past the bounds.

    No member is ever held whole: each chunk goes to the scanners and is dropped, so the
    memory this takes does not grow with what the archive inflates to.
    """

    def __init__(
        self, archive: zipfile.ZipFile, file_name: str, packed_size: int, limits: ReadLimits
    ) -> None:
        self.archive = archive
        self.file_name = file_name
        allowed_by_ratio = int(max(packed_size, MB) * limits.max_inflation_ratio)
        self.remaining = min(limits.max_inflated_bytes, allowed_by_ratio)
        self.inflated: set[str] = set()

    def stream(self, member: zipfile.ZipInfo, feeds: Iterable[Feed], *, xml: bool = False) -> None:
        """Inflate `member` into `feeds`; for an XML member (`xml`), refuse a huge token first.

        `longest_run` is left with the longest run of bytes without a '<' in the member:
        the longest text or tag an XML parser would have to hold at once.
        """
        feeds = list(feeds)
        counted = member.filename not in self.inflated
        self.inflated.add(member.filename)
        declarations = _DeclarationGuard(self.file_name)
        run = self.longest_run = 0
        with self.archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                if counted:
                    self.remaining -= len(chunk)
                    if self.remaining < 0:
                        raise FileRefused(
                            f"« {self.file_name} » se décompresse en un volume anormal "
                            "(bombe de décompression probable) : il est refusé."
                        )
                declarations.check(chunk)
                run, longest = _runs_without_tags(chunk, run)
                self.longest_run = max(self.longest_run, longest)
                if xml:
                    self.check_tokens()
                for feed in feeds:
                    feed(chunk, False)
        for feed in feeds:
            feed(b"", True)

    def check_tokens(self) -> None:
        """No XML parser is handed a text or a tag of more than _LONGEST_TOKEN bytes to hold."""
        if self.longest_run > _LONGEST_TOKEN:
            raise FileRefused(
                f"« {self.file_name} » contient un élément XML de plus de {format_size(_LONGEST_TOKEN)} "
                "d'un seul tenant : ce n'est pas un classeur ordinaire, il est refusé par précaution."
            )


# The longest text or tag a real workbook holds: a cell of 131 072 characters, each written
# as a character reference (&#x1F600;) at most. Expat and calamine hold a token whole.
_LONGEST_TOKEN = 8 * MB


def _runs_without_tags(chunk: bytes, run: int) -> tuple[int, int]:
    """(bytes since the last '<' at the end of `chunk`, longest such run through it)."""
    opening = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("<"))
    if not opening.size:
        return run + len(chunk), run + len(chunk)
    longest = max(run + int(opening[0]), len(chunk) - int(opening[-1]))
    if opening.size > 1:
        longest = max(longest, int(np.diff(opening).max()))
    return len(chunk) - int(opening[-1]), longest


class _DeclarationGuard:
    """Office files never declare a DTD or entities; one that does is an attack (billion laughs)."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.tail = b""

    def check(self, chunk: bytes) -> None:
        window = self.tail + chunk
        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
            raise FileRefused(_declarations(self.file_name))
        self.tail = chunk[-16:]


def _declarations(file_name: str) -> str:
    return (
        f"« {file_name} » contient des déclarations XML interdites (DTD, entités) : "
        "il est refusé par précaution. Enregistrez-le à nouveau depuis Excel ou LibreOffice."
    )


class _Contains:
    """Whether a streamed member contains `needle` anywhere (chunk boundaries included)."""

    def __init__(self, needle: bytes) -> None:
        self.needle = needle
        self.found = False
        self.tail = b""

    def __call__(self, chunk: bytes, final: bool) -> None:
        if not self.found:
            self.found = self.needle in self.tail + chunk
            self.tail = chunk[-len(self.needle) :]


def _feed(scan: object) -> Feed:
    return scan.feed  # type: ignore[attr-defined,no-any-return]


def _xlsx_census(
    inflater: _Inflater, members: dict[str, zipfile.ZipInfo], file_name: str, limits: ReadLimits
) -> tuple[tuple[SheetCensus, ...], int]:
    """Every member that may hold cells, counted and named after its sheet when it is one.

    calamine finds worksheets and shared strings through the workbook's relationships,
    which may point anywhere in the archive: whatever holds a `sheetData` is counted,
    referenced or not, and the shared strings are the one member named so, wherever it is.
    A sheet is first bounded cheaply (BoundXlsxSheetScan), and counted exactly only when a
    bound goes past a limit. Also returns the characters of the shared strings, which
    calamine keeps all along.
    """
    strings_member = _shared_strings_member(members, file_name)
    shared = SharedStrings()
    if strings_member is not None:
        shared = _shared_strings(inflater, strings_member)
        _check_shared_strings(shared, file_name, limits)
    names = _xlsx_sheet_names(inflater, members)
    sheets: list[SheetCensus] = []
    bounded: list[tuple[int, zipfile.ZipInfo]] = []
    for key, member in members.items():
        if member is strings_member or member.is_dir():
            continue
        tally = SheetTally(names.get(key, member.filename))
        bound = BoundXlsxSheetScan(tally, shared)
        holds_cells = _Contains(b"sheetData")
        inflater.stream(member, [_feed(bound), holds_cells])
        if holds_cells.found or key.endswith((".xml", ".rels")):  # what calamine may parse
            inflater.check_tokens()
        if not holds_cells.found:
            continue
        census = tally.census()
        if bound.plain and _fits(census, limits):
            bounded.append((len(sheets), member))
        else:
            census = _exact_census(inflater, member, census.name, shared)
        sheets.append(census)
    if bounded and not _fits_together(sheets, shared.text_chars, limits):
        for index, member in bounded:
            sheets[index] = _exact_census(inflater, member, sheets[index].name, shared)
    return tuple(sheets), shared.text_chars


def _exact_census(
    inflater: _Inflater, member: zipfile.ZipInfo, name: str, shared: SharedStrings
) -> SheetCensus:
    """Cells that hold a value, by regular expression, or by expat if the sheet is unusual."""
    tally = SheetTally(name)
    plain = PlainXlsxSheetScan(tally, shared)
    inflater.stream(member, [_feed(plain)])
    if not plain.plain:
        tally = SheetTally(name)
        inflater.stream(member, [_feed(XlsxSheetScan(tally, shared))], xml=True)
    return tally.census()


def _fits(sheet: SheetCensus, limits: ReadLimits) -> bool:
    return (
        sheet.columns <= limits.max_columns
        and sheet.cells <= limits.max_cells_per_sheet
        and sheet.longest_text <= limits.max_cell_chars
    )


def _fits_together(sheets: Iterable[SheetCensus], shared_text: int, limits: ReadLimits) -> bool:
    sheets = tuple(sheets)
    return (
        sum(sheet.cells for sheet in sheets) <= limits.max_cells
        and shared_text + sum(sheet.text_chars for sheet in sheets) <= limits.max_text_chars
    )


def _shared_strings_member(members: dict[str, zipfile.ZipInfo], file_name: str) -> zipfile.ZipInfo | None:
    found = [member for key, member in members.items() if key.endswith("sharedstrings.xml")]
    if len(found) > 1:
        raise FileRefused(
            f"« {file_name} » contient plusieurs tables de textes partagés : il est endommagé ou "
            "fabriqué, il est refusé par précaution."
        )
    return found[0] if found else None


def _shared_strings(inflater: _Inflater, member: zipfile.ZipInfo) -> SharedStrings:
    plain = PlainSharedStringsScan()
    inflater.stream(member, [_feed(plain)])
    inflater.check_tokens()
    if plain.plain:
        return plain.result()
    strings = SharedStringsScan()
    inflater.stream(member, [_feed(strings)], xml=True)
    return strings.result()


def _xlsx_sheet_names(inflater: _Inflater, members: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Sheet name by member, as the workbook declares them; {} if it cannot tell.

    Only messages use the names: a workbook.xml expat cannot read leaves the members'
    own paths in them, and calamine to judge the file.
    """
    try:
        folder = "xl/"
        root = members.get("_rels/.rels")
        if root is not None:
            relationships = RelationshipsScan()
            inflater.stream(root, [_feed(relationships)], xml=True)
            folder = office_document_folder(relationships.targets)
        workbook_member = members.get(f"{folder}workbook.xml")
        relationships_member = members.get(f"{folder}_rels/workbook.xml.rels")
        if workbook_member is None or relationships_member is None:
            return {}
        workbook = WorkbookScan()
        inflater.stream(workbook_member, [_feed(workbook)], xml=True)
        relationships = RelationshipsScan()
        inflater.stream(relationships_member, [_feed(relationships)], xml=True)
    except (expat.ExpatError, LookupError, ValueError):
        return {}
    return sheet_paths(folder, workbook.sheets, relationships.targets)


def _ods_census(inflater: _Inflater, members: dict[str, zipfile.ZipInfo]) -> tuple[SheetCensus, ...]:
    sheets: list[SheetCensus] = []
    scan = OdsContentScan(lambda tally: sheets.append(tally.census()))
    for member in members.values():
        if not member.is_dir():  # calamine reads "content.xml" by its exact name
            if member.filename == "content.xml":
                inflater.stream(member, [_feed(scan)], xml=True)
            else:
                inflater.stream(member, [])
    return tuple(sheets)


# ---------------------------------------------------------------------------------------
# The limits


def check_sheets(sheets: Iterable[SheetCensus], file_name: str, limits: ReadLimits) -> None:
    """Refuse a sheet (named as the user sees it) or a file that would not fit the limits."""
    sheets = tuple(sheets)
    for sheet in sheets:
        where = f"« {file_name} », feuille « {sheet.name} »"
        if sheet.columns > limits.max_columns:
            raise FileRefused(
                f"{where} : des valeurs s'étendent jusqu'à la colonne {format_number(sheet.columns)}, "
                f"au-delà de la limite de {format_number(limits.max_columns)} colonnes. Supprimez les "
                "colonnes inutiles à droite du tableau, puis enregistrez à nouveau."
            )
        if sheet.cells > limits.max_cells_per_sheet:
            raise FileRefused(
                f"{where} : les valeurs s'étendent sur {format_number(sheet.rows)} lignes × "
                f"{format_number(sheet.columns)} colonnes, au-delà de la limite de "
                f"{format_number(limits.max_cells_per_sheet)} cellules par feuille. Supprimez les "
                "lignes et colonnes inutiles en fin de feuille (ou les valeurs isolées loin du "
                "tableau), puis enregistrez à nouveau."
            )
        if sheet.longest_text > limits.max_cell_chars:
            row, column = sheet.longest_at or (0, 0)
            raise FileRefused(
                f"{where}, cellule {column_letters(column + 1)}{row + 1} : elle contient "
                f"{format_number(sheet.longest_text)} caractères, au-delà de la limite de "
                f"{format_number(limits.max_cell_chars)} par cellule."
            )
    total = sum(sheet.cells for sheet in sheets)
    if total > limits.max_cells:
        raise FileRefused(
            f"« {file_name} » : ses feuilles s'étendent ensemble sur {format_number(total)} cellules, "
            f"au-delà de la limite de {format_number(limits.max_cells)}. Gardez seulement les "
            "feuilles utiles (l'inventaire), puis enregistrez à nouveau."
        )


def _check_shared_strings(shared: SharedStrings, file_name: str, limits: ReadLimits) -> None:
    """calamine reserves room for as many strings as the table declares, before reading one."""
    if shared.declared > max(shared.count, limits.max_cells) or shared.count > limits.max_cells:
        raise FileRefused(
            f"« {file_name} » annonce ou contient {format_number(max(shared.declared, shared.count))} "
            "textes différents, plus qu'un classeur de cette taille ne peut en tenir : il est "
            "endommagé ou fabriqué, il est refusé par précaution."
        )
    longest = max(shared.lengths, default=0)
    if longest > limits.max_cell_chars:
        raise FileRefused(
            f"« {file_name} » contient un texte de {format_number(longest)} caractères, au-delà de "
            f"la limite de {format_number(limits.max_cell_chars)} par cellule."
        )


def _check_text(text: int, file_name: str, limits: ReadLimits) -> None:
    if text > limits.max_text_chars:
        raise FileRefused(
            f"« {file_name} » : ses cellules contiennent ensemble {format_number(text)} caractères "
            "de texte (chaque texte compté autant de fois qu'il est utilisé), au-delà de la "
            f"limite de {format_number(limits.max_text_chars)}. Gardez seulement les feuilles "
            "utiles, puis enregistrez à nouveau."
        )


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
