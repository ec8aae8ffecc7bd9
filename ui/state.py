"""The session's choices, behind one module: the file, how it is read, ranked and planned.

Pages never touch `st.session_state` directly. Everything here is per session (per browser
tab). The choices that decide a result are gathered into a typed `Request` (`request()`),
the one the command line reads from its arguments. The page's link carries the ranking
settings — every criterion, every weight including zeros, the method, the normalisation —
written by `write_link` after each run and read back, validated, on a session's first run
(`read_link`), so a copied link opens on the same ranking. See docs/contrats.md, « Le lien de la page ».
"""

from __future__ import annotations

import hashlib
import math
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from prioritisation.french import format_plain, parse_number
from prioritisation.planning.durations import (
    DefaultsBy,
    DurationDefaults,
    cost_bands_text,
    parse_cost_bands,
    parse_type_durations,
    type_durations_text,
)
from prioritisation.planning.portfolio import Selection
from prioritisation.planning.schedule import InvalidPlan
from prioritisation.ranking.criteria import (
    DEFAULT_CRITERIA,
    Criterion,
    RankingSettings,
    display_name,
    parse_criteria,
)
from prioritisation.ranking.methods import InvalidSettings, Method, Normalisation
from prioritisation.ranking.robustness import RobustnessSettings
from prioritisation.reading.inventory import Scale
from prioritisation.reading.scores import ScoreWords
from prioritisation.request import PlanForm, PlanOptions, ReadingOptions, Request
from prioritisation.workshop.summary import WorkshopSummary, summary_document, summary_from_document

BUNDLED_SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "inventaire_exemple.xlsx"
# A server can open on another inventory (a collectivité's own, a benchmark's) by setting this.
SAMPLE_PATH = Path(os.environ.get("PRIORISATION_EXEMPLE", BUNDLED_SAMPLE))

DEFAULT_WEIGHT = 50
WEIGHT_RANGE = (0, 100)
METHOD_KEY = "methode"
NORMALISATION_KEY = "normalisation"
VIKOR_KEY = "vikor_v"
CRITERION_PARAMETER = "critere"
AUTOMATIC = "auto"

_SOURCE = "source"
_SHEET = "feuille"
_CHOICES = "colonnes"
_SCALE = "echelle"
_EDITS = "modifications"
_EDITOR_VERSION = "version_tableau"
_CRITERIA = "criteres"
_WEIGHTS = "poids"
_RANKING = "reglages_classement"
_PLAN = "plan"
_UPLOAD_MESSAGE = "message_import"
_LINK_NOTICES = "avis_lien"
_LINK_READ = "lien_lu"
_MEMO = "memo"
_WORDS = "mots_des_notes"
_TOP_N = "n_premiers"
_SKIP_ROWS = "sans_lignes_en_erreur_choisi"
_ADDED_COLUMNS = "colonnes_ajoutees"
SCORE_HEADERS = ("Urgence", "Impact", "Faisabilité")

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


@dataclass(frozen=True)
class RankingChoices:
    """The method, the normalisation (None: the method's own) and VIKOR's v, as chosen."""

    method: Method = Method.WEIGHTED_SUM
    normalisation: Normalisation | None = None
    vikor_v: float = RankingSettings().vikor_v


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
    st.session_state.pop(_UPLOAD_MESSAGE, None)
    for key in (_SHEET, _CHOICES, _EDITS, _MEMO, _ADDED_COLUMNS, _WORDS, _SKIP_ROWS):
        st.session_state.pop(key, None)
    form = plan_form()
    set_plan_form(replace(form, must_do=(), excluded=()))  # identifiers of the previous file
    _new_editor()


def upload_message() -> str | None:
    return st.session_state.get(_UPLOAD_MESSAGE)


def set_upload_message(message: str | None) -> None:
    st.session_state[_UPLOAD_MESSAGE] = message


def memo() -> dict:
    """This session's latest results (ui/data.py): dropped with the session, or with the file."""
    return st.session_state.setdefault(_MEMO, {})


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


def reading() -> ReadingOptions:
    words = st.session_state.get(_WORDS)
    return ReadingOptions(
        sheet=sheet(),
        columns=tuple((field, label or "") for field, label in sorted(column_choices().items())),
        scale=scale(),
        score_words=None if words is None else ScoreWords(tuple(words)),
        skip_error_rows=bool(st.session_state.get(_SKIP_ROWS, False)),
    )


def set_score_words(values: tuple[tuple[str, float], ...]) -> None:
    """The user's values for the words read as scores (None: the tool's proposal)."""
    st.session_state[_WORDS] = values


