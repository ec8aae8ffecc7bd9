"""Each project's funding plan and the rules finance staff check (DESIGN.md §1).

The plan comes from the inventory's funding columns (FEDER, DSIL, DETR, other grants,
private partners, own funds); what they leave uncovered is paid from own funds. Checks:
own share at least 20 % of the public financing (CGCT L1111-10; private money is outside
that base; 30 % as an option; a per-project exemption for the legal exceptions), FEDER
within the share the region's category allows, funding above cost, and optional ceilings
per source, in total or per year. Rates are settings with the legal defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd

from prioritisation import problems as p
from prioritisation.french import format_euros, format_percent
from prioritisation.problems import Problem
from prioritisation.reading.fields import FIELDS_BY_KEY
from prioritisation.reading.inventory import Inventory

GRANTS = ("feder", "dsil", "detr", "other_grants")
SOURCES = (*GRANTS, "private", "own_funds")
SOURCE_LABELS = {
    "feder": "FEDER",
    "dsil": "DSIL",
    "detr": "DETR",
    "other_grants": "Autres subventions",
    "private": "Partenaires privés",
    "own_funds": "Autofinancement",
}
_YES = {"oui", "o", "x", "vrai", "yes", "1", "dérogation", "derogation", "exempté", "exempte"}


class RegionCategory(Enum):
    """FEDER 2021-2027: the highest share of eligible cost by category of region."""

    MORE_DEVELOPED = "plus développée"
    TRANSITION = "en transition"
    LESS_DEVELOPED = "moins développée"

    @property
    def feder_max_share(self) -> float:
        return {self.MORE_DEVELOPED: 0.50, self.TRANSITION: 0.70, self.LESS_DEVELOPED: 0.85}[self]


@dataclass(frozen=True)
class FundingRules:
    min_own_share: float = 0.20  # of the public financing (CGCT L1111-10); 0.30 in some cases
    region: RegionCategory = RegionCategory.MORE_DEVELOPED
    total_ceilings: tuple[tuple[str, float], ...] = ()  # (source, amount over the plan)
    yearly_ceilings: tuple[tuple[str, float], ...] = ()  # (source, amount each year)


@dataclass(frozen=True)
class FundingCheck:
    """One project's funding and whether it meets the rules."""

    cost: float
    amounts: dict[str, float]  # per source; own funds include what nothing else covers
    exempt: bool
    breaches: tuple[str, ...]  # of the co-financing rules (own share, FEDER cap)
    over_cost: float = 0.0  # funding beyond the cost (the inventory's own check reports it)

    @property
    def public(self) -> float:
        return self.cost - self.amounts["private"]

    @property
    def own_share(self) -> float:
        return self.amounts["own_funds"] / self.public if self.public > 0 else 1.0

    @property
    def problems(self) -> tuple[str, ...]:
        if self.over_cost <= 0.005:
            return self.breaches
        covered = self.cost + self.over_cost
        return (
            f"financements ({format_euros(covered)}) supérieurs au coût ({format_euros(self.cost)})",
            *self.breaches,
        )

    @property
    def compliant(self) -> bool:
        return not self.problems


def funding_plans(inventory: Inventory, rules: FundingRules) -> list[FundingCheck]:
    """Every project's funding plan and its breaches of the rules, in the inventory's order."""
    projects = inventory.projects
    cost = np.nan_to_num(projects["capex"].to_numpy(dtype=float))
    amounts = {source: np.nan_to_num(projects[source].to_numpy(dtype=float)) for source in SOURCES}
    covered = np.sum(list(amounts.values()), axis=0)
    amounts["own_funds"] = amounts["own_funds"] + np.clip(cost - covered, 0, None)  # uncovered: own funds
    exempt = np.array(
        [str(text).strip().lower() in _YES for text in projects["own_share_exempt"]], dtype=bool
    )
    public = cost - amounts["private"]
    short = (public > 0) & ~exempt & (amounts["own_funds"] + 0.005 < rules.min_own_share * public)
    feder_over = amounts["feder"] > rules.region.feder_max_share * cost + 0.005
    checks = []
    for i in range(len(projects)):
        breaches = []
        if short[i]:
            breaches.append(_own_share_breach(amounts["own_funds"][i], public[i], rules))
        if feder_over[i]:
            breaches.append(_feder_breach(amounts["feder"][i], cost[i], rules))
        checks.append(
            FundingCheck(
                float(cost[i]),
                {source: float(values[i]) for source, values in amounts.items()},
                bool(exempt[i]),
                tuple(breaches),
                max(0.0, float(covered[i] - cost[i])),
            )
        )
    return checks


def _own_share_breach(own: float, public: float, rules: FundingRules) -> str:
    return (
        f"autofinancement de {format_euros(own)}, soit {format_percent(own / public, 1)} du financement "
        f"public : il en faut {format_percent(rules.min_own_share)} au moins, "
        f"{format_euros(rules.min_own_share * public)} (CGCT L1111-10)"
    )


def _feder_breach(feder: float, cost: float, rules: FundingRules) -> str:
    return (
        f"FEDER de {format_euros(feder)} : au plus {format_percent(rules.region.feder_max_share)} du coût "
        f"en région {rules.region.value}, soit {format_euros(rules.region.feder_max_share * cost)}"
    )


def funding_problems(inventory: Inventory, checks: list[FundingCheck]) -> list[Problem]:
    """The rule breaches as warnings of the validation report, located on the project's row.

    Funding above cost is left out: the inventory's own check already reports it.
    """
    header = inventory.header_of("own_funds") or inventory.header_of("capex")
    return [
        p.warning(
            f"plan de financement : {breach}.", sheet=inventory.table.sheet, row=int(row), column=header
        )
        for row, check in zip(inventory.projects.index, checks, strict=True)
        for breach in check.breaches
    ]


def funding_by_year(
    checks: list[FundingCheck], capex_by_year: np.ndarray, years: tuple[int, ...]
) -> pd.DataFrame:
    """Année × source: each grant follows its project's spending, year by year."""
    shares = np.array([[c.amounts[s] / c.cost if c.cost > 0 else 0.0 for s in SOURCES] for c in checks])
    shares = shares.reshape(len(checks), len(SOURCES))
    by_year = capex_by_year.T @ shares  # years × sources
    return pd.DataFrame(
        by_year, index=pd.Index(years, name="Année"), columns=[SOURCE_LABELS[s] for s in SOURCES]
    )


def ceiling_breaches(by_year: pd.DataFrame, rules: FundingRules) -> list[str]:
    """Sources over their ceiling, in total or in a year."""
    found = []
    for source, ceiling in rules.total_ceilings:
        label = SOURCE_LABELS[source]
        total = float(by_year[label].sum())
        if total > ceiling + 0.005:
            found.append(f"{label} : {format_euros(total)} sur le plan, plafond {format_euros(ceiling)}")
    for source, ceiling in rules.yearly_ceilings:
        label = SOURCE_LABELS[source]
        for year, amount in by_year[label].items():
            if amount > ceiling + 0.005:
                found.append(
                    f"{label} {year} : {format_euros(float(amount))}, plafond annuel {format_euros(ceiling)}"
                )
    return found


def source_of(name: str) -> str | None:
    """'FEDER', 'feder', 'Autofinancement' → the source key."""
    plain = name.strip().lower()
    for key, label in SOURCE_LABELS.items():
        if plain in (key, label.lower(), FIELDS_BY_KEY[key].header.lower()):
            return key
    return None
