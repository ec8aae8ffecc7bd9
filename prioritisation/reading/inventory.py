"""The inventory of candidate projects, read from the table the user keeps.

`locate_table` finds the data sheet and its header row in a raw workbook (a cover sheet and
title rows may come first); `build_inventory` reads every canonical field and reports every
problem at once, citing the sheet, the spreadsheet's row number and the header as written.
The user's own values are never changed: `Inventory.original` keeps them all, every column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from prioritisation import problems as p
from prioritisation.french import format_euros, format_number, parse_number
from prioritisation.problems import Problem
from prioritisation.reading.fields import (
    FIELDS_BY_KEY,
    FUNDING_FIELDS,
    ColumnMapping,
    Kind,
    map_columns,
    normalise_header,
    recognise,
    recognise_axis,
)
from prioritisation.reading.spreadsheet import Cell, RawWorkbook, Sheet, read_bytes, read_file
from prioritisation.reading.untrusted import FileRefused, ReadLimits, column_letters

HEADER_SEARCH_ROWS = 30
_TOTAL_ROW = re.compile(r"^(sous[- ]?)?(total|totaux)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Scale:
    """The declared scale of the core scores (1–5 by default)."""

    low: float = 1.0
    high: float = 5.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError("L'échelle doit aller d'un minimum à un maximum plus grand.")

    def __str__(self) -> str:
        return f"{_short(self.low)}–{_short(self.high)}"

    def span(self) -> str:
        """'de 1 à 5', for sentences."""
        return f"de {_short(self.low)} à {_short(self.high)}"


def _short(value: float) -> str:
    return format_number(value, _decimals(value))


def _decimals(value: float) -> int:
    return 0 if float(value).is_integer() else 2


@dataclass(frozen=True)
class RawTable:
    """The user's table: headers as written and the rows below them, with their numbers."""

    file_name: str
    sheet: str
    header_row: int  # as the spreadsheet shows it (1-based)
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_numbers: tuple[int, ...]
    # What the cells cannot show, by (row as shown, column position): a formula never
    # calculated, an error such as #DIV/0! (both read as empty); and what reading reported.
    formulas_without_value: frozenset[tuple[int, int]] = frozenset()
    formula_errors: Mapping[tuple[int, int], str] = field(default_factory=dict)
    file_problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Inventory:
    """Projects as read: the original table untouched, the canonical fields, the problems."""

    table: RawTable
    mapping: ColumnMapping
    scale: Scale
    original: pd.DataFrame  # every column of the file, values as read; index = row numbers
    projects: pd.DataFrame  # canonical fields, parsed; same index
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> list[Problem]:
        return p.errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return p.warnings(self.problems)

    def header_of(self, field_key: str) -> str | None:
        position = self.mapping.position(field_key)
        return None if position is None else self.table.headers[position]


class NoTableFound(FileRefused):
    """No sheet of the workbook looks like an inventory."""


# ---------------------------------------------------------------------------------------
# Finding the table


def load_inventory(
    source: Path | str | bytes,
    file_name: str | None = None,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    scale: Scale | None = None,
    limits: ReadLimits | None = None,
) -> Inventory:
    """Read a file (path or uploaded bytes) into an Inventory; FileRefused if unreadable."""
    if isinstance(source, bytes):
        workbook = read_bytes(source, file_name or "inventaire", limits)
    else:
        workbook = read_file(source, limits)
    table = locate_table(workbook, sheet=sheet, columns=columns)
    return build_inventory(table, map_columns(table.headers, columns), scale or Scale())


