"""The session's choices, behind one module: what was uploaded, how it is read, how it is ranked.

Pages never touch `st.session_state` directly. Everything here is per session (per browser
tab): two people using the app never share these values. Widget-backed values (weights,
method) use `persist_state="session"` so they survive page changes, and the weights and
method are bound to the URL's query parameters so the weights in force can be shared as a link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from prioritisation.planning.funding import RegionCategory
from prioritisation.planning.portfolio import Selection, StartGrid
from prioritisation.ranking.criteria import DEFAULT_CRITERIA, Criterion, RankingSettings
from prioritisation.ranking.methods import Method, Normalisation
from prioritisation.reading.fields import FIELDS_BY_KEY
from prioritisation.reading.inventory import Scale

BUNDLED_SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "inventaire_exemple.xlsx"
# A server can open on another inventory (a collectivité's own, a benchmark's) by setting this.
SAMPLE_PATH = Path(os.environ.get("PRIORISATION_EXEMPLE", BUNDLED_SAMPLE))

DEFAULT_WEIGHT = 50
METHOD_KEY = "methode"
NORMALISATION_KEY = "normalisation"
AUTOMATIC = "auto"

_SOURCE = "source"
_SHEET = "feuille"
_CHOICES = "colonnes"
_SCALE = "echelle"
_EDITS = "modifications"
_EDITOR_VERSION = "version_tableau"
_EXTRA_CRITERIA = "criteres_ajoutes"
_UPLOAD_MESSAGE = "message_import"

PRESETS: dict[str, dict[str, int]] = {  # « Urgence » reads « urgence d'abord » (60 / 20 / 20)
    "Équilibré": {"urgency": 50, "impact": 50, "feasibility": 50},
    "Urgence": {"urgency": 60, "impact": 20, "feasibility": 20},
    "Impact": {"urgency": 20, "impact": 60, "feasibility": 20},
    "Faisabilité": {"urgency": 20, "impact": 20, "feasibility": 60},
}


@dataclass(frozen=True)
class Source:
    """The file being worked on: the bundled sample or an upload, kept as bytes."""

    file_name: str
    data: bytes
    digest: str
    is_sample: bool


def _source_of(file_name: str, data: bytes, *, is_sample: bool) -> Source:
    return Source(file_name, data, hashlib.sha256(data).hexdigest(), is_sample)


def source() -> Source:
    """The current file; the sample on a first visit."""
    if _SOURCE not in st.session_state:
        st.session_state[_SOURCE] = _source_of(SAMPLE_PATH.name, SAMPLE_PATH.read_bytes(), is_sample=True)
    return st.session_state[_SOURCE]


def use_file(file_name: str, data: bytes) -> None:
    """Work on this file from now on: its own sheet, columns and edits start afresh."""
    _switch_to(_source_of(file_name, data, is_sample=False))


def use_sample() -> None:
    _switch_to(_source_of(SAMPLE_PATH.name, SAMPLE_PATH.read_bytes(), is_sample=True))


def _switch_to(new: Source) -> None:
    st.session_state[_SOURCE] = new
    for key in (_SHEET, _CHOICES, _EDITS, _EXTRA_CRITERIA):
        st.session_state.pop(key, None)
    for name in ("must_do", "excluded"):  # identifiers of the previous file
        set_plan_choice(name, ())
    _new_editor()


def upload_message() -> str | None:
    return st.session_state.get(_UPLOAD_MESSAGE)


def set_upload_message(message: str | None) -> None:
    st.session_state[_UPLOAD_MESSAGE] = message


# --- How the file is read -------------------------------------------------------------


def sheet() -> str | None:
    """The sheet the user chose; None lets the tool find it."""
    return st.session_state.get(_SHEET)


def set_sheet(name: str | None) -> None:
    st.session_state[_SHEET] = name
    st.session_state.pop(_CHOICES, None)
    st.session_state.pop(_EDITS, None)
    _new_editor()


def column_choices() -> dict[str, str | None]:
    """Fields the user assigned by hand: field key → column label (None: no column)."""
    return dict(st.session_state.get(_CHOICES, {}))


def choose_column(field: str, label: str | None) -> None:
    choices = column_choices()
    choices[field] = label
    st.session_state[_CHOICES] = choices


def scale() -> Scale:
    return st.session_state.get(_SCALE, Scale())


def set_scale(value: Scale) -> None:
    st.session_state[_SCALE] = value


# --- Edits made in the table ------------------------------------------------------------


def edits() -> dict[tuple[int, str], str]:
    """Cells typed in the app: (spreadsheet row, column label) → text as typed."""
    return dict(st.session_state.get(_EDITS, {}))


def record_edits(new: Mapping[tuple[int, str], str]) -> None:
    merged = edits()
    merged.update(new)
    st.session_state[_EDITS] = merged
    _new_editor()


def forget_edits() -> None:
    st.session_state.pop(_EDITS, None)
    _new_editor()


def editor_key() -> str:
    """The table widget's key; a new one after each commit, so it starts from the kept edits."""
    return f"tableau_{st.session_state.get(_EDITOR_VERSION, 0)}"


