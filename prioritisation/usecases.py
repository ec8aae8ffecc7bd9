"""What the command line and the pages do, each in one call: open, check, rank, plan, export.

The entry points (cli.py, ui/) turn a user's action into a `Request`, call one function here,
and turn its result or its problems into what the user reads. Nothing here knows whether
the user typed a command or moved a slider. See docs/architecture.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from prioritisation.planning.funding import funding_plans, funding_problems
from prioritisation.planning.plan import Plan, make_plan, optimal_plans
from prioritisation.planning.portfolio import Selection
from prioritisation.problems import Problem
from prioritisation.ranking.criteria import Criterion, RankingSettings, criteria_matrix, display_name, resolve
from prioritisation.ranking.methods import InvalidSettings, Method, Normalisation, rank_matrix
from prioritisation.ranking.priorities import CannotRank, Ranking, check, rank_inventory
from prioritisation.ranking.robustness import Robustness, analyse_ranking
from prioritisation.reading.fields import (
    FIELDS_BY_KEY,
    ColumnMapping,
    UnknownOverride,
    chosen_field,
    map_columns,
    normalise_header,
    with_choices,
)
from prioritisation.reading.inventory import (
    Inventory,
    RawTable,
    build_inventory,
    locate_table,
    unique_labels,
    with_cells,
    without_error_rows,
)
from prioritisation.reading.spreadsheet import RawWorkbook, read_bytes, read_file
from prioritisation.reading.untrusted import ReadLimits
from prioritisation.request import PlanOptions, ReadingOptions, Request, request_of  # noqa: F401 (re-exported)
from prioritisation.workshop.room import RoomView, room_view
from prioritisation.workshop.session import visible_text
from prioritisation.workshop.summary import WorkshopSummary
from prioritisation.workshop.votes import Vote, VotingCriterion

Edits = Mapping[tuple[int, str], str]  # (spreadsheet row, column label) → text as typed


# --- Reading ------------------------------------------------------------------------------------


def open_workbook(
    source: Path | str | bytes, file_name: str, limits: ReadLimits | None = None
) -> RawWorkbook:
    """The file's sheets, once it has passed every check of `reading.untrusted` (FileRefused if not)."""
    if isinstance(source, bytes):
        return read_bytes(source, file_name, limits)
    return read_file(source, limits)


def read_inventory(
    workbook: RawWorkbook,
    reading: ReadingOptions,
    edits: Edits | None = None,
    added_columns: Sequence[str] = (),
) -> Inventory:
    """The inventory as the user reads it: their sheet, their column choices, their scale, their
    edits — and the empty columns they added to fill in the app (the three scores, say)."""
    named = {field: header for field, header in reading.columns if header}
    table = with_blank_columns(locate_table(workbook, sheet=reading.sheet, columns=named), added_columns)
    mapping = column_mapping(table, reading.columns)
    inventory = build_inventory(table, mapping, reading.scale, reading.score_words)
    stale = set(stale_edits(inventory, edits))
    applicable = {cell: text for cell, text in (edits or {}).items() if cell not in stale}
    return with_cells(inventory, applicable) if applicable else inventory


def stale_edits(inventory: Inventory, edits: Edits | None) -> tuple[tuple[int, str], ...]:
    """The edits of cells this table does not have — another sheet or file was chosen, a row
    number was typed over: kept for the user to see and drop, never applied elsewhere."""
    if not edits:
        return ()
    labels = set(unique_labels(inventory.table.headers))
    rows = set(inventory.table.row_numbers)
    return tuple(sorted(cell for cell in edits if cell[0] not in rows or cell[1] not in labels))


def with_blank_columns(table: RawTable, headers: Sequence[str]) -> RawTable:
    """The table with empty columns added at its right, for the user to fill in the app; a
    header the table already has is not added twice."""
    new = [header for header in headers if header not in table.headers]
    if not new:
        return table
    blanks = ("",) * len(new)
    return replace(table, headers=(*table.headers, *new), rows=tuple((*row, *blanks) for row in table.rows))


def column_mapping(table: RawTable, columns: Sequence[tuple[str, str]]) -> ColumnMapping:
    """What the tool recognises, corrected by the user's choices (field → column name, "" = none).

    A column is named by its header as written, by the label the dashboard shows for repeated
    or blank headers (« Budget (2) », « Colonne F »), or by a header written alike.
    UnknownOverride (French) for an unknown field or a column the sheet does not have.
    """
    positions: dict[str, int | None] = {}
    labels = unique_labels(table.headers)
    for name, header in columns:
        field = chosen_field(name)
        if field is None:
            known = ", ".join(FIELDS_BY_KEY)
            raise UnknownOverride(f"Champ inconnu « {name} ». Champs possibles : {known}.")
        positions[field] = _column_position(table.headers, labels, header, name) if header else None
    return with_choices(map_columns(table.headers), table.headers, positions)