def locate_table(
    workbook: RawWorkbook, *, sheet: str | None = None, columns: Mapping[str, str] | None = None
) -> RawTable:
    """The sheet and header row that look most like an inventory (or the sheet asked for)."""
    candidates: Sequence[Sheet] = workbook.sheets
    if sheet is not None:
        chosen = workbook.sheet(sheet)
        if chosen is None:
            names = ", ".join(f"« {s.name} »" for s in workbook.sheets)
            raise NoTableFound(
                f"« {workbook.file_name} » n'a pas de feuille « {sheet} ». Feuilles : {names}."
            )
        candidates = [chosen]
    extra_names = {normalise_header(header) for header in (columns or {}).values()}
    scored = [(_header_guess(s, extra_names), index, s) for index, s in enumerate(candidates)]
    (recognised, _data_rows, header_index), _, best = max(
        scored, key=lambda item: (item[0][0], item[0][1], -item[1])
    )
    if recognised == 0 and sheet is None and len(candidates) > 1:
        raise NoTableFound(
            f"Aucune feuille de « {workbook.file_name} » ne ressemble à un inventaire : "
            "aucune ligne d'en-tête ne contient « Projet », « Urgence », « Impact »… "
            "Indiquez la feuille à lire (--sheet) ou partez du modèle vierge."
        )
    table = _table_from(workbook.file_name, best, header_index)
    return replace(table, file_problems=tuple(q for q in workbook.problems if q.sheet in (None, best.name)))


def _header_guess(sheet: Sheet, extra_names: set[str]) -> tuple[int, int, int]:
    """(fields recognised, data rows below, header row index) of the sheet's best header row."""
    best = (0, 0, _first_filled_row(sheet.rows))
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        fields = {recognise(cell) for cell in row if isinstance(cell, str)}
        fields.discard(None)
        count = len(fields) + sum(normalise_header(cell) in extra_names for cell in row if cell)
        if count > best[0]:
            best = (count, len(sheet.rows) - index - 1, index)
    return best


def _first_filled_row(rows: Sequence[Sequence[Cell]]) -> int:
    return next((i for i, row in enumerate(rows) if any(not _blank(c) for c in row)), 0)


def _table_from(file_name: str, sheet: Sheet, header_index: int) -> RawTable:
    header_cells = sheet.rows[header_index] if sheet.rows else []
    body = sheet.rows[header_index + 1 :]
    width = _table_width(header_cells, body)
    headers = tuple(_header_text(cell) for cell in list(header_cells)[:width])
    headers += ("",) * (width - len(headers))
    rows: list[tuple[Cell, ...]] = []
    numbers: list[int] = []
    padding = ("",) * width
    for offset, row in enumerate(body):
        cells = tuple(row[:width]) if len(row) >= width else (*row, *padding[len(row) :])
        if _blank_row(cells):
            continue
        rows.append(cells)
        numbers.append(header_index + 2 + offset)
    below = header_index + 1
    return RawTable(
        file_name,
        sheet.name,
        header_index + 1,
        headers,
        tuple(rows),
        tuple(numbers),
        frozenset((row + 1, column) for row, column in sheet.formulas_without_value if row >= below),
        {(row + 1, column): code for (row, column), code in sheet.formula_errors.items() if row >= below},
    )


def _table_width(header: Sequence[Cell], body: Sequence[Sequence[Cell]]) -> int:
    """Up to the last column that has a header or any value below the header."""
    width = 0
    for row in (header, *body):
        for position in range(len(row) - 1, width - 1, -1):
            if not _blank(row[position]):
                width = position + 1
                break
    return width


