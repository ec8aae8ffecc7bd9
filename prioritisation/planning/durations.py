"""How long each project's phases last: the inventory's figures, or defaults that are said.

The inventory may give the three phases (diagnostic/cadrage, pilote, déploiement), a total
duration, both, or nothing. Phases win when all three are given; a total alone is split
like the defaults; missing phases are completed from the defaults. When the inventory is
silent, defaults apply: the same for every project, by cost band (a 1,500 € equipment
purchase is not a 34-month project: the State's 2019 investment grants put town-hall IT
at a median 3,000 €, school equipment 8,400 €, networks 42,000 €), or by project type (a
column of the inventory). Every default applied is reported, by project and by rule, and
durations that contradict each other or fall far outside the usual ranges (diagnostic
3–6 months, pilot about 12, deployment up to 24) are warnings, never silently overridden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from prioritisation import problems as p
from prioritisation.french import format_euros, format_plain
from prioritisation.planning.schedule import InvalidPlan, PlanSettings, split_like
from prioritisation.problems import Problem
from prioritisation.reading.inventory import Inventory

Months = tuple[int, int, int]
PHASE_NAMES = ("diagnostic", "pilote", "déploiement")
PHASE_FIELDS = ("diagnostic_months", "pilot_months", "deployment_months")
# Usual lengths (months) and the bound beyond which a length is far outside them: twice the
# usual upper bound.
USUAL = (("3 à 6 mois", 6), ("environ 12 mois", 12), ("jusqu'à 24 mois", 24))
FAR_TOTAL = 2 * (6 + 12 + 24)
# Below 10 k€: an equipment purchase; 10 to 100 k€: equipment for several sites, a network,
# video protection; above: the plan's default phases.
DEFAULT_COST_BANDS: tuple[tuple[float, Months], ...] = ((10_000.0, (1, 1, 2)), (100_000.0, (2, 4, 6)))


class DefaultsBy(Enum):
    """How the default phases of a project without durations are chosen."""

    SAME = "same"
    COST = "cost"
    TYPE = "type"

    @property
    def label(self) -> str:
        return {
            DefaultsBy.SAME: "les mêmes pour tous les projets",
            DefaultsBy.COST: "selon le coût du projet",
            DefaultsBy.TYPE: "selon le type de projet (une colonne de l'inventaire)",
        }[self]


@dataclass(frozen=True)
class DurationDefaults:
    """The defaults for projects whose inventory row gives no duration.

    With SAME, every such project takes the plan's default phases (`PlanSettings.phase_months`).
    With COST, `cost_bands` gives the phases of each band, by its upper bound (excluded), in
    increasing order; a cost above the last band, or unknown, takes the plan's default phases.
    With TYPE, `by_type` gives the phases of each value of the column `type_column` (a header
    as written in the inventory); other values take the plan's default phases.
    """

    by: DefaultsBy = DefaultsBy.SAME
    cost_bands: tuple[tuple[float, Months], ...] = DEFAULT_COST_BANDS
    type_column: str | None = None
    by_type: tuple[tuple[str, Months], ...] = ()

    def __post_init__(self) -> None:
        bounds = [bound for bound, _ in self.cost_bands]
        if any(not (math.isfinite(b) and b > 0) for b in bounds) or bounds != sorted(set(bounds)):
            raise InvalidPlan("Les tranches de coût vont en croissant, chacune jusqu'à un montant positif.")
        for _, months in (*self.cost_bands, *self.by_type):
            if len(months) != 3 or min(months) < 1:
                raise InvalidPlan("Chaque phase dure au moins un mois.")
        if self.by is DefaultsBy.TYPE and not self.type_column:
            raise InvalidPlan("Choisissez la colonne qui donne le type de projet.")

    def band_text(self, index: int) -> str:
        """'coût inférieur à 10 000 €', 'coût de 10 000 € à 100 000 €', 'coût de 100 000 € ou plus'."""
        bounds = [bound for bound, _ in self.cost_bands]
        if index == 0:
            return f"coût inférieur à {format_euros(bounds[0])}"
        if index < len(bounds):
            return f"coût de {format_euros(bounds[index - 1])} à {format_euros(bounds[index])}"
        return f"coût de {format_euros(bounds[-1])} ou plus"


class DurationSource(Enum):
    PHASES = "phases de l'inventaire"
    COMPLETED = "phases de l'inventaire, complétées"
    TOTAL = "durée totale de l'inventaire, répartie comme les phases par défaut"
    DEFAULT = "par défaut"


@dataclass(frozen=True)
class ProjectDuration:
    id: str
    months: Months
    source: DurationSource
    rule: str = ""  # for defaults: which one ('coût inférieur à 10 000 €', 'type « Matériel »', 'tous')


@dataclass(frozen=True)
class DurationReport:
    """Each project's phases, where they come from, and what deserves a look."""

    defaults: DurationDefaults
    settings_phases: Months
    projects: tuple[ProjectDuration, ...]  # in the inventory's order
    problems: tuple[Problem, ...]  # contradictions and unusual lengths, located

    @property
    def months(self) -> list[Months]:
        """Each project's phases, in the inventory's order (a new list each call: read it once)."""
        return [project.months for project in self.projects]

    def invented(self) -> list[ProjectDuration]:
        """Projects whose phases are not all the inventory's (defaults, splits, completions)."""
        return [project for project in self.projects if project.source is not DurationSource.PHASES]

    def notes(self, shown: int = 8) -> list[str]:
        """One French sentence per rule applied: which projects, which default."""
        sentences = []
        for source in (DurationSource.DEFAULT, DurationSource.TOTAL, DurationSource.COMPLETED):
            groups: dict[tuple[str, Months], list[str]] = {}
            for project in self.projects:
                if project.source is source:
                    key = (project.rule, project.months if source is DurationSource.DEFAULT else (0, 0, 0))
                    groups.setdefault(key, []).append(project.id)
            for (rule, months), ids in groups.items():
                sentences.append(_note(source, rule, months, ids, shown))
        return sentences


