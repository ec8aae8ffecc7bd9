"""The phased calendar: when each retained project runs, within envelopes, team and horizon.

Time is counted in months from the plan's start (month 0). Each project runs through the
phases of a digital project — diagnostic/cadrage (3 to 6 months, usually), pilote (about
12), déploiement (up to 24) — then a review month;
its investment cost is spread over the three working phases by a split the user can
change, and its operating cost starts when deployment ends.

`schedule_in_order` places projects one by one, best first (must-do projects before the
others, a prerequisite before what needs it), each at the earliest month where its
prerequisites are finished, no year's envelope is exceeded and the team's capacity holds.
What cannot fit in the horizon is postponed with the reason in French. Starts chosen
elsewhere (the optimal portfolio's) can be fixed first, the rest filling in around them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np

from prioritisation.french import format_plain


class Phase(Enum):
    DIAGNOSTIC = "Diagnostic / cadrage"
    PILOT = "Pilote"
    DEPLOYMENT = "Déploiement"
    REVIEW = "Évaluation"


WORKING_PHASES = (Phase.DIAGNOSTIC, Phase.PILOT, Phase.DEPLOYMENT)


class InvalidPlan(ValueError):
    """Plan settings that cannot give a calendar (the message is French, for the user)."""


@dataclass(frozen=True)
class PlanSettings:
    """Everything that decides the calendar; rates and lengths are settings, never constants."""

    start: dt.date  # the first month of the plan (its day is ignored)
    horizon_years: int = 6  # a mandate, and a CRTE contract
    envelopes: tuple[tuple[int, float], ...] = ()  # (year, investment envelope); a year absent is not capped
    capacity: int | None = None  # projects in progress at once (review excluded); None = no limit
    phase_months: tuple[int, int, int] = (4, 12, 18)  # diagnostic, pilote, déploiement, by default
    review_months: int = 1
    review_every_years: int = 4  # after the first review, another one every 3 to 5 years
    cost_split: tuple[float, float, float] = (0.15, 0.35, 0.50)  # investment share of each phase
    must_do: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not 1 <= self.horizon_years <= 30:
            raise InvalidPlan("L'horizon du plan doit aller de 1 à 30 ans.")
        if self.capacity is not None and self.capacity < 1:
            raise InvalidPlan("La capacité de l'équipe doit être d'au moins un projet à la fois.")
        if not 3 <= self.review_every_years <= 5:
            raise InvalidPlan("Une évaluation revient tous les 3 à 5 ans.")
        if len(self.phase_months) != 3 or min(self.phase_months) < 1:
            raise InvalidPlan("Chaque phase dure au moins un mois.")
        if (
            len(self.cost_split) != 3
            or min(self.cost_split) < 0
            or not math.isclose(sum(self.cost_split), 1.0)
        ):
            raise InvalidPlan("La répartition du coût entre les phases doit faire 100 %.")
        if any(amount < 0 or not math.isfinite(amount) for _, amount in self.envelopes):
            raise InvalidPlan("Une enveloppe annuelle est un montant positif ou nul.")
        both = self.must_do & self.excluded
        if both:
            raise InvalidPlan(
                f"Un projet ne peut pas être à la fois obligatoire et exclu : {', '.join(sorted(both))}."
            )

    @property
    def months(self) -> int:
        return 12 * self.horizon_years

    @property
    def first_month(self) -> int:
        """The plan's start as an absolute month number (year × 12 + month − 1)."""
        return self.start.year * 12 + self.start.month - 1

    @property
    def years(self) -> tuple[int, ...]:
        last = (self.first_month + self.months - 1) // 12
        return tuple(range(self.start.year, last + 1))

    def envelope(self, year: int) -> float:
        return dict(self.envelopes).get(year, math.inf)

    def date_of(self, month: int) -> dt.date:
        """Month offset → the first day of that month."""
        absolute = self.first_month + month
        return dt.date(absolute // 12, absolute % 12 + 1, 1)


@dataclass(frozen=True)
class Work:
    """What the scheduler needs of one project."""

    id: str
    title: str
    score: float  # higher is better
    capex: float
    opex: float
    months: tuple[int, int, int]  # diagnostic, pilote, déploiement
    needs: tuple[str, ...] = ()

    @property
    def length(self) -> int:
        return sum(self.months)


def phase_lengths(total_months: float | None, settings: PlanSettings) -> tuple[int, int, int]:
    """The default phases, scaled to a project's total duration when the inventory gives one."""
    defaults = settings.phase_months
    if total_months is None or not math.isfinite(total_months) or total_months <= 0:
        return defaults
    return split_like(total_months, defaults)


def split_like(total_months: float, shape: Sequence[int]) -> tuple[int, int, int]:
    """A total duration split into three phases in the proportions of `shape` (each at least a
    month, three months at least in all)."""
    total = max(3, round(total_months))
    scaled = [max(1, round(total * months / sum(shape))) for months in shape]
    scaled[-1] = max(1, total - scaled[0] - scaled[1])
    return (scaled[0], scaled[1], scaled[2])


def monthly_capex(work: Work, split: Sequence[float]) -> np.ndarray:
    """Investment spending of each month of the project (its working phases)."""
    return np.concatenate(
        [
            np.full(months, work.capex * share / months)
            for months, share in zip(work.months, split, strict=True)
        ]
    )


@dataclass(frozen=True)
class Placement:
    """One project in the plan: its start (None when postponed) and why it waits, if it does."""

    work: Work
    start: int | None
    reason: str = ""

    @property
    def retained(self) -> bool:
        return self.start is not None

    @property
    def end(self) -> int | None:
        """The month after deployment ends (prerequisites are finished by then)."""
        return None if self.start is None else self.start + self.work.length

    def phases(self, settings: PlanSettings) -> list[tuple[Phase, int, int]]:
        """(phase, first month, month after the last): the working phases, the review at the end,
        then a review every few years while the plan lasts."""
        if self.start is None:
            return []
        spans, month = [], self.start
        for phase, months in zip(WORKING_PHASES, self.work.months, strict=True):
            spans.append((phase, month, month + months))
            month += months
        spans.append((Phase.REVIEW, month, month + settings.review_months))
        later = month + 12 * settings.review_every_years
        while later + settings.review_months <= settings.months:
            spans.append((Phase.REVIEW, later, later + settings.review_months))
            later += 12 * settings.review_every_years
        return spans


@dataclass(frozen=True)
class Calendar:
    """Placements in priority order, with the spending they commit, year by year."""

    settings: PlanSettings
    placements: tuple[Placement, ...]
    capex_by_year: np.ndarray = field(repr=False)  # placements × years
    opex_by_year: np.ndarray = field(repr=False)  # placements × years

    @property
    def total_score(self) -> float:
        return float(sum(p.work.score for p in self.placements if p.retained))

    @property
    def retained(self) -> list[Placement]:
        return [p for p in self.placements if p.retained]

    @property
    def must_do_retained(self) -> int:
        """How many must-do projects the calendar funds: the first thing to compare plans by."""
        return sum(p.retained and p.work.id in self.settings.must_do for p in self.placements)

    def must_do_missing(self) -> list[Placement]:
        """The must-do projects it could not fund, each with why."""
        return [p for p in self.placements if p.work.id in self.settings.must_do and not p.retained]

    def spending(self) -> np.ndarray:
        """Investment spending per year, all retained projects."""
        return self.capex_by_year.sum(axis=0)


# ---------------------------------------------------------------------------------------
# Spending over calendar years


class _Years:
    """Month offsets of the calendar-year boundaries within the plan."""

    def __init__(self, settings: PlanSettings) -> None:
        self.settings = settings
        first_year = settings.start.year
        self.bounds = np.array(
            [max(0, (first_year + i) * 12 - settings.first_month) for i in range(len(settings.years) + 1)]
        )
        self.bounds[-1] = max(self.bounds[-1], settings.months)

    def spread(self, monthly: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Spending per year (columns) of `monthly` started at each of `starts` (rows)."""
        cumulative = np.concatenate([[0.0], np.cumsum(monthly)])
        offsets = np.clip(self.bounds[None, :] - starts[:, None], 0, len(monthly))
        return np.diff(cumulative[offsets], axis=1)

    def opex(self, annual: float, from_month: int) -> np.ndarray:
        """Operating cost per year from `from_month` (deployment's end) to the horizon."""
        return self.opex_rows(np.array([annual]), np.array([from_month]))[0]

    def opex_rows(self, annual: np.ndarray, from_month: np.ndarray) -> np.ndarray:
        """`opex` for many projects at once (rows): 20,000 projects in one array operation."""
        bounds = np.minimum(self.bounds, self.settings.months)
        start = from_month[:, None]
        months = np.clip(bounds[None, 1:], start, None) - np.clip(bounds[None, :-1], start, None)
        return annual[:, None] * np.clip(months, 0, None) / 12


# ---------------------------------------------------------------------------------------
# Placing projects


class _Budget:
    """What is left of each year's envelope and of the team, as projects are placed."""

    def __init__(self, settings: PlanSettings) -> None:
        self.settings = settings
        self.years = _Years(settings)
        self.left = np.array([settings.envelope(year) for year in settings.years], dtype=float)
        self.running = np.zeros(settings.months, dtype=int)
        self._profiles: dict[tuple[int, int, int], np.ndarray] = {}

    def feasible_starts(
        self, work: Work, earliest: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Candidate starts, the spending per year of each, and whether envelopes and team allow it."""
        last = self.settings.months - work.length
        starts = np.arange(earliest, max(earliest, last + 1))
        spend = self.spending(work, starts)
        money = np.all(spend <= self.left[None, :] * (1 + 1e-12) + 1e-6, axis=1)
        if self.settings.capacity is None or len(starts) == 0:
            return starts, spend, money, np.ones(len(starts), bool)
        full = np.concatenate([[0], np.cumsum(self.running >= self.settings.capacity)])
        team = full[starts + work.length] - full[starts] == 0
        return starts, spend, money, team

    def spending(self, work: Work, starts: np.ndarray) -> np.ndarray:
        """Spending per year for each start. Projects of the same phases share one profile per
        euro, computed once for every possible start (20,000 projects: a few profiles)."""
        profile = self._profiles.get(work.months)
        if profile is None:
            unit = replace(work, capex=1.0)
            every_start = np.arange(self.settings.months + 1)
            profile = self.years.spread(monthly_capex(unit, self.settings.cost_split), every_start)
            self._profiles[work.months] = profile
        inside = (starts >= 0) & (starts < len(profile))
        if inside.all():
            return work.capex * profile[starts]
        return self.years.spread(monthly_capex(work, self.settings.cost_split), starts)

    def commit(self, work: Work, start: int, spend: np.ndarray) -> np.ndarray:
        """Take the project's spending (per year, started at `start`) and its team slot."""
        self.left -= spend
        self.running[start : start + work.length] += 1
        return spend

    def release(self, work: Work, start: int, spend: np.ndarray) -> None:
        """Give back what `commit` took."""
        self.left += spend
        self.running[start : start + work.length] -= 1

    def first_exhausted_year(self, spend: np.ndarray) -> int:
        over = np.flatnonzero(spend > self.left + 1e-6)
        return self.settings.years[int(over[0])] if len(over) else self.settings.years[0]


def schedule_in_order(
    works: Sequence[Work],
    settings: PlanSettings,
    order: Sequence[str] | None = None,
    fixed: Mapping[str, int] | None = None,
) -> Calendar:
    """Best first, each project at the earliest month that fits; the others postponed, with why.

    `order` (ids, best first) defaults to the scores; must-do projects always come first.
    `fixed` starts (chosen elsewhere, and feasible together) are committed before anything else.
    """
    by_id = {work.id: work for work in works}
    budget = _Budget(settings)
    placed: dict[str, Placement] = {}
    capex: dict[str, np.ndarray] = {}
    for work_id, start in (fixed or {}).items():
        work = by_id[work_id]
        capex[work_id] = budget.commit(work, start, budget.spending(work, np.array([start]))[0])
        placed[work_id] = Placement(by_id[work_id], start)

    def place_one(work: Work) -> Placement:
        if work.id in placed:
            return placed[work.id]
        placed[work.id] = Placement(work, None, "attend un projet qui dépend de lui")  # guards cycles
        if work.id in settings.excluded:
            placed[work.id] = Placement(work, None, "exclu par l'utilisateur")
            return placed[work.id]
        earliest, waiting = 0, ""
        for need in work.needs:
            if need not in by_id:
                continue
            before = place_one(by_id[need])
            if before.end is None:
                placed[work.id] = Placement(work, None, f"attend {need} (reporté : {before.reason})")
                return placed[work.id]
            if before.end > earliest:
                earliest, waiting = before.end, need
        starts, spend, money, team = budget.feasible_starts(work, earliest)
        fits = np.flatnonzero(money & team)
        if len(fits):
            start = int(starts[fits[0]])
            capex[work.id] = budget.commit(work, start, spend[fits[0]])
            placed[work.id] = Placement(work, start)
        else:
            reason = _why_not(work, earliest, waiting, starts, spend, money, budget)
            placed[work.id] = Placement(work, None, reason)
        return placed[work.id]

    for work in _priority_order(works, settings, order):
        place_one(work)
    return _calendar(settings, [placed[work.id] for work in works], capex)


def pulled_earlier(
    works: Sequence[Work], settings: PlanSettings, starts: Mapping[str, int]
) -> dict[str, int]:
    """`starts` (feasible together) with each project moved to the earliest month that still fits,
    first started first: among plans of equal total, the one that starts sooner.

    A project moves only earlier, so what waits for it still starts after it ends; its
    prerequisites bound how early it can go.
    """
    by_id = {work.id: work for work in works}
    budget = _Budget(settings)
    moved = dict(starts)
    spends = {}
    for work_id, start in moved.items():
        work = by_id[work_id]
        spends[work_id] = budget.commit(work, start, budget.spending(work, np.array([start]))[0])
    for work_id in sorted(moved, key=lambda key: (moved[key], key)):
        work, start = by_id[work_id], moved[work_id]
        earliest = max((moved[n] + by_id[n].length for n in work.needs if n in moved), default=0)
        if earliest >= start:
            continue
        budget.release(work, start, spends[work_id])
        candidates, spend, money, team = budget.feasible_starts(work, earliest)
        fits = np.flatnonzero(money & team & (candidates <= start))
        chosen = int(fits[0]) if len(fits) else int(np.flatnonzero(candidates == start)[0])
        moved[work_id] = int(candidates[chosen])
        spends[work_id] = budget.commit(work, moved[work_id], spend[chosen])
    return moved


def _priority_order(works: Sequence[Work], settings: PlanSettings, order: Sequence[str] | None) -> list[Work]:
    """Must-do projects first, then by `order` or by score (ties keep the inventory's order)."""
    place_in = {work_id: i for i, work_id in enumerate(order)} if order is not None else None

    def key(i: int) -> tuple:
        rank = place_in.get(works[i].id, len(works)) if place_in is not None else -works[i].score
        return (works[i].id not in settings.must_do, rank, i)

    return [works[i] for i in sorted(range(len(works)), key=key)]


def _why_not(
    work: Work,
    earliest: int,
    waiting: str,
    starts: np.ndarray,
    spend: np.ndarray,
    money: np.ndarray,
    budget: _Budget,
) -> str:
    settings = budget.settings
    if len(starts) == 0:
        if waiting:
            return f"attend {waiting} (fin en {_month_text(settings, earliest)}) : trop tard dans l'horizon"
        return f"dure {format_plain(work.length)} mois : plus que l'horizon de {settings.horizon_years} ans"
    if np.any(money):
        return (
            f"capacité de l'équipe ({settings.capacity} projet(s) à la fois) atteinte jusqu'à la fin du plan"
        )
    return f"enveloppe {budget.first_exhausted_year(spend[0])} épuisée"


def _month_text(settings: PlanSettings, month: int) -> str:
    from prioritisation.french import MONTHS

    day = settings.date_of(month)
    return f"{MONTHS[day.month - 1]} {day.year}"


def _calendar(
    settings: PlanSettings, placements: list[Placement], capex: Mapping[str, np.ndarray]
) -> Calendar:
    years = _Years(settings)
    count = len(settings.years)
    capex_rows = np.array([capex.get(p.work.id, np.zeros(count)) for p in placements]).reshape(
        len(placements), count
    )
    ends = np.array([p.end if p.end is not None else settings.months for p in placements], dtype=int)
    annual = np.array([p.work.opex if p.end is not None else 0.0 for p in placements], dtype=float)
    opex_rows = years.opex_rows(annual, ends).reshape(len(placements), count)
    return Calendar(settings, tuple(placements), capex_rows, opex_rows)
