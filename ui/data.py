"""The session's inventory and ranking, computed once per input and cached.

Caches are keyed by what determines the result — the file's SHA-256, the sheet, the
column choices, the scale, the edits, the ranking settings — never by the session. Two users
share an entry only when their inputs are identical, so they would compute the same
immutable value anyway; nothing of one session can reach another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import streamlit as st

from prioritisation.export.csv_export import ranking_csv
from prioritisation.french import parse_number
from prioritisation.planning.funding import (
    SOURCE_LABELS,
    FundingRules,
    RegionCategory,
    funding_plans,
    funding_problems,
)
from prioritisation.planning.plan import Plan, make_plan, works_from
from prioritisation.planning.portfolio import Selection, StartGrid, frontier
from prioritisation.planning.schedule import InvalidPlan, PlanSettings
from prioritisation.problems import Problem
from prioritisation.ranking.criteria import RankingSettings, numeric_columns
from prioritisation.ranking.priorities import CannotRank, Ranking, check, rank_inventory
from prioritisation.reading.fields import ColumnMapping, map_columns, with_choices
from prioritisation.reading.inventory import (
    Inventory,
    Scale,
    build_inventory,
    locate_table,
    unique_labels,
    with_cells,
)
from prioritisation.reading.spreadsheet import RawWorkbook, read_bytes
from prioritisation.reading.untrusted import MB, FileRefused, ReadLimits
from ui import state

_ENTRIES = 64
_LIFETIME = "2h"


def read_limits() -> ReadLimits:
    """Our reader refuses what Streamlit's uploader would: one limit, set in config.toml."""
    return ReadLimits(max_file_bytes=int(st.get_option("server.maxUploadSize")) * MB)


@dataclass(frozen=True)
class InventoryKey:
    digest: str
    file_name: str
    sheet: str | None
    choices: tuple[tuple[str, str | None], ...]
    scale: tuple[float, float]
    edits: tuple[tuple[tuple[int, str], str], ...]


def current_key() -> InventoryKey:
    source = state.source()
    scale = state.scale()
    return InventoryKey(
        digest=source.digest,
        file_name=source.file_name,
        sheet=state.sheet(),
        choices=tuple(sorted(state.column_choices().items())),
        scale=(scale.low, scale.high),
        edits=tuple(sorted(state.edits().items())),
    )


@st.cache_resource(max_entries=_ENTRIES, ttl=_LIFETIME, show_spinner="Lecture du fichier…")
def _workbook(digest: str, file_name: str, _data: bytes) -> RawWorkbook:
    return read_bytes(_data, file_name, read_limits())


def workbook() -> RawWorkbook:
    source = state.source()
    return _workbook(source.digest, source.file_name, source.data)


def check_upload(file_name: str, data: bytes) -> str | None:
    """None when the file can be worked on; else the French reason it cannot."""
    try:
        read = _workbook(hashlib.sha256(data).hexdigest(), file_name, data)
        locate_table(read)
    except FileRefused as refused:
        return str(refused)
    return None


@st.cache_resource(max_entries=_ENTRIES, ttl=_LIFETIME, show_spinner=False)
def _unedited(key: InventoryKey, _data: bytes) -> Inventory:
    read = _workbook(key.digest, key.file_name, _data)
    table = locate_table(read, sheet=key.sheet)
    labels = unique_labels(table.headers)
    positions = {field: None if label is None else labels.index(label) for field, label in key.choices}
    mapping = with_choices(map_columns(table.headers), table.headers, positions)
    return build_inventory(table, mapping, Scale(*key.scale))


@st.cache_resource(max_entries=_ENTRIES, ttl=_LIFETIME, show_spinner=False)
def _inventory(key: InventoryKey, _data: bytes) -> Inventory:
    base = _unedited(replace(key, edits=()), _data)
    return with_cells(base, dict(key.edits)) if key.edits else base


def inventory() -> Inventory:
    """The inventory as the user has it now: the file, read their way, with their edits."""
    return _inventory(current_key(), state.source().data)


@st.cache_resource(max_entries=_ENTRIES, ttl=_LIFETIME, show_spinner=False)
def _numeric_columns(key: InventoryKey, _inventory: Inventory) -> tuple[str, ...]:
    return tuple(numeric_columns(_inventory))


def candidate_criteria() -> tuple[str, ...]:
    """Headers of the numeric columns, which the user can add as criteria."""
    return _numeric_columns(current_key(), inventory())


def recognised_mapping() -> ColumnMapping:
    """The mapping the tool found by itself, before the user's choices."""
    return map_columns(inventory().table.headers)


@st.cache_resource(max_entries=4 * _ENTRIES, ttl=_LIFETIME, show_spinner=False)
def _ranked(
    key: InventoryKey, settings: str, _inventory: Inventory, _settings: RankingSettings
) -> Ranking | CannotRank:
    try:
        return rank_inventory(_inventory, _settings)
    except CannotRank as refused:
        return refused


def ranking(settings: RankingSettings | None = None) -> Ranking | CannotRank:
    """The ranking under `settings` (the session's by default), or every problem preventing it."""
    chosen = settings or state.settings()
    return _ranked(current_key(), repr(chosen), inventory(), chosen)


def equal_weights_ranking(settings: RankingSettings | None = None) -> Ranking | CannotRank:
    chosen = replace(settings or state.settings(), weights=None)
    return ranking(chosen)


@st.cache_resource(max_entries=8, ttl=_LIFETIME, show_spinner="Préparation du classeur…")
def _workbook_export(
    key: InventoryKey, settings: str, planned: str, day: str, _ranking: Ranking, _plan: Plan | None
) -> bytes:
    from prioritisation.export.workbook import ranking_bytes

    return ranking_bytes(_ranking, plan=_plan)