def _note(source: DurationSource, rule: str, months: Months, ids: list[str], shown: int) -> str:
    listed = ", ".join(ids[:shown]) + (f" et {len(ids) - shown} autre(s)" if len(ids) > shown else "")
    count = f"{len(ids)} projet{'s' if len(ids) > 1 else ''}"
    if source is DurationSource.DEFAULT:
        phases = ", ".join(f"{name} {m}" for name, m in zip(PHASE_NAMES, months, strict=True))
        return (
            f"Durées par défaut ({rule}) pour {count} sans durée dans l'inventaire : "
            f"{phases} mois, soit {sum(months)} mois — {listed}."
        )
    if source is DurationSource.TOTAL:
        return (
            f"Durée totale de l'inventaire répartie entre les phases comme les durées par défaut "
            f"({rule}) pour {count} — {listed}."
        )
    return f"Phases manquantes complétées ({rule}) pour {count} — {listed}."


def default_phases(
    defaults: DurationDefaults, settings: PlanSettings, cost: float, kind: str
) -> tuple[Months, str]:
    """The default phases of one project and the rule that gave them, in French."""
    if defaults.by is DefaultsBy.COST and math.isfinite(cost):
        for index, (bound, months) in enumerate(defaults.cost_bands):
            if cost < bound:
                return months, defaults.band_text(index)
        return settings.phase_months, defaults.band_text(len(defaults.cost_bands))
    if defaults.by is DefaultsBy.TYPE:
        wanted = kind.strip().casefold()
        for name, months in defaults.by_type:
            if name.strip().casefold() == wanted and wanted:
                return months, f"type « {kind.strip()} »"
        rule = f"type « {kind.strip()} » sans durée choisie" if wanted else "sans type"
        return settings.phase_months, rule
    if defaults.by is DefaultsBy.COST:
        return settings.phase_months, "coût inconnu"
    return settings.phase_months, "les mêmes pour tous les projets"


def project_types(inventory: Inventory, column: str) -> list[str]:
    """The distinct values of the column `column` (a header as written), in order of appearance:
    the types a user gives durations to."""
    values = _column_text(inventory, column)
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))


def _column_text(inventory: Inventory, column: str) -> list[str]:
    headers = inventory.table.headers
    if column not in headers:
        raise InvalidPlan(f"L'inventaire n'a pas de colonne « {column} » pour le type de projet.")
    values = inventory.original.iloc[:, headers.index(column)]
    return ["" if value is None or value != value else str(value) for value in values]


def plan_durations(
    inventory: Inventory, settings: PlanSettings, defaults: DurationDefaults
) -> DurationReport:
    """Every project's phases, where they come from, and the warnings they deserve."""
    projects = inventory.projects
    phases = np.column_stack([projects[key].to_numpy(dtype=float) for key in PHASE_FIELDS])
    totals = projects["duration"].to_numpy(dtype=float)
    costs = projects["capex"].to_numpy(dtype=float)
    kinds = (
        _column_text(inventory, defaults.type_column)
        if defaults.by is DefaultsBy.TYPE and defaults.type_column
        else [""] * len(projects)
    )
    report = _Reporter(inventory)
    durations = []
    for i, (work_id, row) in enumerate(zip(projects["id"].tolist(), projects.index.tolist(), strict=True)):
        shape, rule = default_phases(defaults, settings, float(costs[i]), kinds[i])
        given = phases[i] >= 1  # NaN compares false
        total = float(totals[i]) if totals[i] >= 1 else None
        if given.all():
            months: Months = (round(phases[i][0]), round(phases[i][1]), round(phases[i][2]))
            source, rule = DurationSource.PHASES, ""
            if total is not None and abs(sum(months) - total) >= 1:
                report.contradiction(row, months, total)
        elif given.any():
            months = _completed(phases[i], given, total, shape)
            source = DurationSource.COMPLETED
            if total is not None and phases[i][given].sum() >= total:
                report.phases_exceed_total(row, float(phases[i][given].sum()), total)
        elif total is not None:
            months, source = split_like(total, shape), DurationSource.TOTAL
        else:
            months, source = shape, DurationSource.DEFAULT
        if given.any() or (total is not None and total > FAR_TOTAL):
            report.unusual(row, phases[i], given, total)
        durations.append(ProjectDuration(str(work_id), months, source, rule))
    return DurationReport(defaults, settings.phase_months, tuple(durations), tuple(report.problems))


