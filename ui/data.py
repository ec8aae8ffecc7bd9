"""The session's file, inventory, ranking and plan: the use cases, called once per input.

Each result is keyed by what determines it — the file's SHA-256, the reading options, the
edits, the ranking settings, the plan options — and kept by `ui.cache` (the session's latest
results, shared with sessions whose inputs are identical, within a memory budget). Nothing
here decides anything: `prioritisation.usecases` does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from prioritisation import usecases
from prioritisation.export.csv_export import ranking_csv
from prioritisation.planning.plan import Plan, plan_frontier
from prioritisation.planning.portfolio import Selection
from prioritisation.planning.schedule import InvalidPlan
from prioritisation.problems import Problem
from prioritisation.ranking.criteria import RankingSettings, numeric_columns
from prioritisation.ranking.methods import InvalidSettings
from prioritisation.ranking.priorities import CannotRank, Ranking
from prioritisation.reading.fields import ColumnMapping, UnknownOverride, map_columns
from prioritisation.reading.inventory import Inventory, locate_table
from prioritisation.reading.spreadsheet import RawWorkbook
from prioritisation.reading.untrusted import FileRefused, ReadLimits
from prioritisation.request import PlanOptions, Request
from prioritisation.workshop.summary import WorkshopSummary
from ui import state
from ui.background import JOBS, Failed, Pending
from ui.cache import SHARED, Blob, ServerBusy, remember

log = logging.getLogger("priorisation")
UPLOAD_UNIT = 1_000_000  # Streamlit's uploader counts megabytes of a million bytes
CELL_BYTES = 64  # what a cell read into Python weighs, about (a pointer and a small object)


def read_limits() -> ReadLimits:
    """Our reader refuses what Streamlit's uploader would: one limit, set in config.toml."""
    return ReadLimits(max_file_bytes=int(st.get_option("server.maxUploadSize")) * UPLOAD_UNIT)


def _weigh_workbook(workbook: RawWorkbook) -> int:
    return sum(len(row) for sheet in workbook.sheets for row in sheet.rows) * CELL_BYTES


def _read(digest: str, file_name: str, data: bytes) -> RawWorkbook:
    def compute() -> RawWorkbook:
        SHARED.admit(len(data) * 4)  # before anything is inflated; its real weight follows
        return usecases.open_workbook(data, file_name, read_limits())

    return remember(state.memo(), "classeur", (digest, file_name), compute, keep=1, weigh=_weigh_workbook)


def workbook() -> RawWorkbook:
    source = state.source()
    return _read(source.digest, source.file_name, source.data)


def check_upload(file_name: str, data: bytes) -> str | None:
    """None when the file can be worked on; else the French reason it cannot — whatever
    happens while reading it (the upload's callback runs outside any page's guard)."""
    try:
        read = _read(hashlib.sha256(data).hexdigest(), file_name, data)
        locate_table(read)
    except (FileRefused, ServerBusy) as refused:
        return str(refused)
    except BaseException as error:  # a reader's bug must not reach the user as a traceback
        if not is_unexpected(error):
            raise
        log.exception("Lecture de « %s » impossible", file_name)
        return (
            f"« {file_name} » n'a pas pu être lu (erreur inattendue du lecteur). Ouvrez-le dans Excel "
            "ou LibreOffice, enregistrez-le à nouveau au format .xlsx, puis importez-le."
        )
    return None


def is_unexpected(error: BaseException) -> bool:
    """An error of ours or of a library — including a Rust panic of python-calamine, which
    derives from BaseException — rather than Streamlit's own control flow or an interruption."""
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


def _inventory_key() -> Hashable:
    return (
        state.source().digest,
        state.reading(),
        tuple(sorted(state.edits().items())),
        state.added_columns(),
    )


def inventory_key() -> Hashable:
    """What the session's inventory depends on: the file, how it is read, the edits."""
    return _inventory_key()


def inventory() -> Inventory:
    """The inventory as the user has it now: the file, read their way, with their edits."""
    reading, edits, added = state.reading(), state.edits(), state.added_columns()

    def compute() -> Inventory:
        return usecases.read_inventory(workbook(), reading, edits, added)

    return remember(state.memo(), "inventaire", _inventory_key(), compute, keep=2)


def stale_edits() -> tuple[tuple[int, str], ...]:
    """The user's edits of cells the current table does not have (not applied)."""
    return usecases.stale_edits(inventory(), state.edits())


def check_linked_criteria() -> None:
    """Criteria a link named that the file does not have are left out, each with a notice."""
    if not state.take_linked_criteria_check():
        return
    try:
        found = inventory()
    except Exception:  # the page itself says why the file cannot be read
        return
    state.drop_linked_criteria(usecases.absent_criteria(found, state.criteria()))


