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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from prioritisation import problems as p
from prioritisation.french import format_euros, format_number, parse_number
from prioritisation.problems import Problem, rows_text
from prioritisation.reading.fields import (
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
from prioritisation.reading.grants import route_grants
from prioritisation.reading.headers import header_words
from prioritisation.reading.scores import (
    Scale,
    ScoreWords,
    check_words,
    propose_score_words,
    short_number,
    word_key,
)
from prioritisation.reading.spreadsheet import Cell, RawWorkbook, Sheet, read_bytes, read_file
from prioritisation.reading.untrusted import FileRefused, ReadLimits, column_letters

HEADER_SEARCH_ROWS = 30
_TOTAL_ROW = re.compile(r"^(sous[- ]?)?(total|totaux)\b", re.IGNORECASE)
_short = short_number


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


UNVALUED_WORDS_SHOWN = 40


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
    score_words: ScoreWords = field(default_factory=ScoreWords)  # words read as scores, values in force
    chosen_words: ScoreWords | None = None  # the user's own setting; None = proposed from the file
    excluded_rows: tuple[ExcludedRow, ...] = ()  # rows left out of this inventory, and why
    unvalued_words: tuple[str, ...] = ()  # words in score columns with no score yet (the user gives one)

    @property
    def errors(self) -> list[Problem]:
        return p.errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return p.warnings(self.problems)

    def header_of(self, field_key: str) -> str | None:
        position = self.mapping.position(field_key)
        return None if position is None else self.table.headers[position]


@dataclass(frozen=True)
class ExcludedRow:
    """A project's row left out of the inventory (« classer sans les lignes en erreur »)."""

    row: int  # as the spreadsheet shows it
    project_id: str
    title: str
    reasons: tuple[str, ...]  # each problem of the row, located by its column
    cells: tuple[Cell, ...] = ()  # the row as the file has it, for the export (every row kept)

    def __str__(self) -> str:
        title = f" « {self.title} »" if self.title else ""
        return f"ligne {self.row} ({self.project_id}{title}) : {' ; '.join(self.reasons)}"


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
    score_words: ScoreWords | None = None,
) -> Inventory:
    """Read a file (path or uploaded bytes) into an Inventory; FileRefused if unreadable."""
    if isinstance(source, bytes):
        workbook = read_bytes(source, file_name or "inventaire", limits)
    else:
        workbook = read_file(source, limits)
    table = locate_table(workbook, sheet=sheet, columns=columns)
    return build_inventory(table, map_columns(table.headers, columns), scale or Scale(), score_words)


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
            "Choisissez la feuille à lire, ou partez du modèle vierge."
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


def build_inventory(
    table: RawTable,
    mapping: ColumnMapping,
    scale: Scale,
    score_words: ScoreWords | None = None,
    *,
    excluded: Sequence[ExcludedRow] = (),
    ids: Mapping[int, str] | None = None,
) -> Inventory:
    """Parse every canonical field of `table` and list every problem (never raises on data).

    `score_words` are the words the user gave values to; None proposes them from the words
    the score columns hold. ValueError (French) when one of them falls outside `scale`: the
    setting, not the data, is wrong. `excluded` and `ids` carry over what `without_rows` left
    out, so that generated identifiers stay those of the whole table.
    """
    if score_words is not None:
        check_words(score_words, scale)
    table = _without_closing_totals(table, mapping)
    reader = _FieldReader(table, mapping, scale, score_words, excluded, ids or {})
    projects = reader.read()
    original = _original_frame(table)
    notes = [*mapping.notes, *reader.notes]
    if mapping.position("id") is None and len(table.rows):
        notes.append("Pas de colonne « Identifiant » : les projets sont numérotés P001, P002…")
    if excluded:
        rows = [row.row for row in excluded]
        notes.append(
            f"{format_number(len(rows))} ligne(s) écartée(s) car en erreur (lignes {rows_text(rows)}) : "
            "elles restent dans le fichier et reviennent dès qu'on classe toutes les lignes."
        )
    return Inventory(
        table=table,
        mapping=mapping,
        scale=scale,
        original=original,
        projects=projects,
        problems=(*table.file_problems, *reader.problems),
        notes=tuple(notes),
        score_words=reader.words,
        chosen_words=score_words,
        excluded_rows=tuple(excluded),
        unvalued_words=reader.unvalued_words(),
    )


