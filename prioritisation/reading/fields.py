"""The canonical fields of an inventory and how to recognise them in the user's own headers.

"URGENCE", "Urgence (1 à 5)", "Note d'urgence" all mean `urgency`; "Coût total HT",
"Montant (€)" mean `capex`. Headers are compared once normalised: lower case, no accents,
no bracketed units or scales, punctuation turned into spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "texte"
    SCORE = "note"
    AMOUNT = "montant"
    MONTHS = "mois"
    IDS = "identifiants"
    AXIS = "axe"


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # the template's header
    kind: Kind
    synonyms: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, self.key, *self.synonyms)


FUNDING_SOURCES: tuple[Field, ...] = (
    Field("feder", "FEDER (€)", Kind.AMOUNT, ("feder", "fonds europeens", "europe")),
    Field("dsil", "DSIL (€)", Kind.AMOUNT, ("dsil",)),
    Field("detr", "DETR (€)", Kind.AMOUNT, ("detr",)),
    Field(
        "other_grants",
        "Autres subventions (€)",
        Kind.AMOUNT,
        ("autres subventions", "autres financements publics", "autres aides", "subventions"),
    ),
    Field(
        "own_funds",
        "Autofinancement (€)",
        Kind.AMOUNT,
        ("autofinancement", "fonds propres", "part de la collectivite", "reste a charge"),
    ),
    Field(
        "private",
        "Partenaires privés (€)",
        Kind.AMOUNT,
        ("partenaires prives", "financement prive", "financements prives", "prive", "mecenat"),
    ),
)

FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        "Identifiant",
        Kind.TEXT,
        ("id", "ref", "reference", "code", "code projet", "n", "no", "numero", "num"),
    ),
    Field(
        "title",
        "Projet",
        Kind.TEXT,
        (
            "intitule",
            "intitule du projet",
            "libelle",
            "libelle du projet",
            "nom du projet",
            "nom",
            "titre",
            "projet numerique",
            "action",
            "intitule de l action",
        ),
    ),
    Field(
        "axis",
        "Axe stratégique",
        Kind.AXIS,
        ("axe", "axe strategique", "axe crte", "axe de la feuille de route", "thematique"),
    ),
    Field(
        "owner_service",
        "Service porteur",
        Kind.TEXT,
        ("service", "direction", "service pilote", "porteur", "direction porteuse"),
    ),
    Field("urgency", "Urgence", Kind.SCORE, ("note urgence", "note d urgence", "urgent")),
    Field("impact", "Impact", Kind.SCORE, ("note impact", "note d impact", "impact attendu")),
    Field(
        "feasibility",
        "Faisabilité",
        Kind.SCORE,
        ("note faisabilite", "note de faisabilite", "facilite de mise en oeuvre"),
    ),
    Field(
        "capex",
        "Coût d'investissement (€)",
        Kind.AMOUNT,
        (
            "cout d investissement",
            "cout",
            "cout total",
            "cout total ht",
            "cout ht",
            "cout total ttc",
            "cout estime",
            "montant",
            "montant ht",
            "montant total",
            "budget",
            "investissement",
            "cout du projet",
        ),
    ),
    Field(
        "opex",
        "Coût de fonctionnement annuel (€)",
        Kind.AMOUNT,
        (
            "cout de fonctionnement",
            "cout de fonctionnement annuel",
            "fonctionnement",
            "fonctionnement annuel",
            "cout annuel",
            "couts de fonctionnement",
            "depenses de fonctionnement",
        ),
    ),
    Field("duration", "Durée (mois)", Kind.MONTHS, ("duree", "duree en mois", "duree mois", "duree totale")),
    Field(
        "diagnostic_months",
        "Durée diagnostic (mois)",
        Kind.MONTHS,
        ("duree diagnostic", "duree du diagnostic", "duree cadrage", "duree diagnostic cadrage"),
    ),
    Field(
        "pilot_months",
        "Durée pilote (mois)",
        Kind.MONTHS,
        ("duree pilote", "duree du pilote", "duree experimentation"),
    ),
    Field(
        "deployment_months",
        "Durée déploiement (mois)",
        Kind.MONTHS,
        ("duree deploiement", "duree du deploiement", "duree montee en charge"),
    ),
    Field(
        "depends_on",
        "Dépendances",
        Kind.IDS,
        ("dependances", "dependance", "prerequis", "depend de", "predecesseurs", "projets prealables"),
    ),
    *FUNDING_SOURCES,
    Field(
        "kpi_indicator",
        "Indicateur",
        Kind.TEXT,
        ("indicateur", "kpi", "indicateur de suivi", "indicateur de resultat"),
    ),
    Field("kpi_target", "Valeur cible", Kind.TEXT, ("valeur cible", "cible", "objectif chiffre")),
    Field("kpi_deadline", "Échéance", Kind.TEXT, ("echeance", "date cible", "date d echeance")),
    Field(
        "own_share_exempt",
        "Dérogation part minimale",
        Kind.TEXT,
        ("derogation", "derogation part minimale", "derogation autofinancement", "exemption part minimale"),
    ),
    Field(
        "lead",
        "Responsable",
        Kind.TEXT,
        ("responsable", "chef de projet", "referent", "pilote", "responsable du projet"),
    ),
)

FIELDS_BY_KEY: dict[str, Field] = {field.key: field for field in FIELDS}
SCORE_FIELDS: tuple[str, ...] = ("urgency", "impact", "feasibility")
AMOUNT_FIELDS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.kind is Kind.AMOUNT)
FUNDING_FIELDS: tuple[str, ...] = tuple(f.key for f in FUNDING_SOURCES)

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_UNITS = re.compile(r"\b(en )?(euros?|eur|k€|€|mois)\b|€")


def normalise_header(text: object) -> str:
    """'Coût d’investissement (€)' → 'cout d investissement'; 'URGENCE (1 à 5)' → 'urgence'."""
    if text is None:
        return ""
    plain = unicodedata.normalize("NFKD", str(text).replace("œ", "oe").replace("Œ", "OE"))
    plain = "".join(char for char in plain if not unicodedata.combining(char)).lower()
    plain = _BRACKETS.sub(" ", plain)
    plain = _UNITS.sub(" ", plain)
    return " ".join(_NOT_WORD.sub(" ", plain).split())


_FIELD_BY_NAME: dict[str, str] = {
    normalise_header(name): field.key for field in FIELDS for name in field.names
}


def recognise(header: object) -> str | None:
    """The canonical field a header names, or None for a column we do not know."""
    return _FIELD_BY_NAME.get(normalise_header(header))


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (0-based position in the sheet) holds each canonical field."""

    positions: Mapping[str, int]
    notes: tuple[str, ...] = ()  # what the user should know about how headers were read

    def position(self, field: str) -> int | None:
        return self.positions.get(field)

    def field_at(self, position: int) -> str | None:
        return next((key for key, pos in self.positions.items() if pos == position), None)


