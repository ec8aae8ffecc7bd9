"""One request: everything that decides a ranking and a plan, typed, frozen, defaults written once.

The command line reads it from its arguments, the pages build it from their widgets, the
workbook writes it back as the equivalent command (`prioritisation.command`), and the
working state keeps it between visits. Arguments → request → command → request is the
identity (a property test checks it), so the command shown to the user gives back what
the user saw. See docs/contrats.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from prioritisation.french import UnreadableValue, parse_amount
from prioritisation.planning.durations import DurationDefaults
from prioritisation.planning.funding import SOURCE_LABELS, FundingRules, RegionCategory, parse_percent
from prioritisation.planning.portfolio import Selection, StartGrid
from prioritisation.planning.schedule import InvalidPlan, PlanSettings
from prioritisation.ranking.criteria import RankingSettings
from prioritisation.ranking.robustness import RobustnessSettings
from prioritisation.reading.fields import FIELDS_BY_KEY, UnknownOverride, map_columns
from prioritisation.reading.inventory import Inventory, Scale, unique_labels
from prioritisation.reading.scores import ScoreWords

if TYPE_CHECKING:
    from prioritisation.planning.plan import Plan
    from prioritisation.ranking.priorities import Ranking

DEFAULT_TIME_LIMIT = 10.0  # seconds for the whole optimal plan


def this_month(today: dt.date | None = None) -> dt.date:
    return (today or dt.date.today()).replace(day=1)


@dataclass(frozen=True)
class ReadingOptions:
    """How the file is read: the sheet, the user's column choices, the declared scale.

    `columns` pairs a canonical field with a column, named by its header as written (or, when
    headers repeat or are blank, by the label the dashboard shows: « Budget (2) », « Colonne F »);
    an empty name means « no column for this field ». Fields not named are recognised by the tool.
    """

    sheet: str | None = None
    columns: tuple[tuple[str, str], ...] = ()
    scale: Scale = field(default_factory=Scale)
    score_words: ScoreWords | None = None  # words read as scores; None: proposed from the file
    skip_error_rows: bool = False  # « classer sans les lignes en erreur » (they are listed)

    def __post_init__(self) -> None:
        fields = [name for name, _ in self.columns]
        if len(set(fields)) != len(fields):
            raise UnknownOverride("Un même champ reçoit deux colonnes : gardez-en une seule.")
        if self.sheet is not None and not self.sheet.strip():
            raise UnknownOverride("Le nom de la feuille est vide.")

    def choices(self) -> dict[str, str]:
        return dict(self.columns)


@dataclass(frozen=True)
class PlanOptions:
    """The plan's settings, its funding rules, how projects are selected and the solver's time."""

    settings: PlanSettings = field(default_factory=lambda: PlanSettings(start=this_month()))
    rules: FundingRules = field(default_factory=FundingRules)
    selection: Selection = Selection.RANKING
    grid: StartGrid = StartGrid.YEAR
    time_limit: float = DEFAULT_TIME_LIMIT
    durations: DurationDefaults = field(default_factory=DurationDefaults)

    def __post_init__(self) -> None:
        if not 0 < self.time_limit <= 3600:
            raise InvalidPlan("Le temps laissé au solveur va de quelques secondes à une heure.")


@dataclass(frozen=True)
class Request:
    """What `rank` does and what the dashboard shows: the file, how it is read, ranked and planned."""

    inventory: str  # a path on the command line; the uploaded file's name in the dashboard
    reading: ReadingOptions = field(default_factory=ReadingOptions)
    ranking: RankingSettings = field(default_factory=RankingSettings)
    plan: PlanOptions = field(default_factory=PlanOptions)
    robustness: RobustnessSettings | None = None  # the Robustesse sheet (rank acceptability, margins)

    def with_inventory(self, name: str) -> Request:
        return replace(self, inventory=name)


def reading_of(inventory: Inventory, sheet_given: bool = True) -> ReadingOptions:
    """The reading options that give back `inventory` from its file: the sheet, the columns whose
    mapping differs from what the tool recognises by itself, the scale."""
    table = inventory.table
    labels = unique_labels(table.headers)
    automatic = map_columns(table.headers).positions
    chosen = inventory.mapping.positions
    columns = []
    for key in FIELDS_BY_KEY:
        if automatic.get(key) != chosen.get(key):
            position = chosen.get(key)
            columns.append((key, "" if position is None else _name_of(table.headers, labels, position)))
    return ReadingOptions(
        sheet=table.sheet if sheet_given else None,
        columns=tuple(columns),
        scale=inventory.scale,
        score_words=inventory.chosen_words,
        skip_error_rows=bool(inventory.excluded_rows),
    )


def _name_of(headers: Sequence[str], labels: Sequence[str], position: int) -> str:
    """The header as written when it names one column only, else the dashboard's label."""
    header = headers[position]
    return header if header and list(headers).count(header) == 1 else labels[position]


def request_of(ranking: Ranking, plan: Plan | None = None) -> Request:
    """The request that gives back `ranking` (and `plan`) from the ranked file, as far as the
    objects tell: used when the caller did not keep the request it made."""
    options = PlanOptions()
    if plan is not None:
        durations = plan.durations.defaults if plan.durations is not None else DurationDefaults()
        options = PlanOptions(plan.settings, plan.rules, plan.asked, plan.grid, durations=durations)
    return Request(
        inventory=ranking.inventory.table.file_name,
        reading=reading_of(ranking.inventory),
        ranking=ranking.settings,
        plan=options,
    )