def _without_closing_totals(table: RawTable, mapping: ColumnMapping) -> RawTable:
    """The table without the total rows that close it (« TOTAL », « Total général »): not
    projects, they are left out and said, each a warning at its row. A total row among the
    projects (a subtotal) stays an error: where the sections end is the user's to say."""
    position = mapping.position("title")
    if position is None:
        return table
    # A row that names itself a total and holds no identifier and no score: not a project
    # titled « Total… » that someone scored.
    own = [mapping.position(key) for key in ("id", *SCORE_FIELDS)]
    own_cells = [column for column in own if column is not None]

    def closing_total(row: tuple[Cell, ...]) -> bool:
        return bool(_TOTAL_ROW.match(cell_text(row[position]).strip())) and all(
            _blank(row[column]) for column in own_cells
        )

    count = len(table.rows)
    while count and closing_total(table.rows[count - 1]):
        count -= 1
    if count == len(table.rows):
        return table
    header = table.headers[position]
    left_out = tuple(
        Problem(
            p.Severity.WARNING,
            f"« {cell_text(row[position]).strip()} » est une ligne de total en bas du tableau, pas un "
            "projet : elle n'est pas lue (les totaux sont calculés par l'outil).",
            sheet=table.sheet,
            row=number,
            column=header,
            code="closing_total_row",
        )
        for row, number in zip(table.rows[count:], table.row_numbers[count:], strict=True)
    )
    return replace(
        table,
        rows=table.rows[:count],
        row_numbers=table.row_numbers[:count],
        file_problems=(*table.file_problems, *left_out),
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

    def __init__(
        self,
        table: RawTable,
        mapping: ColumnMapping,
        scale: Scale,
        words: ScoreWords | None,
        excluded: Sequence[ExcludedRow],
        ids: Mapping[int, str],
    ) -> None:
        self.table = table
        self.mapping = mapping
        self.scale = scale
        self.rows = table.row_numbers
        self.words = words if words is not None else propose_score_words(self._score_texts(), scale)
        self.excluded = {row.project_id: row.row for row in excluded}
        self.preset_ids = ids
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.explained: set[tuple[int, int]] = set()  # blank cells whose formula was reported

    def read(self) -> pd.DataFrame:
        self._check_structure()
        columns = {key: self._read_column(key, spec.kind) for key, spec in FIELDS_BY_KEY.items()}
        columns["id"] = self._fill_ids(columns["id"])
        self._check_titles(columns["title"])
        self._route_grants(columns)
        self._check_dependencies(columns["id"], columns["depends_on"])
        self._check_unmapped_amounts()
        return pd.DataFrame(columns, index=pd.Index(self.rows, name="Ligne"))

    def unvalued_words(self) -> tuple[str, ...]:
        """Words of the score columns the words in force do not value, as first written; at
        most UNVALUED_WORDS_SHOWN (a column of free text is not a scale of words)."""
        seen: dict[str, str] = {}
        for text in self._score_texts():
            key = word_key(text)
            if key and key not in seen and self.words.value_of(text) is None:
                seen[key] = " ".join(str(text).split())
                if len(seen) == UNVALUED_WORDS_SHOWN:
                    break
        return tuple(seen.values())

    def _score_texts(self) -> Iterable[Cell]:
        """Score cells that hold text which is not a number: the words to propose values for."""
        for key in SCORE_FIELDS:
            position = self.mapping.position(key)
            if position is None:
                continue
            for row in self.table.rows:
                cell = row[position]
                if type(cell) is str and cell.strip() and parse_number(cell) is None:
                    yield cell

    def _check_structure(self) -> None:
        if self.mapping.position("title") is None:
            self._error(
                "aucune colonne ne donne l'intitulé des projets (en-tête « Projet », « Intitulé », "
                "« Libellé »…). Ajoutez-la, ou indiquez quelle colonne le contient.",
                row=self.table.header_row,
                code="no_title_column",
            )
        if not self.table.rows:
            self._error(
                f"aucun projet sous la ligne d'en-tête (ligne {self.table.header_row}). "
                "Ajoutez une ligne par projet.",
                row=self.table.header_row + 1,
                code="no_projects",
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
        factor = unit_factor(header, kind)
        in_words: Counter[str] = Counter()
        nothing = 0
        for position, cell in enumerate(cells):
            if type(cell) is int or (type(cell) is float and math.isfinite(cell)):
                values[position] = cell * factor
            elif kind is Kind.AMOUNT and type(cell) is str and cell.strip().lower() in _NO_AMOUNT:
                nothing += 1  # « - », « néant »: no amount, as a blank cell says
            elif type(cell) is float:  # NaN or infinite: a number type that is not a number
                if (self.rows[position], column) not in self.explained:
                    self._error(
                        _NOT_FINITE.format(cell=cell_text(cell)), row=self.rows[position], column=header
                    )
            elif cell != "" and not _blank(cell):
                number = self._number(cell, kind, factor, in_words)
                if number is None and _is_formula_error(cell):
                    self._error(
                        formula_error_message(str(cell).strip()), row=self.rows[position], column=header
                    )
                elif number is None:
                    self._error(
                        _NOT_A_NUMBER[kind].format(cell=cell_text(cell), scale=self.scale.span()),
                        row=self.rows[position],
                        column=header,
                        code=_NOT_A_NUMBER_CODE[kind],
                    )
                else:
                    values[position] = number
        invalid = self._out_of_range(values, kind)
        for position in np.flatnonzero(invalid):
            self._error(
                self._range_message(values[position], kind),
                row=self.rows[position],
                column=header,
                code=_OUT_OF_RANGE_CODE[kind],
            )
        values[invalid] = np.nan
        self._note_units(header, kind, factor, bool(np.any(~np.isnan(values))))
        if nothing:
            self.notes.append(
                f"« {header} » : {format_number(nothing)} cellule(s) « - » ou « néant », "
                "lue(s) comme vide(s)."
            )
        if in_words:
            used = ", ".join(f"{word} → {_short(self.words.value_of(word) or 0)}" for word in in_words)
            self.notes.append(
                f"« {header} » : {format_number(in_words.total())} note(s) écrite(s) en mots, lue(s) "
                f"ainsi : {used}."
            )
        return values

    def _number(self, cell: Cell, kind: Kind, factor: float, in_words: Counter[str]) -> float | None:
        """A cell written as text: a French number, a duration with its unit, a score in words."""
        number = parse_number(cell)
        if number is not None:
            return number if factor == 1 or _has_multiplier(cell) else number * factor
        if kind is Kind.MONTHS:
            return _months_in_text(cell)
        if kind is Kind.SCORE:
            number = self.words.value_of(cell)
            if number is not None:
                in_words[" ".join(str(cell).split())] += 1
            return number
        return None

    def _note_units(self, header: str, kind: Kind, factor: float, read_any: bool) -> None:
        if factor == 1 or not read_any:
            return
        if kind is Kind.MONTHS:
            self.notes.append(f"« {header} » : durées en années, lues en mois (× 12).")
        else:
            unit = "millions" if factor == 1e6 else "milliers"
            self.notes.append(
                f"« {header} » : montants en {unit} d'euros, lus multipliés par {format_number(factor)}."
            )

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
                "Corrigez-la, ou choisissez l'échelle des notes que le fichier utilise."
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
                    code="missing_axis",
                )
            elif axis is None:
                self._warning(
                    f"axe « {text} » non reconnu parmi les cinq axes du cadre CRTE ; il est gardé tel "
                    "quel. Écrivez par exemple « 3 » ou « Services numériques innovants ».",
                    row=row,
                    column=header,
                    code="unknown_axis",
                )
            axes.append(axis or text)
        return axes

    # -- across rows --------------------------------------------------------------------

    def _fill_ids(self, given: list[str]) -> list[str]:
        taken = set(given) | set(self.preset_ids.values())
        counter = 0
        ids = []
        for row, value in zip(self.rows, given, strict=True):
            if not value and row in self.preset_ids:
                value = self.preset_ids[row]
            elif not value:
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
                        f"(lignes {rows_text(rows)}). Chaque projet doit avoir le sien.",
                        row=rows[0],
                        column=header,
                        code="duplicate_id",
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
                    code="missing_title",
                )
            elif _TOTAL_ROW.match(title):
                self._error(
                    f"« {title} » ressemble à une ligne de total, pas à un projet. Retirez-la de "
                    "l'inventaire : les totaux sont calculés par l'outil.",
                    row=row,
                    column=header,
                    code="total_row",
                )
        folded = [title.casefold() for title in titles]
        first_title = dict(zip(reversed(folded), reversed(titles), strict=True))
        for title, rows in _repeated(folded, self.rows).items():
            if title:
                self._warning(
                    f"l'intitulé « {first_title[title]} » apparaît plusieurs fois "
                    f"(lignes {rows_text(rows)}) : doublon ?",
                    row=rows[0],
                    column=header,
                    code="duplicate_title",
                )

    def _route_grants(self, columns: dict[str, object]) -> None:
        """Grants given as an amount and a scheme in another column, into their sources (grants.py)."""
        amount_header, scheme_header = self._header("grant_amount"), self._header("grant_scheme")
        if amount_header is None:
            if scheme_header is not None:
                self.notes.append(
                    f"La colonne « {scheme_header} » donne le dispositif de chaque aide, mais aucune "
                    "colonne n'en donne le montant : indiquez laquelle, s'il y en a une."
                )
            return
        amounts = np.asarray(columns["grant_amount"], dtype=float)
        schemes = columns["grant_scheme"] if scheme_header is not None else None
        sources = {key: np.asarray(columns[key], dtype=float) for key in FUNDING_FIELDS}
        mapped = frozenset(key for key in FUNDING_FIELDS if self.mapping.position(key) is not None)
        routing = route_grants(amounts, schemes, sources, mapped)  # type: ignore[arg-type]
        for key, added in routing.added.items():
            given = added != 0
            if given.any():
                columns[key] = np.where(given, np.nan_to_num(sources[key]) + added, sources[key])
        if schemes is None and np.any(~np.isnan(amounts) & (amounts != 0)):
            self._warning(
                f"aucune colonne ne dit de quel dispositif (DETR, DSIL, FEDER…) relève chaque subvention : "
                f"les montants de « {amount_header} » sont comptés dans « Autres subventions ». Indiquez "
                "la colonne du dispositif si le fichier en a une.",
                column=amount_header,
                code="grant_without_scheme",
            )
        if routing.elsewhere:
            self._grants_elsewhere(routing.elsewhere, amount_header, scheme_header or "")
        for key, positions in routing.already.items():
            rows = [self.rows[position] for position in positions]
            self._warning(
                f"sur {format_number(len(rows))} ligne(s) ({rows_text(rows)}), « {amount_header} » donne "
                f"une subvention de ce dispositif et la colonne « {self._header(key)} » un montant : celui "
                f"de « {self._header(key)} » est gardé et la subvention n'y est pas ajoutée, pour ne pas "
                "la compter deux fois. Vérifiez qu'il ne s'agit pas de deux aides différentes.",
                column=self._header(key),
                code="grant_already_counted",
            )

    def _grants_elsewhere(self, elsewhere: Mapping[str, list[int]], amount: str, scheme: str) -> None:
        """One warning naming every scheme without a column of its own, and its rows."""
        parts = []
        for written, positions in elsewhere.items():
            rows = [self.rows[position] for position in positions]
            name = f"« {written} »" if written else "dispositif non renseigné"
            parts.append(f"{name} ({format_number(len(rows))} ligne(s) : {rows_text(rows)})")
        self._warning(
            f"les subventions de « {amount} » dont le dispositif n'a pas de colonne à lui sont comptées "
            f"dans « Autres subventions » : {' ; '.join(parts)}.",
            column=scheme,
            code="grant_scheme_elsewhere",
        )

    def _check_dependencies(self, ids: list[str], needs: list[tuple[str, ...]]) -> None:
        header = self._header("depends_on")
        if header is None:
            return
        known = set(ids)
        graph: dict[str, tuple[str, ...]] = {}
        for row, ident, wanted in zip(self.rows, ids, needs, strict=True):
            for need in wanted:
                if need in known:
                    continue
                if need in self.excluded:
                    self._error(
                        f"dépend de « {need} », écarté du classement avec la ligne {self.excluded[need]} "
                        "(en erreur).",
                        row=row,
                        column=header,
                        code="excluded_dependency",
                    )
                else:
                    self._error(
                        f"dépend de « {need} », qui n'est l'identifiant d'aucun projet.",
                        row=row,
                        column=header,
                        code="unknown_dependency",
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
                code="dependency_cycle",
            )

    def _check_unmapped_amounts(self) -> None:
        """Columns read as no field that look like money: named, so that the user maps them."""
        used = set(self.mapping.positions.values())
        used |= {ambiguity.position for ambiguity in self.mapping.ambiguities}
        for position, header in enumerate(self.table.headers):
            if position in used or not header:
                continue
            if looks_like_money(header, (row[position] for row in self.table.rows)):
                self._warning(
                    "cette colonne ressemble à un montant mais n'est lue comme aucun champ : si c'est un "
                    "coût ou un financement, rattachez-la au champ qui convient.",
                    column=header,
                    code="unmapped_amount",
                )

    # -- problems -----------------------------------------------------------------------

    def _header(self, field_key: str) -> str | None:
        position = self.mapping.position(field_key)
        return None if position is None else self.table.headers[position]

    def _error(
        self, message: str, *, row: int | None = None, column: str | None = None, code: str | None = None
    ) -> None:
        self.problems.append(p.error(message, sheet=self.table.sheet, row=row, column=column, code=code))

    def _warning(
        self, message: str, *, row: int | None = None, column: str | None = None, code: str | None = None
    ) -> None:
        self.problems.append(p.warning(message, sheet=self.table.sheet, row=row, column=column, code=code))


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
    Kind.SCORE: "« {cell} » n'est pas une note. Saisissez un nombre {scale}, ou donnez une note à ce mot "
    "dans la correspondance des mots et des notes.",
    Kind.AMOUNT: "« {cell} » n'est pas un montant. Écrivez un nombre, par exemple 1 200 000.",
    Kind.MONTHS: "« {cell} » n'est pas une durée en mois. Écrivez un nombre de mois positif.",
}
_NOT_A_NUMBER_CODE = {Kind.SCORE: "not_a_score", Kind.AMOUNT: "not_an_amount", Kind.MONTHS: "not_a_duration"}
_OUT_OF_RANGE_CODE = {
    Kind.SCORE: "score_out_of_scale",
    Kind.AMOUNT: "negative_amount",
    Kind.MONTHS: "not_a_duration",
}
# What people write in an amount column for « none »: read as a blank cell, and said in a note.
_NO_AMOUNT = frozenset({"-", "–", "—", "--", "/", "néant", "neant", "sans objet"})
_MULTIPLIER = re.compile(r"[0-9]\s*(k|m|md|mds)\s*(€|eur|euros?)?\s*$", re.IGNORECASE)
_DURATION_TEXT = re.compile(
    r"^\s*(?P<number>[0-9]+(?:[.,][0-9]+)?)\s*(?P<unit>mois|ans?|années?|annees?)\s*$", re.IGNORECASE
)


