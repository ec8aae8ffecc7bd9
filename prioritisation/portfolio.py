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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from prioritisation.french import format_percent
from prioritisation.schedule import (
    Calendar,
    PlanSettings,
    Work,
    _Years,
    monthly_capex,
    schedule_in_order,
)

if TYPE_CHECKING:  # scipy is imported where it is used: about 0.9 s off the dashboard's first page
    from scipy import sparse
    from scipy.optimize import LinearConstraint

EARLY_BONUS = 1e-6  # per year earlier: among equal totals, start sooner
PROVEN = 1e-4  # below this, the gap is reported as none
MAX_SEARCH_COLUMNS = 20_000  # beyond, bench/plan.py saw HiGHS find nothing better than the rounding in 10 s
TARGET_GAP = 0.005  # HiGHS stops once it has proven the portfolio within 0.5 % of the optimum


class StartGrid(Enum):
    """When the optimal portfolio may start a project: with each plan year, or each quarter.

    Years are the model of the brief and the fastest to prove; quarters give better plans
    (bench/plan.py: 5 to 11 % more total score than years) at the price of a longer search.
    """

    YEAR = 12
    QUARTER = 3

    @property
    def label(self) -> str:
        return {StartGrid.YEAR: "en début d'année du plan", StartGrid.QUARTER: "en début de trimestre"}[self]

    @property
    def option(self) -> str:
        return {StartGrid.YEAR: "year", StartGrid.QUARTER: "quarter"}[self]


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
    gap: float | None  # proven relative gap to the best total on the solver's grid; None: not computed
    seconds: float = 0.0
    note: str = ""
    grid: StartGrid = StartGrid.YEAR

    @property
    def total_score(self) -> float:
        return self.calendar.total_score

    def gap_text(self) -> str:
        """The proven distance to the best portfolio whose starts lie on the solver's grid."""
        if self.gap is None:
            return "écart à l'optimum non calculé"
        if self.gap < PROVEN:
            return f"au moins aussi bon que le meilleur portefeuille à démarrages {self.grid.label} (prouvé)"
        shown = format_percent(self.gap, 1 if self.gap >= 0.001 else 2)
        return f"à {shown} au plus de l'optimum (démarrages {self.grid.label})"


def load_solver() -> None:
    """Import scipy's solver now (about 0.9 s): a server calls it once, off the user's path."""
    import scipy.optimize  # noqa: F401


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
    grid: StartGrid = StartGrid.YEAR,
    baseline: Calendar | None = None,
    known: Mapping[str, int] | None = None,
) -> Portfolio:
    """The best total score within the envelopes (HiGHS under a time limit); never below ranking order.

    The linear relaxation comes first: its bound proves how far any plan can be from the
    optimum. The projects it starts whole are kept, and the others fill in month by month,
    once in ranking order and once in the relaxation's own order of preference; the better
    plan often comes within the target gap at once. Otherwise the integer search runs in the
    time left (on models small enough for it to help). `baseline` is the ranking-order plan,
    when the caller has it already; `known` are starts already known to fit these settings
    (the best plan of a smaller budget): the result is never below them either.
    """
    started = time.perf_counter()
    ranking_plan = baseline or schedule_in_order(works, settings, order)
    model = _Model(works, settings, grid.value)
    candidates = [ranking_plan]
    if known is not None:
        candidates.append(schedule_in_order(works, settings, order, fixed=known))
    bound = math.inf
    relaxed = model.relaxation()
    if relaxed is not None:
        starts, preference, bound = relaxed
        candidates.append(schedule_in_order(works, settings, order, fixed=starts))
        candidates.append(schedule_in_order(works, settings, preference, fixed=starts))
    best_total = max(candidate.total_score for candidate in candidates)
    left = time_limit - (time.perf_counter() - started)
    worth_searching = model.count <= MAX_SEARCH_COLUMNS and left > 0.05
    if relaxed is not None and best_total < (1 - TARGET_GAP) * bound and worth_searching:
        solved = model.integer(left)
        if solved is not None:
            starts, proven = solved
            bound = min(bound, proven)
            candidates.append(schedule_in_order(works, settings, order, fixed=starts))
    seconds = time.perf_counter() - started
    best = max(candidates[1:], key=lambda calendar: calendar.total_score, default=ranking_plan)
    gap = _gap(max(best.total_score, ranking_plan.total_score), bound) if math.isfinite(bound) else None
    if relaxed is None:
        note = (
            "Aucun portefeuille ne respecte toutes les contraintes (projets obligatoires, enveloppes) : "
            "voici l'ordre du classement."
        )
        return Portfolio(ranking_plan, Selection.RANKING, None, seconds, note, grid)
    if best.total_score + 1e-9 < ranking_plan.total_score:
        note = "L'ordre du classement fait mieux que ce que le solveur a trouvé à temps : il est retenu."
        return Portfolio(ranking_plan, Selection.RANKING, gap, seconds, note, grid)
    return Portfolio(best, Selection.OPTIMAL, gap, seconds, grid=grid)


