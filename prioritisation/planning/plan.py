"""The plan of a ranked inventory: calendar, funding and selection — the one call of CLI and pages.

`make_plan` turns a `Ranking` into works for the scheduler (priority = the ranking's score,
durations from the inventory or from defaults it reports), builds the ranking-order plan
and, when asked, the optimal portfolio, and checks every project's funding plan. The tables
the workbook and the pages show come from here.

A page never waits for the optimal portfolio: `make_plan` with the ranking order is quick,
and `optimal_plans` yields ever better optimal plans from it, for a background thread that
shows its progress.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from prioritisation import problems as p
from prioritisation.planning.durations import DurationDefaults, DurationReport, plan_durations
from prioritisation.planning.funding import (
    FundingCheck,
    FundingRules,
    ceiling_breaches,
    funding_by_year,
    funding_plans,
    funding_problems,
)
from prioritisation.planning.portfolio import (
    Portfolio,
    Selection,
    StartGrid,
    frontier,
    in_ranking_order,
    optimal_steps,
)
from prioritisation.planning.schedule import Calendar, InvalidPlan, PlanSettings, Work
from prioritisation.problems import Problem
from prioritisation.ranking.priorities import Ranking

RETAINED_HEADER, START_HEADER, END_HEADER, REASON_HEADER = "Retenu", "Début", "Fin", "Motif du report"
_ONE_DAY = dt.timedelta(days=1)


def priorities(ranking: Ranking) -> np.ndarray:
    """Each project's priority, higher is better, in [0, 1] for every method.

    A criterion on which every project is equal says nothing about any of them: it must not
    change which portfolio is best. TOPSIS and VIKOR ignore it by construction; the weighted
    sum would add the same amount to every project (and a portfolio's total grows with its
    size, so more, cheaper projects would win), so its priorities are the weighted sum of the
    other criteria, weights scaled back to 1.
    """
    result = ranking.result
    scores = result.scores if result.higher_is_better else 1.0 - result.scores
    if result.contributions is None or len(scores) == 0:
        return scores
    normalised = result.normalised
    constant = np.all(np.isclose(normalised, normalised[:1], rtol=0, atol=1e-12), axis=0)
    if not constant.any():
        return scores
    weights = np.where(constant, 0.0, result.weights)
    if weights.sum() <= 0:
        return np.ones(len(scores))  # nothing tells the projects apart: each is worth as much
    return np.clip(normalised @ (weights / weights.sum()), 0.0, 1.0)


def works_from(
    ranking: Ranking, settings: PlanSettings, durations: DurationDefaults | DurationReport | None = None
) -> list[Work]:
    """The scheduler's view of each project, in the inventory's order (columns read once)."""
    projects = ranking.inventory.projects
    report = (
        durations
        if isinstance(durations, DurationReport)
        else plan_durations(ranking.inventory, settings, durations or DurationDefaults())
    )
    capex = np.nan_to_num(projects["capex"].to_numpy(dtype=float)).tolist()
    opex = np.nan_to_num(projects["opex"].to_numpy(dtype=float)).tolist()
    months, scores = report.months, priorities(ranking).tolist()
    return [
        Work(
            id=str(work_id),
            title=str(title),
            score=float(score),
            capex=capex[i],
            opex=opex[i],
            months=months[i],
            needs=tuple(needs),
        )
        for i, (work_id, title, score, needs) in enumerate(
            zip(projects["id"], projects["title"], scores, projects["depends_on"], strict=True)
        )
    ]


@dataclass(frozen=True)
class Plan:
    ranking: Ranking
    settings: PlanSettings
    rules: FundingRules
    chosen: Portfolio  # the selection asked for
    by_ranking: Portfolio  # always there, to compare with
    funding: tuple[FundingCheck, ...]
    funding_problems: tuple[Problem, ...]  # what the validation report says of funding, located
    ceilings: tuple[str, ...]  # sources over a ceiling
    asked: Selection = Selection.RANKING  # what the user asked for (chosen may fall back to ranking order)
    grid: StartGrid = StartGrid.YEAR  # when the optimal portfolio may start a project
    durations: DurationReport | None = None  # each project's phases and where they come from
    must_do_problems: tuple[Problem, ...] = ()  # must-do projects the chosen plan cannot fund, located

    @property
    def calendar(self) -> Calendar:
        return self.chosen.calendar

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every warning of the plan (and the funding errors to correct), located: funding,
        durations, must-do projects left out."""
        durations = self.durations.problems if self.durations is not None else ()
        return (*self.funding_problems, *durations, *self.must_do_problems)

    def duration_notes(self) -> list[str]:
        """Which projects run on default or completed durations, and which defaults: to show
        wherever the calendar and the budget are."""
        return self.durations.notes() if self.durations is not None else []

    def works(self) -> list[Work]:
        """The scheduler's view of the projects, with this plan's durations (for `frontier`)."""
        return works_from(self.ranking, self.settings, self.durations)

    def by_year(self) -> pd.DataFrame:
        """Année × source for the chosen plan (investment, all sources): the sources of a year add
        up to what the plan spends that year."""
        return funding_by_year(list(self.funding), self.calendar.capex_by_year, self.settings.years)

    def adjustments(self) -> list[str]:
        """What was changed in the declared funding so that it adds up to each project's cost."""
        ids = self.ranking.inventory.projects["id"]
        return [f"{work_id} : {check.adjustment}" for work_id, check in zip(ids, self.funding, strict=True)
                if check.adjustment]  # fmt: skip

    def differences(self) -> list[str]:
        """Ids funded by one selection and not by the other."""
        chosen = {p.work.id for p in self.chosen.calendar.retained}
        ranked = {p.work.id for p in self.by_ranking.calendar.retained}
        return sorted(chosen ^ ranked)

    def with_selection(self, portfolio: Portfolio, asked: Selection | None = None) -> Plan:
        """The same plan with `portfolio` chosen (an optimal one found later, say)."""
        by_year = funding_by_year(list(self.funding), portfolio.calendar.capex_by_year, self.settings.years)
        return replace(
            self,
            chosen=portfolio,
            asked=asked or portfolio.selection,
            grid=portfolio.grid,
            ceilings=tuple(ceiling_breaches(by_year, self.rules)),
            must_do_problems=tuple(_must_do_problems(self.ranking, portfolio.calendar)),
        )