def _completed(row: np.ndarray, given: np.ndarray, total: float | None, shape: Months) -> Months:
    """The phases given, the others from the total's remainder (split like `shape`) or `shape`."""
    months = [round(row[k]) if given[k] else shape[k] for k in range(3)]
    missing = [k for k in range(3) if not given[k]]
    if total is not None:
        left = total - sum(months[k] for k in range(3) if given[k])
        weights = sum(shape[k] for k in missing)
        for k in missing:
            months[k] = max(1, round(left * shape[k] / weights))
    return (months[0], months[1], months[2])


class _Reporter:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.problems: list[Problem] = []

    def _warn(self, message: str, row: int, field: str) -> None:
        header = self.inventory.header_of(field) or self.inventory.header_of("duration")
        self.problems.append(p.warning(message, sheet=self.inventory.table.sheet, row=row, column=header))

    def contradiction(self, row: int, months: Months, total: float) -> None:
        self._warn(
            f"durée totale de {format_plain(total)} mois, mais les phases font "
            f"{' + '.join(str(m) for m in months)} = {sum(months)} mois : le plan suit les phases. "
            "Corrigez l'une ou l'autre.",
            row,
            "duration",
        )

    def phases_exceed_total(self, row: int, given: float, total: float) -> None:
        self._warn(
            f"les phases renseignées font déjà {format_plain(given)} mois, autant ou plus que la durée "
            f"totale de {format_plain(total)} mois : les phases manquantes comptent un mois chacune. "
            "Corrigez l'une ou l'autre.",
            row,
            "duration",
        )

    def unusual(self, row: int, phases: np.ndarray, given: np.ndarray, total: float | None) -> None:
        for k in np.flatnonzero(given):
            usual, upper = USUAL[k]
            if phases[k] > 2 * upper:
                self._warn(
                    f"{PHASE_NAMES[k]} de {format_plain(float(phases[k]))} mois : d'ordinaire {usual}. "
                    "Vérifiez cette durée.",
                    row,
                    PHASE_FIELDS[k],
                )
        if total is not None and total > FAR_TOTAL:
            self._warn(
                f"durée de {format_plain(total)} mois : un projet dure d'ordinaire de quelques mois à "
                f"trois ans et demi (diagnostic 3 à 6 mois, pilote environ 12, déploiement jusqu'à 24). "
                "Vérifiez cette durée.",
                row,
                "duration",
            )


# ---------------------------------------------------------------------------------------
# Written as text, for the command line and the equivalent command (read back as written)


def parse_phases(text: str) -> Months:
    """'4/12/18' (or '4+12+18') → (4, 12, 18): diagnostic, pilot, deployment in months."""
    parts = [part.strip() for part in text.replace("+", "/").split("/")]
    if len(parts) != 3 or not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise InvalidPlan(
            f"« {text} » : écrivez les trois phases en mois, diagnostic/pilote/déploiement, ex. 4/12/18."
        )
    return (int(parts[0]), int(parts[1]), int(parts[2]))


def parse_cost_bands(text: str) -> tuple[tuple[float, Months], ...]:
    """'10000=1/1/2;100000=2/4/6' → the phases below each amount, in increasing order."""
    from prioritisation.french import parse_number

    bands = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        amount, equals, phases = item.partition("=")
        bound = parse_number(amount.strip())
        if not equals or bound is None:
            raise InvalidPlan(
                f"« {item} » : écrivez chaque tranche sous la forme MONTANT=PHASES, ex. 10000=1/1/2."
            )
        bands.append((bound, parse_phases(phases)))
    return tuple(bands)


def parse_type_durations(text: str) -> tuple[tuple[str, Months], ...]:
    """'Matériel=1/1/2;Réseau=3/9/24' → the phases of each project type, as written."""
    types = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, equals, phases = item.rpartition("=")
        if not equals or not name.strip():
            raise InvalidPlan(
                f"« {item} » : écrivez chaque type sous la forme TYPE=PHASES, ex. Matériel=1/1/2."
            )
        types.append((name.strip(), parse_phases(phases)))
    return tuple(types)


def phases_text(months: Months) -> str:
    return "/".join(str(m) for m in months)


def cost_bands_text(bands: tuple[tuple[float, Months], ...]) -> str:
    """The inverse of `parse_cost_bands`."""
    return ";".join(
        f"{format_plain(bound)}={phases_text(months)}".replace("\u202f", "") for bound, months in bands
    )


def type_durations_text(types: tuple[tuple[str, Months], ...]) -> str:
    """The inverse of `parse_type_durations` (a type's name may not hold « ; »)."""
    return ";".join(f"{name}={phases_text(months)}" for name, months in types)
