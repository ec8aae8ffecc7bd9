"""The canonical fields of an inventory and how to recognise them in the user's own headers.

"URGENCE", "Niveau d'urgence (1 à 5)", "Note d'urgence" all mean `urgency`; "Coût total HT",
"Budget estimé (€ TTC)", "COUT" mean `capex`. Each field says how people name it and which
qualifiers may come with the name; `headers.read_header` weighs a header against them all
(docs/colonnes.md). Only a header that one field explains better than any other is mapped;
one that could mean several, or that holds a word we cannot place, is left to the user and
recorded as an ambiguity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from prioritisation.reading.headers import STRONG, HeaderReading, Meaning, fold, header_words, read_header


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
    meaning: Meaning = field(default_factory=lambda: Meaning((), frozenset()))


_MONEY = (
    "€ k€ m€ ht ttc total global prévisionnel estimé estimatif estimation prévu initial montant financier"
)
_GRANT = (
    f"{_MONEY} sollicité demandé attribué accordé notifié obtenu acquis envisagé attendu retenu mobilisé "
    "2024 investissement public subvention aide dotation participation financement part crédits"
)
_SCORE = "note niveau degré score cotation évaluation 1-5 critère indice estimé global priorité"
_MONTHS = "mois (ans) prévisionnel estimé prévu total global réalisation mise œuvre exécution travaux phase"

_OTHER_FUNDERS = (
    "région",
    "régional",
    "département",
    "départemental",
    "conseil régional",
    "conseil départemental",
    "conseil général",
    "état",
    "caf",
    "anct",
    "agence de l'eau",
    "banque des territoires",
    "France Relance",
    "plan de relance",
    "leader",
)
_GRANT_WORDS = (
    "subvention",
    "aide",
    "participation",
    "financement",
    "cofinancement",
    "contribution",
    "fonds",
)


def _other_grant_names() -> tuple[str, ...]:
    named = ("DSID", "FNADT", "ADEME", "FSE", "FEADER")
    by_funder = tuple(f"{word} {funder}" for funder in _OTHER_FUNDERS for word in _GRANT_WORDS)
    in_euros = tuple(f"{funder} €" for funder in _OTHER_FUNDERS)
    others = tuple(f"autres {word}" for word in ("subventions", "financements", "aides", "financeurs"))
    return (*named, *by_funder, *in_euros, *others, "autres cofinancements")


FUNDING_SOURCES: tuple[Field, ...] = (
    Field(
        "feder",
        "FEDER (€)",
        Kind.AMOUNT,
        Meaning.of(
            strong=("FEDER", "fonds européens", "fonds européen de développement régional"),
            weak=("Europe", "Union européenne"),
            qualifiers=f"{_GRANT} fonds européen développement régional programme",
        ),
    ),
    Field(
        "dsil",
        "DSIL (€)",
        Kind.AMOUNT,
        Meaning.of(
            strong=("DSIL", "soutien à l'investissement local"),
            qualifiers=f"{_GRANT} exceptionnelle",
        ),
    ),
    Field(
        "detr",
        "DETR (€)",
        Kind.AMOUNT,
        Meaning.of(strong=("DETR", "équipement des territoires ruraux"), qualifiers=_GRANT),
    ),
    Field(
        "other_grants",
        "Autres subventions (€)",
        Kind.AMOUNT,
        Meaning.of(
            strong=_other_grant_names(),
            qualifiers=f"{_GRANT} autres publics conseil général régional départemental",
        ),
    ),
    Field(
        "own_funds",
        "Autofinancement (€)",
        Kind.AMOUNT,
        Meaning.of(
            strong=(
                "autofinancement",
                "fonds propres",
                "reste à charge",
                "part communale",
                "part commune",
                "part collectivité",
                "part intercommunale",
                "part communautaire",
                "part EPCI",
                "part ville",
                "part propre",
                "part maître d'ouvrage",
                "apport propre",
                "financement propre",
                "participation communale",
            ),
            qualifiers=f"{_MONEY} commune communal collectivité ville EPCI maître ouvrage MOA net",
        ),
    ),
    Field(
        "private",
        "Partenaires privés (€)",
        Kind.AMOUNT,
        Meaning.of(
            strong=("privé", "mécénat", "partenaires privés", "financement privé"),
            qualifiers=f"{_MONEY} partenaire financement participation apport fonds contribution sponsor "
            "sponsoring",
        ),
    ),
)

# Columns of grant lists (issue 8.3): the amount of a grant, and the scheme it comes from
# in another column (« DETR », « DSIL », « DSID »…). Not in the template, which has one
# column per source; read row by row into the right source (see grants.py).
GRANT_FIELDS: tuple[Field, ...] = (
    Field(
        "grant_amount",
        "Subvention (€)",
        Kind.AMOUNT,
        Meaning.of(
            strong=(
                "subvention",
                "montant aide",
                "montant dotation",
                "dotation €",
                "dotation attribuée",
                "dotation sollicitée",
                "dotation accordée",
                "montant sollicité",
                "montant demandé",
                "montant attribué",
                "montant accordé",
                "montant notifié",
                "montant obtenu",
                "aide sollicitée",
                "aide demandée",
                "aide attribuée",
                "financement sollicité",
            ),
            weak=("aide", "sub"),
            qualifiers=_GRANT,
        ),
    ),
    Field(
        "grant_scheme",
        "Dispositif",
        Kind.TEXT,
        Meaning.of(
            strong=(
                "dispositif",
                "DOT",
                "financeur",
                "type de dotation",
                "type de subvention",
                "type d'aide",
                "type de financement",
                "nature de l'aide",
                "nature de la dotation",
                "source de financement",
                "origine du financement",
                "organisme financeur",
                "fonds sollicité",
                "nom de la dotation",
                "nom du dispositif",
                "programme de financement",
                "ligne de financement",
                "dispositif de financement",
            ),
            weak=("dotation",),
            qualifiers="type nom nature sollicité mobilisé envisagé retenu financement aide subvention "
            "organisme principal",
        ),
    ),
)

FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        "Identifiant",
        Kind.TEXT,
        Meaning.of(
            weak=("identifiant", "id", "réf", "référence", "code", "numéro", "n°", "no", "num"),
            qualifiers="ordre interne unique",
        ),
    ),
    Field(
        "title",
        "Projet",
        Kind.TEXT,
        Meaning.of(
            strong=(
                "intitulé",
                "libellé",
                "désignation",
                "titre",
                "nom du projet",
                "nom de l'action",
                "nom de l'opération",
                "objet de l'opération",
                "objet de la demande",
                "objet du projet",
                "nature de l'opération",
                "nature du projet",
                "nature des travaux",
            ),
            weak=("projet", "nom", "action", "opération", "objet"),
            faint=("description", "descriptif"),
            qualifiers="court long complet détaillé succinct numérique résumé abrégé demande",
        ),
    ),
    Field(
        "axis",
        "Axe stratégique",
        Kind.AXIS,
        Meaning.of(
            strong=("axe", "axe stratégique", "thématique", "orientation stratégique"),
            weak=("thème",),
            qualifiers="stratégique CRTE feuille route schéma directeur principal numérique prioritaire "
            "intervention",
        ),
    ),
    Field(
        "owner_service",
        "Service porteur",
        Kind.TEXT,
        Meaning.of(
            strong=("service", "direction", "pôle", "direction métier", "service porteur", "owner service"),
            weak=("porteur",),
            qualifiers="porteur pilote responsable concerné gestionnaire référent métier demandeur "
            "opérationnel général principal",
        ),
    ),
    Field(
        "urgency",
        "Urgence",
        Kind.SCORE,
        Meaning.of(strong=("urgence", "urgent", "urgency"), qualifiers=_SCORE),
    ),
    Field(
        "impact",
        "Impact",
        Kind.SCORE,
        Meaning.of(
            strong=("impact",),
            qualifiers=f"{_SCORE} attendu usagers citoyens service rendu public potentiel stratégique "
            "politique territorial habitants",
        ),
    ),
    Field(
        "feasibility",
        "Faisabilité",
        Kind.SCORE,
        Meaning.of(
            strong=("faisabilité", "facilité de mise en œuvre", "feasibility"),
            qualifiers=f"{_SCORE} technique financière organisationnelle opérationnelle juridique humaine",
        ),
    ),
    Field(
        "capex",
        "Coût d'investissement (€)",
        Kind.AMOUNT,
        Meaning.of(
            strong=("coût", "budget", "investissement", "dépenses d'investissement", "chiffrage", "capex"),
            weak=("montant", "estimation", "prix", "dépense"),
            qualifiers=f"{_MONEY} investissement travaux dépense achat acquisition",
        ),
    ),
    Field(
        "opex",
        "Coût de fonctionnement annuel (€)",
        Kind.AMOUNT,
        Meaning.of(
            strong=(
                "fonctionnement",
                "exploitation",
                "maintenance",
                "récurrent",
                "coût annuel",
                "montant annuel",
                "budget annuel",
                "dépense annuelle",
                "coût par an",
                "opex",
            ),
            weak=("abonnement",),
            qualifiers=f"{_MONEY} coût annuel budget dépense frais charges €/an récurrent licence",
        ),
    ),
    Field(
        "duration",
        "Durée (mois)",
        Kind.MONTHS,
        Meaning.of(strong=("durée", "duration"), weak=("délai",), qualifiers=_MONTHS),
    ),
    Field(
        "diagnostic_months",
        "Durée diagnostic (mois)",
        Kind.MONTHS,
        Meaning.of(
            strong=("durée diagnostic", "durée cadrage", "durée étude", "diagnostic mois", "cadrage mois"),
            qualifiers=f"{_MONTHS} diagnostic cadrage étude",
        ),
    ),
    Field(
        "pilot_months",
        "Durée pilote (mois)",
        Kind.MONTHS,
        Meaning.of(
            strong=("durée pilote", "durée expérimentation", "pilote mois", "expérimentation mois"),
            qualifiers=f"{_MONTHS} pilote expérimentation",
        ),
    ),
    Field(
        "deployment_months",
        "Durée déploiement (mois)",
        Kind.MONTHS,
        Meaning.of(
            strong=(
                "durée déploiement",
                "durée généralisation",
                "durée montée en charge",
                "déploiement mois",
            ),
            qualifiers=f"{_MONTHS} déploiement généralisation montée charge",
        ),
    ),
    Field(
        "depends_on",
        "Dépendances",
        Kind.IDS,
        Meaning.of(
            strong=(
                "dépendances",
                "prérequis",
                "dépend",
                "prédécesseurs",
                "projets préalables",
                "depends on",
            ),
            qualifiers="projets amont techniques",
        ),
    ),
    *FUNDING_SOURCES,
    Field(
        "kpi_indicator",
        "Indicateur",
        Kind.TEXT,
        Meaning.of(
            strong=("indicateur", "KPI"),
            qualifiers="suivi résultat réalisation performance réussite évaluation impact clé principal "
            "mesure",
        ),
    ),
    Field(
        "kpi_target",
        "Valeur cible",
        Kind.TEXT,
        Meaning.of(
            strong=("valeur cible", "objectif chiffré", "objectif quantifié", "kpi target"),
            weak=("cible",),
            qualifiers="valeur atteindre 2024 indicateur visée",
        ),
    ),
    Field(
        "kpi_deadline",
        "Échéance",
        Kind.TEXT,
        Meaning.of(
            strong=("échéance", "date cible", "date d'échéance", "kpi deadline"),
            qualifiers="date souhaitée prévue prévisionnelle cible indicateur objectif",
        ),
    ),
    Field(
        "own_share_exempt",
        "Dérogation part minimale",
        Kind.TEXT,
        Meaning.of(
            strong=("dérogation", "exemption part minimale", "own share exempt"),
            qualifiers="part minimale autofinancement",
        ),
    ),
    Field(
        "lead",
        "Responsable",
        Kind.TEXT,
        Meaning.of(
            strong=("responsable", "chef de projet", "référent", "nom du responsable", "lead"),
            weak=("pilote", "interlocuteur"),
            qualifiers="projet nom technique fonctionnel principal opérationnel métier",
        ),
    ),
)

ALL_FIELDS: tuple[Field, ...] = (*FIELDS, *GRANT_FIELDS)  # FIELDS are the template's columns
FIELDS_BY_KEY: dict[str, Field] = {field.key: field for field in ALL_FIELDS}
SCORE_FIELDS: tuple[str, ...] = ("urgency", "impact", "feasibility")
AMOUNT_FIELDS: tuple[str, ...] = tuple(f.key for f in ALL_FIELDS if f.kind is Kind.AMOUNT)
FUNDING_FIELDS: tuple[str, ...] = tuple(f.key for f in FUNDING_SOURCES)


def _meaning(spec: Field) -> Meaning:
    """The field's meaning, also named by its key and its template header.

    Those weigh what the same words weigh among its names (« Identifiant » stays a weak name,
    as « Projet » does), or count as strong names when they are not among them.
    """
    own = tuple(header_words(name) for name in (spec.key, spec.header))
    names = tuple((words, spec.meaning.strength(words) or STRONG) for words in own)
    return spec.meaning.joined(Meaning(names, frozenset()))


_MEANINGS: dict[str, Meaning] = {spec.key: _meaning(spec) for spec in ALL_FIELDS}

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_UNITS = re.compile(r"\b(en )?(euros?|eur|k€|€|mois)\b|€")


def normalise_header(text: object) -> str:
    """'Coût d’investissement (€)' → 'cout d investissement'; 'URGENCE (1 à 5)' → 'urgence'.

    How a header the user typed is compared with one of the file (criteria, overrides).
    """
    plain = _BRACKETS.sub(" ", fold(text))
    plain = _UNITS.sub(" ", plain)
    return " ".join(_NOT_WORD.sub(" ", plain).split())


@lru_cache(maxsize=8192)
def _reading(header: str) -> HeaderReading:
    return read_header(header, _MEANINGS)


def reading(header: object) -> HeaderReading:
    """What `header` was found to mean (the field, or the candidates when unsure)."""
    return _reading(header if isinstance(header, str) else _text(header))


def recognise(header: object) -> str | None:
    """The canonical field a header names, or None for a column we do not know or are unsure of."""
    return reading(header).field


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Ambiguity:
    """A column left unmapped because its header may mean several fields, or one we are unsure of."""

    position: int  # 0-based column of the sheet
    header: str  # as written
    candidates: tuple[str, ...]  # field keys, most likely first

    def __post_init__(self) -> None:
        if not self.candidates:
            raise ValueError("Une ambiguïté propose au moins un champ.")

    def __str__(self) -> str:
        names = " ou ".join(f"« {FIELDS_BY_KEY[key].header} »" for key in self.candidates)
        if len(self.candidates) == 1:
            return (
                f"La colonne « {self.header} » pourrait être {names} : elle n'est pas rattachée, "
                "faute de certitude. Rattachez-la si c'est le cas."
            )
        return (
            f"La colonne « {self.header} » peut désigner {names} : elle n'est pas rattachée. "
            "Indiquez le champ qu'elle contient."
        )


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (0-based position in the sheet) holds each canonical field."""

    positions: Mapping[str, int]
    notes: tuple[str, ...] = ()  # what the user should know about how headers were read
    ambiguities: tuple[Ambiguity, ...] = ()  # columns we could not decide on, for the user

    def position(self, field: str) -> int | None:
        return self.positions.get(field)

    def field_at(self, position: int) -> str | None:
        return next((key for key, pos in self.positions.items() if pos == position), None)


