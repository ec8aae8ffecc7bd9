"""Problems found in the user's data: values, never exceptions, all reported at once.

Each problem may carry a `code` naming its kind (« duplicate_title »): 1,085 repeated titles
are one line of a report, « l'intitulé apparaît plusieurs fois : 1 085 cas (lignes 12, 40,
77…) », with every problem behind it for a detail view (`group_problems`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from prioritisation.french import format_number


class Severity(Enum):
    ERROR = "erreur"  # the ranking cannot be trusted until it is fixed
    WARNING = "avertissement"  # reported; the ranking still runs


@dataclass(frozen=True)
class Problem:
    """One problem, located as the user sees it: sheet, spreadsheet row, header as written."""

    severity: Severity
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    code: str | None = None  # the kind of problem, for grouping; see KINDS

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        return _location(self.sheet, self.row, self.column)

    def __str__(self) -> str:
        return _labelled(self.severity, self.location(), self.message)


def _location(sheet: str | None, row: int | None, column: str | None) -> str:
    parts = []
    if sheet:
        parts.append(f"feuille « {sheet} »")
    if row is not None:
        parts.append(f"ligne {row}")
    if column is not None:
        parts.append(f"colonne « {column} »" if column else "colonne sans titre")
    return ", ".join(parts)


def _labelled(severity: Severity, where: str, message: str) -> str:
    label = "Erreur" if severity is Severity.ERROR else "Avertissement"
    return f"{label} — {where} : {message}" if where else f"{label} : {message}"


def error(
    message: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    code: str | None = None,
) -> Problem:
    return Problem(Severity.ERROR, message, sheet, row, column, code)


def warning(
    message: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    code: str | None = None,
) -> Problem:
    return Problem(Severity.WARNING, message, sheet, row, column, code)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.is_error]


# The kinds of problem, each with what one line of a grouped report says of it.
KINDS: dict[str, str] = {
    "no_title_column": "aucune colonne ne donne l'intitulé des projets",
    "no_projects": "aucun projet sous la ligne d'en-tête",
    "not_a_score": "valeur qui n'est pas une note",
    "score_out_of_scale": "note hors de l'échelle",
    "not_an_amount": "valeur qui n'est pas un montant",
    "negative_amount": "montant négatif",
    "not_a_duration": "valeur qui n'est pas une durée en mois",
    "missing_axis": "axe stratégique non renseigné",
    "unknown_axis": "axe non reconnu parmi les cinq axes du cadre CRTE",
    "duplicate_id": "identifiant utilisé par plusieurs projets",
    "missing_title": "projet sans intitulé",
    "total_row": "ligne de total parmi les projets",
    "closing_total_row": "ligne de total en bas du tableau, non lue",
    "merged_cells_read": "cellules fusionnées lues sur chacune de leurs lignes",
    "duplicate_title": "l'intitulé apparaît plusieurs fois",
    "funding_above_cost": "financements supérieurs au coût d'investissement",
    "unknown_dependency": "dépendance vers un identifiant inconnu",
    "excluded_dependency": "dépendance vers un projet écarté",
    "dependency_cycle": "dépendance circulaire",
    "grant_scheme_elsewhere": "subvention comptée hors des colonnes de sources",
    "grant_already_counted": "subvention déjà donnée par la colonne de sa source",
    "grant_without_scheme": "subvention sans dispositif",
    "unmapped_amount": "colonne qui ressemble à un montant, lue comme aucun champ",
    "missing_value": "valeur manquante",
    "over_funded": "subventions et apports privés supérieurs au coût, à corriger",
    "funding_adjusted": "plan de financement ramené au coût",
    "own_share_short": "part propre sous le minimum légal",
    "feder_to_check": "taux FEDER au-dessus de celui de la catégorie de région, à vérifier avec la Région",
    "exemption_unclear": "dérogation à la part propre minimale non comprise",
    "exemption": "dérogation à la part propre minimale",
}


def rows_text(rows: Sequence[int], limit: int = 10) -> str:
    """'12, 40, 77' — or, past `limit` rows, '12, 40, 77…' (the full list is in the detail)."""
    shown = ", ".join(str(row) for row in rows[:limit])
    return f"{shown}…" if len(rows) > limit else shown


@dataclass(frozen=True)
class ProblemGroup:
    """Problems of one kind, in one column of one sheet: one line of a report."""

    problems: tuple[Problem, ...]

    def __post_init__(self) -> None:
        if not self.problems:
            raise ValueError("Un groupe de problèmes en contient au moins un.")

    @property
    def first(self) -> Problem:
        return self.problems[0]

    @property
    def severity(self) -> Severity:
        return self.first.severity

    @property
    def is_error(self) -> bool:
        return self.first.is_error

    @property
    def code(self) -> str | None:
        return self.first.code

    @property
    def count(self) -> int:
        return len(self.problems)

    @property
    def rows(self) -> tuple[int, ...]:
        """The spreadsheet rows behind the group, in the order they were reported."""
        return tuple(problem.row for problem in self.problems if problem.row is not None)

    def summary(self) -> str:
        """« l'intitulé apparaît plusieurs fois : 1 085 cas (lignes 12, 40, 77…) »."""
        if self.count == 1:
            return self.first.message
        label = KINDS.get(self.code or "", self.first.message)
        rows = f" (lignes {rows_text(self.rows)})" if self.rows else ""
        return f"{label} : {format_number(self.count)} cas{rows}"

    def location(self) -> str:
        if self.count == 1:
            return self.first.location()
        return _location(self.first.sheet, None, self.first.column)

    def __str__(self) -> str:
        return _labelled(self.severity, self.location(), self.summary())


def group_problems(problems: Iterable[Problem], at_least: int = 2) -> list[ProblemGroup]:
    """Repeated problems of one kind (same code, sheet and column) as one group each.

    A problem without a code, or a kind seen fewer than `at_least` times, stays a group of
    its own. Groups come in the order of their first problem, so errors-first stays so.
    """
    keyed: dict[tuple[object, ...], list[tuple[int, Problem]]] = {}
    for number, problem in enumerate(problems):
        key = (
            (problem.severity, problem.code, problem.sheet, problem.column)
            if problem.code is not None
            else (number,)
        )
        keyed.setdefault(key, []).append((number, problem))
    groups: list[tuple[int, ProblemGroup]] = []
    for members in keyed.values():
        if len(members) >= at_least:
            groups.append((members[0][0], ProblemGroup(tuple(problem for _, problem in members))))
        else:
            groups.extend((number, ProblemGroup((problem,))) for number, problem in members)
    return [group for _, group in sorted(groups, key=lambda item: item[0])]
