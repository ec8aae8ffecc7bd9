"""A participant's vote on the criteria weights: direct weights or pairwise comparisons.

A vote arrives as a JSON-like document (from a phone, through the page); it is checked
here, completely, before anything stores it: a malformed vote is refused with every reason
in French, and only the canonical form below is kept.

    {"method": "direct", "weights": {"urgency": 40, "impact": 35, "feasibility": 25}}
    {"method": "pairwise", "judgments": [{"first": "urgency", "second": "impact", "value": 3}, …]}

Direct weights are numbers from 0 to 100 (sliders; normalised to sum 1 when used). A
judgment's value says how many times `first` counts more than `second`, from 1/9 to 9
(Saaty's scale); every pair of criteria is compared exactly once, in either order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from prioritisation.workshop.ahp import MAX_CRITERIA, SCALE_MAX, AhpResult, analyse
from prioritisation.workshop.requests import number, quoted, refuse_if_any
from prioritisation.workshop.session import Refused

MAX_DIRECT_WEIGHT = 100.0
MIN_CRITERIA = 2


class VoteMethod(Enum):
    DIRECT = "direct"
    PAIRWISE = "pairwise"

    @property
    def label(self) -> str:
        return "poids directs" if self is VoteMethod.DIRECT else "comparaison par paires"


@dataclass(frozen=True)
class VotingCriterion:
    """A criterion put to the vote: a stable key (a field key or a header) and its label."""

    key: str
    label: str

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise ValueError("Un critère soumis au vote a besoin d'une clé.")
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError(f"Le critère « {self.key} » a besoin d'un libellé.")


def check_criteria(criteria: Sequence[VotingCriterion]) -> tuple[VotingCriterion, ...]:
    """The criteria of a workshop: 2 to 10, distinct keys and labels; Refused otherwise."""
    found = tuple(criteria)
    reasons = []
    if not MIN_CRITERIA <= len(found) <= MAX_CRITERIA:
        reasons.append(
            f"Un atelier porte sur {MIN_CRITERIA} à {MAX_CRITERIA} critères ({len(found)} choisis)."
        )
    if len({criterion.key for criterion in found}) != len(found):
        reasons.append("Deux critères de l'atelier ont la même clé.")
    if len({criterion.label.casefold() for criterion in found}) != len(found):
        reasons.append("Deux critères de l'atelier portent le même nom : renommez-en un.")
    if reasons:
        raise Refused(reasons)
    return found


@dataclass(frozen=True)
class DirectVote:
    """Weights as the participant set them (0–100 each), in the workshop's criteria order."""

    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.weights or any(not 0 <= weight <= MAX_DIRECT_WEIGHT for weight in self.weights):
            raise ValueError("Les poids directs vont de 0 à 100.")
        if sum(self.weights) <= 0:
            raise ValueError("Au moins un poids doit être supérieur à zéro.")

    @property
    def method(self) -> VoteMethod:
        return VoteMethod.DIRECT

    def shares(self) -> np.ndarray:
        """The weights normalised to sum 1."""
        weights = np.asarray(self.weights, dtype=float)
        return weights / weights.sum()


@dataclass(frozen=True)
class PairwiseVote:
    """The upper triangle of the comparison matrix, row by row: a_01, a_02, …, a_12, …"""

    size: int
    upper: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.upper) != self.size * (self.size - 1) // 2:
            raise ValueError("Une comparaison par paire de critères, ni plus ni moins.")
        if any(not 1 / SCALE_MAX - 1e-9 <= value <= SCALE_MAX + 1e-9 for value in self.upper):
            raise ValueError("Chaque comparaison vaut de 1/9 à 9.")

    @property
    def method(self) -> VoteMethod:
        return VoteMethod.PAIRWISE

    def matrix(self) -> np.ndarray:
        matrix = np.ones((self.size, self.size))
        rows, columns = np.triu_indices(self.size, k=1)
        matrix[rows, columns] = self.upper
        matrix[columns, rows] = 1 / np.asarray(self.upper, dtype=float)
        return matrix

    def analysis(self) -> AhpResult:
        return analyse(self.matrix())

    def shares(self) -> np.ndarray:
        """The participant's weights: the principal eigenvector of their matrix."""
        return np.asarray(self.analysis().priorities)


Vote = DirectVote | PairwiseVote


def parse_vote(document: object, criteria: Sequence[VotingCriterion]) -> Vote:
    """The vote a document holds, checked against the workshop's criteria; Refused otherwise."""
    if not isinstance(document, Mapping):
        raise Refused("Vote refusé : le document reçu n'est pas un vote.")
    method = document.get("method")
    if method == VoteMethod.DIRECT.value:
        return _parse_direct(document.get("weights"), criteria)
    if method == VoteMethod.PAIRWISE.value:
        return _parse_pairwise(document.get("judgments"), criteria)
    raise Refused("Vote refusé : la méthode doit être « direct » ou « pairwise ».")


