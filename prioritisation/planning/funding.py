"""Each project's funding plan and the rules finance staff check.

The plan comes from the inventory's funding columns (FEDER, DSIL, DETR, other grants,
private partners, own funds). What the plan counts always adds up to the project's cost,
because that is the money really spent: own funds are what remains once grants and
private money are counted, so what they leave uncovered is paid from own funds and an
excess declared comes off own funds first; grants and private money that alone exceed the
cost are an error for the user to correct, counted in proportion meanwhile (never as more
spending). Every change is said, located on the project's row.

Rules, each a setting with its legal default:
- own share at least 20 % of the public financing (CGCT L1111-10 III; private money is
  outside that base); 30 % for operations in a field led by a lead authority (CGCT
  L1111-9); none for the overseas collectivités that L1111-10 III names; a per-project
  exemption for the cases the article allows (urban renewal, protected monuments,
  disaster repair), with its reason;
- FEDER 2021-2027 within the rate of the region's category (Regulation (EU) 2021/1060,
  art. 112(3)); the Région sets each operation's rate, so an excess is to be checked with
  it, not an error;
- optional ceilings per source, in total or per year.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from prioritisation import problems as p
from prioritisation.french import format_euros, format_percent, parse_number
from prioritisation.planning.schedule import InvalidPlan
from prioritisation.problems import Problem
from prioritisation.reading.fields import FIELDS_BY_KEY
from prioritisation.reading.inventory import Inventory

GRANTS = ("feder", "dsil", "detr", "other_grants")
EXTERNAL = (*GRANTS, "private")  # money from others: what own funds complete up to the cost
SOURCES = (*EXTERNAL, "own_funds")
SOURCE_LABELS = {
    "feder": "FEDER",
    "dsil": "DSIL",
    "detr": "DETR",
    "other_grants": "Autres subventions",
    "private": "Partenaires privés",
    "own_funds": "Autofinancement",
}
_CENT = 0.005
# Grants are decided in whole euros: an own share up to half a euro short of the minimum is an
# 80 % grant rounded to the euro, not a breach (81 projects of the 2018 DGCL list); one euro
# short is a breach (docs/exemples-de-reference.md: 19 999 € with 80 001 € of grants is refused).
_ROUNDING = 0.5

GENERAL_OWN_SHARE = 0.20  # CGCT L1111-10 III
LEAD_AUTHORITY_OWN_SHARE = 0.30  # CGCT L1111-9: fields with a lead authority ("chef de file")
OVERSEAS = (
    "Guadeloupe, Guyane, Martinique, La Réunion, Mayotte, Saint-Barthélemy, Saint-Martin et "
    "Saint-Pierre-et-Miquelon"
)


class RegionCategory(Enum):
    """FEDER 2021-2027: the highest co-financing rate of a programme priority, by category of
    region (Regulation (EU) 2021/1060, art. 112(3)).

    The names MORE_DEVELOPED, TRANSITION and LESS_DEVELOPED keep the command line's earlier
    option values working (`--region transition`); their rates are the 2021-2027 ones.
    """

    MORE_DEVELOPED = "plus développée"
    MORE_DEVELOPED_FORMERLY_TRANSITION = "plus développée, en transition en 2014-2020"
    TRANSITION = "en transition"
    TRANSITION_FORMERLY_LESS_DEVELOPED = "en transition, moins développée en 2014-2020"
    LESS_DEVELOPED = "moins développée ou ultrapériphérique"

    @property
    def feder_max_share(self) -> float:
        return _FEDER_RATES[self]

    @property
    def option(self) -> str:
        """The command line's value: 'more-developed-formerly-transition'."""
        return self.name.lower().replace("_", "-")

    @property
    def label(self) -> str:
        """'Région plus développée : 40 % au plus', for lists and the workbook."""
        return f"Région {self.value} : {format_percent(self.feder_max_share)} au plus"


