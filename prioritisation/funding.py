"""Each project's funding plan and the rules finance staff check (DESIGN.md §1).

The plan comes from the inventory's funding columns (FEDER, DSIL, DETR, other grants,
private partners, own funds); what they leave uncovered is paid from own funds. Checks:
own share at least 20 % of the public financing (CGCT L1111-10; private money is outside
that base; 30 % as an option; a per-project exemption for the legal exceptions), FEDER
within the share the region's category allows, funding above cost, and optional ceilings
per source, in total or per year. Rates are settings with the legal defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd

from prioritisation import problems as p
from prioritisation.fields import FIELDS_BY_KEY
from prioritisation.french import format_euros, format_percent
from prioritisation.inventory import Inventory
from prioritisation.problems import Problem

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
    problems: tuple[str, ...]

    @property
    def public(self) -> float:
        return self.cost - self.amounts["private"]

    @property
    def own_share(self) -> float:
        return self.amounts["own_funds"] / self.public if self.public > 0 else 1.0

    @property
    def compliant(self) -> bool:
        return not self.problems


def funding_plans(inventory: Inventory, rules: FundingRules) -> list[FundingCheck]:
    """Every project's funding plan and its breaches of the rules, in the inventory's order."""
    projects = inventory.projects
    exempt_column = projects.get("own_share_exempt")
    checks = []
    for position in range(len(projects)):
        row = projects.iloc[position]
        cost = _amount(row["capex"])
        amounts = {source: _amount(row[source]) for source in SOURCES}
        covered = sum(amounts.values())
        if cost > covered:
            amounts["own_funds"] += cost - covered  # what is not covered is own funds
        exempt = exempt_column is not None and str(exempt_column.iloc[position]).strip().lower() in _YES
        checks.append(
            FundingCheck(cost, amounts, exempt, tuple(_breaches(cost, amounts, covered, exempt, rules)))
        )
    return checks


def _amount(value: object) -> float:
    number = float(value) if value is not None else math.nan  # type: ignore[arg-type]
    return 0.0 if math.isnan(number) else number


def _breaches(
    cost: float, amounts: dict[str, float], covered: float, exempt: bool, rules: FundingRules
) -> list[str]:
    found = []
    if covered > cost + 0.005:
        found.append(f"financements ({format_euros(covered)}) supérieurs au coût ({format_euros(cost)})")
    public = cost - amounts["private"]
    required = rules.min_own_share * public
    if public > 0 and not exempt and amounts["own_funds"] + 0.005 < required:
        found.append(
            f"autofinancement de {format_euros(amounts['own_funds'])}, soit "
            f"{format_percent(amounts['own_funds'] / public, 1)} du financement public : il en faut "
            f"{format_percent(rules.min_own_share)} au moins, {format_euros(required)} (CGCT L1111-10)"
        )
    feder_max = rules.region.feder_max_share * cost
    if amounts["feder"] > feder_max + 0.005:
        found.append(
            f"FEDER de {format_euros(amounts['feder'])} : au plus "
            f"{format_percent(rules.region.feder_max_share)} du coût en région {rules.region.value}, "
            f"soit {format_euros(feder_max)}"
        )
    return found


def funding_problems(inventory: Inventory, checks: list[FundingCheck]) -> list[Problem]:
    """The breaches as warnings of the validation report, located on the project's row."""
    header = inventory.header_of("own_funds") or inventory.header_of("capex")
    return [
        p.warning(
            f"plan de financement : {breach}.", sheet=inventory.table.sheet, row=int(row), column=header
        )
        for row, check in zip(inventory.projects.index, checks, strict=True)
        for breach in check.problems
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