def _header_text(cell: Cell) -> str:
    if _blank(cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def _blank_row(cells: Sequence[Cell]) -> bool:
    # calamine gives "" for an empty cell: most rows are told apart by their first cell
    return all(cell == "" or _blank(cell) for cell in cells)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# ---------------------------------------------------------------------------------------
# Reading the fields


def build_inventory(table: RawTable, mapping: ColumnMapping, scale: Scale) -> Inventory:
    """Parse every canonical field of `table` and list every problem (never raises on data)."""
    reader = _FieldReader(table, mapping, scale)
    projects = reader.read()
    original = _original_frame(table)
    notes = list(mapping.notes)
    if mapping.position("id") is None and len(table.rows):
        notes.append("Pas de colonne « Identifiant » : les projets sont numérotés P001, P002…")
    return Inventory(
        table=table,
        mapping=mapping,
        scale=scale,
        original=original,
        projects=projects,
        problems=(*table.file_problems, *reader.problems),
        notes=tuple(notes),
    )


def unique_labels(headers: Sequence[str]) -> list[str]:
    """Headers made unique for a data frame: blanks become 'Colonne F', repeats get ' (2)'."""
    labels: list[str] = []
    seen: set[str] = set()
    for position, header in enumerate(headers):
        label = header or f"Colonne {column_letters(position + 1)}"
        candidate, copy = label, 2
        while candidate in seen:
            candidate, copy = f"{label} ({copy})", copy + 1
        seen.add(candidate)
        labels.append(candidate)
    return labels


def _original_frame(table: RawTable) -> pd.DataFrame:
    labels = unique_labels(table.headers)
    frame = pd.DataFrame(list(table.rows), columns=labels, dtype=object)
    frame.index = pd.Index(table.row_numbers, name="Ligne")
    return frame


class _FieldReader:
    """Reads each canonical column of a table and records the problems as it goes.

    Columns are read whole: numbers already typed as numbers take a fast path, and range
    checks run on arrays; only cells that need the French parser go through it one by one.
    """

    def __init__(self, table: RawTable, mapping: ColumnMapping, scale: Scale) -> None:
        self.table = table
        self.mapping = mapping
        self.scale = scale
        self.rows = table.row_numbers
        self.problems: list[Problem] = []
        self.explained: set[tuple[int, int]] = set()  # blank cells whose formula was reported

    def read(self) -> pd.DataFrame:
        self._check_structure()
        columns = {key: self._read_column(key, spec.kind) for key, spec in FIELDS_BY_KEY.items()}
        columns["id"] = self._fill_ids(columns["id"])
        self._check_titles(columns["title"])
        self._check_funding(columns)
        self._check_dependencies(columns["id"], columns["depends_on"])
        return pd.DataFrame(columns, index=pd.Index(self.rows, name="Ligne"))

    def _check_structure(self) -> None:
        if self.mapping.position("title") is None:
            self._error(
                "aucune colonne ne donne l'intitulé des projets (en-tête « Projet », « Intitulé », "
                "« Libellé »…). Ajoutez-la, ou indiquez quelle colonne le contient.",
                row=self.table.header_row,
            )
        if not self.table.rows:
            self._error(
                f"aucun projet sous la ligne d'en-tête (ligne {self.table.header_row}). "
                "Ajoutez une ligne par projet.",
                row=self.table.header_row + 1,
            )

    # -- one column -------------------------------------------------------------------

    def _read_column(self, key: str, kind: Kind) -> object:
        position = self.mapping.position(key)
        if position is None:
            return _empty_column(kind, len(self.rows))
        cells = [row[position] for row in self.table.rows]
        header = self.table.headers[position]
        if self.table.formulas_without_value or self.table.formula_errors:
            self._check_formulas(cells, position, header, required=kind in _REQUIRED or key == "title")
        if kind in (Kind.SCORE, Kind.AMOUNT, Kind.MONTHS):
            return self._numbers(cells, position, header, kind)
        if kind is Kind.IDS:
            return [_id_list(cell) for cell in cells]
        if kind is Kind.AXIS:
            return self._axes(cells, header)
        return [cell.strip() if type(cell) is str else cell_text(cell) for cell in cells]

    def _check_formulas(self, cells: list[Cell], position: int, header: str, *, required: bool) -> None:
        """A cell left blank (or NaN) by its formula: say so and how to fix it, not « valeur manquante »."""
        report = self._error if required else self._warning
        for cell, row in zip(cells, self.rows, strict=True):
            if not (cell == "" or _blank(cell) or (type(cell) is float and not math.isfinite(cell))):
                continue
            reason = formula_problem(self.table, row, position)
            if reason is not None:
                report(reason, row=row, column=header)
                self.explained.add((row, position))

    def _numbers(self, cells: list[Cell], column: int, header: str, kind: Kind) -> np.ndarray:
        values = np.full(len(cells), np.nan)
        for position, cell in enumerate(cells):
            if type(cell) is int or (type(cell) is float and math.isfinite(cell)):
                values[position] = cell
            elif type(cell) is float:  # NaN or infinite: a number type that is not a number
                if (self.rows[position], column) not in self.explained:
                    self._error(
                        _NOT_FINITE.format(cell=cell_text(cell)), row=self.rows[position], column=header
                    )
            elif cell != "" and not _blank(cell):
                number = parse_number(cell)
                if number is None and _is_formula_error(cell):
                    self._error(
                        formula_error_message(str(cell).strip()), row=self.rows[position], column=header
                    )
                elif number is None:
                    self._error(
                        _NOT_A_NUMBER[kind].format(cell=cell_text(cell), scale=self.scale.span()),
                        row=self.rows[position],
                        column=header,
                    )
                else:
                    values[position] = number
        invalid = self._out_of_range(values, kind)
        for position in np.flatnonzero(invalid):
            self._error(self._range_message(values[position], kind), row=self.rows[position], column=header)
        values[invalid] = np.nan
        return values

    def _out_of_range(self, values: np.ndarray, kind: Kind) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            if kind is Kind.SCORE:
                return (values < self.scale.low) | (values > self.scale.high)
            if kind is Kind.AMOUNT:
                return values < 0
            return values <= 0

    def _range_message(self, value: float, kind: Kind) -> str:
        if kind is Kind.SCORE:
            return (
                f"la note {_short(value)} est hors de l'échelle {self.scale.span()}. "
                "Corrigez-la, ou déclarez l'échelle utilisée."
            )
        if kind is Kind.AMOUNT:
            return (
                f"le montant {format_euros(value)} est négatif : un coût ou un financement est "
                "positif ou nul."
            )
        return f"« {_short(value)} » n'est pas une durée en mois. Écrivez un nombre de mois positif."

    def _axes(self, cells: list[Cell], header: str) -> list[str]:
        known: dict[str, str | None] = {}
        axes = []
        for cell, row in zip(cells, self.rows, strict=True):
            text = cell_text(cell)
            if text not in known:
                known[text] = recognise_axis(text)
            axis = known[text]
            if not text:
                self._warning(
                    "axe stratégique non renseigné : le projet ne pourra pas être filtré par axe.",
                    row=row,
                    column=header,
                )
            elif axis is None:
                self._warning(
                    f"axe « {text} » non reconnu parmi les cinq axes du cadre CRTE ; il est gardé tel "
                    "quel. Écrivez par exemple « 3 » ou « Services numériques innovants ».",
                    row=row,
                    column=header,
                )
            axes.append(axis or text)
        return axes

    # -- across rows --------------------------------------------------------------------

    def _fill_ids(self, given: list[str]) -> list[str]:
        taken = set(given)
        counter = 0
        ids = []
        for value in given:
            if not value:
                counter += 1
                while f"P{counter:03d}" in taken:
                    counter += 1
                value = f"P{counter:03d}"
                taken.add(value)
            ids.append(value)
        header = self._header("id")
        if header is not None:
            for ident, rows in _repeated(given, self.rows).items():
                if ident:
                    self._error(
                        f"l'identifiant « {ident} » est utilisé par plusieurs projets "
                        f"(lignes {_rows_text(rows)}). Chaque projet doit avoir le sien.",
                        row=rows[0],
                        column=header,
                    )
        return ids

    def _check_titles(self, titles: list[str]) -> None:
        header = self._header("title")
        if header is None:
            return
        position = self.mapping.position("title")
        for row, title in zip(self.rows, titles, strict=True):
            if not title and (row, position) not in self.explained:
                self._error(
                    "projet sans intitulé. Donnez-lui un nom, ou supprimez la ligne si elle ne décrit "
                    "pas un projet.",
                    row=row,
                    column=header,
                )
            elif _TOTAL_ROW.match(title):
                self._error(
                    f"« {title} » ressemble à une ligne de total, pas à un projet. Retirez-la de "
                    "l'inventaire : les totaux sont calculés par l'outil.",
                    row=row,
                    column=header,
                )
        folded = [title.casefold() for title in titles]
        for title, rows in _repeated(folded, self.rows).items():
            if title:
                shown = titles[self.rows.index(rows[0])]
                self._warning(
                    f"l'intitulé « {shown} » apparaît plusieurs fois (lignes {_rows_text(rows)}) : doublon ?",
                    row=rows[0],
                    column=header,
                )

    def _check_funding(self, columns: dict[str, object]) -> None:
        present = [key for key in FUNDING_FIELDS if self.mapping.position(key) is not None]
        header = self._header("capex")
        if not present or header is None:
            return
        funding = np.nansum(np.vstack([columns[key] for key in present]), axis=0)
        capex = np.asarray(columns["capex"])
        with np.errstate(invalid="ignore"):
            above = funding > capex + 0.005
        for position in np.flatnonzero(above):
            self._warning(
                f"les financements ({format_euros(funding[position])}) dépassent le coût "
                f"d'investissement ({format_euros(capex[position])}). Vérifiez le plan de financement.",
                row=self.rows[position],
                column=header,
            )

    def _check_dependencies(self, ids: list[str], needs: list[tuple[str, ...]]) -> None:
        header = self._header("depends_on")
        if header is None:
            return
        known = set(ids)
        graph: dict[str, tuple[str, ...]] = {}
        for row, ident, wanted in zip(self.rows, ids, needs, strict=True):
            for need in wanted:
                if need not in known:
                    self._error(
                        f"dépend de « {need} », qui n'est l'identifiant d'aucun projet.",
                        row=row,
                        column=header,
                    )
            if wanted:  # a project that waits for nothing cannot be in a cycle
                graph[ident] = graph.get(ident, ()) + tuple(need for need in wanted if need in known)
        row_of = dict(zip(reversed(ids), reversed(self.rows), strict=True))
        for cycle in dependency_cycles(graph):
            self._error(
                f"dépendance circulaire : {' → '.join([*cycle, cycle[0]])}. Un projet ne peut pas "
                "attendre un projet qui l'attend ; retirez une de ces dépendances.",
                row=row_of[cycle[0]],
                column=header,
            )

    # -- problems -----------------------------------------------------------------------

    def _header(self, field_key: str) -> str | None:
        position = self.mapping.position(field_key)
        return None if position is None else self.table.headers[position]

    def _error(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(p.error(message, sheet=self.table.sheet, row=row, column=column))

    def _warning(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(p.warning(message, sheet=self.table.sheet, row=row, column=column))


_REQUIRED = (Kind.SCORE, Kind.AMOUNT, Kind.MONTHS)  # a blank left by a formula is an error there
FORMULA_WITHOUT_VALUE = (
    "la cellule contient une formule dont le résultat n'a pas été enregistré : ouvrez le fichier "
    "dans Excel ou LibreOffice et enregistrez-le."
)
_NOT_FINITE = (
    "la cellule contient « {cell} », qui n'est pas un nombre (souvent le résultat d'une formule en "
    "erreur) : saisissez un nombre."
)
# Error values as Excel (English and French) and LibreOffice show them in a cell or a CSV.
_FORMULA_ERROR = re.compile(
    r"^(#(DIV/0!|N/A|NA\(\)|NAME\?|NOM\?|NULL!|NUL!|NUM!|NOMBRE!|REF!|VALUE!|VALEUR!|SPILL!|"
    r"PROPAG\.!|CALC!|GETTING_DATA|BLOCKED!|FIELD!|UNKNOWN!|BUSY!|CONNECT!)|Err:\d{3})$",
    re.IGNORECASE,
)


def formula_problem(table: RawTable, row: int, position: int) -> str | None:
    """Why a cell reads blank (or NaN) when its formula is the cause; None otherwise.

    `row` is the row as the spreadsheet shows it, `position` the column's index in the table.
    """
    code = table.formula_errors.get((row, position))
    if code is not None:
        return formula_error_message(code)
    if (row, position) in table.formulas_without_value:
        return FORMULA_WITHOUT_VALUE
    return None


def _is_formula_error(cell: Cell) -> bool:
    """Whether a cell shows a formula's error value (#DIV/0!, #VALEUR!, Err:502…)."""
    return isinstance(cell, str) and bool(_FORMULA_ERROR.match(cell.strip()))


def formula_error_message(code: str) -> str:
    return f"la cellule contient une erreur de formule {code} : corrigez la formule ou saisissez la valeur."


_NOT_A_NUMBER = {
    Kind.SCORE: "« {cell} » n'est pas une note. Saisissez un nombre {scale}.",
    Kind.AMOUNT: "« {cell} » n'est pas un montant. Écrivez un nombre, par exemple 1 200 000.",
    Kind.MONTHS: "« {cell} » n'est pas une durée en mois. Écrivez un nombre de mois positif.",
}


def _empty_column(kind: Kind, count: int) -> object:
    if kind in (Kind.SCORE, Kind.AMOUNT, Kind.MONTHS):
        return np.full(count, np.nan)
    return [()] * count if kind is Kind.IDS else [""] * count


def _id_list(cell: Cell) -> tuple[str, ...]:
    """'P01, P03; P07' → ('P01', 'P03', 'P07')."""
    if cell == "" or cell is None:
        return ()
    parts = cell_text(cell).replace(";", ",").replace("\n", ",").split(",")
    return tuple(part.strip() for part in parts if part.strip())


def cell_text(cell: Cell) -> str:
    """A cell as text: '7' for 7.0, '12/03/2026' for a date, '' for blank."""
    if _blank(cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.strftime("%d/%m/%Y %H:%M") if cell.time() != dt.time() else cell.strftime("%d/%m/%Y")
    if isinstance(cell, dt.date):
        return cell.strftime("%d/%m/%Y")
    return str(cell).strip()


def _repeated(values: Sequence[str], rows: Sequence[int]) -> dict[str, list[int]]:
    """Values that occur more than once, each with the row numbers where they do."""
    repeated = {value for value, count in Counter(values).items() if count > 1}
    where: dict[str, list[int]] = {}
    if repeated:
        for row, value in zip(rows, values, strict=True):
            if value in repeated:
                where.setdefault(value, []).append(row)
    return where


def _rows_text(rows: Sequence[int]) -> str:
    return ", ".join(str(row) for row in rows)


def dependency_cycles(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Each elementary cycle found by a depth-first walk, once, as the list of its projects."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []
    cycles: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()

    for start in graph:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        path.append(start)
        while stack:
            node, next_child = stack[-1]
            children = graph.get(node, ())
            if next_child < len(children):
                stack[-1] = (node, next_child + 1)
                child = children[next_child]
                if state.get(child) == 1:
                    cycle = path[path.index(child) :]
                    if frozenset(cycle) not in seen_cycles:
                        seen_cycles.add(frozenset(cycle))
                        cycles.append(cycle)
                elif not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, 0))
            else:
                state[node] = 2
                path.pop()
                stack.pop()
    return cycles


def with_mapping(inventory: Inventory, mapping: ColumnMapping) -> Inventory:
    """The same table read with another column mapping (what the dashboard's choices do)."""
    return build_inventory(inventory.table, mapping, inventory.scale)


def with_cells(inventory: Inventory, edits: Mapping[tuple[int, str], Cell]) -> Inventory:
    """The table with cells changed, keyed by (spreadsheet row, column label); re-validated."""
    labels = unique_labels(inventory.table.headers)
    position = {label: i for i, label in enumerate(labels)}
    row_at = {row: i for i, row in enumerate(inventory.table.row_numbers)}
    rows = [list(row) for row in inventory.table.rows]
    for (row, label), value in edits.items():
        rows[row_at[row]][position[label]] = value
    table = replace(inventory.table, rows=tuple(tuple(row) for row in rows))
    return build_inventory(table, inventory.mapping, inventory.scale)