_FEDER_RATES = {
    RegionCategory.MORE_DEVELOPED: 0.40,
    RegionCategory.MORE_DEVELOPED_FORMERLY_TRANSITION: 0.50,
    RegionCategory.TRANSITION: 0.60,
    RegionCategory.TRANSITION_FORMERLY_LESS_DEVELOPED: 0.70,
    RegionCategory.LESS_DEVELOPED: 0.85,
}
_REGION_ALIASES = {
    "outermost": RegionCategory.LESS_DEVELOPED,
    "ultraperipherique": RegionCategory.LESS_DEVELOPED,
    "developpee": RegionCategory.MORE_DEVELOPED,
    "plus developpee": RegionCategory.MORE_DEVELOPED,
    "moins developpee": RegionCategory.LESS_DEVELOPED,
}


def parse_region(text: str) -> RegionCategory:
    """A region category from an option value ('more-developed', 'transition',
    'less-developed', 'outermost'…), its name or its French label; InvalidPlan otherwise."""
    plain = _plain(text).replace("_", " ").replace("-", " ")
    for category in RegionCategory:
        if plain in (category.option.replace("-", " "), _plain(category.value).replace("-", " ")):
            return category
    if plain in _REGION_ALIASES:
        return _REGION_ALIASES[plain]
    known = ", ".join(category.option for category in RegionCategory)
    raise InvalidPlan(f"« {text} » : catégorie de région inconnue. Valeurs possibles : {known}.")


def own_share_basis(share: float) -> str:
    """The legal basis of a minimum own share, for labels: 20 % is the general rule, 30 %
    the rule of operations in a field with a lead authority."""
    if math.isclose(share, GENERAL_OWN_SHARE):
        return "règle générale (CGCT L1111-10 III)"
    if math.isclose(share, LEAD_AUTHORITY_OWN_SHARE):
        return (
            "opération d'une compétence à chef de file, hors convention territoriale d'exercice "
            "concerté (CGCT L1111-9)"
        )
    return "taux choisi"


@dataclass(frozen=True)
class FundingRules:
    """The co-financing rules in force; every rate is a setting with its legal default."""

    min_own_share: float = GENERAL_OWN_SHARE  # of the public financing; 0.30 under CGCT L1111-9
    region: RegionCategory = RegionCategory.MORE_DEVELOPED
    total_ceilings: tuple[tuple[str, float], ...] = ()  # (source, amount over the plan)
    yearly_ceilings: tuple[tuple[str, float], ...] = ()  # (source, amount each year)
    feder_rate: float | None = None  # a rate the Région gave overrides its category's
    overseas: bool = False  # a collectivité L1111-10 III exempts: no minimum own share at all

    def __post_init__(self) -> None:
        if not 0 <= self.min_own_share <= 1:
            raise InvalidPlan("La part propre minimale est un pourcentage entre 0 et 100, ex. 20 ou 30.")
        if self.feder_rate is not None and not 0 < self.feder_rate <= 1:
            raise InvalidPlan("Le taux FEDER est un pourcentage supérieur à 0 et au plus 100, ex. 40.")
        for source, amount in (*self.total_ceilings, *self.yearly_ceilings):
            if source not in SOURCE_LABELS:
                raise InvalidPlan(f"Source de financement inconnue pour un plafond : « {source} ».")
            if not (math.isfinite(amount) and amount >= 0):
                raise InvalidPlan(f"Le plafond {SOURCE_LABELS[source]} est un montant positif ou nul.")

    @property
    def feder_max_share(self) -> float:
        return self.region.feder_max_share if self.feder_rate is None else self.feder_rate

    @property
    def feder_text(self) -> str:
        """'40 % au plus (région plus développée, Règlement (UE) 2021/1060, art. 112)'."""
        shown = format_percent(self.feder_max_share, 0 if self.feder_max_share * 100 % 1 == 0 else 1)
        if self.feder_rate is not None:
            return f"{shown} au plus (taux indiqué par la Région)"
        return f"{shown} au plus (région {self.region.value}, Règlement (UE) 2021/1060, art. 112)"

    @property
    def own_share_text(self) -> str:
        """'20 % du financement public (règle générale, CGCT L1111-10 III)', or the exemption."""
        if self.overseas:
            return f"aucune : collectivité d'outre-mer exemptée ({OVERSEAS} ; CGCT L1111-10 III)"
        return (
            f"{format_percent(self.min_own_share)} du financement public "
            f"({own_share_basis(self.min_own_share)})"
        )