def vote_document(vote: Vote, criteria: Sequence[VotingCriterion]) -> dict[str, Any]:
    """The canonical document of a vote (what the store keeps): `parse_vote` reads it back."""
    keys = [criterion.key for criterion in criteria]
    if isinstance(vote, DirectVote):
        return {"method": vote.method.value, "weights": dict(zip(keys, vote.weights, strict=True))}
    rows, columns = np.triu_indices(vote.size, k=1)
    judgments = [
        {"first": keys[row], "second": keys[column], "value": value}
        for row, column, value in zip(rows, columns, vote.upper, strict=True)
    ]
    return {"method": vote.method.value, "judgments": judgments}


def _parse_direct(weights: object, criteria: Sequence[VotingCriterion]) -> DirectVote:
    if not isinstance(weights, Mapping):
        raise Refused("Vote refusé : les poids manquent.")
    if len(weights) > 2 * len(criteria):
        raise Refused(f"Vote refusé : {len(weights)} poids reçus pour {len(criteria)} critères.")
    labels = {criterion.key: criterion.label for criterion in criteria}
    reasons = [f"Vote refusé : critère inconnu « {quoted(key)} »." for key in weights if key not in labels]
    values = []
    for criterion in criteria:
        if criterion.key not in weights:
            reasons.append(f"Vote refusé : il manque le poids de « {criterion.label} ».")
            continue
        value = number(weights[criterion.key])
        if value is None or not 0 <= value <= MAX_DIRECT_WEIGHT:
            reasons.append(
                f"Vote refusé : le poids de « {criterion.label} » doit être un nombre de 0 à 100 "
                f"(reçu : {quoted(weights[criterion.key])})."
            )
            continue
        values.append(value)
    if not reasons and sum(values) <= 0:
        reasons.append("Vote refusé : au moins un critère doit avoir un poids supérieur à zéro.")
    refuse_if_any(reasons)
    return DirectVote(tuple(values))


def _parse_pairwise(judgments: object, criteria: Sequence[VotingCriterion]) -> PairwiseVote:
    size = len(criteria)
    pairs = size * (size - 1) // 2
    if size > MAX_CRITERIA:
        raise Refused(
            f"Vote refusé : la comparaison par paires est proposée jusqu'à {MAX_CRITERIA} critères."
        )
    if not isinstance(judgments, Sequence) or isinstance(judgments, str | bytes):
        raise Refused("Vote refusé : les comparaisons manquent.")
    if len(judgments) > 2 * pairs:
        raise Refused(f"Vote refusé : {len(judgments)} comparaisons reçues pour {pairs} paires de critères.")
    position = {criterion.key: index for index, criterion in enumerate(criteria)}
    values: dict[tuple[int, int], float] = {}
    reasons: list[str] = []
    for judgment in judgments:
        found = _read_judgment(judgment, position, criteria)
        if isinstance(found, str):
            reasons.append(found)
            continue
        (row, column), value = found
        if (row, column) in values:
            reasons.append(
                f"Vote refusé : la comparaison entre « {criteria[row].label} » et "
                f"« {criteria[column].label} » est donnée deux fois."
            )
        values[row, column] = value
    for row in range(size):
        for column in range(row + 1, size):
            if (row, column) not in values:
                reasons.append(
                    f"Vote refusé : il manque la comparaison entre « {criteria[row].label} » et "
                    f"« {criteria[column].label} »."
                )
    refuse_if_any(reasons)
    return PairwiseVote(size, tuple(values[row, column] for row, column in sorted(values)))


def _read_judgment(
    judgment: object, position: Mapping[str, int], criteria: Sequence[VotingCriterion]
) -> tuple[tuple[int, int], float] | str:
    """((row, column), a_row,column) with row < column, or the reason it cannot be read."""
    if not isinstance(judgment, Mapping):
        return "Vote refusé : une comparaison est illisible."
    first, second = judgment.get("first"), judgment.get("second")
    unknown = [key for key in (first, second) if not isinstance(key, str) or key not in position]
    if unknown:
        return f"Vote refusé : critère inconnu « {quoted(unknown[0])} » dans une comparaison."
    if first == second:
        return f"Vote refusé : « {criteria[position[first]].label} » est comparé à lui-même."
    value = number(judgment.get("value"))
    if value is None or not 1 / SCALE_MAX - 1e-9 <= value <= SCALE_MAX + 1e-9:
        return (
            f"Vote refusé : la comparaison entre « {criteria[position[first]].label} » et "
            f"« {criteria[position[second]].label} » doit valoir de 1/9 à 9 "
            f"(reçu : {quoted(judgment.get('value'))})."
        )
    row, column = position[first], position[second]
    return ((row, column), value) if row < column else ((column, row), 1 / value)