def candidate_criteria() -> tuple[str, ...]:
    """Headers of the numeric columns, which the user can add as criteria."""
    return remember(
        state.memo(), "colonnes_numeriques", _inventory_key(), lambda: tuple(numeric_columns(inventory()))
    )


def recognised_mapping() -> ColumnMapping:
    """The mapping the tool found by itself, before the user's choices."""
    return map_columns(inventory().table.headers)


@dataclass(frozen=True)
class Refusal:
    """Settings that cannot give a result (a bad column choice, weights all at zero): why, in French."""

    message: str


def ranking(settings: RankingSettings | None = None) -> Ranking | CannotRank | Refusal:
    """The ranking under `settings` (the session's by default), or every problem preventing it."""
    chosen = settings or state.settings()
    request = replace(state.request(), ranking=chosen)

    def compute() -> Ranking | CannotRank | Refusal:
        try:
            return usecases.rank(inventory(), request)
        except CannotRank as refused:
            return refused
        except (InvalidSettings, UnknownOverride) as refused:
            return Refusal(str(refused))

    return remember(state.memo(), "classement", (_inventory_key(), chosen), compute, keep=4)


def equal_weights_ranking() -> Ranking | CannotRank | Refusal:
    return ranking(replace(state.settings(), weights=None))


def problems() -> list[Problem]:
    """Every problem of the inventory, of the criteria in force and of the funding plans."""
    request = state.request()

    def compute() -> list[Problem]:
        try:
            return usecases.validation_problems(inventory(), request)
        except InvalidSettings:
            return list(inventory().problems)

    key = (_inventory_key(), request.ranking, request.plan.rules)
    return remember(state.memo(), "controle", key, compute, keep=2)


# --- The plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanErrors:
    """Plan settings that cannot be used, each reason in French."""

    errors: tuple[str, ...]


@dataclass(frozen=True)
class Waiting:
    """The optimal portfolio is being computed: the ranking-order plan meanwhile, and since when."""

    meanwhile: Plan
    pending: Pending


def plan(selection: Selection | None = None) -> Plan | Waiting | CannotRank | Refusal | PlanErrors:
    """The plan of the session's ranking; why not, if there is none. The optimal selection is
    computed in the background: until it is ready, the ranking-order plan stands in (`Waiting`)."""
    ranked = ranking()
    if not isinstance(ranked, Ranking):
        return ranked
    options, errors = state.plan_options()
    if options is None:
        return PlanErrors(errors)
    if selection is not None:
        options = replace(options, selection=selection)
    if options.selection is Selection.RANKING:
        return _plan(ranked, options)
    key = ("plan", _inventory_key(), ranked.settings, options)
    memo = state.memo().setdefault("plan_optimal", {})
    if key in memo:
        return memo[key]
    outcome = JOBS.result(key, lambda report: _optimal(ranked, options, report), expected=options.time_limit)
    if isinstance(outcome, Pending):
        if isinstance(outcome.partial, Plan):
            return Waiting(outcome.partial, outcome)
        meanwhile = _plan(ranked, replace(options, selection=Selection.RANKING))
        return Waiting(meanwhile, outcome) if isinstance(meanwhile, Plan) else meanwhile
    if isinstance(outcome, Failed):
        return PlanErrors((outcome.message,))
    memo.clear()
    memo[key] = outcome
    return outcome  # type: ignore[return-value]


def _optimal(ranked: Ranking, options: PlanOptions, report: Callable[[object], None]) -> Plan | PlanErrors:
    """The optimal plan, each better step reported to the pages as it is found."""
    try:
        last = None
        for step in usecases.optimal_plan_steps(ranked, options):
            report(step)
            last = step
        return last if last is not None else PlanErrors(("Aucun plan n'a pu être calculé.",))
    except InvalidPlan as refused:
        return PlanErrors((str(refused),))


def _plan(ranked: Ranking, options: PlanOptions) -> Plan | PlanErrors:
    def compute() -> Plan | PlanErrors:
        try:
            return usecases.plan(ranked, options)
        except InvalidPlan as refused:  # e.g. a must-do project the edited table no longer has
            return PlanErrors((str(refused),))

    return remember(state.memo(), "plan", (_inventory_key(), ranked.settings, options), compute, keep=2)


def request() -> Request:
    return state.request()


