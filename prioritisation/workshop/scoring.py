"""Optional project scoring: participants score chosen projects on chosen criteria.

The facilitator chooses the projects (by identifier) and the criteria (urgency, impact,
feasibility…) and the scale of the inventory (1–5 by default); each participant scores
any of them, all or some. A score sheet arrives as

    {"scores": {"P001": {"urgency": 4, "impact": 3}, "P007": {"feasibility": 2}}}

and is checked here before it is stored; the room sees, per project and criterion, how
many scored it and the mean, median and range of the scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from prioritisation.french import format_plain
from prioritisation.workshop.requests import number, quoted, refuse_if_any
from prioritisation.workshop.session import Refused
from prioritisation.workshop.votes import VotingCriterion

MAX_SCORED_PROJECTS = 100  # a phone form, not an inventory


@dataclass(frozen=True)
class ScoredProject:
    id: str
    label: str


@dataclass(frozen=True)
class ScoringSetup:
    projects: tuple[ScoredProject, ...]
    criteria: tuple[VotingCriterion, ...]
    low: float = 1.0
    high: float = 5.0

    def __post_init__(self) -> None:
        reasons = []
        if not 1 <= len(self.projects) <= MAX_SCORED_PROJECTS:
            reasons.append(f"Choisissez de 1 à {MAX_SCORED_PROJECTS} projets à noter.")
        if len({project.id for project in self.projects}) != len(self.projects):
            reasons.append("Un projet est choisi deux fois pour la notation.")
        if not self.criteria or len({criterion.key for criterion in self.criteria}) != len(self.criteria):
            reasons.append("Choisissez au moins un critère à noter, chacun une seule fois.")
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            reasons.append("L'échelle des notes va d'un minimum à un maximum plus grand.")
        if reasons:
            raise Refused(reasons)


@dataclass(frozen=True)
class ProjectScore:
    project: str
    criterion: str
    score: float


@dataclass(frozen=True)
class ScoreSummary:
    project: str
    criterion: str
    count: int
    mean: float
    median: float
    minimum: float
    maximum: float


def setup_document(setup: ScoringSetup) -> dict[str, Any]:
    return {
        "projects": [{"id": project.id, "label": project.label} for project in setup.projects],
        "criteria": [{"key": criterion.key, "label": criterion.label} for criterion in setup.criteria],
        "low": setup.low,
        "high": setup.high,
    }


def read_setup(document: Mapping[str, Any]) -> ScoringSetup:
    """A setup written by `setup_document` (the store's own data)."""
    return ScoringSetup(
        projects=tuple(ScoredProject(item["id"], item["label"]) for item in document["projects"]),
        criteria=tuple(VotingCriterion(item["key"], item["label"]) for item in document["criteria"]),
        low=float(document["low"]),
        high=float(document["high"]),
    )


def parse_scores(document: object, setup: ScoringSetup) -> tuple[ProjectScore, ...]:
    """The scores a sheet holds, checked against the setup; Refused with every reason."""
    if not isinstance(document, Mapping) or not isinstance(document.get("scores"), Mapping):
        raise Refused("Notes refusées : le document reçu n'est pas une feuille de notes.")
    projects = {project.id: project.label for project in setup.projects}
    criteria = {criterion.key: criterion.label for criterion in setup.criteria}
    sheet = document["scores"]
    if len(sheet) > len(projects):
        raise Refused("Notes refusées : plus de projets notés que de projets proposés.")
    reasons: list[str] = []
    scores: list[ProjectScore] = []
    for project, row in sheet.items():
        if project not in projects:
            reasons.append(f"Notes refusées : projet inconnu « {quoted(project)} ».")
            continue
        if not isinstance(row, Mapping) or len(row) > len(criteria):
            reasons.append(f"Notes refusées : les notes de « {projects[project]} » sont illisibles.")
            continue
        for criterion, value in row.items():
            if criterion not in criteria:
                reasons.append(f"Notes refusées : critère inconnu « {quoted(criterion)} ».")
                continue
            score = number(value)
            if score is None or not setup.low <= score <= setup.high:
                reasons.append(
                    f"Notes refusées : la note de « {projects[project]} » en « {criteria[criterion]} » "
                    f"doit aller de {format_plain(setup.low)} à {format_plain(setup.high)} "
                    f"(reçu : {quoted(value)})."
                )
                continue
            scores.append(ProjectScore(project, criterion, score))
    refuse_if_any(reasons)
    return tuple(scores)


def scores_document(scores: Sequence[ProjectScore]) -> dict[str, Any]:
    sheet: dict[str, dict[str, float]] = {}
    for score in scores:
        sheet.setdefault(score.project, {})[score.criterion] = score.score
    return {"scores": sheet}


def summarise_scores(scores: Sequence[ProjectScore]) -> tuple[ScoreSummary, ...]:
    """Per project and criterion (in order of first appearance): count, mean, median, range."""
    grouped: dict[tuple[str, str], list[float]] = {}
    for score in scores:
        grouped.setdefault((score.project, score.criterion), []).append(score.score)
    return tuple(
        ScoreSummary(
            project=project,
            criterion=criterion,
            count=len(values),
            mean=float(np.mean(values)),
            median=float(np.median(values)),
            minimum=float(min(values)),
            maximum=float(max(values)),
        )
        for (project, criterion), values in grouped.items()
    )