# ---------------------------------------------------------------------------------------
# The exemption column: what people write


_YES = frozenset(
    {"oui", "o", "x", "vrai", "true", "yes", "y", "1", "derogation", "derog", "exempte", "exemptee",
     "exempt", "exemption", "dispense", "dispensee", "exoneration", "exonere", "exoneree"}
)  # fmt: skip
_NO = frozenset({"non", "n", "faux", "false", "no", "0", "aucune", "aucun", "sans", "na", "nr"})
# The cases CGCT L1111-10 III allows, as people name them.
_REASONS = (
    "monument", "patrimoine", "historique", "classe", "inscrit", "calamite", "catastrophe",
    "sinistre", "intemperie", "inondation", "tempete", "renouvellement urbain", "renovation urbaine",
    "anru", "npnru", "politique de la ville",
)  # fmt: skip


@dataclass(frozen=True)
class Exemption:
    """What a cell of the exemption column says: exempt or not, why, and whether we understood it."""

    exempt: bool
    reason: str = ""  # as the user wrote it ("monument historique"); "" when none is given
    understood: bool = True


def read_exemption(value: object) -> Exemption:
    """« Oui - monument historique », « oui (patrimoine) », « x », « true », « vrai »,
    « dérogation », « non », empty…: exempt or not, and the reason given.

    A reason that names one of the article's cases (« monument historique », « calamité »,
    « ANRU »…) is an exemption on its own; anything else we cannot read is `understood=False`,
    for a warning: the rule then applies.
    """
    if isinstance(value, bool | int | float) and not (isinstance(value, float) and math.isnan(value)):
        return Exemption(bool(value))
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
    words = re.findall(r"[a-z0-9]+", _plain(text))
    if not words:  # empty, or a dash that says "none"; any other sign is not understood
        return Exemption(False, text, understood=not text.strip("-–—/. "))
    if words[0] in _YES:
        return Exemption(True, _after_first_word(text))
    if words[0] in _NO:
        return Exemption(False)
    doubtful = "?" in text or bool(_DOUBT & set(words))  # « à voir (patrimoine ?) » decides nothing
    if not doubtful and any(reason in " ".join(words) for reason in _REASONS):
        return Exemption(True, text)
    return Exemption(False, text, understood=False)


_DOUBT = {"voir", "verifier", "peut", "incertain", "eventuel", "eventuelle", "probable", "possible"}


def _after_first_word(text: str) -> str:
    """'Oui - monument historique' → 'monument historique'; 'oui (patrimoine)' → 'patrimoine'."""
    match = re.match(r"\s*\w+", text)
    rest = (text[match.end() :] if match else "").strip().lstrip("-–—:;,./ ").strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    return rest


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


# ---------------------------------------------------------------------------------------
# Each project's funding


@dataclass(frozen=True)
class FundingCheck:
    """One project's funding as the plan counts it, what was changed to get there, and the rules."""

    cost: float
    amounts: dict[str, float]  # per source, as counted: they add up to the cost
    exempt: bool
    breaches: tuple[str, ...] = ()  # own share below the legal minimum
    declared: dict[str, float] = field(default_factory=dict)  # per source, as the inventory gives them
    adjustment: str = ""  # how the declared amounts were brought back to the cost
    over_funded: bool = False  # grants and private money alone exceed the cost: to correct
    to_check: tuple[str, ...] = ()  # FEDER above the rate of the region's category
    exemption: Exemption = Exemption(False)

    @property
    def public(self) -> float:
        return self.cost - self.amounts["private"]

    @property
    def own_share(self) -> float:
        return self.amounts["own_funds"] / self.public if self.public > 0 else 1.0

    @property
    def problems(self) -> tuple[str, ...]:
        """Everything to say about this funding plan, most serious first."""
        return tuple(text for text in (self.adjustment, *self.breaches, *self.to_check) if text)

    @property
    def compliant(self) -> bool:
        """No error to correct and no legal minimum missed (FEDER excesses are to check, not breaches)."""
        return not self.over_funded and not self.breaches

    @property
    def status(self) -> str:
        """« oui », « non », « à vérifier » or « dérogation (raison) », for a table's Conforme column."""
        if not self.compliant:
            return "non"
        if self.exempt:
            reason = self.exemption.reason
            return f"dérogation ({reason})" if reason else "dérogation"
        return "à vérifier" if self.to_check else "oui"