def unit_factor(header: str, kind: Kind) -> float:
    """What the header's unit multiplies its numbers by: « (k€) » 1 000, « (M€) » 10⁶, « (ans) » 12."""
    words = header_words(header)
    if kind is Kind.AMOUNT:
        return 1e6 if "<m€>" in words else 1e3 if "<k€>" in words else 1.0
    if kind is Kind.MONTHS:
        return 12.0 if "<ans>" in words else 1.0
    return 1.0


def _has_multiplier(cell: Cell) -> bool:
    """'12 k€' carries its own unit: the header's does not apply to it."""
    return isinstance(cell, str) and _MULTIPLIER.search(cell) is not None


def _months_in_text(cell: Cell) -> float | None:
    """'18 mois' → 18, '2 ans' → 24: durations written with their unit."""
    match = _DURATION_TEXT.match(str(cell))
    if match is None:
        return None
    number = float(match.group("number").replace(",", "."))
    return number if match.group("unit").lower().startswith("mois") else number * 12


_MONEY_WORDS = frozenset(
    {"montant", "cout", "subvention", "sub", "budget", "financement", "cofinancement", "depense", "prix",
     "dotation", "aide", "participation", "investissement", "autofinancement", "chiffrage", "credit",
     "enveloppe", "<€>", "<k€>", "<m€>", "ht", "ttc", "feder", "dsil", "detr", "dsid"}
)  # fmt: skip
_NOT_MONEY = frozenset(
    {"<pct>", "<jours>", "<mois>", "<ans>", "<echelle>", "date", "annee", "nombre", "nb", "population",
     "habitant", "identifiant", "numero", "n", "no", "ref", "reference", "latitude", "longitude", "lat",
     "long", "surface", "superficie", "km", "effectif", "age", "levier", "note", "niveau", "rang",
     "priorite", "duree", "delai"}
)  # fmt: skip
_NOT_MONEY_ROOTS = ("insee", "cod", "siren", "siret", "pop", "id", "num", "lat", "lon")
_SAMPLE = 200