def workbook_export(
    ranked: Ranking, plan: Plan | None, day: dt.date, workshop: WorkshopSummary | None = None
) -> bytes:
    """The workbook of `rank`: with the plan's sheets when the plan could be made, and the
    « Atelier » sheet when the weights were adopted from a workshop."""
    options = None if plan is None else (plan.settings, plan.rules, plan.asked, plan.grid)
    made = state.request()
    key = (_inventory_key(), ranked.settings, options, day, made.robustness, workshop)

    def compute() -> Blob:
        now = dt.datetime.combine(day, dt.datetime.now().time())
        robustness = usecases.robustness(ranked, made)
        return Blob(usecases.workbook_bytes(ranked, plan, made, now, robustness, workshop))

    return remember(state.memo(), "export", key, compute, keep=1, weigh=lambda blob: len(blob.data)).data


DEFERRED_FROM = 2_000  # projects: beyond, an export takes more than a second to write


def workbook_download(
    ranked: Ranking, plan: Plan | None, day: dt.date, workshop: WorkshopSummary | None = None
) -> bytes | Callable[[], bytes]:
    """What the download button serves: the workbook itself for a small inventory; for a large
    one, the way to write it, run when the user clicks (the page answers at once; 20,000
    projects take several seconds to write)."""
    if len(ranked.inventory.projects) < DEFERRED_FROM:
        return workbook_export(ranked, plan, day, workshop)
    made = state.request()

    def write() -> bytes:
        now = dt.datetime.combine(day, dt.datetime.now().time())
        robustness = usecases.robustness(ranked, made)
        return usecases.workbook_bytes(ranked, plan, made, now, robustness, workshop)

    return write


def csv_download(ranked: Ranking) -> bytes | Callable[[], bytes]:
    if len(ranked.inventory.projects) < DEFERRED_FROM:
        return csv_export(ranked)
    return lambda: ranking_csv(ranked)


def csv_export(ranked: Ranking) -> bytes:
    key = (_inventory_key(), ranked.settings)
    blob = remember(state.memo(), "csv", key, lambda: Blob(ranking_csv(ranked)), keep=1)
    return blob.data


FRONTIER_FACTORS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)


def efficient_frontier(current: Plan) -> list[tuple[float, float]]:
    def compute() -> list[tuple[float, float]]:
        return plan_frontier(current, FRONTIER_FACTORS, time_limit=2.0)

    key = (_inventory_key(), current.ranking.settings, current.settings, current.grid, current.durations)
    return remember(state.memo(), "frontiere", key, compute, keep=1)


def gantt_figure(current: Plan, labels: dict[str, str], ids: list[str]) -> object:
    """The Gantt of the shown projects, built once per plan and page of rows."""
    from ui.charts import gantt_chart

    key = (
        _inventory_key(),
        current.ranking.settings,
        current.settings,
        current.asked,
        tuple(ids),
        tuple(labels.values()),
    )
    return remember(
        state.memo(), "gantt", key, lambda: gantt_chart(current, labels, ids, dt.date.today()), keep=2
    )


def remember_table(kind: str, current: Plan, build: Callable[[], object]) -> Any:
    """A table drawn from a plan, built once per plan (20,000 rows take a second to format)."""
    key = (_inventory_key(), current.ranking.settings, current.settings, current.rules, current.asked)
    return remember(state.memo(), kind, key, build, keep=1)


def editable_page(rows: slice, edits: dict[tuple[int, str], str]) -> Any:
    """The rows of the editable table on show, as text, with `edits` laid over them: the file's
    table is formatted once (20,000 rows take a second)."""
    from ui.tables import editable_table

    base_key = (state.source().digest, state.reading(), state.added_columns())
    reading, added = state.reading(), state.added_columns()

    def unedited() -> Any:
        return editable_table(usecases.read_inventory(workbook(), reading, None, added))

    page = remember(state.memo(), "tableau", base_key, unedited, keep=1).iloc[rows].copy()
    for (row, label), typed in edits.items():
        if row in page.index and label in page.columns:
            page.at[row, label] = typed
    return page


def rows_in_error() -> int:
    """How many projects' rows have an error (what « classer sans les lignes en erreur » would leave out)."""
    from prioritisation.ranking.criteria import criteria_matrix
    from prioritisation.reading.inventory import row_errors

    def compute() -> int:
        current = inventory()
        try:
            _, _, extra = criteria_matrix(current, state.settings())
        except InvalidSettings:
            extra = []
        return len(row_errors(current, extra))

    return remember(state.memo(), "lignes_en_erreur", (_inventory_key(), state.settings()), compute, keep=1)


def excluded_rows() -> tuple:
    """The rows left out of the ranking, and why (with « classer sans les lignes en erreur »)."""

    def compute() -> tuple:
        try:
            return usecases.ranked_inventory(inventory(), state.request()).excluded_rows
        except InvalidSettings:
            return ()

    return remember(state.memo(), "lignes_ecartees", (_inventory_key(), state.settings()), compute, keep=1)