def funding_plans(inventory: Inventory, rules: FundingRules) -> list[FundingCheck]:
    """Every project's funding plan and its breaches of the rules, in the inventory's order."""
    projects = inventory.projects
    raw_cost = projects["capex"].to_numpy(dtype=float)
    known = ~np.isnan(raw_cost)
    cost = np.nan_to_num(raw_cost)
    declared = {source: np.nan_to_num(projects[source].to_numpy(dtype=float)) for source in SOURCES}
    external = np.sum([declared[source] for source in EXTERNAL], axis=0)
    over_funded = known & (external > cost + _CENT)
    counted = {source: values.copy() for source, values in declared.items()}
    if over_funded.any():  # grants and private money in proportion, up to the cost; no own funds
        ratio = np.divide(cost, external, out=np.zeros_like(cost), where=external > 0)
        for source in EXTERNAL:
            counted[source] = np.where(over_funded, declared[source] * ratio, declared[source])
    # Own funds complete the others up to the cost (an excess comes off them first).
    counted["own_funds"] = np.where(known, np.clip(cost - external, 0, None), declared["own_funds"])
    own_reduced = known & ~over_funded & (declared["own_funds"] > counted["own_funds"] + _CENT)
    exemptions = [read_exemption(text) for text in projects["own_share_exempt"]]
    exempt = np.array([rules.overseas or e.exempt for e in exemptions], dtype=bool)
    public = cost - counted["private"]
    short = known & (public > 0) & ~exempt & (counted["own_funds"] + _ROUNDING < rules.min_own_share * public)
    feder_over = known & (counted["feder"] > rules.feder_max_share * cost + _CENT)
    checks = []
    for i in range(len(projects)):
        adjustment = ""
        if over_funded[i]:
            adjustment = _over_funded_text(declared, i, cost[i])
        elif own_reduced[i]:
            adjustment = _own_funds_reduced_text(declared, counted, i, cost[i])
        checks.append(
            FundingCheck(
                cost=float(cost[i]),
                amounts={source: float(values[i]) for source, values in counted.items()},
                exempt=bool(exempt[i]),
                breaches=(_own_share_breach(counted["own_funds"][i], public[i], rules),) if short[i] else (),
                declared={source: float(values[i]) for source, values in declared.items()},
                adjustment=adjustment,
                over_funded=bool(over_funded[i]),
                to_check=(_feder_to_check(counted["feder"][i], cost[i], rules),) if feder_over[i] else (),
                exemption=exemptions[i],
            )
        )
    return checks


def _over_funded_text(declared: dict[str, np.ndarray], i: int, cost: float) -> str:
    given = [f"{SOURCE_LABELS[s]} {format_euros(declared[s][i])}" for s in EXTERNAL if declared[s][i] > 0]
    total = sum(declared[s][i] for s in EXTERNAL)
    return (
        f"les subventions et apports privés ({', '.join(given)} : {format_euros(total)}) dépassent à eux "
        f"seuls le coût ({format_euros(cost)}) : corrigez le plan de financement ; en attendant, le budget "
        f"les compte au prorata, pour {format_euros(cost)} au total, sans autofinancement"
    )


def _own_funds_reduced_text(
    declared: dict[str, np.ndarray], counted: dict[str, np.ndarray], i: int, cost: float
) -> str:
    total = sum(declared[s][i] for s in SOURCES)
    return (
        f"autofinancement compté {format_euros(counted['own_funds'][i])} au lieu des "
        f"{format_euros(declared['own_funds'][i])} déclarés : les financements ({format_euros(total)}) "
        f"dépassent le coût ({format_euros(cost)}), l'excédent est retiré de l'autofinancement"
    )


