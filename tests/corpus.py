"""Builds the awkward, malformed and hostile files the tests read, in memory."""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

HEADERS = ["Identifiant", "Projet", "Axe stratégique", "Urgence", "Impact", "Faisabilité"]
ROWS = [
    ["P01", "Fibre des zones d'activités", "Axe 1", 4, 5, 2],
    ["P02", "Portail citoyen", "Axe 3", 5, 4, 4],
    ["P03", "Conseillers numériques", "Axe 4", 3, 4, 5],
]


# The DGCL/ANCT open-data grant lists (Projets_DI_2018.ods): a project per row, the scheme
# in DOT, the grant in SUBVENTION, the cost as text in COUT, INSEE codes with leading zeros.
DGCL_HEADERS = [
    "IDENTIFIANT", "DOT", "ECHELON", "INSEEDEP", "INSEECOM", "INSEEEPCI", "CODGEO", "BENEFICIAIRE",
    "NUMCATEGORIE", "CATGEORIE", "DESCRIPTION", "COUT", "SUBVENTION", "LEVIER", "LIBGEO", "LAT",
    "LONG", "POP18",
]  # fmt: skip
DGCL_ROWS = [
    ["2018DI00001", "DSIL", "Commune", "01", "01002", 0.0, "01002", "ABERGEMENT-DE-VAREY", 7.0,
     "Contrat de ruralité", "aménagement de la place", "176444", 58226.0, "0,33", "L'Abergement-de-Varey",
     46.009, 5.428, 242.0],
    ["2018DI00002", "DETR", "Commune", "01", "01005", 0.0, "01005", "AMBERIEUX EN DOMBES", 6.0,
     "Construction, habitat", "mise aux normes d'accessibilité de la mairie", "24247", 9698.0, "0,40",
     "Ambérieux-en-Dombes", 45.996, 4.912, 1652.0],
    ["2018DI00003", "DSID", "Département", "01", "", 200069193.0, "", "CD AIN", 4.0, "Éducation",
     "équipement numérique des collèges", "662416", 135142.0, "0,20", "Ain", 45.937, 5.333, 765.0],
    ["2018DI00004", "DETR", "Commune", "01", "01008", 0.0, "01008", "AMBUTRIX", 4.0, "Éducation",
     "mise aux normes d'accessibilité de la mairie", "30000", 12000.0, "0,40", "Ambutrix", 45.9, 5.3, 765.0],
    ["2018DI00005", "DETR", "Commune", "01", "01009", 0.0, "01009", "ANDERT", 4.0, "Éducation",
     "", "12000", 3000.0, "0,25", "Andert", 45.8, 5.6, 300.0],
]  # fmt: skip

# A grant list as a collectivité keeps it: a title block, its own headers, no scores, the
# scheme in its own column, a few bad rows (a blank title, a blank cost).
GRANT_LIST_TITLE = [["Programmation DETR / DSIL 2026"], ["Annexe à la délibération n° 2026-014"], []]
GRANT_LIST_HEADERS = [
    "N° opération", "Libellé du projet", "Pôle porteur", "Coût prévisionnel HT", "Subvention sollicitée",
    "Dispositif", "Durée prévisionnelle (mois)", "Observations",
]  # fmt: skip
GRANT_LIST_ROWS = [
    ["OP-01", "Écoles numériques", "Éducation", 84000, 33600, "DETR", 12, ""],
    ["OP-02", "Fibre des zones d'activités", "Aménagement", 420000, 126000, "DSIL", 24, "tranche 1"],
    ["OP-03", "Portail citoyen", "DSI", 60000, 18000, "DSID", 9, ""],
    ["OP-04", "", "DSI", 15000, 4500, "DETR", 6, "intitulé à compléter"],
    ["OP-05", "Vidéoprotection", "Police municipale", None, 19200, "DETR", 6, "devis attendu"],
]  # fmt: skip


def programme_xlsx() -> bytes:
    """A digital programme as a collectivité keeps it: a title block, its own headers."""
    return xlsx({"Programmation": [*GRANT_LIST_TITLE, GRANT_LIST_HEADERS, *GRANT_LIST_ROWS]})