_PLAN_DEFAULTS = PlanSettings(start=dt.date(2000, 1, 1))
_RULES_DEFAULTS = FundingRules()


@dataclass(frozen=True)
class PlanForm:
    """The plan's settings as the pages hold them: amounts as typed (« 1,2 M€ »), shares in
    whole percent. `options()` reads them into `PlanOptions`, or lists every reason it cannot.

    Defaults come from `PlanSettings` and `FundingRules`: written there once.
    """

    start: dt.date = field(default_factory=this_month)
    horizon_years: int = _PLAN_DEFAULTS.horizon_years
    capacity: int = 0  # 0 = no limit
    phase_months: tuple[int, int, int] = _PLAN_DEFAULTS.phase_months
    cost_split_percent: tuple[int, int, int] = tuple(  # type: ignore[assignment]
        round(share * 100) for share in _PLAN_DEFAULTS.cost_split
    )
    review_every_years: int = _PLAN_DEFAULTS.review_every_years
    selection: Selection = Selection.RANKING
    grid: StartGrid = StartGrid.YEAR
    must_do: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    own_share_percent: int = round(_RULES_DEFAULTS.min_own_share * 100)
    region: RegionCategory = _RULES_DEFAULTS.region
    envelopes: tuple[tuple[int, str], ...] = ()  # (year, amount as typed)
    ceilings: tuple[tuple[str, str, str], ...] = ()  # (source, over the plan as typed, per year as typed)
    time_limit: float = DEFAULT_TIME_LIMIT
    feder_rate: str = ""  # the rate the Région gave, as typed (« 45 ») ; blank: the category's
    overseas: bool = False  # collectivité exempted of the minimum own share (CGCT L1111-10 III)
    durations: DurationDefaults = field(default_factory=DurationDefaults)

    def options(self) -> tuple[PlanOptions | None, tuple[str, ...]]:
        """The plan's options, or None and every reason in French (amounts named as on the page)."""
        errors: list[str] = []
        envelopes = _read_amounts(
            [(year, typed, f"Enveloppe {year}") for year, typed in self.envelopes], errors
        )
        totals = _read_amounts(
            [(s, total, f"Plafond sur le plan {SOURCE_LABELS[s]}") for s, total, _ in self.ceilings], errors
        )
        yearly = _read_amounts(
            [(s, each, f"Plafond annuel {SOURCE_LABELS[s]}") for s, _, each in self.ceilings], errors
        )
        feder_rate = None
        if self.feder_rate.strip():
            try:
                feder_rate = parse_percent(self.feder_rate, "Taux FEDER")
            except InvalidPlan as problem:
                errors.append(str(problem))
        if sum(self.cost_split_percent) != 100:
            errors.append(
                f"La répartition du coût entre les phases fait {sum(self.cost_split_percent)} % : "
                "elle doit faire 100 %."
            )
        if errors:
            return None, tuple(errors)
        try:
            settings = PlanSettings(
                start=self.start,
                horizon_years=self.horizon_years,
                envelopes=tuple(sorted(envelopes)),
                capacity=self.capacity or None,
                phase_months=self.phase_months,
                review_every_years=self.review_every_years,
                cost_split=tuple(share / 100 for share in self.cost_split_percent),  # type: ignore[arg-type]
                must_do=frozenset(self.must_do),
                excluded=frozenset(self.excluded),
            )
            rules = FundingRules(
                min_own_share=self.own_share_percent / 100,
                region=self.region,
                total_ceilings=tuple(sorted(totals)),
                yearly_ceilings=tuple(sorted(yearly)),
                feder_rate=feder_rate,
                overseas=self.overseas,
            )
            return PlanOptions(
                settings, rules, self.selection, self.grid, self.time_limit, self.durations
            ), ()
        except InvalidPlan as refused:
            return None, (str(refused),)

    @property
    def years(self) -> tuple[int, ...]:
        """The calendar years the plan covers (those that can have an envelope)."""
        last = (self.start.year * 12 + self.start.month - 1 + 12 * self.horizon_years - 1) // 12
        return tuple(range(self.start.year, last + 1))

    def envelope_typed(self, year: int) -> str:
        return dict(self.envelopes).get(year, "")

    def with_envelope(self, year: int, typed: str) -> PlanForm:
        kept = {**dict(self.envelopes), year: typed}
        return replace(self, envelopes=tuple(sorted((y, text) for y, text in kept.items() if text.strip())))

    def ceiling_typed(self, source: str) -> tuple[str, str]:
        return next(((total, each) for s, total, each in self.ceilings if s == source), ("", ""))

    def with_ceiling(self, source: str, total: str, each: str) -> PlanForm:
        kept = {s: (t, e) for s, t, e in self.ceilings}
        kept[source] = (total, each)
        return replace(
            self, ceilings=tuple(sorted((s, t, e) for s, (t, e) in kept.items() if t.strip() or e.strip()))
        )


def _read_amounts(items: Sequence[tuple[object, str, str]], errors: list[str]) -> list[tuple[object, float]]:
    """(key, amount) for each amount typed; a blank one is left out, an unreadable one is an error."""
    read = []
    for key, typed, what in items:
        if not typed.strip():
            continue
        try:
            read.append((key, parse_amount(typed, what)))
        except UnreadableValue as problem:
            errors.append(str(problem))
    return read
