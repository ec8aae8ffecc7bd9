"""A participant's ballot on their phone: joining, the vote (sliders or pairs), the scores.

The widgets hold the answers; a vote is sent as the document the store checks
(docs/atelier.md, « Le vote »), with the revision of the participant's vote this page last
saw: a page that is stale (another tab voted since) is refused in the store's words, and
the vote actually stored is put back into the widgets. After a reload, the stored vote
fills the widgets again (the participant's secret is in their link).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence

import numpy as np

from prioritisation.store import Membership, NotFound, RecordedVote, StaleRevision, StoreError
from prioritisation.workshop.ahp import nearest_scale_value, scale_values
from prioritisation.workshop.invitation import spaced_code
from prioritisation.workshop.scoring import ProjectScore, ScoringSetup
from prioritisation.workshop.session import Refused, normalise_join_code
from prioritisation.workshop.votes import DirectVote, PairwiseVote, VoteMethod, VotingCriterion
from ui import state, workshop
from ui.tables import short

log = logging.getLogger("priorisation")
CODE_KEY = "rejoindre_code"
NAME_KEY = "rejoindre_nom"
METHOD_KEY = "vote_methode"
DEFAULT_DIRECT_WEIGHT = 50
VOTE_NOTICES, SCORE_NOTICES = "vote", "notes"  # drawn under their buttons
MARK_LABEL_LENGTH = 14  # characters of a criterion's name at a slider's end, on a phone
NO_SCORE = None
# Saaty's scale from « the first counts extremely more » to « the second counts extremely
# more »: a slider reads left to right as the sentence does.
PAIR_OPTIONS: tuple[float, ...] = tuple(sorted(scale_values(), reverse=True))
# The three core scores read better with their article: « l'urgence compte un peu plus que
# l'impact ». Any other criterion is quoted as the file names it.
_WITH_ARTICLE = {"urgency": "l'urgence", "impact": "l'impact", "feasibility": "la faisabilité"}


def weight_key(index: int) -> str:
    return f"vote_poids_{index}"


def pair_key(first: int, second: int) -> str:
    return f"vote_paire_{first}_{second}"


def score_key(project: int, criterion: int) -> str:
    return f"note_{project}_{criterion}"


def pairs(size: int) -> list[tuple[int, int]]:
    return [(first, second) for first in range(size) for second in range(first + 1, size)]


def pair_mark(first: VotingCriterion, second: VotingCriterion, value: float) -> str:
    """A position of a pair's slider, short enough for a phone: « Urgence ×3 », « autant »,
    « Impact ×5 » (Saaty's ratio: how many times the one named counts more than the other);
    the sentence itself is written under the slider."""
    if abs(value - 1) < 1e-9:
        return "autant"
    heavier, ratio = (first, value) if value > 1 else (second, 1 / value)
    return f"{short(heavier.label, MARK_LABEL_LENGTH)} ×{round(ratio)}"


def spoken(criterion: VotingCriterion) -> str:
    """A criterion as said in a sentence: « l'urgence », or « Coût (€) » in quotes."""
    return _WITH_ARTICLE.get(criterion.key, f"« {criterion.label} »")


# --- Joining -------------------------------------------------------------------------------------


def join() -> None:
    """Callback: join the workshop the code names, under the name typed."""
    code = str(state.widget_value(CODE_KEY) or state.join_code() or "")
    name = str(state.widget_value(NAME_KEY) or "")
    joined = _attempt(lambda: workshop.opened_store().workshops.join(code, name))
    if joined is None:
        return
    state.set_participant_secret(joined.participant_secret)
    state.set_join_code(normalise_join_code(code))
    state.add_workshop_notice(
        "success",
        f"Bienvenue, {joined.membership.participant.display_name} : vous êtes le participant "
        f"{joined.membership.participant.number}. Gardez cette page ouverte, ou son lien : il retrouve "
        "votre vote.",
    )


def leave() -> None:
    """Callback: forget this participant on this device (their vote stays in the workshop)."""
    state.set_participant_secret(None)
    state.set_join_code(None)


def code_shown() -> str:
    code = normalise_join_code(state.join_code() or "")
    return spaced_code(code) if code else ""


# --- The vote ------------------------------------------------------------------------------------


def load_stored(membership: Membership, secret: str) -> None:
    """Once per participant on this page: the stored vote and scores into the widgets."""
    if state.ballot_loaded():
        return
    stored = workshop.opened_store().workshops.vote_of(secret)
    state.set_vote_revision(membership.participant.vote_revision)
    state.set_scores_revision(membership.participant.scores_revision)
    if stored is not None:
        put_vote(stored, membership.workshop.criteria)
    setup = membership.workshop.scoring
    if setup is not None and membership.participant.scores_revision:
        put_scores(workshop.opened_store().workshops.scores_of(secret), setup)
    state.mark_ballot_loaded()


def put_vote(recorded: RecordedVote, criteria: Sequence[VotingCriterion]) -> None:
    """A stored vote into the widgets (its values brought to the widgets' steps)."""
    vote = recorded.vote
    state.set_widget_value(METHOD_KEY, vote.method.value)
    if isinstance(vote, DirectVote):
        for index, weight in enumerate(vote.weights):
            state.set_widget_value(weight_key(index), round(weight))
    elif isinstance(vote, PairwiseVote):
        for (first, second), value in zip(pairs(len(criteria)), vote.upper, strict=True):
            state.set_widget_value(pair_key(first, second), nearest_scale_value(value))


def direct_weights(size: int) -> list[float]:
    return [float(state.widget_value(weight_key(index)) or 0) for index in range(size)]


def pairwise_vote(size: int) -> PairwiseVote:
    return PairwiseVote(
        size, tuple(float(state.widget_value(pair_key(*pair)) or 1.0) for pair in pairs(size))
    )


def vote_document(criteria: Sequence[VotingCriterion]) -> dict:
    """The vote the widgets hold, as the document the store checks."""
    keys = [criterion.key for criterion in criteria]
    if state.widget_value(METHOD_KEY) == VoteMethod.PAIRWISE.value:
        vote = pairwise_vote(len(keys))
        return {
            "method": VoteMethod.PAIRWISE.value,
            "judgments": [
                {"first": keys[first], "second": keys[second], "value": value}
                for (first, second), value in zip(pairs(len(keys)), vote.upper, strict=True)
            ],
        }
    weights = direct_weights(len(keys))
    return {"method": VoteMethod.DIRECT.value, "weights": dict(zip(keys, weights, strict=True))}


def direct_shares(size: int) -> np.ndarray | None:
    weights = np.asarray(direct_weights(size))
    return None if weights.sum() <= 0 else weights / weights.sum()


def send_vote(criteria: tuple[VotingCriterion, ...]) -> None:
    """Callback: send the vote the widgets hold, as a replacement of the participant's own."""
    secret = state.participant_secret()
    if secret is None:
        return
    store = workshop.opened_store()
    try:
        recorded = store.workshops.cast_vote(secret, vote_document(criteria), state.vote_revision())
    except StaleRevision as stale:
        state.add_workshop_notice("error", str(stale), VOTE_NOTICES)
        _resync(secret, criteria, stale.current)
        return
    except (StoreError, Refused) as problem:
        for message in workshop.messages_of(problem):
            state.add_workshop_notice("error", message, VOTE_NOTICES)
        return
    state.set_vote_revision(recorded.revision)
    state.add_workshop_notice(
        "success",
        f"Vote enregistré ({recorded.vote.method.label}) ; modifiable tant que le vote est ouvert.",
        VOTE_NOTICES,
    )


def _resync(secret: str, criteria: Sequence[VotingCriterion], current: object) -> None:
    """After a refusal for staleness: the stored vote and its revision, as the store has them."""
    try:
        membership = workshop.opened_store().workshops.for_participant(secret)
    except StoreError:
        return
    state.set_vote_revision(membership.participant.vote_revision)
    if isinstance(current, RecordedVote):
        put_vote(current, criteria)


# --- The scores ----------------------------------------------------------------------------------


def score_options(setup: ScoringSetup) -> list[float | None]:
    """« sans note », then every whole score of the scale (a half-point scale keeps its ends)."""
    low, high = setup.low, setup.high
    steps = [float(value) for value in range(int(np.ceil(low)), int(np.floor(high)) + 1)]
    return [NO_SCORE, *dict.fromkeys([low, *steps, high])]


def put_scores(scores: Sequence[ProjectScore], setup: ScoringSetup) -> None:
    projects = {project.id: index for index, project in enumerate(setup.projects)}
    criteria = {criterion.key: index for index, criterion in enumerate(setup.criteria)}
    options = score_options(setup)
    for score in scores:
        if score.project in projects and score.criterion in criteria and score.score in options:
            state.set_widget_value(score_key(projects[score.project], criteria[score.criterion]), score.score)


def scores_document(setup: ScoringSetup) -> dict:
    sheet: dict[str, dict[str, float]] = {}
    for p, project in enumerate(setup.projects):
        for c, criterion in enumerate(setup.criteria):
            value = state.widget_value(score_key(p, c))
            if value is not None:
                sheet.setdefault(project.id, {})[criterion.key] = float(value)  # type: ignore[arg-type]
    return {"scores": sheet}


def send_scores(setup: ScoringSetup) -> None:
    secret = state.participant_secret()
    if secret is None:
        return
    store = workshop.opened_store()
    try:
        store.workshops.submit_scores(secret, scores_document(setup), state.scores_revision())
    except StaleRevision as stale:
        state.add_workshop_notice("error", str(stale), SCORE_NOTICES)
        if isinstance(stale.current, tuple):
            put_scores(stale.current, setup)
        with contextlib.suppress(StoreError):
            state.set_scores_revision(store.workshops.for_participant(secret).participant.scores_revision)
        return
    except (StoreError, Refused) as problem:
        for message in workshop.messages_of(problem):
            state.add_workshop_notice("error", message, SCORE_NOTICES)
        return
    state.set_scores_revision(state.scores_revision() + 1)
    state.add_workshop_notice("success", "Notes enregistrées.", SCORE_NOTICES)


# --- Inside --------------------------------------------------------------------------------------


def _attempt(action: Callable[[], object]) -> object | None:
    try:
        return action()
    except (StoreError, Refused, workshop.Unavailable) as problem:
        for message in workshop.messages_of(problem):
            state.add_workshop_notice("error", message)
        return None


def forget_if_gone(problem: Exception) -> None:
    """The participant's link is no longer valid (removed, ended, expired): join again."""
    if isinstance(problem, NotFound):
        state.set_participant_secret(None)
