"""Ranking an inventory: the one call the command line and the dashboard make.

`rank_inventory` checks the inventory and the criteria together, and either returns a
`Ranking` or raises `CannotRank` carrying every problem (values, for the user to read).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prioritisation import problems as p
from prioritisation.problems import Problem
from prioritisation.ranking.criteria import RankingSettings, ResolvedCriterion, criteria_matrix
from prioritisation.ranking.methods import RankResult, rank_matrix
from prioritisation.reading.inventory import ExcludedRow, Inventory

RANK_HEADER = "Rang"
SCORE_HEADER = "Score"


class CannotRank(Exception):
    """The inventory has errors: the ranking could not be trusted. Holds every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(p.errors(problems))} erreur(s) empêchent le classement")
        self.problems = problems


@dataclass(frozen=True)
class Ranking:
    inventory: Inventory
    settings: RankingSettings
    criteria: tuple[ResolvedCriterion, ...]
    result: RankResult
    problems: tuple[Problem, ...]  # warnings only: errors prevent a ranking

    @property
    def order(self) -> np.ndarray:
        """Positions of the projects, best first (ties keep the inventory's order)."""
        return np.argsort(self.result.ranks, kind="stable")

    def summary(self) -> pd.DataFrame:
        """Rank, id, title, axis, service, score and cost, best first."""
        projects = self.inventory.projects
        frame = pd.DataFrame(
            {
                RANK_HEADER: self.result.ranks,
                "Identifiant": projects["id"].to_numpy(),
                "Projet": projects["title"].to_numpy(),
                "Axe stratégique": projects["axis"].to_numpy(),
                "Service porteur": projects["owner_service"].to_numpy(),
                SCORE_HEADER: self.result.scores,
                "Coût d'investissement (€)": projects["capex"].to_numpy(),
            },
            index=projects.index,
        )
        return frame.iloc[self.order]

    def ranked_original(self) -> pd.DataFrame:
        """Every column of the user's table, values as read, then Rang and Score; best first.

        Rows left out (« classer sans les lignes en erreur ») follow, every cell as the file has
        it, without a rank, with why in EXCLUDED_HEADER: an export never drops a project."""
        frame = self.inventory.original.copy()
        frame[RANK_HEADER] = self.result.ranks
        frame[SCORE_HEADER] = self.result.scores
        frame = frame.iloc[self.order]
        excluded = self.inventory.excluded_rows
        if not excluded:
            return frame
        frame[EXCLUDED_HEADER] = ""
        left_out = pd.DataFrame(
            [[*row.cells, None, None, excluded_reason(row)] for row in excluded],
            columns=frame.columns,
            index=pd.Index([row.row for row in excluded], name=frame.index.name),
            dtype=object,
        )
        return pd.concat([frame, left_out])


EXCLUDED_HEADER = "Ligne écartée"


def excluded_reason(row: ExcludedRow) -> str:
    """What the export writes beside a row left out: « en erreur : <each reason> »."""
    return "en erreur : " + " ; ".join(row.reasons)


def check(inventory: Inventory, settings: RankingSettings) -> list[Problem]:
    """Every problem of the inventory and of the chosen criteria, errors first."""
    _, _, criteria_problems = criteria_matrix(inventory, settings)
    return _errors_first([*inventory.problems, *criteria_problems])


def _errors_first(found: list[Problem]) -> list[Problem]:
    return sorted(found, key=lambda problem: (not problem.is_error, problem.row or 0))


def rank_inventory(inventory: Inventory, settings: RankingSettings | None = None) -> Ranking:
    """Rank the projects; CannotRank with every problem when the data has errors."""
    settings = settings or RankingSettings()
    matrix, resolved, criteria_problems = criteria_matrix(inventory, settings)
    found = [*inventory.problems, *criteria_problems]
    if p.errors(found):
        raise CannotRank(_errors_first(found))
    result = rank_matrix(
        matrix,
        maximise=[criterion.maximise for criterion in resolved],
        weights=settings.raw_weights,
        method=settings.method,
        normalisation=settings.normalisation,
        bounds=[criterion.bounds for criterion in resolved],
        vikor_v=settings.vikor_v,
    )
    return Ranking(inventory, settings, resolved, result, tuple(p.warnings(found)))
