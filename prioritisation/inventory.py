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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from prioritisation import problems as p
from prioritisation.fields import (
    AMOUNT_FIELDS,
    FIELDS_BY_KEY,
    FUNDING_FIELDS,
    SCORE_FIELDS,
    ColumnMapping,
    Kind,
    map_columns,
    normalise_header,
    recognise,
    recognise_axis,
)
from prioritisation.french import format_euros, format_number, parse_number
from prioritisation.problems import Problem
from prioritisation.spreadsheet import Cell, RawWorkbook, Sheet, read_bytes, read_file
from prioritisation.untrusted import FileRefused, ReadLimits, column_letters

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
    return _table_from(workbook.file_name, best, header_index)


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
    for offset, row in enumerate(body):
        cells = tuple(row[:width]) + ("",) * (width - min(len(row), width))
        if all(_blank(cell) for cell in cells):
            continue
        rows.append(cells)
        numbers.append(header_index + 2 + offset)
    return RawTable(file_name, sheet.name, header_index + 1, headers, tuple(rows), tuple(numbers))


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
        problems=tuple(reader.problems),
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
    """Reads each canonical column of a table and records the problems as it goes."""

    def __init__(self, table: RawTable, mapping: ColumnMapping, scale: Scale) -> None:
        self.table = table
        self.mapping = mapping
        self.scale = scale
        self.problems: list[Problem] = []

    def read(self) -> pd.DataFrame:
        index = pd.Index(self.table.row_numbers, name="Ligne")
        columns: dict[str, list[object]] = {}
        if self.mapping.position("title") is None:
            self._error(
                "aucune colonne ne donne l'intitulé des projets (en-tête « Projet », "
                "« Intitulé », « Libellé »…). Ajoutez-la ou indiquez-la (--column title=…).",
                row=self.table.header_row,
            )
        if not self.table.rows:
            self._error(
                f"aucun projet sous la ligne d'en-tête (ligne {self.table.header_row}). "
                "Ajoutez une ligne par projet.",
                row=self.table.header_row + 1,
            )
        for key, spec in FIELDS_BY_KEY.items():
            position = self.mapping.position(key)
            cells = [row[position] for row in self.table.rows] if position is not None else None
            columns[key] = self._read_column(key, spec.kind, cells)
        frame = pd.DataFrame(columns, index=index)
        self._fill_ids(frame)
        self._check_titles(frame)
        self._check_funding(frame)
        self._check_dependencies(frame)
        return frame

    # -- one column -------------------------------------------------------------------

    def _read_column(self, key: str, kind: Kind, cells: list[Cell] | None) -> list[object]:
        if cells is None:
            return [_EMPTY[kind]] * len(self.table.rows)
        header = self.table.headers[self.mapping.positions[key]]
        read = {
            Kind.TEXT: self._text,
            Kind.SCORE: self._score,
            Kind.AMOUNT: self._amount,
            Kind.MONTHS: self._months,
            Kind.IDS: self._ids,
            Kind.AXIS: self._axis,
        }[kind]
        return [read(cell, row, header) for cell, row in zip(cells, self.table.row_numbers, strict=True)]

    def _text(self, cell: Cell, row: int, header: str) -> str:
        return cell_text(cell)

    def _score(self, cell: Cell, row: int, header: str) -> float:
        if _blank(cell):
            return math.nan  # blank scores are reported for the criteria in use only
        number = parse_number(cell)
        if number is None:
            self._error(
                f"« {cell} » n'est pas une note. Saisissez un nombre {self.scale.span()}.",
                row=row,
                column=header,
            )
            return math.nan
        if not self.scale.low <= number <= self.scale.high:
            self._error(
                f"la note {_short(number)} est hors de l'échelle {self.scale.span()}. "
                "Corrigez-la, ou déclarez l'échelle utilisée (--scale).",
                row=row,
                column=header,
            )
            return math.nan
        return number

    def _amount(self, cell: Cell, row: int, header: str) -> float:
        if _blank(cell):
            return math.nan
        number = parse_number(cell)
        if number is None:
            self._error(
                f"« {cell} » n'est pas un montant. Écrivez un nombre, par exemple 1 200 000.",
                row=row,
                column=header,
            )
            return math.nan
        if number < 0:
            self._error(
                f"le montant {format_euros(number)} est négatif : un coût ou un financement "
                "est positif ou nul.",
                row=row,
                column=header,
            )
            return math.nan
        return number

    def _months(self, cell: Cell, row: int, header: str) -> float:
        if _blank(cell):
            return math.nan
        number = parse_number(cell)
        if number is None or number <= 0:
            self._error(
                f"« {cell} » n'est pas une durée en mois. Écrivez un nombre de mois positif.",
                row=row,
                column=header,
            )
            return math.nan
        return number

    def _ids(self, cell: Cell, row: int, header: str) -> tuple[str, ...]:
        text = cell_text(cell)
        parts = text.replace(";", ",").replace("\n", ",").split(",")
        return tuple(part.strip() for part in parts if part.strip())

    def _axis(self, cell: Cell, row: int, header: str) -> str:
        if _blank(cell):
            self._warning(
                "axe stratégique non renseigné : le projet ne pourra pas être filtré par axe.",
                row=row,
                column=header,
            )
            return ""
        axis = recognise_axis(cell)
        if axis is None:
            self._warning(
                f"axe « {cell} » non reconnu parmi les cinq axes du cadre CRTE ; il est "
                "gardé tel quel. Écrivez par exemple « 3 » ou « Services numériques innovants ».",
                row=row,
                column=header,
            )
            return cell_text(cell)
        return axis

    # -- across rows --------------------------------------------------------------------

    def _fill_ids(self, frame: pd.DataFrame) -> None:
        given = [value for value in frame["id"] if value]
        taken = set(given)
        counter = 0
        filled = []
        for value in frame["id"]:
            if not value:
                counter += 1
                while f"P{counter:03d}" in taken:
                    counter += 1
                value = f"P{counter:03d}"
                taken.add(value)
            filled.append(value)
        frame["id"] = filled
        header = self.table.headers[self.mapping.positions["id"]] if "id" in self.mapping.positions else None
        for ident, rows in _repeated(frame["id"]).items():
            if header is not None and ident in given:
                self._error(
                    f"l'identifiant « {ident} » est utilisé par plusieurs projets "
                    f"(lignes {_rows_text(rows)}). Chaque projet doit avoir le sien.",
                    row=rows[0],
                    column=header,
                )

    def _check_titles(self, frame: pd.DataFrame) -> None:
        position = self.mapping.position("title")
        if position is None:
            return
        header = self.table.headers[position]
        for row, title in frame["title"].items():
            if not title:
                self._error(
                    "projet sans intitulé. Donnez-lui un nom, ou supprimez la ligne si elle "
                    "ne décrit pas un projet.",
                    row=row,
                    column=header,
                )
        for row, title in frame["title"].items():
            if _TOTAL_ROW.match(title):
                self._error(
                    f"« {title} » ressemble à une ligne de total, pas à un projet. Retirez-la "
                    "de l'inventaire : les totaux sont calculés par l'outil.",
                    row=row,
                    column=header,
                )
        titles = pd.Series([str(t).casefold() for t in frame["title"]], index=frame.index)
        for rows in _repeated(titles[titles != ""]).values():
            self._warning(
                f"l'intitulé « {frame.loc[rows[0], 'title']} » apparaît plusieurs fois "
                f"(lignes {_rows_text(rows)}) : doublon ?",
                row=rows[0],
                column=header,
            )

    def _check_funding(self, frame: pd.DataFrame) -> None:
        present = [key for key in FUNDING_FIELDS if self.mapping.position(key) is not None]
        if not present or self.mapping.position("capex") is None:
            return
        funding = frame[present].fillna(0).sum(axis=1)
        for row in frame.index[funding > frame["capex"] + 0.005]:
            self._warning(
                f"les financements ({format_euros(funding[row])}) dépassent le coût "
                f"d'investissement ({format_euros(frame.loc[row, 'capex'])}). "
                "Vérifiez le plan de financement.",
                row=row,
                column=self.table.headers[self.mapping.positions["capex"]],
            )

    def _check_dependencies(self, frame: pd.DataFrame) -> None:
        position = self.mapping.position("depends_on")
        if position is None:
            return
        header = self.table.headers[position]
        known = set(frame["id"])
        graph: dict[str, tuple[str, ...]] = {}
        for row, ident, needs in zip(frame.index, frame["id"], frame["depends_on"], strict=True):
            for need in needs:
                if need not in known:
                    self._error(
                        f"dépend de « {need} », qui n'est l'identifiant d'aucun projet.",
                        row=row,
                        column=header,
                    )
            graph[ident] = tuple(need for need in needs if need in known)
        row_of = dict(zip(frame["id"], frame.index, strict=False))
        for cycle in dependency_cycles(graph):
            path = " → ".join([*cycle, cycle[0]])
            self._error(
                f"dépendance circulaire : {path}. Un projet ne peut pas attendre un projet "
                "qui l'attend ; retirez une de ces dépendances.",
                row=row_of[cycle[0]],
                column=header,
            )

    # -- problems -----------------------------------------------------------------------

    def _error(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(p.error(message, sheet=self.table.sheet, row=row, column=column))

    def _warning(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(p.warning(message, sheet=self.table.sheet, row=row, column=column))


_EMPTY: dict[Kind, object] = {
    Kind.TEXT: "",
    Kind.SCORE: math.nan,
    Kind.AMOUNT: math.nan,
    Kind.MONTHS: math.nan,
    Kind.IDS: (),
    Kind.AXIS: "",
}


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


def _repeated(values: pd.Series) -> dict[str, list[int]]:
    """Values that occur more than once, each with the row numbers where they do."""
    seen: dict[str, list[int]] = {}
    for row, value in values.items():
        seen.setdefault(value, []).append(row)
    return {value: rows for value, rows in seen.items() if len(rows) > 1}


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


def with_scale(inventory: Inventory, scale: Scale) -> Inventory:
    """The same table read against another declared scale."""
    return build_inventory(inventory.table, inventory.mapping, scale)


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


__all__ = [
    "AMOUNT_FIELDS",
    "SCORE_FIELDS",
    "Inventory",
    "NoTableFound",
    "RawTable",
    "Scale",
    "build_inventory",
    "load_inventory",
    "locate_table",
]
