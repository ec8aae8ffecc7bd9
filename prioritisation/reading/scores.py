"""The scale of the core scores, and scores written in words.

Inventories often score in words: « faible / moyenne / forte », « bas / moyen / élevé »,
« P1 / P2 / P3 » (P1 the most urgent), « + / ++ / +++ », « non / oui ». `propose_score_words`
reads the words a file uses and places them on the declared scale, evenly from its low end
to its high end (« faible » 1, « moyenne » 3, « forte » 5 on 1–5); the user may change any
value (`ScoreWords` is the setting, shown and editable), and a word nobody gave a value to
stays an error, located (docs/colonnes.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prioritisation.french import format_number
from prioritisation.reading.headers import fold


@dataclass(frozen=True)
class Scale:
    """The declared scale of the core scores (1–5 by default)."""

    low: float = 1.0
    high: float = 5.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError("L'échelle doit aller d'un minimum à un maximum plus grand.")

    def __str__(self) -> str:
        return f"{short_number(self.low)}–{short_number(self.high)}"

    def span(self) -> str:
        """'de 1 à 5', for sentences."""
        return f"de {short_number(self.low)} à {short_number(self.high)}"

    def step(self, level: int, levels: int) -> float:
        """The value of `level` (0 = lowest) of `levels` evenly spread over the scale."""
        return self.low + (self.high - self.low) * level / (levels - 1)


def short_number(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 2)


def word_key(text: object) -> str:
    """How a score word is compared: 'Très  Forte ' → 'tres forte', 'Priorité 1' → 'p1'."""
    plain = fold(text).strip(" .")
    plain = _PRIORITY.sub(lambda match: f"p{match.group(1)}", plain)
    return plain


_PRIORITY = re.compile(r"^(?:p|prio|priorite)\s*([1-9])$")


@dataclass(frozen=True)
class ScoreWords:
    """Words that stand for scores, each with its value on the declared scale.

    `values` pairs each word as the file writes it with its score (« forte » → 5). Words are
    compared without case, accents or surrounding spaces.
    """

    values: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        keys = [word_key(word) for word, _ in self.values]
        if any(not key for key in keys):
            raise ValueError("Un mot de la correspondance des notes est vide.")
        repeated = sorted({word for word, key in zip(self.words, keys, strict=True) if keys.count(key) > 1})
        if repeated:
            raise ValueError(
                "Un même mot a deux notes dans la correspondance : " + ", ".join(f"« {w} »" for w in repeated)
            )
        if any(not math.isfinite(value) for _, value in self.values):
            raise ValueError("Chaque mot de la correspondance doit valoir un nombre.")

    @classmethod
    def of(cls, values: Mapping[str, float]) -> ScoreWords:
        return cls(tuple((word, float(value)) for word, value in values.items()))

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(word for word, _ in self.values)

    def value_of(self, text: object) -> float | None:
        """The score `text` stands for, or None when it is none of the words."""
        return self._by_key.get(word_key(text))

    @property
    def _by_key(self) -> dict[str, float]:
        return {word_key(word): value for word, value in self.values}

    def outside(self, scale: Scale) -> list[str]:
        """Words whose score falls outside `scale` (to refuse the setting)."""
        return [word for word, value in self.values if not scale.low <= value <= scale.high]

    def describe(self) -> str:
        """« faible → 1, moyenne → 3, forte → 5 » (the setting in force, for reports)."""
        return ", ".join(f"{word} → {short_number(value)}" for word, value in self.values)

    def __bool__(self) -> bool:
        return bool(self.values)


def check_words(words: ScoreWords, scale: Scale) -> None:
    """ValueError (French) when a word's score lies outside the declared scale."""
    outside = words.outside(scale)
    if outside:
        named = ", ".join(f"« {word} »" for word in outside)
        raise ValueError(f"Les notes de {named} sortent de l'échelle {scale.span()}.")


# Ladders of words, lowest first. A level is the words that say it.
_STRENGTH: tuple[tuple[str, ...], ...] = (
    ("tres faible", "tres bas", "tres basse", "negligeable", "nul", "nulle", "aucun", "aucune",
     "tres difficile", "tres complexe"),
    ("faible", "bas", "basse", "limite", "limitee", "mineur", "mineure", "petit", "petite", "low",
     "difficile", "complexe", "complique", "compliquee"),
    ("moyen", "moyenne", "modere", "moderee", "intermediaire", "medium", "moyennement"),
    ("fort", "forte", "eleve", "elevee", "haut", "haute", "important", "importante", "majeur",
     "majeure", "grand", "grande", "high", "facile", "simple", "aise", "aisee"),
    ("tres fort", "tres forte", "tres eleve", "tres elevee", "tres haut", "tres haute",
     "tres important", "tres importante", "critique", "maximal", "maximale", "maximum", "tres facile",
     "tres simple"),
)  # fmt: skip
_YES_NO: tuple[tuple[str, ...], ...] = (("non", "no"), ("oui", "yes"))
_PRIORITY_WORD = re.compile(r"^p([1-9])$")
_PLUSES = re.compile(r"^\+{1,5}$")


def propose_score_words(texts: Iterable[object], scale: Scale) -> ScoreWords:
    """The words among `texts` (score cells that are not numbers) that we know, valued on `scale`.

    Strength words take three levels (faible, moyen, fort at the low end, the middle and the
    high end), or five when the file also says « très faible » or « très fort »; « P1 »… take
    as many levels as the highest one used (three at least), P1 the highest score; « + » to
    « +++ » likewise, more pluses the higher; « non » is the low end and « oui » the high end.
    """
    seen: dict[str, str] = {}  # key → the word as first written
    for text in texts:
        key = word_key(text)
        if key and key not in seen:
            seen[key] = " ".join(str(text).split())
    values: dict[str, float] = {}
    strength_levels = {key: level for level, keys in enumerate(_STRENGTH) for key in keys}
    used = [strength_levels[key] for key in seen if key in strength_levels]
    five = any(level in (0, len(_STRENGTH) - 1) for level in used)
    priorities = [int(match.group(1)) for key in seen if (match := _PRIORITY_WORD.match(key))]
    pluses = [len(key) for key in seen if _PLUSES.match(key)]
    for key, written in seen.items():
        if key in strength_levels:
            level = strength_levels[key]
            values[written] = scale.step(level, 5) if five else scale.step(min(max(level - 1, 0), 2), 3)
        elif match := _PRIORITY_WORD.match(key):
            levels = max(3, *priorities)
            values[written] = scale.step(levels - int(match.group(1)), levels)
        elif _PLUSES.match(key):
            levels = max(3, *pluses)
            values[written] = scale.step(len(key) - 1, levels)
        elif any(key in words for words in _YES_NO):
            values[written] = scale.step(0 if key in _YES_NO[0] else 1, 2)
    return ScoreWords.of(values)