def workbook_export(ranking: Ranking, day: str, plan: Plan | None = None) -> bytes:
    """The workbook of `rank`: with the plan's sheets when the plan could be made."""
    planned = "" if plan is None else repr((plan.settings, plan.rules, plan.asked, plan.grid))
    return _workbook_export(current_key(), repr(ranking.settings), planned, day, ranking, plan)


@st.cache_resource(max_entries=8, ttl=_LIFETIME, show_spinner=False)
def _csv_export(key: InventoryKey, settings: str, _ranking: Ranking) -> bytes:
    return ranking_csv(_ranking)


def csv_export(ranking: Ranking) -> bytes:
    return _csv_export(current_key(), repr(ranking.settings), ranking)


def problems() -> list[Problem]:
    """Every problem of the inventory, of the criteria in force and of the funding plans."""
    current = inventory()
    rules = plan_inputs().rules or FundingRules()
    return check(current, state.settings()) + funding_problems(current, funding_plans(current, rules))


# --- The plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInputs:
    """The plan's settings read from the session, or the French reasons they cannot be used."""

    settings: PlanSettings | None
    rules: FundingRules | None
    selection: Selection
    errors: tuple[str, ...]
    grid: StartGrid = StartGrid.YEAR


def plan_inputs() -> PlanInputs:
    choices = state.plan_choices()
    errors: list[str] = []
    envelopes = []
    for year, typed in sorted(state.envelopes_typed().items()):
        if typed.strip():
            amount = parse_number(typed)
            if amount is None or amount < 0:
                errors.append(
                    f"Enveloppe {year} : « {typed} » n'est pas un montant lisible "
                    "(ex. « 300 000 », « 1,2 M€ »)."
                )
            else:
                envelopes.append((year, amount))
    totals, yearly = [], []
    for source, (total, each_year) in sorted(state.ceilings_typed().items()):
        for typed, into, what in ((total, totals, "sur le plan"), (each_year, yearly, "annuel")):
            if typed.strip():
                amount = parse_number(typed)
                if amount is None or amount < 0:
                    errors.append(
                        f"Plafond {what} {SOURCE_LABELS[source]} : « {typed} » n'est pas un montant lisible."
                    )
                else:
                    into.append((source, amount))
    split = tuple(int(share) for share in choices["cost_split"])  # type: ignore[union-attr]
    if sum(split) != 100:
        errors.append(f"La répartition du coût entre les phases fait {sum(split)} % : elle doit faire 100 %.")
    settings = None
    try:
        settings = PlanSettings(
            start=choices["start"],  # type: ignore[arg-type]
            horizon_years=int(choices["horizon_years"]),  # type: ignore[call-overload]
            envelopes=tuple(envelopes),
            capacity=int(choices["capacity"]) or None,  # type: ignore[call-overload]
            phase_months=tuple(int(m) for m in choices["phase_months"]),  # type: ignore[arg-type, union-attr]
            cost_split=tuple(share / 100 for share in split) if sum(split) == 100 else (0.15, 0.35, 0.50),  # type: ignore[arg-type]
            must_do=frozenset(choices["must_do"]),  # type: ignore[arg-type]
            excluded=frozenset(choices["excluded"]),  # type: ignore[arg-type]
        )
    except InvalidPlan as refused:
        errors.append(str(refused))
    rules = FundingRules(
        min_own_share=int(choices["own_share"]) / 100,  # type: ignore[call-overload]
        region=RegionCategory[str(choices["region"])],
        total_ceilings=tuple(totals),
        yearly_ceilings=tuple(yearly),
    )
    grid = next((grid for grid in StartGrid if grid.option == choices["grid"]), StartGrid.YEAR)
    return PlanInputs(settings, rules, Selection(choices["selection"]), tuple(errors), grid)


@st.cache_resource(max_entries=_ENTRIES, ttl=_LIFETIME, show_spinner="Calcul du plan…")
def _plan(
    key: InventoryKey,
    ranked: str,
    planned: str,
    _ranking: Ranking,
    _inputs: PlanInputs,
    selection: str,
) -> Plan:
    assert _inputs.settings is not None and _inputs.rules is not None
    chosen = Selection(selection)
    return make_plan(
        _ranking, _inputs.settings, chosen, _inputs.rules, time_limit=PLAN_TIME_LIMIT, grid=_inputs.grid
    )


PLAN_TIME_LIMIT = 10.0


def plan(selection: Selection | None = None) -> Plan | CannotRank | PlanInputs:
    """The plan of the session's ranking; CannotRank, or the inputs with their errors, if none."""
    ranked = ranking()
    if isinstance(ranked, CannotRank):
        return ranked
    inputs = plan_inputs()
    if inputs.errors:
        return inputs
    chosen = selection or inputs.selection
    try:
        return _plan(current_key(), repr(ranked.settings), repr(inputs), ranked, inputs, chosen.value)
    except InvalidPlan as refused:  # e.g. a must-do project the edited table no longer has
        return replace(inputs, errors=(str(refused),))


@st.cache_resource(max_entries=8, ttl=_LIFETIME, show_spinner="Calcul de la frontière…")
def _frontier(key: InventoryKey, ranked: str, planned: str, _plan: Plan) -> list[tuple[float, float]]:
    works = works_from(_plan.ranking, _plan.settings)
    return frontier(works, _plan.settings, FRONTIER_FACTORS, time_limit=2.0, grid=_plan.grid)


FRONTIER_FACTORS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)


def efficient_frontier(current: Plan) -> list[tuple[float, float]]:
    return _frontier(current_key(), repr(current.ranking.settings), repr(plan_inputs()), current)