def make_plan(
    ranking: Ranking,
    settings: PlanSettings,
    selection: Selection = Selection.RANKING,
    rules: FundingRules | None = None,
    *,
    time_limit: float = 10.0,
    grid: StartGrid = StartGrid.YEAR,
    durations: DurationDefaults | None = None,
) -> Plan:
    """The plan of `ranking`; with the optimal selection, `time_limit` bounds the whole of it."""
    started = time.perf_counter()
    plan = _ranking_order_plan(ranking, settings, rules or FundingRules(), durations or DurationDefaults())
    if selection is Selection.RANKING:
        return replace(plan, grid=grid)
    left = max(0.1, time_limit - (time.perf_counter() - started))
    return list(optimal_plans(plan, time_limit=left, grid=grid))[-1]


def _ranking_order_plan(
    ranking: Ranking, settings: PlanSettings, rules: FundingRules, defaults: DurationDefaults
) -> Plan:
    ids = ranking.inventory.projects["id"].to_numpy(dtype=object)
    _check_named_projects(settings, {str(work_id) for work_id in ids})
    report = plan_durations(ranking.inventory, settings, defaults)
    works = works_from(ranking, settings, report)
    checks = funding_plans(ranking.inventory, rules)  # before the solver, so that its time is what is left
    by_ranking = in_ranking_order(works, settings, [str(ids[i]) for i in ranking.order])
    by_year = funding_by_year(checks, by_ranking.calendar.capex_by_year, settings.years)
    return Plan(
        ranking,
        settings,
        rules,
        by_ranking,
        by_ranking,
        tuple(checks),
        tuple(funding_problems(ranking.inventory, checks)),
        tuple(ceiling_breaches(by_year, rules)),
        Selection.RANKING,
        StartGrid.YEAR,
        report,
        tuple(_must_do_problems(ranking, by_ranking.calendar)),
    )


def optimal_plans(plan: Plan, *, time_limit: float = 10.0, grid: StartGrid | None = None) -> Iterator[Plan]:
    """Ever better plans with the optimal selection, from a plan (the ranking-order one, quick to
    make): each step of the search as soon as it is done, the last one with `chosen.final` set.
    For a page that runs it in a background thread and shows progress; `make_plan` takes the last.
    """
    works = plan.works()
    ids = plan.ranking.inventory.projects["id"].to_numpy(dtype=object)
    order = [str(ids[i]) for i in plan.ranking.order]
    for portfolio in optimal_steps(
        works,
        plan.settings,
        time_limit=time_limit,
        order=order,
        grid=grid or plan.grid,
        baseline=plan.by_ranking.calendar,
    ):
        yield plan.with_selection(portfolio, Selection.OPTIMAL)


def plan_frontier(
    plan: Plan, factors: Sequence[float], *, time_limit: float = 2.0
) -> list[tuple[float, float]]:
    """The efficient frontier of `plan`'s projects (same durations, same grid)."""
    return frontier(plan.works(), plan.settings, factors, time_limit=time_limit, grid=plan.grid)


def _must_do_problems(ranking: Ranking, calendar: Calendar) -> list[Problem]:
    """A warning on each must-do project's row that the plan cannot fund, with why."""
    inventory = ranking.inventory
    rows = dict(zip(inventory.projects["id"].astype(str), inventory.projects.index, strict=True))
    header = inventory.header_of("id") or inventory.header_of("title")
    return [
        p.warning(
            f"projet obligatoire non retenu par le plan : {placement.reason}.",
            sheet=inventory.table.sheet,
            row=int(rows[placement.work.id]),
            column=header,
        )
        for placement in calendar.must_do_missing()
    ]


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
    """Année, Source, Montant, then per year the envelope and what remains of it; in euros and
    cents, as finance reads them (the spending profile's 284 973,125 000 000 1 is 284 973,13)."""
    by_year = plan.by_year()
    rows: list[list[object]] = []
    for year, amounts in by_year.iterrows():
        for source, amount in amounts.items():
            if amount > 0.005:
                rows.append([int(year), source, _cents(amount), None, None])  # type: ignore[call-overload]
        envelope = plan.settings.envelope(int(year))  # type: ignore[call-overload]
        total = float(amounts.sum())
        rows.append(
            [
                int(year),
                "Total",
                _cents(total),
                None if math.isinf(envelope) else _cents(envelope),
                None if math.isinf(envelope) else _cents(envelope - total),
            ]  # type: ignore[call-overload]
        )
    return rows


def _cents(amount: float) -> float:
    return round(float(amount), 2) + 0.0  # + 0.0: never « -0 »