def _gap(total: float, bound: float) -> float:
    if bound <= 0:
        return 0.0
    return max(0.0, (bound - total) / bound)


class _Model:
    """x[p, k] = 1 when project p starts at month k × step of the plan (each year, or each quarter)."""

    def __init__(self, works: Sequence[Work], settings: PlanSettings, step: int = 12) -> None:
        self.works, self.settings = works, settings
        self.years = _Years(settings)
        self.index = {work.id: i for i, work in enumerate(works)}
        projects, starts = [], []
        for p, work in enumerate(works):
            if work.id in settings.excluded or any(
                n in settings.excluded for n in work.needs if n in self.index
            ):
                continue
            for start in range(0, settings.months - work.length + 1, step):
                projects.append(p)
                starts.append(start)
        self.project = np.array(projects, dtype=int)
        self.start = np.array(starts, dtype=int)
        self.length = np.array([works[p].length for p in projects], dtype=int)
        self.scores = np.array([works[p].score for p in projects], dtype=float)
        self._rows: list[sparse.coo_matrix] = []
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self._constraint: LinearConstraint | None = None

    @property
    def count(self) -> int:
        return len(self.project)

    def relaxation(self) -> tuple[dict[str, int], list[str], float] | None:
        """The linear relaxation: the projects it starts whole, all projects by how much of them
        it starts (its preference), and its bound; None if infeasible."""
        from scipy.optimize import Bounds, milp

        if self.count == 0:
            return {}, [], 0.0
        result = milp(
            self.objective,
            integrality=np.zeros(self.count),
            bounds=Bounds(0, 1),
            constraints=self.constraints,
        )
        if result.x is None:
            return None
        started = np.zeros(len(self.works))
        np.add.at(started, self.project, result.x)
        preference = [self.works[p].id for p in np.argsort(-started, kind="stable")]
        return self._rounded(result.x), preference, -result.fun

    def integer(self, time_limit: float) -> tuple[dict[str, int], float] | None:
        """HiGHS's branch and bound under a time limit: its best portfolio and the bound it proved."""
        from scipy.optimize import Bounds, milp

        result = milp(
            self.objective,
            integrality=np.ones(self.count),
            bounds=Bounds(0, 1),
            constraints=self.constraints,
            options={"time_limit": time_limit, "mip_rel_gap": TARGET_GAP, "presolve": True},
        )
        if result.x is None:
            return None
        chosen = np.flatnonzero(result.x > 0.5)
        starts = {self.works[self.project[c]].id: int(self.start[c]) for c in chosen}
        bound = -result.mip_dual_bound if result.mip_dual_bound is not None else -result.fun
        return starts, max(bound, float(self.scores[chosen].sum()))

    @property
    def objective(self) -> np.ndarray:
        return -(self.scores - EARLY_BONUS * self.start / 12)

    @property
    def constraints(self) -> LinearConstraint:
        from scipy.optimize import LinearConstraint

        if self._constraint is None:
            self._constraint = LinearConstraint(*self._constraints())
        return self._constraint

    def _rounded(self, x: np.ndarray) -> dict[str, int]:
        """Projects the relaxation starts whole, minus those whose prerequisites are not kept in time."""
        kept = {self.works[self.project[c]].id: int(self.start[c]) for c in np.flatnonzero(x > 1 - 1e-6)}
        changed = True
        while changed:
            changed = False
            for work_id, start in list(kept.items()):
                for need in self.works[self.index[work_id]].needs:
                    q = self.index.get(need)
                    if q is not None and (need not in kept or kept[need] + self.works[q].length > start):
                        del kept[work_id]
                        changed = True
                        break
        return kept

    def _constraints(self) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        from scipy import sparse

        self._rows, self._lower, self._upper = [], [], []
        self._one_start_rows()
        self._envelope_rows()
        self._capacity_rows()
        self._prerequisite_rows()
        return sparse.vstack(self._rows).tocsr(), np.concatenate(self._lower), np.concatenate(self._upper)

    def _add(
        self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray, lower: np.ndarray, upper: np.ndarray
    ) -> None:
        from scipy import sparse

        self._rows.append(sparse.coo_matrix((values, (rows, columns)), shape=(len(lower), self.count)))
        self._lower.append(lower)
        self._upper.append(upper)

    def _one_start_rows(self) -> None:
        """One start at most; exactly one for a must-do project."""
        projects, row_of = np.unique(self.project, return_inverse=True)
        must = np.array([self.works[p].id in self.settings.must_do for p in projects], dtype=float)
        self._add(row_of, np.arange(self.count), np.ones(self.count), must, np.ones(len(projects)))

    def _envelope_rows(self) -> None:
        capped = [
            y for y, year in enumerate(self.settings.years) if math.isfinite(self.settings.envelope(year))
        ]
        if not capped:
            return
        spend = np.zeros((self.count, len(self.settings.years)))
        for p in np.unique(self.project):
            columns = np.flatnonzero(self.project == p)
            monthly = monthly_capex(self.works[p], self.settings.cost_split)
            spend[columns] = self.years.spread(monthly, self.start[columns])
        block = spend[:, capped].T  # capped years × columns
        rows, columns = np.nonzero(block > 0)
        envelopes = np.array([self.settings.envelope(self.settings.years[y]) for y in capped])
        self._add(rows, columns, block[rows, columns], np.full(len(capped), -np.inf), envelopes)

    def _capacity_rows(self) -> None:
        if self.settings.capacity is None:
            return
        columns = np.repeat(np.arange(self.count), self.length)
        offsets = np.arange(len(columns)) - np.repeat(np.cumsum(self.length) - self.length, self.length)
        months = self.start[columns] + offsets
        count = self.settings.months
        self._add(
            months,
            columns,
            np.ones(len(columns)),
            np.full(count, -np.inf),
            np.full(count, float(self.settings.capacity)),
        )

    def _prerequisite_rows(self) -> None:
        """x[p, k] ≤ the starts of each prerequisite q that end by p's start."""
        rows, columns, values = [], [], []
        by_project = {int(p): np.flatnonzero(self.project == p) for p in np.unique(self.project)}
        number = 0
        for column in range(self.count):
            p = int(self.project[column])
            for need in self.works[p].needs:
                q = self.index.get(need)
                if q is None:
                    continue
                candidates = by_project.get(q, np.zeros(0, dtype=int))
                in_time = candidates[self.start[candidates] + self.length[candidates] <= self.start[column]]
                rows += [number] * (1 + len(in_time))
                columns += [column, *in_time.tolist()]
                values += [1.0] + [-1.0] * len(in_time)
                number += 1
        if number:
            self._add(
                np.array(rows),
                np.array(columns),
                np.array(values),
                np.full(number, -np.inf),
                np.zeros(number),
            )


def frontier(
    works: Sequence[Work],
    settings: PlanSettings,
    factors: Sequence[float],
    *,
    time_limit: float = 2.0,
    grid: StartGrid = StartGrid.YEAR,
) -> list[tuple[float, float]]:
    """(total envelope over the plan, best total score) as every envelope is scaled by each factor,
    smallest budget first.

    Without envelopes, the budget is the plan's total cost spread evenly over its years. The
    best plan of each budget still fits the next, larger one, so it is a candidate there: the
    best total found never falls as the budget grows (the solver's grid alone would not ensure it,
    since the ranking-order plan may start projects between its points).
    """
    base = dict(settings.envelopes)
    if not base:
        total = sum(work.capex for work in works)
        base = {year: total / len(settings.years) for year in settings.years}
    points: list[tuple[float, float]] = []
    known: dict[str, int] | None = None
    for factor in sorted(factors):
        scaled = replace(settings, envelopes=tuple((year, amount * factor) for year, amount in base.items()))
        portfolio = optimal(works, scaled, time_limit=time_limit, grid=grid, known=known)
        known = {p.work.id: p.start for p in portfolio.calendar.retained if p.start is not None}
        points.append((sum(amount for _, amount in scaled.envelopes), portfolio.total_score))
    return points