def xlsx(sheets: dict[str, Sequence[Sequence[object]]], merged: dict[str, str] | None = None) -> bytes:
    """A workbook with one sheet per entry (rows as given, starting at A1)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for cells in sheet.iter_rows():
            for cell in cells:  # text that looks like a formula stays text, as a user typed it
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        if merged and name in merged:
            sheet.merge_cells(merged[name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def simple_xlsx(headers: Sequence[object] = HEADERS, rows: Sequence[Sequence[object]] = ROWS) -> bytes:
    return xlsx({"Projets": [headers, *rows]})


def xlsx_any_text(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    """A workbook whose text may hold control characters (openpyxl refuses to write them)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Projets")
    for row, values in enumerate([headers, *rows]):
        for column, value in enumerate(values):
            if isinstance(value, str):
                sheet.write_string(row, column, value)
            elif value is not None:
                sheet.write(row, column, value)
    workbook.close()
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    lines = [delimiter.join("" if cell is None else str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


_ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
_ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>{doctype}'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
_ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def ods_cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def ods(
    sheets: dict[str, Sequence[Sequence[object]]],
    *,
    trailing_empty_rows: int = 0,
    raw_rows: str = "",
    doctype: str = "",
) -> bytes:
    """An OpenDocument spreadsheet written the way LibreOffice does (repeats included)."""
    tables = []
    for name, rows in sheets.items():
        body = "".join(
            "<table:table-row>" + "".join(ods_cell(cell) for cell in row) + "</table:table-row>"
            for row in rows
        )
        if trailing_empty_rows:
            body += (
                f'<table:table-row table:number-rows-repeated="{trailing_empty_rows}">'
                '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
            )
        tables.append(f'<table:table table:name="{name}">{body}{raw_rows}</table:table>')
    content = _ODS_HEAD.format(doctype=doctype) + "".join(tables) + _ODS_TAIL
    return ods_archive(content)


def ods_archive(content: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def replace_member(archive_bytes: bytes, member: str, content: bytes) -> bytes:
    """The same archive with one member's content replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(archive_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(member, content)
    return buffer.getvalue()


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)


def zip_bomb_xlsx(inflated_bytes: int) -> bytes:
    """A valid workbook plus a member of zeros that deflates about 1000:1."""
    buffer = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(simple_xlsx()))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in base.infolist():
            archive.writestr(info.filename, base.read(info.filename))
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(inflated_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def encrypted_office_file() -> bytes:
    """The start of what Excel writes for a password-protected workbook (an OLE container)."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 512
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 512
    )


def legacy_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024 + "Workbook".encode("utf-16-le")


def reproducible(archive_bytes: bytes) -> bytes:
    """The same archive, byte for byte the same on every run: fixed dates, members in order.

    The fuzz tests replay mutations of these bytes by seed; openpyxl and zipfile stamp the
    current time, which would change the bytes and so what a seed does.
    """
    source = zipfile.ZipFile(io.BytesIO(archive_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb">\d{4}-\d\d-\d\dT[^<]*<", b">2020-01-01T00:00:00Z<", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return buffer.getvalue()


def fuzz_bases() -> dict[str, tuple[bytes, str]]:
    """An inventory as .xlsx, .ods and .csv, identical on every run, for the fuzz tests."""
    rows = [HEADERS, *ROWS]
    return {
        "xlsx": (reproducible(simple_xlsx()), "inventaire.xlsx"),
        "ods": (reproducible(ods({"Projets": rows})), "inventaire.ods"),
        "csv": (csv_bytes(rows), "inventaire.csv"),
    }


def mutated(data: bytes, seed: str) -> bytes:
    """`data` with a few bytes changed or cut short, the same for the same seed."""
    rng = random.Random(seed)
    if rng.random() < 0.3:
        return data[: rng.randrange(1, len(data))]
    changed = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        changed[rng.randrange(len(changed))] = rng.randrange(256)
    return bytes(changed)


SPREADSHEETML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_xml(rows: str, *, dimension: str = "", prefix: str = "") -> bytes:
    """A worksheet part around `rows` (the XML of its <row> elements, written as given)."""
    if prefix:
        return (
            f'<{prefix}:worksheet xmlns:{prefix}="{SPREADSHEETML}">{dimension}'
            f"<{prefix}:sheetData>{rows}</{prefix}:sheetData></{prefix}:worksheet>"
        ).encode()
    return f'<worksheet xmlns="{SPREADSHEETML}">{dimension}<sheetData>{rows}</sheetData></worksheet>'.encode()


def shared_strings_xml(strings: Sequence[str], declared: int | None = None) -> bytes:
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    count = len(strings) if declared is None else declared
    return f'<sst xmlns="{SPREADSHEETML}" count="{count}" uniqueCount="{count}">{items}</sst>'.encode()


def xlsx_with_sheets(sheets: dict[str, bytes], shared: bytes | None = None) -> bytes:
    """A workbook whose worksheets are the XML given, in order, with these shared strings."""
    data = xlsx({name: [["x"]] for name in sheets})
    for number, content in enumerate(sheets.values(), start=1):
        data = replace_member(data, f"xl/worksheets/sheet{number}.xml", content)
    if shared is not None:
        data = replace_member(data, "xl/sharedStrings.xml", shared)
    return data


def _extend_to_last_row(sheet: bytes, last_column: str) -> bytes:
    """What LibreOffice writes once a whole column was formatted: the sheet declared down to
    row 1 048 576, a styled empty cell far below and an empty last row."""
    sheet = re.sub(
        rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="A1:{last_column}1048576"/>'.encode(), sheet
    )
    return sheet.replace(
        b"</sheetData>",
        f'<row r="1048000"><c r="{last_column}1048000" s="0"/></row>'
        '<row r="1048576" customFormat="false" ht="12.8" hidden="false"></row></sheetData>'.encode(),
    )


def grant_list_xlsx(rows: Sequence[Sequence[object]] = ROWS) -> bytes:
    """Shaped like the State's 2019 investment-grant list: a cover sheet, then the data, both
    declared down to row 1 048 576 with an empty last row (what LibreOffice writes)."""
    data = xlsx(
        {
            "infos": [["Dotations de soutien à l'investissement local 2019"], ["Source : DGCL"]],
            "Projets_dotations_2019": [HEADERS, *rows],
        }
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    for member, last_column in (("xl/worksheets/sheet1.xml", "D"), ("xl/worksheets/sheet2.xml", "N")):
        data = replace_member(data, member, _extend_to_last_row(archive.read(member), last_column))
    return data


def collectivite_programme_xlsx() -> bytes:
    """A digital programme as a collectivité sends it: a « Lisez-moi » sheet first, a title block
    above its own headers (no score columns, the grant's scheme in its own column), two bad rows
    (a blank title, a blank cost), and the data sheet declared down to row 1 048 576."""
    rows = [
        *GRANT_LIST_ROWS,
        ["OP-06", "Tiers-lieu numérique", "Culture", 72000, 26640, "DSIL", 18, ""],
        ["OP-07", "Conseillers numériques", "Action sociale", 45000, 18000, "Autre", 12, ""],
        ["OP-08", "Plan de cybersécurité", "DSI", 38000, 15200, "DETR", 8, "urgent"],
        ["OP-09", "Tableaux interactifs", "Éducation", 8400, 3360, "DETR", 3, ""],
        ["OP-10", "Open data", "DSI", 20000, 0, "", 10, "sans subvention"],
        ["OP-11", "Couverture mobile des hameaux", "Aménagement", 150000, 51000, "DSIL", 20, ""],
        ["OP-12", "Dématérialisation de l'état civil", "Population", 3000, 1230, "DETR", 4, ""],
    ]
    data = xlsx(
        {
            "Lisez-moi": [["Programme numérique 2026-2031"], ["Tableau transmis pour avis"]],
            "Programmation": [*GRANT_LIST_TITLE, GRANT_LIST_HEADERS, *rows],
        }
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    return replace_member(
        data, "xl/worksheets/sheet2.xml", _extend_to_last_row(archive.read("xl/worksheets/sheet2.xml"), "H")
    )


def public_files() -> Path:
    """Where the State's public grant lists are, if on this machine (they are not committed:
    3 MB each). PRIORISATION_FICHIERS_PUBLICS, or fichiers_publics/ at the repository's root
    (ignored by git); the tests that read them are skipped when they are absent."""
    import os

    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("PRIORISATION_FICHIERS_PUBLICS", root / "fichiers_publics"))