def _column_position(headers: Sequence[str], labels: Sequence[str], wanted: str, field: str) -> int:
    for names in (headers, labels):
        if wanted in names:
            return list(names).index(wanted)
    plain = normalise_header(wanted)
    alike = [i for i, header in enumerate(headers) if normalise_header(header) == plain]
    if alike:
        return alike[0]
    raise UnknownOverride(f"Aucune colonne « {wanted} » dans la feuille (pour le champ « {field} »).")


# --- Checking and ranking -----------------------------------------------------------------------


def validation_problems(inventory: Inventory, request: Request) -> list[Problem]:
    """Every problem of the inventory, of the chosen criteria and of the funding plans, errors first.

    With « classer sans les lignes en erreur », the rows in error are those left out: what
    remains is checked, and `ranked_inventory(...).excluded_rows` names what was left out.
    """
    inventory = ranked_inventory(inventory, request)
    found = check(inventory, request.ranking)
    found += funding_problems(inventory, funding_plans(inventory, request.plan.rules))
    return sorted(found, key=lambda problem: (not problem.is_error, problem.row or 0))


def ranked_inventory(inventory: Inventory, request: Request) -> Inventory:
    """The inventory the ranking works on: all of it, or without the rows in error when the
    user asked for it (explicit and reversible: `inventory` itself is unchanged)."""
    if not request.reading.skip_error_rows:
        return inventory
    _, _, criteria_problems = criteria_matrix(inventory, request.ranking)
    return without_error_rows(inventory, extra=[*criteria_problems, *funding_errors(inventory, request)])


def funding_errors(inventory: Inventory, request: Request) -> list[Problem]:
    """Funding plans to correct (grants alone above the cost): they do not prevent the ranking,
    but « classer sans les lignes en erreur » leaves their rows out too."""
    return [
        problem
        for problem in funding_problems(inventory, funding_plans(inventory, request.plan.rules))
        if problem.is_error
    ]


def blocks_ranking(problem: Problem) -> bool:
    """An error the ranking cannot go on with (a funding plan to correct does not block it)."""
    return problem.is_error and problem.code != "over_funded"


def absent_criteria(inventory: Inventory, criteria: Sequence[Criterion]) -> tuple[Criterion, ...]:
    """The criteria that name a column the inventory does not have (a field of ours, such as
    the urgency, is never absent: a file without it has its own way through)."""
    return tuple(
        criterion
        for criterion in criteria
        if criterion.name not in FIELDS_BY_KEY and resolve(inventory, criterion).column is None
    )


def rank(inventory: Inventory, request: Request) -> Ranking:
    """The ranking under the request's settings; CannotRank with every problem if the data has errors."""
    return rank_inventory(ranked_inventory(inventory, request), request.ranking)


def plan(ranking: Ranking, options: PlanOptions) -> Plan:
    """The plan of a ranking: calendar, funding checks, and the selection asked for."""
    return make_plan(
        ranking,
        options.settings,
        options.selection,
        options.rules,
        time_limit=options.time_limit,
        grid=options.grid,
        durations=options.durations,
    )


def optimal_plan_steps(ranking: Ranking, options: PlanOptions) -> Iterator[Plan]:
    """Ever better optimal plans, the ranking-order plan first: for a page that shows progress
    while the search runs (the last step is `make_plan`'s answer)."""
    quick = plan(ranking, replace(options, selection=Selection.RANKING))
    yield quick
    yield from optimal_plans(quick, time_limit=options.time_limit, grid=options.grid)


# --- Exporting ----------------------------------------------------------------------------------


def robustness(ranking: Ranking, request: Request) -> Robustness | None:
    """The rank acceptability and weight margins the request asks for (None: not asked)."""
    if request.robustness is None:
        return None
    return analyse_ranking(ranking, request.robustness)


def workbook_bytes(
    ranking: Ranking,
    plan: Plan | None,
    request: Request | None = None,
    now: dt.datetime | None = None,
    robustness: Robustness | None = None,
    workshop: WorkshopSummary | None = None,
) -> bytes:
    """The exported workbook (docs/contrats.md): the same from the dashboard and from `rank`;
    with the « Atelier » sheet when the weights were adopted from a workshop."""
    from prioritisation.export.workbook import ranking_bytes

    return ranking_bytes(
        ranking, plan=plan, request=request, now=now, robustness=robustness, workshop=workshop
    )