class UnknownOverride(ValueError):
    """A column choice (field → header) names a field or a header that does not exist."""


def map_columns(headers: Iterable[object], overrides: Mapping[str, str] | None = None) -> ColumnMapping:
    """Recognise canonical fields among `headers`; `overrides` maps field → header as written.

    When several columns mean one field, the one that says it most plainly wins (« Coût
    total » before « Montant », « Intitulé » before « Description »; the first on a tie); the
    others are kept as ordinary columns and a note says so. Raises UnknownOverride (French
    message) for an override that names an unknown field or a header absent from the file.
    """
    headers = list(headers)
    overridden = _apply_overrides(headers, overrides or {})
    taken = set(overridden.values())
    found: dict[str, list[tuple[float, int]]] = {}
    unsure: list[Ambiguity] = []
    for position, header in enumerate(headers):
        if position in taken:
            continue
        read = reading(header)
        if read.field is not None and read.field not in overridden:
            found.setdefault(read.field, []).append((read.score, position))
        elif read.field is None and read.candidates:
            unsure.append(Ambiguity(position, _text(header), read.candidates))
    positions: dict[str, int] = {}
    notes: list[str] = []
    for key, columns in found.items():
        best = max(columns, key=lambda column: (column[0], -column[1]))[1]
        positions[key] = best
        for _, position in sorted(columns, key=lambda column: column[1]):
            if position != best:
                notes.append(
                    f"La colonne « {headers[position]} » désigne aussi « {FIELDS_BY_KEY[key].header} » ; "
                    f"c'est « {headers[best]} » qui est utilisée, l'autre est conservée telle quelle."
                )
    positions.update(overridden)
    positions = dict(sorted(positions.items(), key=lambda item: item[1]))
    return ColumnMapping(positions, tuple(notes), _open(unsure, positions))


