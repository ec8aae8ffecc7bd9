"""Workbooks for people: the ranked export and the blank template. The only module that writes xlsx.

XlsxWriter does the writing: it streams rows (constant memory), is about 2.4 times faster than
openpyxl on a 10,000-project export, and with `strings_to_formulas` off and `write_string`
for every text, no text can become a formula — "=HYPERLINK(…)" typed in a cell stays text.
A text longer than Excel's cell limit (32,767 characters) cannot be kept whole: each such
cell is named in the Paramètres sheet, never cut silently.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO

import numpy as np
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from prioritisation import __version__
from prioritisation.command import Shell, command_line
from prioritisation.french import (
    format_date,
    format_euros,
    format_number,
    format_percent,
    format_plain,
    parse_number,
)
from prioritisation.planning.plan import (
    END_HEADER,
    REASON_HEADER,
    RETAINED_HEADER,
    START_HEADER,
    Plan,
    budget_rows,
    calendar_rows,
)
from prioritisation.planning.portfolio import Selection
from prioritisation.ranking.methods import METHOD_EXPLANATIONS, Method
from prioritisation.ranking.priorities import (
    EXCLUDED_HEADER,
    RANK_HEADER,
    SCORE_HEADER,
    Ranking,
    excluded_reason,
)
from prioritisation.ranking.robustness import (
    Robustness,
    badge_definition,
    badges,
    confidence_definition,
    rank_precision_text,
    tie_notes,
    top_words,
)
from prioritisation.reading.fields import AXES, FIELDS, FIELDS_BY_KEY, SCORE_FIELDS, Kind
from prioritisation.reading.untrusted import column_letters
from prioritisation.request import Request, request_of
from prioritisation.workshop.consensus import Consensus
from prioritisation.workshop.summary import WorkshopSummary

RANKING_SHEET = "Classement"
PARAMETERS_SHEET = "Paramètres"
CALENDAR_SHEET = "Calendrier"
BUDGET_SHEET = "Budget"
ROBUSTNESS_SHEET = "Robustesse"
WORKSHOP_SHEET = "Atelier"
EUROS = '#,##0 "€"'
SCORE_FORMAT = "0.00"  # on 100, as the pages show it
EXCEL_TEXT_LIMIT = 32_767
_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
_FORMATS = {
    "header": {
        "bold": True,
        "font_color": "#FFFFFF",
        "bg_color": "#1F4E79",
        "text_wrap": True,
        "valign": "top",
    },
    "euros": {"num_format": EUROS},
    "year": {"num_format": "0"},
    "score": {"num_format": SCORE_FORMAT},
    "percent": {"num_format": "0.0 %"},
    "rank": {"num_format": "0"},
    "date": {"num_format": "dd/mm/yyyy"},
    "datetime": {"num_format": "dd/mm/yyyy hh:mm"},
    "time": {"num_format": "hh:mm"},
    "duration": {"num_format": "[h]:mm"},
    "title": {"bold": True, "font_size": 14},
}

Destination = Path | str | IO[bytes]


def _open(destination: Destination) -> tuple[xlsxwriter.Workbook, dict[str, Format]]:
    target = str(destination) if isinstance(destination, Path) else destination
    workbook = xlsxwriter.Workbook(target, _OPTIONS)
    return workbook, {name: workbook.add_format(spec) for name, spec in _FORMATS.items()}


@dataclass
class _SheetWriter:
    """Writes one sheet row by row: bold frozen header, widths, filters, a format per column."""

    sheet: Worksheet
    formats: dict[str, Format]
    column_formats: Sequence[str | None]
    truncated: list[tuple[int, int]] = field(default_factory=list)  # (spreadsheet row, column)
    rows: int = 0

    def start(self, headers: Sequence[str], sample: Iterable[Sequence[object]]) -> None:
        widths = [max(8, min(60, len(header) + 4)) for header in headers]
        for row in sample:
            for position, value in enumerate(row):
                widths[position] = max(widths[position], min(60, _display_length(value) + 2))
        for position, width in enumerate(widths):
            self.sheet.set_column(position, position, width)
        self.sheet.freeze_panes(1, 0)
        for position, header in enumerate(headers):
            self.sheet.write_string(0, position, header, self.formats["header"])

    def append(self, values: Sequence[object]) -> None:
        self.rows += 1
        for position, value in enumerate(values):
            self._write(self.rows, position, value, self.column_formats[position])

    def _write(self, row: int, column: int, value: object, number_format: str | None) -> None:
        if isinstance(value, np.generic):
            value = value.item()
        if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
            return  # an empty cell stays empty
        if isinstance(value, str):
            if self.sheet.write_string(row, column, value) == -2:
                self.truncated.append((row + 1, column))
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, column, value)
        elif isinstance(value, int | float):
            style = self.formats[number_format] if number_format else None
            self.sheet.write_number(row, column, value, style)
        elif isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
            self.sheet.write_datetime(row, column, value, self.formats[_date_format(value)])
        else:
            self.sheet.write_string(row, column, str(value))

    def finish(self, columns: int) -> None:
        self.sheet.autofilter(0, 0, self.rows, max(0, columns - 1))


def _date_format(value: object) -> str:
    if isinstance(value, dt.datetime):
        return "date" if value.time() == dt.time() else "datetime"
    if isinstance(value, dt.date):
        return "date"
    return "time" if isinstance(value, dt.time) else "duration"


def _display_length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(format_number(value, 2))
    if isinstance(value, dt.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


# ---------------------------------------------------------------------------------------
# The ranked export


def write_ranking(
    ranking: Ranking,
    destination: Destination,
    *,
    now: dt.datetime | None = None,
    plan: Plan | None = None,
    request: Request | None = None,
    robustness: Robustness | None = None,
    workshop: WorkshopSummary | None = None,
) -> None:
    """Write the sheets of docs/contrats.md to a path or a buffer: `Classement` and `Paramètres`;
    with a plan, `Calendrier` and `Budget` (and the plan's columns in `Classement`); with a
    robustness analysis of this ranking, `Robustesse`; with the workshop whose weights were
    adopted, `Atelier`."""
    workbook, formats = _open(destination)
    truncated = _write_classement(workbook, formats, ranking, plan)
    if plan is not None:
        _write_plan_sheets(workbook, formats, plan)
    if robustness is not None:
        _write_robustness(workbook, formats, ranking, robustness)
    if workshop is not None:
        _write_workshop(workbook, formats, workshop)
    headers = [*ranking.inventory.table.headers, RANK_HEADER, SCORE_HEADER, *(PLAN_HEADERS if plan else ())]
    notes = [
        ["Texte tronqué", f"ligne {row}, colonne « {headers[column]} » : plus de "
         f"{format_number(EXCEL_TEXT_LIMIT)} caractères, la limite d'une cellule Excel"]
        for row, column in truncated
    ]  # fmt: skip
    plan_rows = plan_parameter_rows(plan) if plan is not None else []
    robustness_rows = robustness_parameter_rows(robustness) if robustness is not None else []
    workshop_rows = workshop_parameter_rows(workshop, ranking) if workshop is not None else []
    _write_parameters(
        workbook,
        formats,
        [
            *parameter_rows(ranking, now or dt.datetime.now(), plan, request),
            *workshop_rows,
            *plan_rows,
            *robustness_rows,
            *notes,
        ],
    )
    workbook.close()


def ranking_bytes(
    ranking: Ranking,
    *,
    now: dt.datetime | None = None,
    plan: Plan | None = None,
    request: Request | None = None,
    robustness: Robustness | None = None,
    workshop: WorkshopSummary | None = None,
) -> bytes:
    buffer = BytesIO()
    write_ranking(
        ranking, buffer, now=now, plan=plan, request=request, robustness=robustness, workshop=workshop
    )
    return buffer.getvalue()


def _write_classement(
    workbook: xlsxwriter.Workbook, formats: dict[str, Format], ranking: Ranking, plan: Plan | None
) -> list:
    inventory = ranking.inventory
    headers = [*inventory.table.headers, RANK_HEADER, SCORE_HEADER]
    kinds = [_field_kind(inventory.mapping.field_at(i)) for i in range(len(inventory.table.headers))]
    column_formats = ["euros" if kind is Kind.AMOUNT else None for kind in kinds] + ["rank", "score"]
    rows = list(_classement_rows(ranking, kinds))
    if plan is not None:
        headers += PLAN_HEADERS
        column_formats += [None, "date", "date", None]
        by_position = _plan_columns(plan)
        rows = [[*row, *by_position[index]] for row, index in zip(rows, ranking.order, strict=True)]
    if inventory.excluded_rows:  # every project in the sheet: the rows left out follow, unranked
        headers.append(EXCLUDED_HEADER)
        column_formats.append(None)
        rows = [[*row, ""] for row in rows]
        plan_cells = ["non", None, None, "ligne écartée du classement"] if plan is not None else []
        rows += [
            [*excluded.cells, None, None, *plan_cells, excluded_reason(excluded)]
            for excluded in inventory.excluded_rows
        ]
    writer = _SheetWriter(workbook.add_worksheet(RANKING_SHEET), formats, column_formats)
    writer.start(headers, rows[:200])
    for row in rows:
        writer.append(row)
    writer.finish(len(headers))
    return writer.truncated


def _field_kind(field_key: str | None) -> Kind | None:
    return None if field_key is None else FIELDS_BY_KEY[field_key].kind


def _classement_rows(ranking: Ranking, kinds: Sequence[Kind | None]) -> Iterable[list[object]]:
    """Original values; a number the file wrote as French text (« 1 200 000 € ») is written as
    that number, so that Excel can add it up. Nothing else changes: a value in k€ or in years
    stays as written under its header, a score written in words stays a word (the Paramètres
    sheet gives what each stood for). The score is on 100, as on the pages."""
    inventory = ranking.inventory
    original = inventory.original.to_numpy(dtype=object)
    numeric = {
        position: inventory.projects[inventory.mapping.field_at(position)].to_numpy(dtype=float)
        for position, kind in enumerate(kinds)
        if kind in (Kind.SCORE, Kind.AMOUNT, Kind.MONTHS)
    }
    ranks, scores = ranking.result.ranks, ranking.result.scores
    for index in ranking.order:
        row = list(original[index])
        for position, values in numeric.items():
            cell = row[position]
            if (
                isinstance(cell, str)
                and not math.isnan(values[index])
                and parse_number(cell) == values[index]
            ):
                row[position] = float(values[index])
        yield [*row, int(ranks[index]), float(scores[index]) * 100]


PLAN_HEADERS = [RETAINED_HEADER, START_HEADER, END_HEADER, REASON_HEADER]


def _plan_columns(plan: Plan) -> list[list[object]]:
    """Retenu, Début, Fin (the first review's last day), Motif du report; in the inventory's order."""
    columns = []
    for placement in plan.calendar.placements:
        phases = placement.phases(plan.settings)
        if phases:
            last = plan.settings.date_of(phases[3][2]) - dt.timedelta(days=1)  # the first review's last day
            columns.append(["oui", plan.settings.date_of(phases[0][1]), last, ""])
        else:
            columns.append(["non", None, None, placement.reason])
    return columns


def _write_plan_sheets(workbook: xlsxwriter.Workbook, formats: dict[str, Format], plan: Plan) -> None:
    calendar = _SheetWriter(
        workbook.add_worksheet(CALENDAR_SHEET), formats, [None, None, None, "date", "date"]
    )
    rows = calendar_rows(plan)
    calendar.start(["Identifiant", "Projet", "Phase", "Début", "Fin"], rows[:200])
    for row in rows:
        calendar.append(row)
    calendar.finish(5)
    budget = _SheetWriter(
        workbook.add_worksheet(BUDGET_SHEET), formats, ["year", None, "euros", "euros", "euros"]
    )
    rows = budget_rows(plan)
    budget.start(["Année", "Source", "Montant", "Enveloppe", "Reste de l'enveloppe"], rows)
    for row in rows:
        budget.append(row)
    budget.finish(5)


def plan_parameter_rows(plan: Plan) -> list[list[object]]:
    """The plan's settings and outcome, in French, after the ranking's."""
    settings, rules = plan.settings, plan.rules
    envelopes = "; ".join(f"{year} : {format_euros(amount)}" for year, amount in settings.envelopes)
    rows: list[list[object]] = [
        ["Début du plan", format_date(settings.start.replace(day=1))],
        ["Horizon", f"{settings.horizon_years} ans"],
        ["Enveloppes d'investissement", envelopes or "aucune : le plan n'est pas plafonné"],
        [
            "Capacité de l'équipe",
            f"{settings.capacity} projet(s) à la fois" if settings.capacity else "non limitée",
        ],
        [
            "Durées par défaut (mois)",
            "diagnostic {}, pilote {}, déploiement {}".format(*settings.phase_months),
        ],
    ]
    if plan.durations is not None:
        rows.append(["Choix des durées par défaut", plan.durations.defaults.by.label])
        rows += [["Durées", note] for note in plan.duration_notes()]
    rows += [
        [
            "Répartition du coût",
            "diagnostic {}, pilote {}, déploiement {}".format(
                *(format_percent(s) for s in settings.cost_split)
            ),
        ],
        ["Sélection", plan.chosen.selection.label],
        ["Démarrages possibles (optimum)", plan.grid.label],
        ["Projets retenus", len(plan.calendar.retained)],
        ["Score total retenu (points, chaque score sur 100)", round(plan.chosen.total_score * 100, 2)],
        ["Écart à l'optimum", plan.chosen.gap_text()],
    ]
    if plan.chosen.selection is Selection.OPTIMAL:
        rows.append(["Écart à l'optimum, tous mois de démarrage", plan.chosen.monthly_text()])
    rows += [
        ["Part propre minimale", rules.own_share_text],
        ["Taux FEDER maximal", rules.feder_text],
    ]
    if plan.chosen.note:
        rows.append(["Remarque", plan.chosen.note])
    rows += [["Projet obligatoire", work_id] for work_id in sorted(settings.must_do)]
    rows += [["Projet exclu", work_id] for work_id in sorted(settings.excluded)]
    rows += [["Plafond dépassé", breach] for breach in plan.ceilings]
    rows += [["Financement", str(problem)] for problem in plan.funding_problems]
    if plan.durations is not None:
        rows += [["Durée", str(problem)] for problem in plan.durations.problems]
    rows += [["Projet obligatoire non retenu", str(problem)] for problem in plan.must_do_problems]
    return rows


def _write_robustness(
    workbook: xlsxwriter.Workbook, formats: dict[str, Format], ranking: Ranking, robustness: Robustness
) -> None:
    """Per project (best first): P(rang 1), P(top N), median rank, 90 % rank interval, badge,
    confidence and central weights; below, per weight, the shares that keep the head unchanged."""
    accepted, top_n = robustness.acceptability, robustness.top_n
    labels = [criterion.label for criterion in ranking.criteria]
    headers = [
        RANK_HEADER, "Identifiant", "Projet", "P(rang 1)", f"P({top_words(top_n).removeprefix('les ')})",
        "Rang médian", "Rang au mieux (5 %)", "Rang au pire (95 %)", "Stabilité", "Facteur de confiance",
        *(f"Poids central « {label} »" for label in labels),
    ]  # fmt: skip
    if top_n == 1:
        headers[4] = "P(premier)"
    column_formats = ["rank", None, None, "percent", "percent", "rank", "rank", "rank", None, "percent"]
    column_formats += ["percent"] * len(labels)
    projects = ranking.inventory.projects
    ids, titles = projects["id"].to_numpy(dtype=object), projects["title"].to_numpy(dtype=object)
    stability = badges(ranking.order, accepted)
    rows = [
        [
            int(ranking.result.ranks[i]), ids[i], titles[i], float(accepted.first[i]), float(accepted.top[i]),
            int(accepted.median_rank[i]), int(accepted.low_rank[i]), int(accepted.high_rank[i]),
            stability[i], float(accepted.confidence[i]), *(float(w) for w in accepted.central_weights[i]),
        ]
        for i in ranking.order
    ]  # fmt: skip
    writer = _SheetWriter(workbook.add_worksheet(ROBUSTNESS_SHEET), formats, column_formats)
    writer.start(headers, rows[:200])
    for row in rows:
        writer.append(row)
    writer.finish(len(headers))
    if not robustness.intervals:
        return
    first_row = writer.rows + 2
    interval_headers = [
        "Critère", "Poids actuel", f"{top_words(top_n).capitalize()} inchangés : de", "à",
        "Le premier inchangé : de", "à", "Ex aequo à la limite", "Calcul",
    ]  # fmt: skip
    for column, header in enumerate(interval_headers):
        writer.sheet.write_string(first_row, column, header, formats["header"])
    shares = ["percent"] * 5
    weights = _SheetWriter(writer.sheet, formats, [None, *shares, None, None], rows=first_row)
    for interval in robustness.intervals:
        how = (
            "exact (somme pondérée : points de bascule calculés)"
            if interval.exact
            else f"à {format_plain(interval.tolerance * 100, 6)} point près (balayage puis dichotomie)"
        )
        weights.append(
            [labels[interval.criterion], interval.current, interval.top_low, interval.top_high,
             interval.first_low, interval.first_high, tie_notes(interval), how]
        )  # fmt: skip


def robustness_parameter_rows(robustness: Robustness) -> list[list[object]]:
    """Everything needed to redo the robustness analysis, in French, after the ranking's."""
    chosen, accepted = robustness.settings, robustness.acceptability
    rows: list[list[object]] = [
        ["Robustesse : tirages", chosen.draw_count],
        ["Robustesse : graine", chosen.seed],
        ["Robustesse : tirage des poids", chosen.sampling_text()],
        ["Robustesse : N premiers", robustness.top_n],
        ["Robustesse : ex aequo", "dans un tirage, des projets ex aequo se partagent à parts égales les "
         "rangs qu'ils occupent"],
        ["Robustesse : rangs", "rang médian et intervalle où tombent 90 % des tirages (du quantile 5 % au "
         f"quantile 95 %) ; précision : {rank_precision_text(accepted)}"],
        ["Robustesse : stabilité", badge_definition(robustness.top_n)],
        ["Robustesse : poids centraux", "poids moyens des tirages où le projet est premier"],
        ["Robustesse : facteur de confiance", confidence_definition(robustness)],
        ["Robustesse : marges des poids", "chaque poids bouge seul, les autres gardant leurs proportions"],
    ]  # fmt: skip
    return rows


def _write_workshop(
    workbook: xlsxwriter.Workbook, formats: dict[str, Format], summary: WorkshopSummary
) -> None:
    """Three tables, one under the other: the workshop (when, who, how aggregated, consensus);
    per criterion, the group's weights and the spread of the participants' weights; each
    participant's weights, numbered, without a name (docs/atelier.md)."""
    labels = [criterion.label for criterion in summary.criteria]
    about = workshop_rows(summary)
    writer = _SheetWriter(workbook.add_worksheet(WORKSHOP_SHEET), formats, [None] * (len(labels) + 1))
    writer.start(["Atelier", "Valeur"], about)
    for row in about:
        writer.append(row)
    groups = [f"Poids du groupe : {group.label}" for group in summary.aggregations]
    spread_headers = ["Minimum", "1er quartile", "Médiane des participants", "3e quartile", "Maximum"]
    first_row = writer.rows + 2
    for column, header in enumerate(["Critère", *groups, *spread_headers, "Poids dans la page Priorisation"]):
        writer.sheet.write_string(first_row, column, header, formats["header"])
    shares = ["percent"] * (len(groups) + len(spread_headers))
    criteria = _SheetWriter(writer.sheet, formats, [None, *shares, None], rows=first_row)
    for index, (label, spread) in enumerate(zip(labels, summary.spreads, strict=True)):
        criteria.append(
            [label, *(group.weights[index] for group in summary.aggregations), spread.minimum,
             spread.first_quartile, spread.median, spread.third_quartile, spread.maximum,
             summary.slider_weights[index]]
        )  # fmt: skip
    first_row = criteria.rows + 2
    for column, header in enumerate(["Participant (anonyme)", *labels]):
        writer.sheet.write_string(first_row, column, header, formats["header"])
    people = _SheetWriter(writer.sheet, formats, [None, *(["percent"] * len(labels))], rows=first_row)
    for number, weights in enumerate(summary.individual_weights, start=1):
        people.append([f"participant {number}", *weights])


def workshop_rows(summary: WorkshopSummary) -> list[list[object]]:
    """The workshop in (label, value) rows, in French."""
    adopted, consensus = summary.adopted, summary.consensus
    rows: list[list[object]] = [
        ["Titre", summary.title],
        ["Date", f"{format_date(summary.held_on.date())} à {summary.held_on:%H:%M} (UTC)"],
        ["Participants", summary.participants],
        [
            "Votes",
            f"{summary.voters} : {summary.pairwise_votes} par comparaison par paires, "
            f"{summary.direct_votes} en poids directs",
        ],
        ["Agrégation adoptée", adopted.label],
        ["Principe de l'agrégation", adopted.description],
    ]
    rows += [[f"Autre agrégation : {group.label}", group.description] for group in summary.aggregations[1:]]
    if adopted.consistency is not None:
        ratio = format_percent(adopted.consistency.consistency_ratio, 1)
        rows.append(["Cohérence des jugements du groupe", f"CR = {ratio}"])
    rows += [
        ["Consensus", f"{consensus_text(consensus)} ({consensus.measure.label})"],
        ["Définition du consensus", consensus.definition],
    ]
    if summary.projects_agreement is not None:
        rows.append(
            ["Accord sur le classement des projets", f"{consensus_text(summary.projects_agreement)} "
             f"({summary.projects_agreement.measure.label}, entre les classements sous les poids de chacun)"]
        )  # fmt: skip
    rows.append(
        ["Poids reportés dans la page Priorisation", "les poids du groupe arrondis à l'unité, total 100"]
    )
    rows.append(["Dispersion", "quartiles inclusifs (QUARTILE.INCLUS) des poids des participants"])
    return rows


def consensus_text(consensus: Consensus) -> str:
    """« 72,4 % (modéré) », or the reason there is no value."""
    if consensus.value is None:
        return consensus.level
    return f"{format_percent(consensus.value, 1)} ({consensus.level})"


def workshop_parameter_rows(summary: WorkshopSummary, ranking: Ranking) -> list[list[object]]:
    """Where the weights came from: the workshop, or the workshop then a hand on the sliders."""
    when = format_date(summary.held_on.date())
    names = [criterion.criterion.name for criterion in ranking.criteria]
    if summary.followed_by(names, ranking.settings.raw_weights):
        origin = (
            f"atelier « {summary.title} » du {when} : {summary.voters} vote(s), {summary.adopted.label} "
            f"(feuille « {WORKSHOP_SHEET} »)"
        )
    else:
        origin = (
            f"adoptés de l'atelier « {summary.title} » du {when}, puis modifiés à la main : les poids "
            f"ci-dessus sont ceux du classement, ceux du groupe sont dans la feuille « {WORKSHOP_SHEET} »"
        )
    return [["Origine des poids", origin]]


def _write_parameters(
    workbook: xlsxwriter.Workbook, formats: dict[str, Format], rows: list[list[object]]
) -> None:
    writer = _SheetWriter(workbook.add_worksheet(PARAMETERS_SHEET), formats, [None, None])
    writer.start(["Paramètre", "Valeur"], rows)
    for row in rows:
        writer.append(row)
    writer.finish(2)


def parameter_rows(
    ranking: Ranking, now: dt.datetime, plan: Plan | None = None, request: Request | None = None
) -> list[list[object]]:
    """Everything needed to reproduce the ranking, as (label, value) rows in French."""
    settings, result, inventory = ranking.settings, ranking.result, ranking.inventory
    direction = "plus élevé = meilleur" if result.higher_is_better else "plus bas = meilleur (Q)"
    rows: list[list[object]] = [
        ["Méthode", settings.method.label],
        ["Principe", METHOD_EXPLANATIONS[settings.method]],
        ["Normalisation", result.normalisation.label],
    ]
    if settings.method is Method.VIKOR:
        rows.append(["v (VIKOR)", settings.vikor_v])
    rows += [
        ["Sens du score", direction],
        ["Échelle des notes", str(inventory.scale)],
        ["Fichier source", inventory.table.file_name],
        ["Feuille", inventory.table.sheet],
        ["Ligne d'en-tête", inventory.table.header_row],
        ["Projets classés", len(inventory.projects)],
        ["Date", f"{format_date(now.date())} à {now:%H:%M}"],
        ["Version de l'outil", __version__],
        ["Commande équivalente", equivalent_command(ranking, plan, request)],
        ["Commande équivalente (PowerShell)", equivalent_command(ranking, plan, request, Shell.POWERSHELL)],
    ]
    for criterion, raw, weight in zip(ranking.criteria, settings.raw_weights, result.weights, strict=True):
        sense = "à maximiser" if criterion.maximise else "à minimiser"
        weight_text = f"poids {format_plain(raw)} → {format_percent(weight, 1)}"
        rows.append([f"Critère « {criterion.label} »", f"{sense}, {weight_text}"])
    for field_key, position in inventory.mapping.positions.items():
        rows.append(
            [f"Colonne pour « {FIELDS_BY_KEY[field_key].header} »", inventory.table.headers[position]]
        )
    if inventory.score_words:
        rows.append(["Notes écrites en mots", inventory.score_words.describe()])
    if inventory.excluded_rows:
        rows.append(
            [
                "Lignes écartées (classement sans les lignes en erreur)",
                f"{format_number(len(inventory.excluded_rows))} ligne(s), listées ci-dessous",
            ]
        )
        rows += [["Ligne écartée", str(excluded)] for excluded in inventory.excluded_rows]
    rows += [["Avertissement", str(problem)] for problem in ranking.problems]
    return rows


def equivalent_command(
    ranking: Ranking, plan: Plan | None = None, request: Request | None = None, shell: Shell = Shell.POSIX
) -> str:
    """The `rank` command that gives the same ranking (and, with `plan`, the same plan), quoted
    for `shell` so that pasting it runs nothing else (prioritisation.command)."""
    return command_line(request or request_of(ranking, plan), shell=shell)


# ---------------------------------------------------------------------------------------
# The blank template

TEMPLATE_SHEET = "Inventaire"
INSTRUCTIONS_SHEET = "Lisez-moi"
LISTS_SHEET = "Listes"
TEMPLATE_ROWS = 500
INSTRUCTIONS = (
    "Inventaire des projets de la feuille de route numérique",
    "",
    "1. Remplissez la feuille « Inventaire » : une ligne par projet, à partir de la ligne 2.",
    "2. « Projet » est obligatoire ; « Urgence », « Impact » et « Faisabilité » sont notées "
    "de 1 (faible) à 5 (fort).",
    "3. « Axe stratégique » : choisissez un des cinq axes du cadre CRTE dans la liste.",
    "4. Montants en euros, sans formule : 1 200 000 ou 45 000,50.",
    "5. « Dépendances » : identifiants des projets préalables, séparés par des virgules (ex. P01, P04).",
    "6. Vous pouvez ajouter vos propres colonnes : elles sont conservées dans l'export et "
    "peuvent servir de critère.",
    "",
    "Classement : python -m prioritisation rank inventaire.xlsx -o classement.xlsx, "
    "ou le tableau de bord (page Inventaire).",
)


def write_template(destination: Destination) -> None:
    """The blank inventory: instructions, headers, drop-down lists for axis and scores."""
    workbook, formats = _open(destination)
    instructions = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    instructions.set_column(0, 0, 110)
    for row, line in enumerate(INSTRUCTIONS):
        instructions.write_string(row, 0, line, formats["title"] if row == 0 else None)
    sheet = workbook.add_worksheet(TEMPLATE_SHEET)
    lists = workbook.add_worksheet(LISTS_SHEET)
    _fill_lists(lists)
    _template_headers(sheet, formats)
    _template_validations(sheet)
    sheet.activate()
    workbook.close()


def template_bytes() -> bytes:
    buffer = BytesIO()
    write_template(buffer)
    return buffer.getvalue()


def _fill_lists(lists: Worksheet) -> None:
    lists.write_string(0, 0, "Axes stratégiques")
    for number, axis in enumerate(AXES, start=1):
        lists.write_string(number, 0, f"{number}. {axis}")
    lists.set_column(0, 0, 55)
    lists.hide()


def _template_headers(sheet: Worksheet, formats: dict[str, Format]) -> None:
    for position, spec in enumerate(FIELDS):
        sheet.write_string(0, position, spec.header, formats["header"])
        width = 40 if spec.key == "title" else max(14, len(spec.header) + 2)
        sheet.set_column(position, position, width, formats["euros"] if spec.kind is Kind.AMOUNT else None)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, 0, len(FIELDS) - 1)


def _template_validations(sheet: Worksheet) -> None:
    for position, spec in enumerate(FIELDS):
        if spec.kind is Kind.AXIS:
            rule = {"validate": "list", "source": f"={LISTS_SHEET}!$A$2:$A${len(AXES) + 1}",
                    "error_message": "Choisissez un des cinq axes de la liste."}  # fmt: skip
        elif spec.key in SCORE_FIELDS:
            rule = {"validate": "list", "source": ["1", "2", "3", "4", "5"],
                    "error_message": "Notez de 1 (faible) à 5 (fort)."}  # fmt: skip
        elif spec.kind in (Kind.AMOUNT, Kind.MONTHS):
            rule = {"validate": "decimal", "criteria": ">=", "value": 0,
                    "error_message": "Saisissez un nombre positif ou nul, sans formule."}  # fmt: skip
        else:
            continue
        letter = column_letters(position + 1)
        sheet.data_validation(
            f"{letter}2:{letter}{TEMPLATE_ROWS + 1}", {**rule, "error_title": "Valeur refusée"}
        )