def set_skip_error_rows(skip: bool) -> None:
    st.session_state[_SKIP_ROWS] = skip


# --- Edits made in the table ------------------------------------------------------------


def edits() -> dict[tuple[int, str], str]:
    """Cells typed in the app: (spreadsheet row, column label) → text as typed."""
    return dict(st.session_state.get(_EDITS, {}))


def record_edits(new: Mapping[tuple[int, str], str]) -> None:
    """Keep these edits with the others; the table widget stays the same, so an edit typed
    during the rerun that follows is not lost (a new widget would drop it)."""
    merged = edits()
    merged.update(new)
    st.session_state[_EDITS] = merged


def drop_edits(cells: tuple[tuple[int, str], ...]) -> None:
    """Callback: forget these edits (cells the table no longer has)."""
    st.session_state[_EDITS] = {cell: text for cell, text in edits().items() if cell not in set(cells)}
    _new_editor()


def forget_edits() -> None:
    st.session_state.pop(_EDITS, None)
    st.session_state.pop(_ADDED_COLUMNS, None)
    _new_editor()


def added_columns() -> tuple[str, ...]:
    """Empty columns added to the table to be filled in the app (they go to the export too)."""
    return tuple(st.session_state.get(_ADDED_COLUMNS, ()))


def add_score_columns() -> None:
    """Callback: add Urgence, Impact and Faisabilité to the table, empty, to score in the app."""
    st.session_state[_ADDED_COLUMNS] = tuple(dict.fromkeys((*added_columns(), *SCORE_HEADERS)))
    set_criteria(DEFAULT_CRITERIA)
    _new_editor()


def editor_key() -> str:
    """The table widget's key. It stays the same while the user types (a new widget would drop an
    edit typed during a rerun); it changes when the table must start afresh from the kept edits:
    another file, sheet or page of rows, edits forgotten, or the page entered again (Streamlit
    drops a widget's state when its page is left)."""
    return f"tableau_{st.session_state.get(_EDITOR_VERSION, 0)}"


def note_page(title: str) -> None:
    """Which page this run draws (to know when a page is entered anew)."""
    st.session_state["page_precedente"] = st.session_state.get("page_courante")
    st.session_state["page_courante"] = title


def entered_page() -> bool:
    """This run draws a page the previous run did not."""
    return st.session_state.get("page_precedente") != st.session_state.get("page_courante")


def start_new_editor() -> None:
    _new_editor()


def baked_edits(key: str) -> dict[tuple[int, str], str]:
    """The edits the table widget `key` was first drawn with: it is drawn with them, and only
    them, for as long as it lives (new data would make the browser redraw it mid-typing); the
    edits typed since are the widget's own."""
    baked = st.session_state.setdefault("modifications_du_tableau", {})
    if key not in baked:
        baked.clear()
        baked[key] = edits()
    return dict(baked[key])


def _new_editor() -> None:
    st.session_state[_EDITOR_VERSION] = st.session_state.get(_EDITOR_VERSION, 0) + 1


# --- Criteria and weights ---------------------------------------------------------------------


def criteria() -> tuple[Criterion, ...]:
    """Every criterion in force, the three core scores included unless the user removed them."""
    return tuple(st.session_state.get(_CRITERIA, DEFAULT_CRITERIA))


def set_criteria(chosen: tuple[Criterion, ...]) -> None:
    st.session_state[_CRITERIA] = tuple(chosen)


def add_criterion(criterion: Criterion) -> None:
    if criterion.name not in {c.name for c in criteria()}:
        set_criteria((*criteria(), criterion))


def remove_criterion(name: str) -> None:
    set_criteria(tuple(c for c in criteria() if c.name != name))


def criterion_label(criterion: Criterion) -> str:
    return display_name(criterion.name)


def weight_keys(chosen: tuple[Criterion, ...] | None = None) -> dict[str, str]:
    """Criterion name → its slider's key and link parameter: 'poids_urgence', 'poids_cout_total_ht';
    a second criterion with the same spelling once accents and signs are gone gets '_2'."""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for criterion in criteria() if chosen is None else chosen:
        base = _slug(criterion_label(criterion))
        key, copy = base, 2
        while key in taken:
            key, copy = f"{base}_{copy}", copy + 1
        taken.add(key)
        keys[criterion.name] = key
    return keys


def _slug(label: str) -> str:
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = "_".join(
        part for part in "".join(c if c.isalnum() else "_" for c in plain.lower()).split("_") if part
    )
    return "poids_" + (slug or "critere")