def _open(ambiguities: Iterable[Ambiguity], positions: Mapping[str, int]) -> tuple[Ambiguity, ...]:
    """The ambiguities still to settle: columns not mapped, candidates not mapped elsewhere."""
    used = set(positions.values())
    still = []
    for ambiguity in ambiguities:
        candidates = tuple(key for key in ambiguity.candidates if key not in positions)
        if ambiguity.position not in used and candidates:
            still.append(Ambiguity(ambiguity.position, ambiguity.header, candidates))
    return tuple(still)


def with_choices(
    mapping: ColumnMapping, headers: Sequence[object], choices: Mapping[str, int | None]
) -> ColumnMapping:
    """`mapping` corrected by the user: field → column position, or None for "no column".

    A column holds one field: giving it to a field takes it from the one that had it, and a
    note says so. An ambiguity the choices settle is dropped.
    """
    positions = dict(mapping.positions)
    notes = list(mapping.notes)
    for field_name, position in choices.items():
        positions.pop(field_name, None)
        if position is None:
            continue
        previous = next((key for key, pos in positions.items() if pos == position), None)
        if previous is not None:
            del positions[previous]
            notes.append(
                f"La colonne « {headers[position]} » est lue comme « {FIELDS_BY_KEY[field_name].header} » ; "
                f"le champ « {FIELDS_BY_KEY[previous].header} » n'a plus de colonne."
            )
        positions[field_name] = position
    return ColumnMapping(positions, tuple(notes), _open(mapping.ambiguities, positions))