def looks_like_money(header: str, cells: Iterable[Cell]) -> bool:
    """A column of numbers whose header speaks of money, or of large numbers under any header.

    Counts, codes, years, populations and coordinates are large numbers too: a header that
    names one of them is never taken for money. A sample of the cells is enough to judge.
    """
    words = header_words(header)
    if words & _NOT_MONEY or any(word.startswith(_NOT_MONEY_ROOTS) for word in words):
        return False
    filled = list(islice((cell for cell in cells if cell != "" and not _blank(cell)), _SAMPLE))
    if not filled:
        return False
    numbers = [number for number in map(_plain_number, filled) if number is not None]
    if words & _MONEY_WORDS:
        return len(numbers) >= len(filled) / 2
    if len(numbers) < 0.9 * len(filled):
        return False
    if all(float(n).is_integer() and 1900 <= n <= 2100 for n in numbers):
        return False  # years
    return float(np.median(numbers)) >= 1000


def _plain_number(cell: Cell) -> float | None:
    if isinstance(cell, str) and cell.strip().startswith("0") and cell.strip().isdigit():
        return None  # a code written with its leading zero ('01002')
    return parse_number(cell)


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
    return _rebuilt(inventory, inventory.table, mapping)


def with_cells(inventory: Inventory, edits: Mapping[tuple[int, str], Cell]) -> Inventory:
    """The table with cells changed, keyed by (spreadsheet row, column label); re-validated."""
    labels = unique_labels(inventory.table.headers)
    position = {label: i for i, label in enumerate(labels)}
    row_at = {row: i for i, row in enumerate(inventory.table.row_numbers)}
    rows = [list(row) for row in inventory.table.rows]
    for (row, label), value in edits.items():
        rows[row_at[row]][position[label]] = value
    table = replace(inventory.table, rows=tuple(tuple(row) for row in rows))
    return _rebuilt(inventory, table, inventory.mapping)