def weight_key(criterion: Criterion) -> str:
    return weight_keys()[criterion.name]


def weights() -> dict[str, float]:
    """Criterion name → weight (0 to 100); a criterion not yet weighed has the default."""
    return dict(st.session_state.get(_WEIGHTS, {}))


def weight(criterion: Criterion) -> float:
    return weights().get(criterion.name, float(DEFAULT_WEIGHT))


def set_weight(name: str, value: float) -> None:
    kept = weights()
    kept[name] = float(value)
    st.session_state[_WEIGHTS] = kept


def prepare_weight_sliders(chosen: tuple[Criterion, ...]) -> None:
    """Give each weight slider the weight in force before it is drawn (a slider left on
    another page loses its value; the weight kept here does not)."""
    for criterion, key in weight_keys(chosen).items():
        st.session_state[key] = round(weights().get(criterion, DEFAULT_WEIGHT))


def on_weight(name: str, key: str) -> None:
    """Callback of a weight slider: keep its value."""
    set_weight(name, float(st.session_state.get(key, DEFAULT_WEIGHT)))


def widget_value(key: str) -> object:
    """What a widget holds now (for callbacks, which run before the page is drawn again)."""
    return st.session_state.get(key)


def set_widget_value(key: str, value: object) -> None:
    st.session_state[key] = value


def apply_preset(name: str) -> None:
    """Callback of a preset button: set the core weights; other criteria keep theirs."""
    for criterion in DEFAULT_CRITERIA:
        set_weight(criterion.name, PRESETS[name][criterion.name])


def ranking_choices() -> RankingChoices:
    return st.session_state.get(_RANKING, RankingChoices())


def set_ranking_choices(choices: RankingChoices) -> None:
    st.session_state[_RANKING] = choices


def method() -> Method:
    return ranking_choices().method


def normalisation() -> Normalisation | None:
    return ranking_choices().normalisation


def settings() -> RankingSettings:
    chosen = criteria()
    choices = ranking_choices()
    return RankingSettings(
        criteria=chosen,
        weights=tuple(weight(criterion) for criterion in chosen),
        method=choices.method,
        normalisation=choices.normalisation,
        vikor_v=choices.vikor_v,
    )


# --- The plan ----------------------------------------------------------------------------------


def plan_form() -> PlanForm:
    """The plan's settings as typed in Calendrier and Budget."""
    return st.session_state.get(_PLAN, PlanForm())


def set_plan_form(form: PlanForm) -> None:
    st.session_state[_PLAN] = form


def update_plan_form(**changes: object) -> None:
    set_plan_form(replace(plan_form(), **changes))  # type: ignore[arg-type]


def plan_options() -> tuple[PlanOptions | None, tuple[str, ...]]:
    return plan_form().options()


DEFAULT_TOP_N = 10
TOP_N_KEY = "robustesse_n"


def top_n() -> int:
    """The N of « les N premiers » whose stability is measured (what the budget can fund)."""
    return int(st.session_state.get(_TOP_N, DEFAULT_TOP_N))


def set_top_n(value: int) -> None:
    st.session_state[_TOP_N] = max(1, int(value))


def on_top_n() -> None:
    set_top_n(int(st.session_state.get(TOP_N_KEY) or DEFAULT_TOP_N))


def robustness_settings() -> RobustnessSettings | None:
    """The robustness analysis the page shows (and the workbook and command carry)."""
    from ui.robustness import current_settings

    try:
        return current_settings(top_n())
    except InvalidSettings:
        return None


def request(selection: Selection | None = None) -> Request:
    """Everything that decides what the pages show, as the command line would read it.

    An unreadable plan setting leaves the plan's defaults in the request; pages show
    `plan_options()`'s reasons and draw no plan until they are fixed.
    """
    options, _ = plan_options()
    options = options or PlanOptions()
    if selection is not None:
        options = replace(options, selection=selection)
    return Request(
        inventory=source().file_name,
        reading=reading(),
        ranking=settings(),
        plan=options,
        robustness=robustness_settings(),
    )


# --- The link ----------------------------------------------------------------------------------