class UnknownOverride(ValueError):
    """A --column FIELD=HEADER names a field or a header that does not exist."""


def map_columns(headers: Iterable[object], overrides: Mapping[str, str] | None = None) -> ColumnMapping:
    """Recognise canonical fields among `headers`; `overrides` maps field → header as written.

    The first column that names a field wins; a later one is kept as an ordinary column and
    a note says so. Raises UnknownOverride (French message) for an override that names an
    unknown field or a header absent from the file.
    """
    headers = list(headers)
    positions: dict[str, int] = {}
    notes: list[str] = []
    overridden = _apply_overrides(headers, overrides or {})
    taken = set(overridden.values())
    for position, header in enumerate(headers):
        if position in taken:
            continue
        field = recognise(header)
        if field is None or field in overridden:
            continue
        if field in positions:
            notes.append(
                f"La colonne « {header} » désigne aussi « {FIELDS_BY_KEY[field].header} » ; "
                f"c'est « {headers[positions[field]]} » qui est utilisée, l'autre est "
                "conservée telle quelle."
            )
            continue
        positions[field] = position
    positions.update(overridden)
    return ColumnMapping(positions, tuple(notes))


def with_choices(
    mapping: ColumnMapping, headers: Sequence[object], choices: Mapping[str, int | None]
) -> ColumnMapping:
    """`mapping` corrected by the user: field → column position, or None for "no column".

    A column holds one field: giving it to a field takes it from the one that had it, and a
    note says so.
    """
    positions = dict(mapping.positions)
    notes = list(mapping.notes)
    for field, position in choices.items():
        positions.pop(field, None)
        if position is None:
            continue
        previous = next((key for key, pos in positions.items() if pos == position), None)
        if previous is not None:
            del positions[previous]
            notes.append(
                f"La colonne « {headers[position]} » est lue comme « {FIELDS_BY_KEY[field].header} » ; "
                f"le champ « {FIELDS_BY_KEY[previous].header} » n'a plus de colonne."
            )
        positions[field] = position
    return ColumnMapping(positions, tuple(notes))


def _apply_overrides(headers: list[object], overrides: Mapping[str, str]) -> dict[str, int]:
    chosen: dict[str, int] = {}
    by_name = {normalise_header(header): pos for pos, header in reversed(list(enumerate(headers)))}
    exact = {str(header).strip(): pos for pos, header in reversed(list(enumerate(headers)))}
    for name, header in overrides.items():
        field = field_key(name)
        if field is None:
            known = ", ".join(field.key for field in FIELDS)
            raise UnknownOverride(f"Champ inconnu « {name} ». Champs possibles : {known}.")
        position = exact.get(header.strip(), by_name.get(normalise_header(header)))
        if position is None:
            raise UnknownOverride(f"Aucune colonne « {header} » dans la feuille (pour le champ « {name} »).")
        chosen[field] = position
    return chosen


def field_key(name: str) -> str | None:
    """A field named by its key ('capex') or any of its headers ('Coût total HT')."""
    if name in FIELDS_BY_KEY:
        return name
    return recognise(name)


AXES: tuple[str, ...] = (
    "Infrastructures d'accès au numérique",
    "Nouveaux modèles de développement territorial",
    "Services numériques innovants",
    "Usages numériques et inclusion",
    "Écosystèmes d'acteurs",
)
_AXIS_WORDS: tuple[tuple[str, ...], ...] = (
    ("infrastructure", "acces", "fibre", "couverture"),
    ("developpement territorial", "nouveaux modeles", "modeles de developpement"),
    ("services numeriques", "services innovants", "services"),
    ("usages", "inclusion", "mediation"),
    ("ecosysteme", "acteurs", "tiers lieux"),
)
_AXIS_NUMBER = re.compile(r"^(axe )?([1-5])\b")


def recognise_axis(text: object) -> str | None:
    """'Axe 3', '3', '3 - Services…', 'inclusion' → the axis label; None when unclear."""
    plain = normalise_header(text)
    if not plain:
        return None
    number = _AXIS_NUMBER.match(plain)
    if number:
        return AXES[int(number.group(2)) - 1]
    for label, words in zip(AXES, _AXIS_WORDS, strict=True):
        if normalise_header(label) == plain or any(word in plain for word in words):
            return label
    return None
