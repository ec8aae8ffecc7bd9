"""Selection: in ranking order, or the optimal portfolio solved with scipy's `milp` (HiGHS).

The optimal portfolio is the set of projects, each with a start year, that maximises the
total priority score within the yearly envelopes and the team's capacity, honouring must-do,
excluded and prerequisites. A 0-1 programme: one variable per project and start year.
Multi-year starts make some instances hard, so the solver runs under a time limit and we
report the gap it has proven to the bound of the linear relaxation; a solution worse than
the ranking-order plan is never returned (that plan is returned instead, with its gap).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from prioritisation.french import format_percent
from prioritisation.schedule import (
    Calendar,
    PlanSettings,
    Work,
    _Years,
    monthly_capex,
    place,
    schedule_in_order,
)

EARLY_BONUS = 1e-6  # per year earlier: among equal totals, start sooner
PROVEN = 1e-4  # the relative gap HiGHS is asked to prove


class Selection(Enum):
    RANKING = "ranking"
    OPTIMAL = "optimal"

    @property
    def label(self) -> str:
        return {Selection.RANKING: "ordre du classement", Selection.OPTIMAL: "portefeuille optimal"}[self]


@dataclass(frozen=True)
class Portfolio:
    """A calendar and how it was chosen; `gap` bounds how far from the optimum it can be."""

    calendar: Calendar
    selection: Selection
    gap: float | None  # proven relative gap to the best possible total; None when not computed
    seconds: float = 0.0
    note: str = ""

    @property
    def total_score(self) -> float:
        return self.calendar.total_score

    def gap_text(self) -> str:
        if self.gap is None:
            return "écart à l'optimum non calculé"
        if self.gap < PROVEN:
            return "optimal (écart prouvé inférieur à 0,01 %)"
        return f"à {format_percent(self.gap, 1 if self.gap >= 0.001 else 2)} au plus de l'optimum"


def in_ranking_order(
    works: Sequence[Work], settings: PlanSettings, order: Sequence[str] | None = None
) -> Portfolio:
    """What the table suggests: projects funded in the ranking's order (must-do first)."""
    return Portfolio(schedule_in_order(works, settings, order), Selection.RANKING, None)


def optimal(
    works: Sequence[Work],
    settings: PlanSettings,
    *,
    time_limit: float = 10.0,
    order: Sequence[str] | None = None,
) -> Portfolio:
    """The best total score within the envelopes (HiGHS under a time limit); never below ranking order."""
    started = time.perf_counter()
    ranking_plan = schedule_in_order(works, settings, order)
    model = _Model(works, settings)
    solved = model.solve(time_limit)
    seconds = time.perf_counter() - started
    if solved is None:
        note = (
            "Le solveur n'a pas trouvé de portefeuille dans le temps imparti : voici l'ordre du classement."
        )
        return Portfolio(ranking_plan, Selection.RANKING, None, seconds, note)
    starts, bound = solved
    reasons = {work.id: _not_chosen(work, settings, ranking_plan) for work in works}
    calendar = place(works, settings, starts, reasons)
    if calendar.total_score + 1e-9 < ranking_plan.total_score:
        note = "L'ordre du classement fait mieux que ce que le solveur a trouvé à temps : il est retenu."
        return Portfolio(
            ranking_plan, Selection.RANKING, _gap(ranking_plan.total_score, bound), seconds, note
        )
    return Portfolio(calendar, Selection.OPTIMAL, _gap(calendar.total_score, bound), seconds)


def _gap(total: float, bound: float) -> float:
    if bound <= 0:
        return 0.0
    return max(0.0, (bound - total) / bound)


def _not_chosen(work: Work, settings: PlanSettings, ranking_plan: Calendar) -> str:
    if work.id in settings.excluded:
        return "exclu par l'utilisateur"
    by_order = next(p for p in ranking_plan.placements if p.work.id == work.id)
    if not by_order.retained:
        return by_order.reason
    return "non retenu : d'autres projets font un meilleur total dans les enveloppes"


