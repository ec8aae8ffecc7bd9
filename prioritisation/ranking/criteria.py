"""What projects are ranked on: criteria named by the user, their direction and weight.

A criterion is a core score (Urgence, Impact, Faisabilité), another canonical number
(Coût d'investissement…) or any numeric column of the user's file, each to maximise or
minimise. `criteria_matrix` turns an inventory into the projects × criteria matrix and
reports every missing or unreadable value, located as the user sees it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from prioritisation import problems as p
from prioritisation.french import parse_number, split_items
from prioritisation.problems import Problem
from prioritisation.ranking.methods import InvalidSettings, Method, Normalisation, normalise_weights
from prioritisation.reading.fields import FIELDS_BY_KEY, SCORE_FIELDS, Kind, field_key, normalise_header
from prioritisation.reading.inventory import Inventory, cell_text, formula_problem, unique_labels

_NUMERIC_KINDS = (Kind.SCORE, Kind.AMOUNT, Kind.MONTHS)
_TEMPLATE_HEADERS = {
    field.header.casefold(): key for key, field in FIELDS_BY_KEY.items() if field.kind in _NUMERIC_KINDS
}


@dataclass(frozen=True)
class Criterion:
    """A criterion named by a field key ("urgency") or a header of the file ("Coût total HT").

    The template's own header of a numeric field (« Urgence », « Coût d'investissement (€) »)
    is that field: `Criterion("Urgence") == Criterion("urgency")`. Any other name is kept as
    written, so « Budget » and « Budget (€) » are two criteria, as they are two columns.
    """

    name: str
    maximise: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", canonical_name(self.name))
        if not self.name:
            raise InvalidSettings("Un critère sans nom : indiquez l'en-tête de sa colonne.")


def canonical_name(name: str) -> str:
    """'Urgence' → 'urgency' (the template's header of a numeric field); any other name, stripped."""
    plain = name.strip()
    if plain in FIELDS_BY_KEY:
        return plain
    return _TEMPLATE_HEADERS.get(plain.casefold(), plain)


def display_name(name: str) -> str:
    """'urgency' → 'Urgence': how a criterion is written for people and on the command line."""
    field = FIELDS_BY_KEY.get(name)
    return field.header if field is not None and field.kind in _NUMERIC_KINDS else name


DEFAULT_CRITERIA: tuple[Criterion, ...] = tuple(Criterion(key) for key in SCORE_FIELDS)


@dataclass(frozen=True)
class RankingSettings:
    """Everything that decides a ranking; written to the workbook so it can be reproduced."""

    criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
    weights: tuple[float, ...] | None = None  # aligned with criteria; None = equal weights
    method: Method = Method.WEIGHTED_SUM
    normalisation: Normalisation | None = None  # None = the method's default
    vikor_v: float = 0.5

    @property
    def resolved_normalisation(self) -> Normalisation:
        return self.normalisation or self.method.default_normalisation

    @property
    def raw_weights(self) -> tuple[float, ...]:
        return self.weights if self.weights is not None else (1.0,) * len(self.criteria)


@dataclass(frozen=True)
class ResolvedCriterion:
    """A criterion found in the inventory: where its values are and how they are bounded."""

    criterion: Criterion
    label: str  # the header as written in the file (or the template's, if absent)
    field: str | None  # the canonical field, when it is one
    column: str | None  # label of the column in Inventory.original; None when missing
    bounds: tuple[float, float] | None  # the declared scale of a core score

    @property
    def maximise(self) -> bool:
        return self.criterion.maximise


def resolve(inventory: Inventory, criterion: Criterion) -> ResolvedCriterion:
    """Where a criterion's values are: a field key names its field; a header as written (or
    the label the dashboard shows) names that column — its field's values when it holds one;
    otherwise a header the tool recognises names its field, then a header written alike."""
    labels = unique_labels(inventory.table.headers)
    if criterion.name in FIELDS_BY_KEY:
        return _field_criterion(inventory, criterion, criterion.name, labels)
    position = _exact_column(inventory.table.headers, labels, criterion.name)
    if position is not None:
        field = inventory.mapping.field_at(position)
        if field is not None and FIELDS_BY_KEY[field].kind in _NUMERIC_KINDS:
            return _field_criterion(inventory, criterion, field, labels)
        return ResolvedCriterion(criterion, inventory.table.headers[position], None, labels[position], None)
    key = field_key(criterion.name)
    if key is not None and FIELDS_BY_KEY[key].kind in _NUMERIC_KINDS:
        return _field_criterion(inventory, criterion, key, labels)
    plain = normalise_header(criterion.name)
    alike = [i for i, header in enumerate(inventory.table.headers) if normalise_header(header) == plain]
    if len(alike) == 1:
        position = alike[0]
        return ResolvedCriterion(criterion, inventory.table.headers[position], None, labels[position], None)
    return ResolvedCriterion(criterion, criterion.name, key, None, None)


def _field_criterion(
    inventory: Inventory, criterion: Criterion, key: str, labels: Sequence[str]
) -> ResolvedCriterion:
    position = inventory.mapping.position(key)
    bounds = (inventory.scale.low, inventory.scale.high) if key in SCORE_FIELDS else None
    label = FIELDS_BY_KEY[key].header if position is None else inventory.table.headers[position]
    column = None if position is None else labels[position]
    return ResolvedCriterion(criterion, label, key, column, bounds)


def _exact_column(headers: Sequence[str], labels: Sequence[str], name: str) -> int | None:
    """The column whose header is `name` as written, or whose dashboard label is (« Budget (2) »)."""
    for names in (headers, labels):
        for position, header in enumerate(names):
            if header == name:
                return position
    return None


def numeric_columns(inventory: Inventory) -> list[str]:
    """Headers (as written) of columns whose filled cells are all numbers: candidate criteria."""
    names = []
    for position, header in enumerate(inventory.table.headers):
        field = inventory.mapping.field_at(position)
        if field is not None and FIELDS_BY_KEY[field].kind not in _NUMERIC_KINDS:
            continue
        if header and _all_numbers(row[position] for row in inventory.table.rows):
            names.append(header)
    return names


def _all_numbers(cells: Iterable[object]) -> bool:
    """At least one filled cell, and every filled cell a number (typed as one, or French text).

    Cells already typed as numbers — most of a spreadsheet's — skip the French parser: a
    20,000-row file has 440,000 cells to look at."""
    filled = False
    for cell in cells:
        if type(cell) is int or type(cell) is float:
            if not math.isfinite(cell):  # NaN or infinite: not a number
                return False
            filled = True
        elif cell_text(cell):
            if parse_number(cell) is None:
                return False
            filled = True
    return filled


def criteria_matrix(
    inventory: Inventory, settings: RankingSettings
) -> tuple[np.ndarray, tuple[ResolvedCriterion, ...], list[Problem]]:
    """The projects × criteria matrix, the criteria as found, and the problems with them."""
    check_settings(settings)
    resolved = tuple(resolve(inventory, criterion) for criterion in settings.criteria)
    problems: list[Problem] = []
    matrix = np.full((len(inventory.projects), len(resolved)), np.nan)
    for column, criterion in enumerate(resolved):
        values, found = _criterion_values(inventory, criterion)
        problems += found
        matrix[:, column] = values
    return matrix, resolved, problems


def check_settings(settings: RankingSettings) -> None:
    """Raise InvalidSettings (French message) for settings that cannot give a ranking."""
    if not settings.criteria:
        raise InvalidSettings("Choisissez au moins un critère.")
    if len(settings.raw_weights) != len(settings.criteria):
        raise InvalidSettings("Il faut exactement un poids par critère.")
    names = [criterion.name for criterion in settings.criteria]
    repeated = sorted({display_name(name) for name in names if names.count(name) > 1})
    if repeated:
        raise InvalidSettings(f"Le critère « {repeated[0]} » est choisi deux fois : gardez-en un seul.")
    normalise_weights(settings.raw_weights)


def _criterion_values(inventory: Inventory, criterion: ResolvedCriterion) -> tuple[np.ndarray, list[Problem]]:
    sheet = inventory.table.sheet
    count = len(inventory.projects)
    if criterion.column is None:
        return np.full(count, np.nan), [
            p.error(
                f"le critère « {criterion.label} » n'a pas de colonne dans la feuille. "
                "Ajoutez-la (le modèle vierge la contient) ou choisissez d'autres critères.",
                sheet=sheet,
                row=inventory.table.header_row,
            )
        ]
    if criterion.field is not None:
        values = inventory.projects[criterion.field].to_numpy(dtype=float)
        return values, _blank_values(inventory, criterion, values)
    return _column_values(inventory, criterion)


def _blank_values(inventory: Inventory, criterion: ResolvedCriterion, values: np.ndarray) -> list[Problem]:
    """Blank cells of a canonical criterion (unreadable ones, and blanks a formula left, were
    reported when reading)."""
    column = inventory.original[criterion.column]
    where = inventory.original.columns.get_loc(criterion.column)
    hint = f"une note {inventory.scale.span()}" if criterion.bounds else "un nombre"
    problems = []
    for position in np.flatnonzero(np.isnan(values)):
        row = int(inventory.projects.index[position])
        if not cell_text(column.iloc[position]) and formula_problem(inventory.table, row, where) is None:
            problems.append(
                p.error(
                    f"valeur manquante pour le critère « {criterion.label} ». Saisissez {hint}.",
                    sheet=inventory.table.sheet,
                    row=row,
                    column=criterion.label,
                )
            )
    return problems


def _column_values(inventory: Inventory, criterion: ResolvedCriterion) -> tuple[np.ndarray, list[Problem]]:
    problems = []
    values = np.full(len(inventory.projects), np.nan)
    cells = inventory.original[criterion.column]
    column = inventory.original.columns.get_loc(criterion.column)
    for position, (row, cell) in enumerate(cells.items()):
        number = parse_number(cell)
        if number is None:
            problems.append(
                p.error(
                    _unreadable(inventory, criterion, row, column, cell_text(cell)),
                    sheet=inventory.table.sheet,
                    row=row,
                    column=criterion.label,
                )
            )
        else:
            values[position] = number
    return values, problems


def _unreadable(inventory: Inventory, criterion: ResolvedCriterion, row: int, column: int, shown: str) -> str:
    """A cell of an added criterion that is not a number; its formula says why, if it does."""
    reason = formula_problem(inventory.table, row, column) if shown in ("", "nan") else None
    if reason is not None:
        return f"{reason.rstrip('.')} (critère « {criterion.label} »)."
    what = f"« {shown} » n'est pas un nombre" if shown else "valeur manquante"
    return f"{what} pour le critère « {criterion.label} ». Saisissez un nombre."


def parse_criteria(text: str, *, split: bool = True) -> tuple[Criterion, ...]:
    """'Urgence:max,Coût total HT:min' → criteria; InvalidSettings on a bad direction.

    With `split=False`, `text` is one criterion, whatever commas its header holds.
    """
    criteria = []
    for part in split_items(text) if split else [text]:
        name, _, direction = part.rpartition(":") if ":" in part else (part, "", "max")
        direction = direction.strip().lower()
        if direction not in ("max", "min"):
            raise InvalidSettings(
                f"« {part} » : indiquez le sens après deux-points, « :max » (plus c'est "
                "mieux) ou « :min » (moins c'est mieux)."
            )
        criteria.append(Criterion(name.strip(), maximise=direction == "max"))
    if not criteria:
        raise InvalidSettings("Aucun critère indiqué.")
    return tuple(criteria)


def parse_weights(items: Sequence[str], criteria: Sequence[Criterion]) -> tuple[float, ...]:
    """['Urgence=40', 'Impact=35'] → one weight per criterion (a criterion not named weighs 0).

    A name matches its criterion as written (or as its field), else by a header written alike
    when that designates one criterion only.
    """
    names = [criterion.name for criterion in criteria]
    plain = [normalise_header(display_name(name)) for name in names]
    weights = [0.0] * len(criteria)
    for item in items:
        name, equals, value = item.rpartition("=")
        number = parse_number(value.strip())
        if not equals or number is None:
            raise InvalidSettings(f"« {item} » : écrivez le poids sous la forme Critère=40.")
        wanted = canonical_name(name)
        if wanted in names:
            weights[names.index(wanted)] = number
            continue
        alike = [i for i, known in enumerate(plain) if known == normalise_header(wanted)]
        if len(alike) != 1:
            known = ", ".join(display_name(n) for n in names)
            raise InvalidSettings(f"« {name.strip()} » n'est pas un des critères ({known}).")
        weights[alike[0]] = number
    return tuple(weights)