def read_link() -> None:
    """On a session's first run, take the ranking settings from the page's link, each checked:
    what cannot be used is replaced by the default or brought within bounds, with a notice."""
    if st.session_state.get(_LINK_READ):
        return
    st.session_state[_LINK_READ] = True
    params = st.query_params
    notices: list[str] = []
    if params.get(FACILITATOR_PARAMETER) and facilitator_secret() is None:
        set_facilitator_secret(params.get(FACILITATOR_PARAMETER))
    named = params.get_all(CRITERION_PARAMETER)
    if named:
        chosen = _linked_criteria(named, notices)
        if chosen:
            set_criteria(chosen)
            st.session_state[_LINKED_TO_CHECK] = True  # against the file, once it is read
    for name, key in weight_keys().items():
        if key in params:
            set_weight(name, _linked_weight(key, params.get(key, ""), notices))
    set_ranking_choices(_linked_choices(params, notices))
    st.session_state[_LINK_NOTICES] = tuple(notices)


def link_notices() -> tuple[str, ...]:
    return tuple(st.session_state.get(_LINK_NOTICES, ()))


_LINKED_TO_CHECK = "criteres_du_lien_a_verifier"


def take_linked_criteria_check() -> bool:
    """Whether the link named criteria not yet checked against the file (asked once)."""
    return bool(st.session_state.pop(_LINKED_TO_CHECK, False))


def drop_linked_criteria(absent: tuple[Criterion, ...]) -> None:
    """The link's criteria the file does not have, left out with a notice each."""
    if not absent:
        return
    remaining = tuple(criterion for criterion in criteria() if criterion not in absent)
    set_criteria(remaining or DEFAULT_CRITERIA)
    notices = [
        f"Le lien nomme le critère « {_quoted(criterion.name)} », qui n'est pas une colonne du fichier : "
        "il est ignoré."
        for criterion in absent
    ]
    if not remaining:
        notices.append("Aucun critère du lien n'est dans le fichier : les critères par défaut sont repris.")
    st.session_state[_LINK_NOTICES] = (*link_notices(), *notices)


def _quoted(text: str, length: int = 60) -> str:
    """A value from a link as a notice quotes it: at most `length` characters."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _linked_criteria(named: list[str], notices: list[str]) -> tuple[Criterion, ...]:
    chosen: list[Criterion] = []
    for item in named:
        try:
            (criterion,) = parse_criteria(item, split=False)
        except (InvalidSettings, ValueError):
            notices.append(f"Le lien nomme un critère illisible, « {_quoted(item)} » : il est ignoré.")
            continue
        if criterion.name in {c.name for c in chosen}:
            notices.append(f"Le lien nomme deux fois le critère « {_quoted(item)} » : il est pris une fois.")
            continue
        chosen.append(criterion)
    return tuple(chosen)


def _linked_weight(key: str, text: str, notices: list[str]) -> float:
    low, high = WEIGHT_RANGE
    number = parse_number(text)
    if number is None:
        number = _plain_float(text)  # « 1e308 »: a number, if not a French one
    if number is None or not math.isfinite(number):
        notices.append(
            f"Le lien donne « {_quoted(text)} » pour {key} : ce n'est pas un poids, "
            f"{DEFAULT_WEIGHT} est utilisé."
        )
        return float(DEFAULT_WEIGHT)
    if not low <= number <= high:
        bounded = min(max(number, low), high)
        notices.append(
            f"Le lien donne {format_plain(number)} pour {key} : un poids va de {low} à {high}, "
            f"{format_plain(bounded)} est utilisé."
        )
        return float(round(bounded))
    if not float(number).is_integer():
        notices.append(
            f"Le lien donne {format_plain(number)} pour {key} : les poids sont entiers, "
            f"{round(number)} est utilisé."
        )
        return float(round(number))
    return float(number)


def _plain_float(text: str) -> float | None:
    try:
        return float(text) if len(text) <= 40 else None
    except ValueError:
        return None


def _linked_choices(params: object, notices: list[str]) -> RankingChoices:
    get = params.get  # type: ignore[attr-defined]
    method = Method.WEIGHTED_SUM
    text = get(METHOD_KEY)
    if text is not None:
        found = next((m for m in Method if text.strip().lower() in (m.value, m.label.lower())), None)
        if found is None:
            notices.append(
                f"Le lien donne la méthode « {_quoted(text)} », inconnue : la somme pondérée est utilisée."
            )
        else:
            method = found
    normalisation = None
    text = get(NORMALISATION_KEY)
    if text is not None and text != AUTOMATIC:
        normalisation = next((n for n in Normalisation if n.value == text.strip().lower()), None)
        if normalisation is None:
            notices.append(
                f"Le lien donne la normalisation « {_quoted(text)} », inconnue : "
                "celle de la méthode est utilisée."
            )
    vikor_v = RankingSettings().vikor_v
    text = get(VIKOR_KEY)
    if text is not None:
        number = parse_number(text)
        if number is None or not 0 <= number <= 1:
            notices.append(
                f"Le lien donne v = « {_quoted(text)} » pour VIKOR : il va de 0 à 1, 0,5 est utilisé."
            )
        else:
            vikor_v = number
    return RankingChoices(method, normalisation, vikor_v)


def link_parameters() -> list[tuple[str, str | list[str]]]:
    """The page's own link: the working state's token, the facilitator's secret on the Atelier
    page, the ranking settings (one spelling, the documented one)."""
    params: list[tuple[str, str | list[str]]] = []
    if kept_token():
        params.append((TOKEN_PARAMETER, str(kept_token())))
    if facilitator_secret() and st.session_state.get("page_courante") == FACILITATOR_PAGE:
        # On the Atelier page only: a link copied from any other page must not give the
        # facilitator's rights (a reload elsewhere finds them in the working state).
        params.append((FACILITATOR_PARAMETER, str(facilitator_secret())))
    params.extend(shared_parameters())
    return params


def shared_parameters() -> list[tuple[str, str | list[str]]]:
    """The ranking settings alone, for a link to share: no working state, no secret."""
    chosen = criteria()
    choices = ranking_choices()
    params: list[tuple[str, str | list[str]]] = []
    if chosen != DEFAULT_CRITERIA:
        params.append(
            (CRITERION_PARAMETER, [f"{criterion_label(c)}:{'max' if c.maximise else 'min'}" for c in chosen])
        )
    for criterion in chosen:
        params.append((weight_key(criterion), format_plain(weight(criterion)).replace(",", ".")))
    params.append((METHOD_KEY, choices.method.value))
    params.append((NORMALISATION_KEY, choices.normalisation.value if choices.normalisation else AUTOMATIC))
    if choices.method is Method.VIKOR:
        params.append((VIKOR_KEY, format_plain(choices.vikor_v).replace(",", ".")))
    return params


def shared_link(page_url: str) -> str:
    """The page's address with the ranking settings alone: what a user may pass on."""
    from urllib.parse import urlencode, urlsplit, urlunsplit

    parts = urlsplit(page_url)
    query = urlencode(
        [
            (key, item)
            for key, value in shared_parameters()
            for item in ([value] if isinstance(value, str) else value)
        ]
    )
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def write_link() -> None:
    """Put the settings in force into the page's link (only when they changed)."""
    wanted = link_parameters()
    current = st.query_params
    same = all(
        (current.get_all(key) if isinstance(value, list) else current.get(key)) == value
        for key, value in wanted
    ) and set(current.keys()) == {key for key, _ in wanted}
    if not same:
        current.from_dict(wanted)