class _Model:
    """x[p, k] = 1 when project p starts at the beginning of plan year k."""

    def __init__(self, works: Sequence[Work], settings: PlanSettings) -> None:
        self.works, self.settings = works, settings
        self.years = _Years(settings)
        index = {work.id: i for i, work in enumerate(works)}
        self.columns: list[tuple[int, int]] = []  # (project, start month)
        for p, work in enumerate(works):
            if work.id in settings.excluded or any(
                need in settings.excluded for need in work.needs if need in index
            ):
                continue
            for start in range(0, settings.months - work.length + 1, 12):
                self.columns.append((p, start))
        self.index = index

    def solve(self, time_limit: float) -> tuple[dict[str, int], float] | None:
        if not self.columns:
            return {}, 0.0
        count = len(self.columns)
        scores = np.array([self.works[p].score for p, _ in self.columns])
        objective = -(scores - EARLY_BONUS * np.array([start // 12 for _, start in self.columns]))
        rows, lower, upper = self._constraints(count)
        result = milp(
            objective,
            integrality=np.ones(count),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(rows, lower, upper),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-4, "presolve": True},
        )
        if result.x is None:
            return None
        chosen = np.flatnonzero(result.x > 0.5)
        starts = {self.works[self.columns[c][0]].id: self.columns[c][1] for c in chosen}
        bound = -result.mip_dual_bound if result.mip_dual_bound is not None else -result.fun
        return starts, max(bound, float(scores[chosen].sum()))

    def _constraints(self, count: int) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        entries: list[tuple[int, int, float]] = []
        lower: list[float] = []
        upper: list[float] = []

        def row(cells: list[tuple[int, float]], low: float, high: float) -> None:
            number = len(lower)
            entries.extend((number, column, value) for column, value in cells)
            lower.append(low)
            upper.append(high)

        by_project: dict[int, list[int]] = {}
        for column, (p, _) in enumerate(self.columns):
            by_project.setdefault(p, []).append(column)
        for p, work in enumerate(self.works):  # one start at most; exactly one when must-do
            columns = by_project.get(p, [])
            must = 1.0 if work.id in self.settings.must_do else 0.0
            if columns:
                row([(c, 1.0) for c in columns], must, 1.0)
        self._envelope_rows(row)
        self._capacity_rows(row)
        self._prerequisite_rows(row, by_project)
        matrix = sparse.coo_matrix(
            ([v for _, _, v in entries], ([r for r, _, _ in entries], [c for _, c, _ in entries])),
            shape=(len(lower), count),
        ).tocsr()
        return matrix, np.array(lower), np.array(upper)

    def _envelope_rows(self, row) -> None:  # noqa: ANN001
        spends = np.array(
            [
                self.years.spread(monthly_capex(self.works[p], self.settings.cost_split), np.array([start]))[
                    0
                ]
                for p, start in self.columns
            ]
        )
        for y, year in enumerate(self.settings.years):
            envelope = self.settings.envelope(year)
            if math.isfinite(envelope):
                cells = [(c, float(v)) for c, v in enumerate(spends[:, y]) if v > 0]
                row(cells, -math.inf, envelope)

    def _capacity_rows(self, row) -> None:  # noqa: ANN001
        if self.settings.capacity is None:
            return
        for month in range(self.settings.months):
            cells = [
                (c, 1.0)
                for c, (p, start) in enumerate(self.columns)
                if start <= month < start + self.works[p].length
            ]
            if len(cells) > self.settings.capacity:
                row(cells, -math.inf, float(self.settings.capacity))

    def _prerequisite_rows(self, row, by_project: dict[int, list[int]]) -> None:  # noqa: ANN001
        for column, (p, start) in enumerate(self.columns):
            for need in self.works[p].needs:
                q = self.index.get(need)
                if q is None:
                    continue
                finished_in_time = [
                    c for c in by_project.get(q, []) if self.columns[c][1] + self.works[q].length <= start
                ]
                row([(column, 1.0), *((c, -1.0) for c in finished_in_time)], -math.inf, 0.0)


def frontier(
    works: Sequence[Work], settings: PlanSettings, factors: Sequence[float], *, time_limit: float = 2.0
) -> list[tuple[float, float]]:
    """(total envelope over the plan, best total score) as every envelope is scaled by each factor.

    Without envelopes, the budget is the plan's total cost spread evenly over its years.
    """
    base = dict(settings.envelopes)
    if not base:
        total = sum(work.capex for work in works)
        base = {year: total / len(settings.years) for year in settings.years}
    points = []
    for factor in factors:
        scaled = replace(settings, envelopes=tuple((year, amount * factor) for year, amount in base.items()))
        portfolio = optimal(works, scaled, time_limit=time_limit)
        points.append((sum(amount for _, amount in scaled.envelopes), portfolio.total_score))
    return points
