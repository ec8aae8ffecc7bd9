"""The workshop seen from the dashboard: the store's calls, their refusals as French messages.

The facilitator's actions are callbacks (they run before the page is drawn again); what
they cannot do becomes a notice shown at the next drawing, in the store's own words. The
room's view is read again only when the workshop's activity fingerprint changes (a vote,
a join, a facilitator's change): a poll every second or two costs one small query. See
docs/atelier.md and docs/stockage.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from prioritisation import usecases
from prioritisation.ranking.criteria import Criterion, RankingSettings
from prioritisation.reading.fields import SCORE_FIELDS
from prioritisation.store import NewFile, NotFound, Store, StoreError, Workshop, WorkshopResults
from prioritisation.workshop.invitation import (
    PUBLIC_ADDRESS_VARIABLE,
    app_root,
    is_local,
    reachable_root,
)
from prioritisation.workshop.scoring import ScoredProject, ScoringSetup
from prioritisation.workshop.session import Refused
from prioritisation.workshop.summary import summarise
from prioritisation.workshop.votes import VotingCriterion
from ui import data, persistence, state
from ui.cache import remember

log = logging.getLogger("priorisation")
T = TypeVar("T")
NO_STORE = (
    "L'atelier a besoin du stockage du serveur, qui ne répond pas : les votes ne pourraient pas "
    "être enregistrés. Prévenez la personne qui administre le serveur (journal : « Stockage indisponible »)."
)


class Unavailable(Exception):
    """The store could not be opened in this process (the message says so, in French)."""


def opened_store() -> Store:
    found = persistence.store()
    if found is None:
        raise Unavailable(NO_STORE)
    return found


def messages_of(problem: Exception) -> list[str]:
    """A refusal's reasons, one per line (the store's and the workshop's, in French)."""
    if isinstance(problem, Refused):
        return list(problem.messages)
    return [str(problem)]


def attempt(action: Callable[[], T], success: str | None = None) -> T | None:
    """Run a store call from a callback; its refusal becomes a notice for the next drawing."""
    try:
        outcome = action()
    except (StoreError, Refused, Unavailable) as problem:
        for message in messages_of(problem):
            state.add_workshop_notice("error", message)
        return None
    except Exception:  # a callback's error would reach the user as a traceback
        log.exception("Action d'atelier impossible")
        state.add_workshop_notice(
            "error", "L'action n'a pas abouti (erreur inattendue) : l'atelier et ses votes sont intacts."
        )
        return None
    if success:
        state.add_workshop_notice("success", success)
    return outcome


# --- The facilitator -------------------------------------------------------------------------


def voting_criteria() -> tuple[VotingCriterion, ...]:
    """The criteria in force, as the participants will read them."""
    return usecases.workshop_criteria(data.inventory(), state.settings())


def open_workshop(title_key: str) -> None:
    """Callback: open a workshop on the inventory, criteria and settings in force."""
    source = state.source()
    request = state.request()

    def action() -> str:
        opened = opened_store().workshops.open(
            str(state.widget_value(title_key) or ""),
            voting_criteria(),
            usecases.workshop_settings(request, state.top_n()),
            None if source.is_sample else NewFile(source.file_name, source.data),
        )
        return opened.facilitator_secret

    secret = attempt(action, "Atelier ouvert : projetez le code et le QR code.")
    if secret is not None:
        state.set_facilitator_secret(secret)


def facilitated(workshop_action: Callable[[Store, str], object], success: str) -> None:
    """Callback: one of the facilitator's actions, under their secret."""
    secret = state.facilitator_secret()
    if secret is None:
        state.add_workshop_notice("error", "Aucun atelier n'est ouvert dans cette session.")
        return
    attempt(lambda: workshop_action(opened_store(), secret), success)


def close_vote() -> None:
    facilitated(lambda store, secret: store.workshops.close_vote(secret), "Vote clos : les votes sont figés.")


def reopen_vote() -> None:
    facilitated(lambda store, secret: store.workshops.reopen_vote(secret), "Vote rouvert.")


def end_workshop(confirm_key: str) -> None:
    if not state.widget_value(confirm_key):
        state.add_workshop_notice("warning", "Cochez d'abord la case qui confirme la fin de l'atelier.")
        return
    facilitated(
        lambda store, secret: store.workshops.end(secret),
        "Atelier terminé : les noms et les liens des participants sont effacés ; les votes restent, "
        "anonymes, pour les résultats.",
    )


def reveal_names(toggle_key: str) -> None:
    reveal = bool(state.widget_value(toggle_key))
    facilitated(
        lambda store, secret: store.workshops.reveal_names(secret, reveal),
        "Les noms sont affichés dans la vue de la salle." if reveal else "La vue de la salle est anonyme.",
    )


def remove_participant(choice_key: str) -> None:
    number = state.widget_value(choice_key)
    if not isinstance(number, int):
        return

    def action(store: Store, secret: str) -> object:
        if not store.workshops.remove_participant(secret, number):
            raise NotFound(f"Le participant {number} n'est plus dans l'atelier.")
        return True

    facilitated(action, f"Participant {number} retiré, avec son nom, son vote et ses notes.")


