"""What a header means: its words weighed against the names people give each field.

People write « Coût prévisionnel HT », « FEDER sollicité », « Niveau d'urgence », « DOT ».
A header is cut into words (case, accents, plurals and feminine endings folded away) and
the units and scales it carries become markers: « (€ TTC) » gives `<€>`, « (k€) » `<k€>`,
« (mois) » `<mois>`, « (1 à 5) » `<echelle>`, « (en %) » `<pct>`. A field is named by a few
words that must all be there (« fonds propres », « reste à charge ») and accepts qualifiers
that do not change what it is (« prévisionnel », « HT », « sollicité », « note »).

A header means a field when one of the field's names is in it and every other word is a
qualifier of that field: a word we cannot place may say something else (« Taux FEDER »,
« Durée d'amortissement », « Public cible »), and a wrong mapping is worse than none
(docs/colonnes.md). Such a header is not mapped; when its name is a strong one and a single
word is left over, the field is offered as a candidate for the user to confirm.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

STRONG = 3.0  # « Intitulé », « Coût », « FEDER »: the header says it outright
WEAK = 2.0  # « Nom », « Montant », « Code »: it says it when nothing contradicts it
FAINT = 1.0  # « Description »: the best we have when nothing better is in the file

# Words every field accepts: what the row is about, not what the column holds.
GENERIC = frozenset({"projet", "operation", "action", "fiche", "dossier"})

# Words that make a header about something else even when a field's name is in it: never
# offered as a candidate (« Date de l'échéance » is kept, « Commentaire sur le coût » is not).
NOT_A_CANDIDATE = frozenset(
    {
        "<pct>",
        "<jours>",
        "commentaire",
        "observation",
        "remarque",
        "justification",
        "motif",
        "explication",
        "precision",
        "nombre",
        "nb",
        "date",
        "annee",
        "amortissement",
        "garantie",
        "contrat",
        "marche",
        "validite",
        "vie",
    }
)

_STOPWORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou", "par", "pour",
     "sur", "dans", "un", "une", "son", "sa", "ses", "leur", "leurs", "ce", "cet", "cette", "est", "the",
     "of"}
)  # fmt: skip
_KEEP_FINAL_S = frozenset(
    {"dans", "sous", "plus", "frais", "tres", "pas", "fonds", "mois", "ans", "prerequis"}
)

# Markers, found in the text before it is cut into words (accents folded, lower case).
_MARKERS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"%|\bpct\b|\bpourcentages?\b|\btaux\b|\bratio\b"), ("<pct>",)),
    (re.compile(r"\bk ?€|\bkeur\b|\bk ?euros?\b|\bmilliers? d ?euros\b"), ("<k€>", "<€>")),
    (re.compile(r"\bm ?€|\bmeur\b|\bm ?euros?\b|\bmillions? d ?euros\b"), ("<m€>", "<€>")),
    (re.compile(r"€|\beur\b|\beuros?\b"), ("<€>",)),
    (re.compile(r"/ ?an\b|\bpar an\b"), ("<par-an>",)),
    (re.compile(r"\((en )?(ans|annees?)\)|\ben (ans|annees)\b"), ("<ans>",)),
    (re.compile(r"\bmois\b"), ("<mois>",)),
    (
        re.compile(r"\bj ?/ ?h\b|\bh ?/ ?j\b|\bjours?[ -]hommes?\b|\bjh\b|\betp\b|\bjours?\b"),
        ("<jours>",),
    ),
    (
        re.compile(
            r"\b(?:[0-9]|10)\s*(?:a|-|–|/)\s*(?:[0-9]|10|20|100)\b|\bsur\s*(?:[0-9]|10|20|100)\b"
            r"|/\s*(?:[0-9]|10|20|100)\b"
        ),
        ("<echelle>",),
    ),
    (re.compile(r"\b(?:19|20)[0-9][0-9]\b"), ("<annee>",)),
)
_BRACKETS = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")

# Funding schemes a bracket may name: « Subvention (DETR) » says which; « (DETR/DSIL/DSID) »
# lists what the column may hold and says nothing about this column.
SCHEME_WORDS = frozenset(
    {"feder", "dsil", "detr", "dsid", "fse", "feader", "fnadt", "ademe", "region", "departement", "etat"}
)


def fold(text: object) -> str:
    """Lower case, no accents, « œ » as « oe », '_' as a space: how headers are compared."""
    if text is None:
        return ""
    plain = unicodedata.normalize("NFKD", str(text).replace("œ", "oe").replace("Œ", "OE"))
    plain = "".join(char for char in plain if not unicodedata.combining(char)).lower()
    return " ".join(plain.replace("’", "'").replace("_", " ").split())


def lemma(word: str) -> str:
    """'sollicitées' → 'sollicite', 'annuelle' → 'annuel', 'porteuse' → 'porteur', 'coûts' → 'cout'."""
    if len(word) > 3 and word.endswith("s") and word not in _KEEP_FINAL_S:
        word = word[:-1]
    while True:  # 'attribuée' → 'attribue' → 'attribu', as 'attribué' → 'attribu'
        shorter = _shorter(word)
        if shorter == word:
            return word
        word = shorter


def _shorter(word: str) -> str:
    for ending, replacement in (
        ("ee", "e"),
        ("elle", "el"),
        ("enne", "en"),
        ("ale", "al"),
        ("euse", "eur"),
        ("ive", "if"),
        ("iere", "ier"),
    ):
        if len(word) > len(ending) + 2 and word.endswith(ending):
            return word[: -len(ending)] + replacement
    if len(word) > 4 and word.endswith("ue") and not word.endswith(("que", "gue")):
        return word[:-1]
    return word


@lru_cache(maxsize=8192)
def header_words(text: str) -> frozenset[str]:
    """The words and markers of a header: 'Coût total (€ HT)' → {'cout', 'total', '<€>'}."""
    plain = fold(text)
    found: set[str] = set()
    for pattern, markers in _MARKERS:
        if pattern.search(plain):
            found.update(markers)
            plain = pattern.sub(" ", plain)
    for match in _BRACKETS.finditer(plain):
        inside = {lemma(word) for word in _NOT_WORD.split(match.group(1) or match.group(2) or "")}
        schemes = inside & SCHEME_WORDS
        if len(schemes) == 1:
            found.update(schemes)
    plain = _BRACKETS.sub(" ", plain)
    for word in _NOT_WORD.split(plain):
        if word and word not in _STOPWORDS:
            found.add(lemma(word))
    return frozenset(found)


@dataclass(frozen=True)
class Meaning:
    """How people name one field: names (each a set of words, all needed) and qualifiers."""

    names: tuple[tuple[frozenset[str], float], ...]
    qualifiers: frozenset[str]

    @classmethod
    def of(
        cls,
        strong: Iterable[str] = (),
        weak: Iterable[str] = (),
        faint: Iterable[str] = (),
        qualifiers: str = "",
    ) -> Meaning:
        """Names and qualifiers written in plain French, cut into words as headers are."""
        names = tuple(
            (header_words(name), weight)
            for group, weight in ((strong, STRONG), (weak, WEAK), (faint, FAINT))
            for name in group
        )
        empty = [name for name, _ in names if not name]
        if empty:
            raise ValueError("Un nom de champ doit contenir au moins un mot.")
        return cls(names, header_words(qualifiers))

    def joined(self, other: Meaning) -> Meaning:
        return Meaning(self.names + other.names, self.qualifiers | other.qualifiers)

    def strength(self, words: frozenset[str]) -> float | None:
        """The weight of the strongest name in `words`, None when none is there."""
        return max((weight for name, weight in self.names if name <= words), default=None)

    def weigh(self, words: frozenset[str]) -> tuple[float, frozenset[str]] | None:
        """(score, words left unexplained) when one of the names is in `words`; else None.

        The score is the strongest name found, a little more for a name of several words
        (« Reste à charge » says more than « Montant »).
        """
        matched = [(weight + 0.1 * len(name), name) for name, weight in self.names if name <= words]
        if not matched:
            return None
        explained = frozenset().union(*(name for _, name in matched)) | self.qualifiers | GENERIC
        return max(score for score, _ in matched), words - explained


@dataclass(frozen=True)
class HeaderReading:
    """What a header was found to mean.

    `field` is set when one field explains every word of the header better than any other;
    `candidates` lists the fields it may mean when it cannot be told: several fields
    explain it equally, or a strong name is there with one word we cannot place.
    """

    field: str | None
    score: float = 0.0
    candidates: tuple[str, ...] = ()


_TIE = 0.05


def read_header(header: str, meanings: Mapping[str, Meaning]) -> HeaderReading:
    """Weigh `header` against every field's meaning (see the module's docstring)."""
    words = header_words(header)
    if not words:
        return HeaderReading(None)
    full: list[tuple[float, str]] = []
    partial: list[str] = []
    for key, meaning in meanings.items():
        weighed = meaning.weigh(words)
        if weighed is None:
            continue
        score, unexplained = weighed
        if not unexplained:
            full.append((score, key))
        elif score >= STRONG and len(unexplained) == 1:
            partial.append(key)
    if full:
        full.sort(key=lambda item: -item[0])
        best_score, best = full[0]
        tied = tuple(key for score, key in full if best_score - score < _TIE)
        if len(tied) > 1:
            return HeaderReading(None, best_score, tied)
        return HeaderReading(best, best_score)
    if words & NOT_A_CANDIDATE:
        return HeaderReading(None)
    return HeaderReading(None, 0.0, tuple(partial))