# --- The working state kept between visits --------------------------------------------------

DOCUMENT_FORMAT = 1
_TOKEN = "jeton_etat"
_REVISION = "revision_etat"
_SAVED = "document_enregistre"
_SAVED_FILE = "fichier_enregistre"
TOKEN_PARAMETER = "etat"


def working_document() -> dict:
    """Everything the user chose, as JSON the store keeps (the file's bytes are kept apart)."""
    form = plan_form()
    choices = ranking_choices()
    return {
        "format": DOCUMENT_FORMAT,
        "exemple": source().is_sample,
        "feuille": sheet(),
        "colonnes": [[field, label] for field, label in sorted(column_choices().items())],
        "echelle": [scale().low, scale().high],
        "modifications": [[row, label, text] for (row, label), text in sorted(edits().items())],
        "colonnes_ajoutees": list(added_columns()),
        "mots_des_notes": None
        if st.session_state.get(_WORDS) is None
        else [list(v) for v in st.session_state[_WORDS]],
        "sans_lignes_en_erreur": bool(st.session_state.get(_SKIP_ROWS, False)),
        "criteres": [[c.name, c.maximise] for c in criteria()],
        "poids": weights(),
        "methode": choices.method.value,
        "normalisation": choices.normalisation.value if choices.normalisation else None,
        "vikor_v": choices.vikor_v,
        "n_premiers": top_n(),
        "atelier_adopte": None if adopted_workshop() is None else summary_document(adopted_workshop()),
        "animation": facilitator_secret(),  # a reload on any page keeps the facilitator's rights
        "plan": {
            "debut": form.start.isoformat(),
            "horizon": form.horizon_years,
            "capacite": form.capacity,
            "phases": list(form.phase_months),
            "repartition": list(form.cost_split_percent),
            "evaluation": form.review_every_years,
            "selection": form.selection.value,
            "grille": form.grid.option,
            "obligatoires": list(form.must_do),
            "exclus": list(form.excluded),
            "part_propre": form.own_share_percent,
            "region": form.region.name,
            "enveloppes": [[year, typed] for year, typed in form.envelopes],
            "plafonds": [list(item) for item in form.ceilings],
            "taux_feder": form.feder_rate,
            "outre_mer": form.overseas,
            "durees": {
                "mode": form.durations.by.value,
                "tranches": cost_bands_text(form.durations.cost_bands),
                "colonne_type": form.durations.type_column,
                "par_type": type_durations_text(form.durations.by_type),
            },
        },
    }