def scoring_criteria() -> tuple[VotingCriterion, ...]:
    """The three scores of the inventory (urgency, impact, feasibility), named as the file does."""
    inventory = data.inventory()
    return usecases.workshop_criteria(
        inventory, RankingSettings(criteria=tuple(Criterion(key) for key in SCORE_FIELDS))
    )


def start_scoring(projects_key: str, criteria_key: str) -> None:
    """Callback: open the scoring of the chosen projects on the chosen scores."""
    chosen = list(state.widget_value(projects_key) or [])
    keys = list(state.widget_value(criteria_key) or [])
    projects = data.inventory().projects
    titles = dict(zip(projects["id"].astype(str), projects["title"].astype(str), strict=True))
    scale = state.scale()

    def action(store: Store, secret: str) -> object:
        setup = ScoringSetup(
            projects=tuple(ScoredProject(project, titles.get(project, project)) for project in chosen),
            criteria=tuple(criterion for criterion in scoring_criteria() if criterion.key in keys),
            low=scale.low,
            high=scale.high,
        )
        return store.workshops.set_scoring(secret, setup, open_now=True)

    facilitated(action, f"Notation ouverte : {len(chosen)} projet(s) à noter sur les téléphones.")


def stop_scoring() -> None:
    facilitated(
        lambda store, secret: store.workshops.open_scoring(secret, False),
        "Notation close : les notes données restent.",
    )


def forget_workshop() -> None:
    """Callback: leave this workshop in this session (it stays in the store until it expires)."""
    state.set_facilitator_secret(None)


# --- The room's view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomSnapshot:
    results: WorkshopResults
    room: usecases.WorkshopRoom
    settings: RankingSettings  # the workshop's, with which the room ranks the projects
    top: int


def room_snapshot(secret: str) -> RoomSnapshot:
    """The workshop's results and the room's view, computed again only when something changed:
    the activity fingerprint (votes, joins, the facilitator's changes) and the inventory are
    the key; NotFound (French) when the facilitator's link is no longer valid."""
    store = opened_store()
    activity = store.workshops.activity(secret)
    top = state.top_n()
    digest = hashlib.sha256(secret.encode()).hexdigest()
    key = (digest, activity, data.inventory_key(), top)

    def compute() -> RoomSnapshot:
        results = store.workshops.results(secret)
        workshop = results.workshop
        settings = usecases.workshop_ranking_settings(workshop.settings, workshop.criteria)
        request = replace(state.request(), ranking=settings)
        votes = [recorded.vote for recorded in results.votes]
        room = usecases.workshop_room(votes, data.inventory(), request, top)
        return RoomSnapshot(results, room, settings, top)

    return remember(state.memo(), "atelier", key, compute, keep=1)


def workshop_of(secret: str) -> Workshop:
    return opened_store().workshops.for_facilitator(secret)


def adopt(secret: str) -> None:
    """Callback: the group's weights (the first aggregation) go to the Priorisation page, and
    the workshop's record to the export."""
    try:
        snapshot = room_snapshot(secret)
    except (StoreError, Unavailable) as problem:
        state.add_workshop_notice("error", str(problem))
        return
    results, view = snapshot.results, snapshot.room.view
    if view is None:
        state.add_workshop_notice("warning", "Aucun vote pour l'instant : rien à adopter.")
        return
    workshop = results.workshop
    summary = summarise(
        workshop.title,
        workshop.created_at,
        workshop.criteria,
        len(results.participants),
        [recorded.vote for recorded in results.votes],
        view,
    )
    state.adopt_workshop(summary, snapshot.settings.criteria, summary.slider_weights)


# --- The join link -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Root:
    """Where phones reach the dashboard, and what the facilitator should know about it."""

    address: str | None  # None: unknown (then the link is written relative to the server)
    note: str | None = None


def join_root(page_url: str | None, page_path: str, network_address: Callable[[], str | None]) -> Root:
    """The dashboard's address for phones: the public address set for the server, else the
    address of this page — with the laptop's network address instead of « localhost »."""
    public = os.environ.get(PUBLIC_ADDRESS_VARIABLE, "").strip()
    if public:
        return Root(public.rstrip("/"))
    if not page_url:
        return Root(None, "Adresse du serveur inconnue : le lien est donné à partir de la racine du site.")
    root = app_root(page_url, page_path)
    if not is_local(root):
        return Root(root)
    reachable = reachable_root(root, network_address())
    if reachable == root:
        return Root(
            root,
            "Ce tableau de bord est ouvert par « localhost » et l'adresse de l'ordinateur sur le réseau "
            f"est introuvable : les téléphones ne joindront pas ce lien. Réglez {PUBLIC_ADDRESS_VARIABLE}.",
        )
    return Root(
        reachable,
        "Ce tableau de bord est ouvert sur cet ordinateur (« localhost ») : le lien donne son adresse sur "
        "le réseau local. Les téléphones doivent être sur le même réseau (Wi-Fi de la salle) ; sinon, "
        f"réglez {PUBLIC_ADDRESS_VARIABLE} sur l'adresse publique du serveur.",
    )