def _own_share_breach(own: float, public: float, rules: FundingRules) -> str:
    return (
        f"autofinancement de {format_euros(own)}, soit {format_percent(own / public, 1)} du financement "
        f"public : il en faut {format_percent(rules.min_own_share)} au moins, "
        f"{format_euros(rules.min_own_share * public)} ({own_share_basis(rules.min_own_share)})"
    )


def _feder_to_check(feder: float, cost: float, rules: FundingRules) -> str:
    return (
        f"FEDER de {format_euros(feder)}, soit {format_percent(feder / cost, 1)} du coût : au-delà de "
        f"{rules.feder_text}, soit {format_euros(rules.feder_max_share * cost)} ; à vérifier avec la "
        "Région, qui fixe le taux de chaque opération"
    )


def funding_problems(inventory: Inventory, checks: list[FundingCheck]) -> list[Problem]:
    """What the validation report says of each funding plan, located on the project's row:
    grants above the cost (an error to correct), what was adjusted, the own-share breaches,
    the FEDER rates to check with the Région, and the exemptions (their reason, or a cell we
    could not read)."""
    sheet = inventory.table.sheet
    cost_header = inventory.header_of("capex")
    own_header = inventory.header_of("own_funds") or cost_header
    exempt_header = inventory.header_of("own_share_exempt")
    found = []
    for row, check in zip(inventory.projects.index, checks, strict=True):
        located = {"sheet": sheet, "row": int(row)}
        if check.over_funded:
            largest = max(EXTERNAL, key=lambda source: check.declared.get(source, 0.0))
            column = inventory.header_of(largest) or cost_header
            found.append(
                p.error(
                    f"plan de financement : {check.adjustment}.", **located, column=column, code="over_funded"
                )
            )
        elif check.adjustment:
            text = f"plan de financement : {check.adjustment}."
            found.append(p.warning(text, **located, column=own_header, code="funding_adjusted"))
        found += [
            p.warning(
                f"plan de financement : {breach}.", **located, column=own_header, code="own_share_short"
            )
            for breach in check.breaches
        ]
        feder_header = inventory.header_of("feder") or cost_header
        found += [
            p.warning(f"plan de financement : {text}.", **located, column=feder_header, code="feder_to_check")
            for text in check.to_check
        ]
        found += _exemption_problems(check.exemption, located, exempt_header)
    return found


def _exemption_problems(exemption: Exemption, located: dict[str, Any], header: str | None) -> list[Problem]:
    if not exemption.understood:
        return [
            p.warning(
                f"« {exemption.reason} » : dérogation à la part propre minimale non comprise ; la règle "
                "s'applique. Écrivez « oui » suivi de la raison (ex. « oui - monument historique ») "
                "ou « non ».",
                **located,
                column=header,
                code="exemption_unclear",
            )
        ]
    if exemption.exempt:
        reason = f" ({exemption.reason})" if exemption.reason else " (raison non précisée)"
        return [
            p.warning(
                f"dérogation à la part propre minimale{reason} : la règle n'est pas appliquée à ce projet ; "
                "gardez la décision qui la justifie (CGCT L1111-10 III).",
                **located,
                column=header,
                code="exemption",
            )
        ]
    return []


def funding_by_year(
    checks: list[FundingCheck], capex_by_year: np.ndarray, years: tuple[int, ...]
) -> pd.DataFrame:
    """Année × source: each source follows its project's spending, year by year.

    The amounts counted add up to each project's cost, so the sources of a year add up to
    what the plan spends that year.
    """
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
        if total > ceiling + _CENT:
            found.append(f"{label} : {format_euros(total)} sur le plan, plafond {format_euros(ceiling)}")
    for source, ceiling in rules.yearly_ceilings:
        label = SOURCE_LABELS[source]
        for year, amount in by_year[label].items():
            if amount > ceiling + _CENT:
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


def parse_percent(text: str, what: str = "Le taux") -> float:
    """'40', '40 %', '37,5' → 0.4, 0.375: a percentage between 0 and 100; InvalidPlan otherwise."""
    number = parse_number(text.replace("%", "").strip())
    if number is None or not 0 <= number <= 100:
        raise InvalidPlan(f"{what} : « {text} » n'est pas un pourcentage entre 0 et 100 (ex. 40).")
    return number / 100