def restore_document(document: dict, file_name: str | None, data: bytes | None) -> list[str]:
    """Put a kept working state back into the session; what cannot be read is left at its
    default and named (a document is checked as any input is, even our own)."""
    import datetime as dt

    from prioritisation.planning.funding import RegionCategory
    from prioritisation.planning.portfolio import StartGrid

    notices: list[str] = []
    if data is not None and file_name and not document.get("exemple", False):
        st.session_state[_SOURCE] = _source_of(file_name, data, is_sample=False)

    def attempt(what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except (KeyError, TypeError, ValueError, InvalidSettings, InvalidPlan, StopIteration):
            notices.append(
                f"Réglage « {what} » illisible dans l'état gardé : la valeur par défaut est reprise."
            )

    attempt("feuille", lambda: st.session_state.__setitem__(_SHEET, _optional_text(document.get("feuille"))))
    attempt(
        "colonnes",
        lambda: st.session_state.__setitem__(
            _CHOICES,
            {str(f): (None if label is None else str(label)) for f, label in document.get("colonnes", [])},
        ),
    )
    attempt("échelle", lambda: set_scale(Scale(*(float(v) for v in document.get("echelle", [1, 5])))))
    attempt(
        "modifications",
        lambda: st.session_state.__setitem__(
            _EDITS,
            {(int(row), str(label)): str(text) for row, label, text in document.get("modifications", [])},
        ),
    )
    attempt(
        "colonnes ajoutées",
        lambda: st.session_state.__setitem__(
            _ADDED_COLUMNS, tuple(str(h) for h in document.get("colonnes_ajoutees", []))
        ),
    )
    attempt(
        "mots des notes",
        lambda: st.session_state.__setitem__(
            _WORDS,
            None
            if document.get("mots_des_notes") is None
            else tuple((str(w), float(v)) for w, v in document["mots_des_notes"]),
        ),
    )
    attempt(
        "lignes en erreur",
        lambda: st.session_state.__setitem__(_SKIP_ROWS, bool(document.get("sans_lignes_en_erreur", False))),
    )
    attempt(
        "critères",
        lambda: set_criteria(
            tuple(Criterion(str(name), bool(up)) for name, up in document["criteres"]) or DEFAULT_CRITERIA
        ),
    )
    attempt(
        "poids",
        lambda: st.session_state.__setitem__(
            _WEIGHTS,
            {
                str(name): min(max(float(value), 0.0), 100.0)
                for name, value in document.get("poids", {}).items()
            },
        ),
    )

    def ranking_back() -> None:
        normalisation = document.get("normalisation")
        vikor_v = float(document.get("vikor_v", RankingSettings().vikor_v))
        if not 0 <= vikor_v <= 1:
            raise ValueError(vikor_v)
        set_ranking_choices(
            RankingChoices(
                Method(document.get("methode", Method.WEIGHTED_SUM.value)),
                None if normalisation is None else Normalisation(normalisation),
                vikor_v,
            )
        )

    attempt("méthode", ranking_back)
    attempt("N premiers", lambda: set_top_n(int(document.get("n_premiers", DEFAULT_TOP_N))))

    def adopted_back() -> None:
        kept = document.get("atelier_adopte")
        st.session_state[_ADOPTED] = None if kept is None else summary_from_document(kept)

    attempt("atelier adopté", adopted_back)
    if facilitator_secret() is None and isinstance(document.get("animation"), str):
        set_facilitator_secret(document["animation"])

    def plan_back() -> None:
        kept = document.get("plan")
        if not kept:
            return
        set_plan_form(
            PlanForm(
                start=dt.date.fromisoformat(kept["debut"]),
                horizon_years=int(kept["horizon"]),
                capacity=int(kept["capacite"]),
                phase_months=tuple(int(m) for m in kept["phases"]),  # type: ignore[arg-type]
                cost_split_percent=tuple(int(s) for s in kept["repartition"]),  # type: ignore[arg-type]
                review_every_years=int(kept["evaluation"]),
                selection=Selection(kept["selection"]),
                grid=next(g for g in StartGrid if g.option == kept["grille"]),
                must_do=tuple(str(i) for i in kept["obligatoires"]),
                excluded=tuple(str(i) for i in kept["exclus"]),
                own_share_percent=int(kept["part_propre"]),
                region=RegionCategory[kept["region"]],
                envelopes=tuple((int(year), str(typed)) for year, typed in kept["enveloppes"]),
                ceilings=tuple((str(s), str(t), str(e)) for s, t, e in kept["plafonds"]),
                feder_rate=str(kept.get("taux_feder", "")),
                overseas=bool(kept.get("outre_mer", False)),
                durations=_durations_back(kept.get("durees")),
            )
        )

    attempt("plan", plan_back)
    st.session_state[_MEMO] = {}
    _new_editor()
    return notices


def _durations_back(kept: dict | None) -> DurationDefaults:
    if not kept:
        return DurationDefaults()
    return DurationDefaults(
        by=DefaultsBy(kept["mode"]),
        cost_bands=parse_cost_bands(kept["tranches"])
        if kept.get("tranches")
        else DurationDefaults().cost_bands,
        type_column=_optional_text(kept.get("colonne_type")),
        by_type=parse_type_durations(kept["par_type"]) if kept.get("par_type") else (),
    )


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def kept_token() -> str | None:
    return st.session_state.get(_TOKEN)


def keep_token(token: str | None, revision: int, document_text: str, file_digest: str | None) -> None:
    st.session_state[_TOKEN] = token
    st.session_state[_REVISION] = revision
    st.session_state[_SAVED] = document_text
    st.session_state[_SAVED_FILE] = file_digest


def kept_revision() -> int:
    return int(st.session_state.get(_REVISION, 0))


def saved_document_text() -> str | None:
    return st.session_state.get(_SAVED)


def saved_file_digest() -> str | None:
    return st.session_state.get(_SAVED_FILE)


def forget_working_state() -> None:
    """Back to a fresh session on the sample (after the user deleted their kept state)."""
    kept = (_LINK_READ, _FACILITATOR)  # a workshop is not part of the working state
    keep = {key: st.session_state[key] for key in kept if key in st.session_state}
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state.update(keep)


def set_store_notice(message: str) -> None:
    st.session_state["avis_stockage"] = message


def take_store_notice() -> str | None:
    return st.session_state.pop("avis_stockage", None)


def set_plan_notice(message: str) -> None:
    st.session_state["avis_plan"] = message


def take_plan_notice() -> str | None:
    return st.session_state.pop("avis_plan", None)


# --- Workshops (docs/atelier.md) ---------------------------------------------------------------
#
# The facilitator's rights rest on their secret: kept here and in their own link (`animation`),
# so a reload keeps them. A participant's secret is kept here and in their link (`participant`),
# so a reload finds their vote; the join link carries only the code (`code`).

FACILITATOR_PARAMETER = "animation"
FACILITATOR_PAGE = "Atelier"  # the one page whose link carries the facilitator's secret
PARTICIPANT_PARAMETER = "participant"
CODE_PARAMETER = "code"
_FACILITATOR = "secret_animation"
_PARTICIPANT = "secret_participant"
_JOIN_CODE = "code_atelier"
_VOTE_REVISION = "revision_vote"
_SCORES_REVISION = "revision_notes"
_BALLOT_FOR = "bulletin_de"
_WORKSHOP_SEEN = "revision_atelier_vue"
_ADOPTED = "atelier_adopte"
_WORKSHOP_NOTICES = "avis_atelier"
_PARTICIPANT_LINK_READ = "lien_participant_lu"
BALLOT_PREFIXES = ("vote_", "note_")  # the keys of the participant's widgets


def facilitator_secret() -> str | None:
    return st.session_state.get(_FACILITATOR)


def set_facilitator_secret(secret: str | None) -> None:
    st.session_state[_FACILITATOR] = secret


def joining() -> bool:
    """Whether this session is a participant's: their secret is known, or the link names a
    workshop to join (the facilitator's tools are then out of sight)."""
    params = st.query_params
    return bool(participant_secret() or params.get(PARTICIPANT_PARAMETER) or params.get(CODE_PARAMETER))


def read_participant_link() -> None:
    """On a participant session's first run: their secret and the code, from the link."""
    if st.session_state.get(_PARTICIPANT_LINK_READ):
        return
    st.session_state[_PARTICIPANT_LINK_READ] = True
    params = st.query_params
    if params.get(PARTICIPANT_PARAMETER) and participant_secret() is None:
        set_participant_secret(params.get(PARTICIPANT_PARAMETER))
    if params.get(CODE_PARAMETER):
        set_join_code(params.get(CODE_PARAMETER))


def write_participant_link() -> None:
    """The participant's link: the code they joined with and, once joined, their secret."""
    wanted = {}
    if join_code():
        wanted[CODE_PARAMETER] = str(join_code())
    if participant_secret():
        wanted[PARTICIPANT_PARAMETER] = str(participant_secret())
    if dict(st.query_params.to_dict()) != wanted:
        st.query_params.from_dict(wanted)


def participant_secret() -> str | None:
    return st.session_state.get(_PARTICIPANT)


def set_participant_secret(secret: str | None) -> None:
    """A new participant (or none): their vote and scores are read again from the store."""
    st.session_state[_PARTICIPANT] = secret
    for key in (_VOTE_REVISION, _SCORES_REVISION, _BALLOT_FOR, _WORKSHOP_SEEN):
        st.session_state.pop(key, None)
    for key in [key for key in st.session_state if str(key).startswith(BALLOT_PREFIXES)]:
        del st.session_state[key]  # another participant's (or workshop's) answers


def join_code() -> str | None:
    return st.session_state.get(_JOIN_CODE)


def set_join_code(code: str | None) -> None:
    st.session_state[_JOIN_CODE] = code


def vote_revision() -> int:
    """The revision of the participant's vote this page last saw (0 before the first vote)."""
    return int(st.session_state.get(_VOTE_REVISION, 0))


def set_vote_revision(revision: int) -> None:
    st.session_state[_VOTE_REVISION] = int(revision)


def scores_revision() -> int:
    return int(st.session_state.get(_SCORES_REVISION, 0))


def set_scores_revision(revision: int) -> None:
    st.session_state[_SCORES_REVISION] = int(revision)


def ballot_loaded() -> bool:
    """Whether the participant's stored vote was put into the page's widgets (once per secret)."""
    return bool(participant_secret()) and st.session_state.get(_BALLOT_FOR) == participant_secret()


def mark_ballot_loaded() -> None:
    st.session_state[_BALLOT_FOR] = participant_secret()


def workshop_seen() -> int | None:
    """The workshop's revision the participant's page was drawn with (its poll compares)."""
    return st.session_state.get(_WORKSHOP_SEEN)


def set_workshop_seen(revision: int) -> None:
    st.session_state[_WORKSHOP_SEEN] = revision


_DRAWN_PARTICIPANTS = "atelier_participants_affiches"


def note_drawn_participants(numbers: tuple[int, ...]) -> None:
    """The participants the facilitator's controls list (the room's view compares)."""
    st.session_state[_DRAWN_PARTICIPANTS] = numbers


def drawn_participants() -> tuple[int, ...] | None:
    return st.session_state.get(_DRAWN_PARTICIPANTS)


def adopted_workshop() -> WorkshopSummary | None:
    """The record of the workshop whose weights were adopted (a `WorkshopSummary`), if any."""
    return st.session_state.get(_ADOPTED)


def adopt_workshop(
    summary: WorkshopSummary, criteria: tuple[Criterion, ...], weights: tuple[int, ...]
) -> None:
    """Apply a workshop's group weights to the Priorisation page: its criteria, each weight."""
    set_criteria(criteria)
    for criterion, value in zip(criteria, weights, strict=True):
        set_weight(criterion.name, value)
    st.session_state[_ADOPTED] = summary


def add_workshop_notice(kind: str, message: str, place: str = "page") -> None:
    """A message for the next drawing of the page (a callback's outcome): kind is « success »,
    « error », « warning » or « info »; `place` says where it is drawn (beside the button that
    was pressed: on a phone, the top of the page is out of sight)."""
    st.session_state[_WORKSHOP_NOTICES] = [
        *st.session_state.get(_WORKSHOP_NOTICES, []),
        (place, kind, message),
    ]


def take_workshop_notices(place: str = "page") -> list[tuple[str, str]]:
    """The notices for `place` (kind, message), removed from those waiting."""
    waiting = st.session_state.get(_WORKSHOP_NOTICES, [])
    st.session_state[_WORKSHOP_NOTICES] = [notice for notice in waiting if notice[0] != place]
    return [(kind, message) for where, kind, message in waiting if where == place]


def default_widget_value(key: str, value: object) -> None:
    """Give a widget its first value (the user's later moves are kept)."""
    st.session_state.setdefault(key, value)