def _new_editor() -> None:
    st.session_state[_EDITOR_VERSION] = st.session_state.get(_EDITOR_VERSION, 0) + 1


# --- How projects are ranked -----------------------------------------------------------


def criteria() -> tuple[Criterion, ...]:
    return DEFAULT_CRITERIA + tuple(st.session_state.get(_EXTRA_CRITERIA, ()))


def added_criteria() -> tuple[Criterion, ...]:
    return tuple(st.session_state.get(_EXTRA_CRITERIA, ()))


def add_criterion(criterion: Criterion) -> None:
    st.session_state[_EXTRA_CRITERIA] = (*added_criteria(), criterion)


def remove_criterion(name: str) -> None:
    st.session_state[_EXTRA_CRITERIA] = tuple(c for c in added_criteria() if c.name != name)


def criterion_label(criterion: Criterion) -> str:
    field = FIELDS_BY_KEY.get(criterion.name)
    return field.header if field is not None else criterion.name


def weight_key(criterion: Criterion) -> str:
    """'poids_urgence', 'poids_cout_total_ht': the widget key and the link's parameter."""
    plain = unicodedata.normalize("NFKD", criterion_label(criterion)).encode("ascii", "ignore").decode()
    slug = "".join(char if char.isalnum() else "_" for char in plain.lower()).strip("_")
    return "poids_" + "_".join(part for part in slug.split("_") if part)


def weight(criterion: Criterion) -> float:
    """The weight in force: the slider's value, else the shared link's, else the default."""
    key = weight_key(criterion)
    value = st.session_state.get(key, st.query_params.get(key, DEFAULT_WEIGHT))
    try:
        return float(value)
    except (TypeError, ValueError):
        return float(DEFAULT_WEIGHT)


def prepare_weight_sliders(chosen: tuple[Criterion, ...]) -> None:
    """Give each weight slider its value in force before it is drawn (link, default or kept)."""
    for criterion in chosen:
        key = weight_key(criterion)
        if key not in st.session_state:
            st.session_state[key] = int(weight(criterion))


def prepare_method_widgets() -> None:
    if METHOD_KEY not in st.session_state:
        st.session_state[METHOD_KEY] = method().value
    if NORMALISATION_KEY not in st.session_state:
        current = normalisation()
        st.session_state[NORMALISATION_KEY] = current.value if current else AUTOMATIC


def widget_value(key: str) -> object:
    """What a widget holds now (for callbacks, which run before the page is drawn again)."""
    return st.session_state.get(key)


def apply_preset(name: str) -> None:
    """Callback of a preset button: set the core weights; added criteria keep theirs."""
    for criterion in DEFAULT_CRITERIA:
        st.session_state[weight_key(criterion)] = PRESETS[name][criterion.name]


def method() -> Method:
    value = st.session_state.get(METHOD_KEY, st.query_params.get(METHOD_KEY, Method.WEIGHTED_SUM.value))
    return next((m for m in Method if m.value == value), Method.WEIGHTED_SUM)


def normalisation() -> Normalisation | None:
    value = st.session_state.get(NORMALISATION_KEY, st.query_params.get(NORMALISATION_KEY, AUTOMATIC))
    return next((n for n in Normalisation if n.value == value), None)


def settings() -> RankingSettings:
    chosen = criteria()
    return RankingSettings(
        criteria=chosen,
        weights=tuple(weight(criterion) for criterion in chosen),
        method=method(),
        normalisation=normalisation(),
    )


# --- The plan ------------------------------------------------------------------------------

_PLAN = "plan"
_ENVELOPES = "enveloppes"  # year → amount as typed
_CEILINGS = "plafonds"  # source key → (total as typed, yearly as typed)


def plan_choices() -> dict[str, object]:
    """Start, horizon, capacity, durations, split, selection, must-do, excluded, rules."""
    defaults: dict[str, object] = {
        "start": dt.date.today().replace(day=1),
        "horizon_years": 6,
        "capacity": 0,  # 0 = no limit
        "phase_months": (4, 12, 18),
        "cost_split": (15, 35, 50),  # percentages
        "selection": Selection.RANKING.value,
        "grid": StartGrid.YEAR.option,
        "must_do": (),
        "excluded": (),
        "own_share": 20,
        "region": RegionCategory.MORE_DEVELOPED.name,
    }
    return {**defaults, **st.session_state.get(_PLAN, {})}


def set_plan_choice(name: str, value: object) -> None:
    choices = dict(st.session_state.get(_PLAN, {}))
    choices[name] = value
    st.session_state[_PLAN] = choices


def envelopes_typed() -> dict[int, str]:
    return dict(st.session_state.get(_ENVELOPES, {}))


def set_envelopes_typed(typed: dict[int, str]) -> None:
    st.session_state[_ENVELOPES] = dict(typed)


def ceilings_typed() -> dict[str, tuple[str, str]]:
    return dict(st.session_state.get(_CEILINGS, {}))


def set_ceilings_typed(typed: dict[str, tuple[str, str]]) -> None:
    st.session_state[_CEILINGS] = dict(typed)