def with_score_words(inventory: Inventory, words: ScoreWords | None) -> Inventory:
    """The table read with the user's words for scores (None: proposed again from the file).

    ValueError (French) when a word's score lies outside the inventory's scale.
    """
    return build_inventory(
        inventory.table,
        inventory.mapping,
        inventory.scale,
        words,
        excluded=inventory.excluded_rows,
        ids=_ids_by_row(inventory),
    )


def _rebuilt(inventory: Inventory, table: RawTable, mapping: ColumnMapping) -> Inventory:
    return build_inventory(
        table,
        mapping,
        inventory.scale,
        inventory.chosen_words,
        excluded=inventory.excluded_rows,
        ids=_ids_by_row(inventory) if inventory.excluded_rows else None,
    )


def _ids_by_row(inventory: Inventory) -> dict[int, str]:
    return dict(zip(inventory.projects.index, inventory.projects["id"], strict=True))


# ---------------------------------------------------------------------------------------
# Ranking without the rows in error (issue 8.5): explicit and reversible. The inventory
# given is never changed; the one returned lacks the rows and records them, with their
# reasons, in `excluded_rows` (for the workbook's Paramètres sheet and the command line).


def row_errors(inventory: Inventory, extra: Iterable[Problem] = ()) -> dict[int, list[Problem]]:
    """The errors tied to a project's row, by row: what leaving rows out can remove.

    `extra` adds problems found elsewhere (a blank score of a chosen criterion).
    """
    rows = set(inventory.projects.index)
    found: dict[int, list[Problem]] = {}
    for problem in [*inventory.problems, *extra]:
        if problem.is_error and problem.row in rows:
            found.setdefault(problem.row, []).append(problem)
    return found


