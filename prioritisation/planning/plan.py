"""The plan of a ranked inventory: calendar, funding and selection — the one call of CLI and pages.

`make_plan` turns a `Ranking` into works for the scheduler (priority = the ranking's score),
builds the ranking-order plan and, when asked, the optimal portfolio, and checks every
project's funding plan. The tables the workbook and the pages show come from here.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from prioritisation.planning.funding import (
    FundingCheck,
    FundingRules,
    ceiling_breaches,
    funding_by_year,
    funding_plans,
    funding_problems,
)
from prioritisation.planning.portfolio import Portfolio, Selection, StartGrid, in_ranking_order, optimal
from prioritisation.planning.schedule import Calendar, InvalidPlan, PlanSettings, Work, phase_lengths
from prioritisation.problems import Problem
from prioritisation.ranking.priorities import Ranking

RETAINED_HEADER, START_HEADER, END_HEADER, REASON_HEADER = "Retenu", "Début", "Fin", "Motif du report"
_ONE_DAY = dt.timedelta(days=1)


def priorities(ranking: Ranking) -> np.ndarray:
    """Each project's priority, higher is better, in [0, 1] for every method."""
    scores = ranking.result.scores
    return scores if ranking.result.higher_is_better else 1.0 - scores


def works_from(ranking: Ranking, settings: PlanSettings) -> list[Work]:
    """The scheduler's view of each project, in the inventory's order (columns read once)."""
    projects = ranking.inventory.projects

    def numbers(field: str) -> np.ndarray:
        return projects[field].to_numpy(dtype=float)

    capex, opex = np.nan_to_num(numbers("capex")), np.nan_to_num(numbers("opex"))
    phases = np.column_stack(
        [numbers(key) for key in ("diagnostic_months", "pilot_months", "deployment_months")]
    )
    given = np.all(phases >= 1, axis=1)  # NaN compares false: every phase must be given
    durations = numbers("duration")
    return [
        Work(
            id=str(work_id),
            title=str(title),
            score=float(score),
            capex=float(capex[i]),
            opex=float(opex[i]),
            months=_months(phases[i]) if given[i] else phase_lengths(float(durations[i]), settings),
            needs=tuple(needs),
        )
        for i, (work_id, title, score, needs) in enumerate(
            zip(projects["id"], projects["title"], priorities(ranking), projects["depends_on"], strict=True)
        )
    ]


def _months(phases: np.ndarray) -> tuple[int, int, int]:
    return (round(phases[0]), round(phases[1]), round(phases[2]))


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
    """The plan of `ranking`; with the optimal selection, `time_limit` bounds the whole of it."""
    started = time.perf_counter()
    rules = rules or FundingRules()
    works = works_from(ranking, settings)
    ids = ranking.inventory.projects["id"].to_numpy(dtype=object)
    _check_named_projects(settings, {str(work_id) for work_id in ids})
    checks = funding_plans(ranking.inventory, rules)  # before the solver, so that its time is what is left
    problems = funding_problems(ranking.inventory, checks)
    order = [str(ids[i]) for i in ranking.order]
    by_ranking = in_ranking_order(works, settings, order)
    chosen = (
        optimal(
            works,
            settings,
            time_limit=max(0.1, time_limit - (time.perf_counter() - started)),
            order=order,
            grid=grid,
            baseline=by_ranking.calendar,
        )
        if selection is Selection.OPTIMAL
        else by_ranking
    )
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


def _check_named_projects(settings: PlanSettings, known: set[str]) -> None:
    """Must-do and excluded projects are named by identifiers of the inventory, or refused."""
    unknown = sorted((settings.must_do | settings.excluded) - known)
    if unknown:
        examples = ", ".join(sorted(known)[:5])
        raise InvalidPlan(
            f"Identifiant(s) absent(s) de l'inventaire parmi les projets obligatoires ou exclus : "
            f"{', '.join(unknown)}. Identifiants attendus, par exemple : {examples}."
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