def _apply_overrides(headers: list[object], overrides: Mapping[str, str]) -> dict[str, int]:
    chosen: dict[str, int] = {}
    by_name = {normalise_header(header): pos for pos, header in reversed(list(enumerate(headers)))}
    exact = {str(header).strip(): pos for pos, header in reversed(list(enumerate(headers)))}
    for name, header in overrides.items():
        key = chosen_field(name)
        if key is None:
            known = ", ".join(spec.key for spec in ALL_FIELDS)
            raise UnknownOverride(f"Champ inconnu « {name} ». Champs possibles : {known}.")
        position = exact.get(header.strip(), by_name.get(normalise_header(header)))
        if position is None:
            raise UnknownOverride(f"Aucune colonne « {header} » dans la feuille (pour le champ « {name} »).")
        chosen[key] = position
    return chosen


def field_key(name: str) -> str | None:
    """A field named by its key ('capex') or any header that means it ('Coût total HT')."""
    if name in FIELDS_BY_KEY:
        return name
    return recognise(name)


_FIELD_BY_NAME: dict[str, str] = {
    normalise_header(name): spec.key for spec in ALL_FIELDS for name in (spec.key, spec.header)
}


def chosen_field(name: str) -> str | None:
    """The field a column choice names: its key ('capex') or its template header, nothing looser.

    A choice is an order: a name that only resembles a field (« budget_total ») is refused
    with the list of fields rather than guessed.
    """
    return name if name in FIELDS_BY_KEY else _FIELD_BY_NAME.get(normalise_header(name))


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