# --- Workshops (docs/atelier.md) ---------------------------------------------------------------

WORKSHOP_SETTINGS_FORMAT = 1


def workshop_criteria(inventory: Inventory, settings: RankingSettings) -> tuple[VotingCriterion, ...]:
    """The criteria put to the vote: those in force, each named as the file writes it (the
    participants read these names on their phones)."""
    return tuple(
        VotingCriterion(
            criterion.name,
            visible_text(resolve(inventory, criterion).label) or display_name(criterion.name),
        )
        for criterion in settings.criteria
    )


def workshop_settings(request: Request, top: int) -> dict[str, Any]:
    """The ranking settings a workshop opens on, kept with it: the room ranks the projects
    under the group's weights with these, whatever the facilitator's page does meanwhile."""
    ranking = request.ranking
    return {
        "format": WORKSHOP_SETTINGS_FORMAT,
        "fichier": request.inventory,
        "criteres": [[criterion.name, criterion.maximise] for criterion in ranking.criteria],
        "methode": ranking.method.value,
        "normalisation": None if ranking.normalisation is None else ranking.normalisation.value,
        "vikor_v": ranking.vikor_v,
        "n_premiers": top,
    }


def workshop_ranking_settings(
    document: Mapping[str, Any], criteria: Sequence[VotingCriterion]
) -> RankingSettings:
    """The ranking settings a workshop opened on (`workshop_settings`), for its criteria;
    what cannot be read is the default (the weighted sum, each criterion maximised)."""
    directions: dict[str, bool] = {}
    for item in document.get("criteres") or []:
        if isinstance(item, list | tuple) and len(item) == 2:
            directions[str(item[0])] = bool(item[1])
    chosen = tuple(Criterion(criterion.key, directions.get(criterion.key, True)) for criterion in criteria)
    try:
        method = Method(document.get("methode", Method.WEIGHTED_SUM.value))
    except ValueError:
        method = Method.WEIGHTED_SUM
    try:
        text = document.get("normalisation")
        normalisation = None if text is None else Normalisation(text)
    except ValueError:
        normalisation = None
    vikor_v = document.get("vikor_v", 0.5)
    if isinstance(vikor_v, bool) or not isinstance(vikor_v, int | float) or not 0 <= vikor_v <= 1:
        vikor_v = 0.5
    return RankingSettings(
        criteria=chosen, method=method, normalisation=normalisation, vikor_v=float(vikor_v)
    )


@dataclass(frozen=True)
class WorkshopRoom:
    """The room's view of these votes, and the projects its ranking's positions refer to.

    `projects` is None when the inventory cannot be ranked (its errors are in `why_no_ranking`):
    the weights, spread and consensus are still shown.
    """

    view: RoomView | None
    projects: Inventory | None
    why_no_ranking: str | None = None


def workshop_room(votes: Sequence[Vote], inventory: Inventory, request: Request, top: int) -> WorkshopRoom:
    """Everything the projector shows: `room_view` with a ranking function built on the
    inventory and the workshop's ranking settings (`request.ranking`; its weights are unused)."""
    if not votes:
        return WorkshopRoom(None, None)
    try:
        ranked = rank(inventory, request)
        matrix, resolved, _ = criteria_matrix(ranked.inventory, request.ranking)
    except CannotRank as refused:
        errors = [problem for problem in refused.problems if problem.is_error]
        return WorkshopRoom(
            room_view(votes),
            None,
            f"Le classement du groupe attend un inventaire sans erreur ({len(errors)} erreur(s) : "
            "page Inventaire).",
        )
    except InvalidSettings as refused:
        return WorkshopRoom(room_view(votes), None, str(refused))
    settings = request.ranking

    def by_weights(weights: Any) -> Any:
        return rank_matrix(
            matrix,
            maximise=[criterion.maximise for criterion in resolved],
            weights=weights,
            method=settings.method,
            normalisation=settings.normalisation,
            bounds=[criterion.bounds for criterion in resolved],
            vikor_v=settings.vikor_v,
        ).ranks

    if len(ranked.inventory.projects) == 0:
        return WorkshopRoom(room_view(votes), None, "L'inventaire n'a aucun projet à classer.")
    return WorkshopRoom(room_view(votes, by_weights, top), ranked.inventory)
