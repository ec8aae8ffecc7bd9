"""The plan of a ranked inventory: calendar, funding and selection — the one call of CLI and pages.

`make_plan` turns a `Ranking` into works for the scheduler (priority = the ranking's score),
builds the ranking-order plan and, when asked, the optimal portfolio, and checks every
project's funding plan. The tables the workbook and the pages show come from here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from prioritisation.funding import (
    FundingCheck,
    FundingRules,
    ceiling_breaches,
    funding_by_year,
    funding_plans,
    funding_problems,
)
from prioritisation.portfolio import Portfolio, Selection, StartGrid, in_ranking_order, optimal
from prioritisation.priorities import Ranking
from prioritisation.problems import Problem
from prioritisation.schedule import Calendar, PlanSettings, Work, phase_lengths

RETAINED_HEADER, START_HEADER, END_HEADER, REASON_HEADER = "Retenu", "Début", "Fin", "Motif du report"
_ONE_DAY = dt.timedelta(days=1)


def priorities(ranking: Ranking) -> np.ndarray:
    """Each project's priority, higher is better, in [0, 1] for every method."""
    scores = ranking.result.scores
    return scores if ranking.result.higher_is_better else 1.0 - scores


def works_from(ranking: Ranking, settings: PlanSettings) -> list[Work]:
    projects = ranking.inventory.projects
    values = priorities(ranking)

    def number(field: str, position: int) -> float | None:
        if field not in projects:
            return None
        value = float(projects[field].iloc[position])
        return None if math.isnan(value) else value

    works = []
    for position in range(len(projects)):
        phases = [number(key, position) for key in ("diagnostic_months", "pilot_months", "deployment_months")]
        if all(value is not None and value >= 1 for value in phases):
            months = tuple(round(value) for value in phases)  # type: ignore[arg-type]
        else:
            months = phase_lengths(number("duration", position), settings)
        works.append(
            Work(
                id=str(projects["id"].iloc[position]),
                title=str(projects["title"].iloc[position]),
                score=float(values[position]),
                capex=number("capex", position) or 0.0,
                opex=number("opex", position) or 0.0,
                months=months,  # type: ignore[arg-type]
                needs=tuple(projects["depends_on"].iloc[position]),
            )
        )
    return works


@dataclass(frozen=True)
class Plan:
    ranking: Ranking
    settings: PlanSettings
    rules: FundingRules
    chosen: Portfolio  # the selection asked for
    by_ranking: Portfolio  # always there, to compare with
    funding: tuple[FundingCheck, ...]
    problems: tuple[Problem, ...]  # funding warnings, located
    ceilings: tuple[str, ...]  # sources over a ceiling
    asked: Selection = Selection.RANKING  # what the user asked for (chosen may fall back to ranking order)
    grid: StartGrid = StartGrid.YEAR  # when the optimal portfolio may start a project

    @property
    def calendar(self) -> Calendar:
        return self.chosen.calendar

    def by_year(self) -> pd.DataFrame:
        """Année × source for the chosen plan (investment, all sources)."""
        return funding_by_year(list(self.funding), self.calendar.capex_by_year, self.settings.years)

    def differences(self) -> list[str]:
        """Ids funded by one selection and not by the other."""
        chosen = {p.work.id for p in self.chosen.calendar.retained}
        ranked = {p.work.id for p in self.by_ranking.calendar.retained}
        return sorted(chosen ^ ranked)


def make_plan(
    ranking: Ranking,
    settings: PlanSettings,
    selection: Selection = Selection.RANKING,
    rules: FundingRules | None = None,
    *,
    time_limit: float = 10.0,
    grid: StartGrid = StartGrid.YEAR,
) -> Plan:
    rules = rules or FundingRules()
    works = works_from(ranking, settings)
    order = [str(ranking.inventory.projects["id"].iloc[i]) for i in ranking.order]
    by_ranking = in_ranking_order(works, settings, order)
    chosen = (
        optimal(works, settings, time_limit=time_limit, order=order, grid=grid)
        if selection is Selection.OPTIMAL
        else by_ranking
    )
    checks = funding_plans(ranking.inventory, rules)
    problems = funding_problems(ranking.inventory, checks)
    by_year = funding_by_year(checks, chosen.calendar.capex_by_year, settings.years)
    return Plan(
        ranking,
        settings,
        rules,
        chosen,
        by_ranking,
        tuple(checks),
        tuple(problems),
        tuple(ceiling_breaches(by_year, rules)),
        selection,
        grid,
    )


def calendar_rows(plan: Plan) -> list[list[object]]:
    """Identifiant, Projet, Phase, Début, Fin: one row per phase of each retained project."""
    rows = []
    for placement in plan.calendar.placements:
        for phase, first, after in placement.phases(plan.settings):
            rows.append(
                [
                    placement.work.id,
                    placement.work.title,
                    phase.value,
                    plan.settings.date_of(first),
                    plan.settings.date_of(after) - _ONE_DAY,  # the phase's last day
                ]
            )
    return rows


def budget_rows(plan: Plan) -> list[list[object]]:
    """Année, Source, Montant, then per year the envelope and what remains of it."""
    by_year = plan.by_year()
    rows: list[list[object]] = []
    for year, amounts in by_year.iterrows():
        for source, amount in amounts.items():
            if amount > 0.005:
                rows.append([int(year), source, float(amount), None, None])  # type: ignore[call-overload]
        envelope = plan.settings.envelope(int(year))  # type: ignore[call-overload]
        total = float(amounts.sum())
        rows.append(
            [
                int(year),
                "Total",
                total,
                None if math.isinf(envelope) else envelope,
                None if math.isinf(envelope) else envelope - total,
            ]  # type: ignore[call-overload]
        )
    return rows
