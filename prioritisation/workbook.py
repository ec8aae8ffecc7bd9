"""Workbooks for people: the ranked export and the blank template. The only openpyxl module.

Every text that starts like a formula (=, +, -, @, tab, carriage return) is written as
text: openpyxl would otherwise write "=…" as a live formula that Excel and LibreOffice run.
The export streams rows (openpyxl's write-only mode) so 100,000 projects stay fast.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import Path
from typing import IO

import numpy as np
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from prioritisation import __version__
from prioritisation.fields import AXES, FIELDS, FIELDS_BY_KEY, SCORE_FIELDS, Kind
from prioritisation.french import format_date, format_number, format_percent, format_plain
from prioritisation.priorities import RANK_HEADER, SCORE_HEADER, Ranking
from prioritisation.ranking import METHOD_EXPLANATIONS, Method
from prioritisation.untrusted import column_letters

RANKING_SHEET = "Classement"
PARAMETERS_SHEET = "Paramètres"
EUROS = '#,##0 "€"'
SCORE_FORMAT = "0.0000"
DATE_FORMAT = "dd/mm/yyyy"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")

Destination = Path | str | IO[bytes]


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


class _SheetWriter:
    """Streams rows into a write-only sheet: bold header, formats per column, text kept text."""

    def __init__(
        self, workbook: Workbook, title: str, headers: Sequence[str], formats: Sequence[str | None]
    ) -> None:
        self.sheet = workbook.create_sheet(title)
        self.formats = list(formats)
        self.widths = [max(8, min(60, len(header) + 4)) for header in headers]
        self.rows = 0
        self._headers = headers

    def start(self, sample: Iterable[Sequence[object]]) -> None:
        """Freeze and size the columns (from a sample of rows), then write the header."""
        for row in sample:
            for position, value in enumerate(row):
                self.widths[position] = max(self.widths[position], min(60, _display_length(value) + 2))
        for position, width in enumerate(self.widths):
            self.sheet.column_dimensions[column_letters(position + 1)].width = width
        self.sheet.freeze_panes = "A2"
        self.sheet.append([self._header_cell(header) for header in self._headers])

    def _header_cell(self, header: str) -> WriteOnlyCell:
        cell = self._cell(header)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        return cell

    def append(self, values: Sequence[object]) -> None:
        self.sheet.append([self._value(value, self.formats[i]) for i, value in enumerate(values)])
        self.rows += 1

    def _value(self, value: object, number_format: str | None) -> object:
        """A plain value when it needs no style nor guard (fast), else a styled cell."""
        value = _writable(value)
        if value is None or (isinstance(value, str) and not is_formula_like(value)):
            return value
        if isinstance(value, int | float) and not number_format:
            return value
        return self._cell(value, number_format)

    def _cell(self, value: object, number_format: str | None = None) -> WriteOnlyCell:
        value = _writable(value)
        cell = WriteOnlyCell(self.sheet, value=value)
        if is_formula_like(value):
            cell.data_type = "s"
        if isinstance(value, dt.date | dt.datetime):
            cell.number_format = DATE_FORMAT
        elif number_format and isinstance(value, int | float):
            cell.number_format = number_format
        return cell

    def finish(self) -> None:
        last = column_letters(max(1, len(self._headers)))
        self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def _writable(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, np.generic):
        return _writable(value.item())  # type: ignore[attr-defined]
    return value


def _display_length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(format_number(value, 2))
    if isinstance(value, dt.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


# ---------------------------------------------------------------------------------------
# The ranked export


def write_ranking(ranking: Ranking, destination: Destination, *, now: dt.datetime | None = None) -> None:
    """Write the `Classement` and `Paramètres` sheets of DESIGN.md §4 to a path or a buffer."""
    workbook = Workbook(write_only=True)
    _write_classement(workbook, ranking)
    _write_parameters(workbook, ranking, now or dt.datetime.now())
    workbook.save(destination)


def ranking_bytes(ranking: Ranking, *, now: dt.datetime | None = None) -> bytes:
    buffer = BytesIO()
    write_ranking(ranking, buffer, now=now)
    return buffer.getvalue()


def _write_classement(workbook: Workbook, ranking: Ranking) -> None:
    inventory = ranking.inventory
    headers = [*inventory.table.headers, RANK_HEADER, SCORE_HEADER]
    kinds = [_field_kind(inventory.mapping.field_at(i)) for i in range(len(inventory.table.headers))]
    formats = [EUROS if kind is Kind.AMOUNT else None for kind in kinds] + ["0", SCORE_FORMAT]
    rows = list(_classement_rows(ranking, kinds))
    writer = _SheetWriter(workbook, RANKING_SHEET, headers, formats)
    writer.start(rows[:200])
    for row in rows:
        writer.append(row)
    writer.finish()


def _field_kind(field: str | None) -> Kind | None:
    return None if field is None else FIELDS_BY_KEY[field].kind


def _classement_rows(ranking: Ranking, kinds: Sequence[Kind | None]) -> Iterable[list[object]]:
    """Original values, except canonical numbers written as the numbers they were read as."""
    inventory = ranking.inventory
    original = inventory.original.to_numpy(dtype=object)
    numeric = {
        position: inventory.projects[inventory.mapping.field_at(position)].to_numpy(dtype=float)
        for position, kind in enumerate(kinds)
        if kind in (Kind.SCORE, Kind.AMOUNT, Kind.MONTHS)
    }
    ranks, scores = ranking.result.ranks, ranking.result.scores
    for index in ranking.order:
        row = list(original[index])
        for position, values in numeric.items():
            if not math.isnan(values[index]):
                row[position] = float(values[index])
        yield [*row, int(ranks[index]), float(scores[index])]


def _write_parameters(workbook: Workbook, ranking: Ranking, now: dt.datetime) -> None:
    writer = _SheetWriter(workbook, PARAMETERS_SHEET, ["Paramètre", "Valeur"], [None, None])
    rows = parameter_rows(ranking, now)
    writer.start(rows)
    for row in rows:
        writer.append(row)
    writer.finish()


def parameter_rows(ranking: Ranking, now: dt.datetime) -> list[list[object]]:
    """Everything needed to reproduce the ranking, as (label, value) rows in French."""
    settings, result, inventory = ranking.settings, ranking.result, ranking.inventory
    direction = "plus élevé = meilleur" if result.higher_is_better else "plus bas = meilleur (Q)"
    rows: list[list[object]] = [
        ["Méthode", settings.method.label],
        ["Principe", METHOD_EXPLANATIONS[settings.method]],
        ["Normalisation", result.normalisation.label],
    ]
    if settings.method is Method.VIKOR:
        rows.append(["v (VIKOR)", settings.vikor_v])
    rows += [
        ["Sens du score", direction],
        ["Échelle des notes", str(inventory.scale)],
        ["Fichier source", inventory.table.file_name],
        ["Feuille", inventory.table.sheet],
        ["Ligne d'en-tête", inventory.table.header_row],
        ["Projets classés", len(inventory.projects)],
        ["Date", f"{format_date(now.date())} à {now:%H:%M}"],
        ["Version de l'outil", __version__],
        ["Commande équivalente", equivalent_command(ranking)],
    ]
    for criterion, raw, weight in zip(ranking.criteria, settings.raw_weights, result.weights, strict=True):
        sense = "à maximiser" if criterion.maximise else "à minimiser"
        rows.append(
            [
                f"Critère « {criterion.label} »",
                f"{sense}, poids {format_plain(raw)} → {format_percent(weight, 1)}",
            ]
        )
    for field_key, position in inventory.mapping.positions.items():
        rows.append(
            [f"Colonne pour « {FIELDS_BY_KEY[field_key].header} »", inventory.table.headers[position]]
        )
    rows += [["Avertissement", str(problem)] for problem in ranking.problems]
    return rows


def equivalent_command(ranking: Ranking) -> str:
    settings, inventory = ranking.settings, ranking.inventory
    criteria = ",".join(f"{c.label}:{'max' if c.maximise else 'min'}" for c in ranking.criteria)
    weights = ";".join(
        f"{c.label}={format_plain(w)}" for c, w in zip(ranking.criteria, settings.raw_weights, strict=True)
    )
    parts = [
        "python -m prioritisation rank",
        _quoted(inventory.table.file_name),
        f"--sheet {_quoted(inventory.table.sheet)}",
        f"--criteria {_quoted(criteria)}",
        f"--weights {_quoted(weights)}",
        f"--method {settings.method.value}",
        f"--normalisation {ranking.result.normalisation.value}",
        f"--scale {format_plain(inventory.scale.low)}-{format_plain(inventory.scale.high)}",
    ]
    if settings.method is Method.VIKOR:
        parts.append(f"--vikor-v {settings.vikor_v}")
    return " ".join(parts) + " -o classement.xlsx"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------------------
# The blank template

TEMPLATE_SHEET = "Inventaire"
INSTRUCTIONS_SHEET = "Lisez-moi"
LISTS_SHEET = "Listes"
TEMPLATE_ROWS = 500
INSTRUCTIONS = (
    "Inventaire des projets de la feuille de route numérique",
    "",
    "1. Remplissez la feuille « Inventaire » : une ligne par projet, à partir de la ligne 2.",
    "2. « Projet » est obligatoire ; « Urgence », « Impact » et « Faisabilité » sont notées "
    "de 1 (faible) à 5 (fort).",
    "3. « Axe stratégique » : choisissez un des cinq axes du cadre CRTE dans la liste.",
    "4. Montants en euros, sans formule : 1 200 000 ou 45 000,50.",
    "5. « Dépendances » : identifiants des projets préalables, séparés par des virgules (ex. P01, P04).",
    "6. Vous pouvez ajouter vos propres colonnes : elles sont conservées dans l'export et "
    "peuvent servir de critère.",
    "",
    "Classement : python -m prioritisation rank inventaire.xlsx -o classement.xlsx, "
    "ou le tableau de bord (page Inventaire).",
)


def write_template(destination: Destination) -> None:
    """The blank inventory: instructions, headers, drop-down lists for axis and scores."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    for line in INSTRUCTIONS:
        instructions.append([line])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 110
    sheet = workbook.create_sheet(TEMPLATE_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    _fill_lists(lists)
    _template_headers(sheet)
    _template_validations(sheet)
    workbook.active = 1
    workbook.save(destination)


def template_bytes() -> bytes:
    buffer = BytesIO()
    write_template(buffer)
    return buffer.getvalue()


def _fill_lists(lists: Worksheet) -> None:
    lists.append(["Axes stratégiques"])
    for number, axis in enumerate(AXES, start=1):
        lists.append([f"{number}. {axis}"])
    lists.column_dimensions["A"].width = 55
    lists.sheet_state = "hidden"


def _template_headers(sheet: Worksheet) -> None:
    sheet.append([field.header for field in FIELDS])
    for position, field in enumerate(FIELDS, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        letter = column_letters(position)
        sheet.column_dimensions[letter].width = 40 if field.key == "title" else max(14, len(field.header) + 2)
        if field.kind is Kind.AMOUNT:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=position).number_format = EUROS
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{column_letters(len(FIELDS))}1"


def _template_validations(sheet: Worksheet) -> None:
    last = TEMPLATE_ROWS + 1
    for position, field in enumerate(FIELDS, start=1):
        letter = column_letters(position)
        cells = f"{letter}2:{letter}{last}"
        if field.kind is Kind.AXIS:
            rule = DataValidation(type="list", formula1=f"={LISTS_SHEET}!$A$2:$A${len(AXES) + 1}")
            rule.error = "Choisissez un des cinq axes de la liste."
        elif field.key in SCORE_FIELDS:
            rule = DataValidation(type="list", formula1='"1,2,3,4,5"')
            rule.error = "Notez de 1 (faible) à 5 (fort)."
        elif field.kind in (Kind.AMOUNT, Kind.MONTHS):
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            rule.error = "Saisissez un nombre positif ou nul, sans formule."
        else:
            continue
        rule.errorTitle = "Valeur refusée"
        rule.showErrorMessage = True
        sheet.add_data_validation(rule)
        rule.add(cells)
