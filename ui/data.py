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

from prioritisation.criteria import RankingSettings, numeric_columns
from prioritisation.csv_export import ranking_csv
from prioritisation.fields import ColumnMapping, map_columns, with_choices
from prioritisation.inventory import (
    Inventory,
    Scale,
    build_inventory,
    locate_table,
    unique_labels,
    with_cells,
)
from prioritisation.priorities import CannotRank, Ranking, check, rank_inventory
from prioritisation.problems import Problem
from prioritisation.spreadsheet import RawWorkbook, read_bytes
from prioritisation.untrusted import MB, FileRefused, ReadLimits
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
def _workbook_export(key: InventoryKey, settings: str, day: str, _ranking: Ranking) -> bytes:
    from prioritisation.workbook import ranking_bytes

    return ranking_bytes(_ranking)


def workbook_export(ranking: Ranking, day: str) -> bytes:
    return _workbook_export(current_key(), repr(ranking.settings), day, ranking)


@st.cache_resource(max_entries=8, ttl=_LIFETIME, show_spinner=False)
def _csv_export(key: InventoryKey, settings: str, _ranking: Ranking) -> bytes:
    return ranking_csv(_ranking)


def csv_export(ranking: Ranking) -> bytes:
    return _csv_export(current_key(), repr(ranking.settings), ranking)


def problems() -> list[Problem]:
    """Every problem of the inventory and of the criteria in force, errors first."""
    return check(inventory(), state.settings())