def unskippable_errors(inventory: Inventory, extra: Iterable[Problem] = ()) -> list[Problem]:
    """Errors no row can be left out for (no title column, no projects, a criterion without column).

    These must be fixed: the ranking stays impossible while they remain.
    """
    rows = set(inventory.projects.index)
    return [
        problem for problem in [*inventory.problems, *extra] if problem.is_error and problem.row not in rows
    ]


def without_rows(inventory: Inventory, reasons: Mapping[int, Sequence[str]]) -> Inventory:
    """The inventory without the rows of `reasons` (spreadsheet row → why), re-validated.

    Rows already left out stay out. Identifiers generated for rows without one keep the
    values they had in the whole table, so that a plan naming P012 still means the same
    project. ValueError for a row that is not a project's row of this inventory.
    """
    present = dict(zip(inventory.table.row_numbers, range(len(inventory.table.rows)), strict=True))
    unknown = sorted(row for row in reasons if row not in present)
    if unknown:
        raise ValueError(f"Lignes absentes de l'inventaire : {rows_text(unknown)}.")
    if not reasons:
        return inventory
    ids = _ids_by_row(inventory)
    titles = dict(zip(inventory.projects.index, inventory.projects["title"], strict=True))
    left_out = [
        ExcludedRow(
            row,
            str(ids[row]),
            str(titles[row]),
            tuple(reasons[row]),
            tuple(inventory.table.rows[present[row]]),
        )
        for row in sorted(reasons)
    ]
    kept = [number for number in inventory.table.row_numbers if number not in reasons]
    table = replace(
        inventory.table,
        rows=tuple(inventory.table.rows[present[number]] for number in kept),
        row_numbers=tuple(kept),
    )
    excluded = tuple(sorted([*inventory.excluded_rows, *left_out], key=lambda row: row.row))
    return build_inventory(
        table, inventory.mapping, inventory.scale, inventory.chosen_words, excluded=excluded, ids=ids
    )


def without_error_rows(inventory: Inventory, extra: Iterable[Problem] = ()) -> Inventory:
    """The inventory without every row that has an error (« classer sans les lignes en erreur »).

    Leaving a project out can put another in error (it depended on it): such rows are left
    out in turn, with that reason, until no row has an error. Errors not tied to a row stay
    (`unskippable_errors`). `extra` adds problems found elsewhere, such as the criteria's.
    """
    extra = list(extra)
    while True:
        found = row_errors(inventory, extra)
        if not found:
            return inventory
        inventory = without_rows(
            inventory, {row: [_reason(problem) for problem in problems] for row, problems in found.items()}
        )
        extra = []  # their rows are out: what remains can only be the rebuilt inventory's own


def _reason(problem: Problem) -> str:
    where = f"colonne « {problem.column} » : " if problem.column else ""
    return f"{where}{problem.message}"
