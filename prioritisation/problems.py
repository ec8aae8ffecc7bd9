"""Problems found in the user's data: values, never exceptions, all reported at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


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

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"feuille « {self.sheet} »")
        if self.row is not None:
            parts.append(f"ligne {self.row}")
        if self.column is not None:
            parts.append(f"colonne « {self.column} »" if self.column else "colonne sans titre")
        return ", ".join(parts)

    def __str__(self) -> str:
        label = "Erreur" if self.is_error else "Avertissement"
        where = self.location()
        return f"{label} — {where} : {self.message}" if where else f"{label} : {self.message}"


def error(
    message: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None
) -> Problem:
    return Problem(Severity.ERROR, message, sheet, row, column)


def warning(
    message: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None
) -> Problem:
    return Problem(Severity.WARNING, message, sheet, row, column)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.is_error]