# Headers that may give the urgency without saying so: the tool does not map them itself (a
# « Priorité 1 » is often the highest, the opposite of an urgency of 1), it points at them.
_MAY_BE_URGENCY = ("priorite", "priorites", "priorisation", "criticite")


def possible_urgency_columns(headers: Sequence[str], mapping: ColumnMapping) -> list[str]:
    """Unmapped columns whose header suggests the urgency, when no column gives it."""
    if mapping.position("urgency") is not None:
        return []
    return _unmapped_naming(headers, mapping, _MAY_BE_URGENCY)


_MAY_BE_START = ("demarrage", "debut", "lancement", "commencement")


def unread_start_columns(headers: Sequence[str], mapping: ColumnMapping) -> list[str]:
    """Unmapped columns whose header speaks of a start (« Date de démarrage souhaitée »): the
    calendar places each project at the earliest date the envelopes allow, and says so."""
    return _unmapped_naming(headers, mapping, _MAY_BE_START)


def _unmapped_naming(headers: Sequence[str], mapping: ColumnMapping, words: Sequence[str]) -> list[str]:
    """The headers of unmapped columns that hold one of `words` (compared unaccented)."""
    return [
        header
        for position, header in enumerate(headers)
        if header
        and mapping.field_at(position) is None
        and any(word in normalise_header(header).split() for word in words)
    ]
