"""The life of a workshop, without storage: its states, its join code, who may join and as whom.

A facilitator opens a workshop (state « open »), may close the vote and reopen it, and ends
the workshop, which forgets the participants' names (RGPD: a display name is all we keep,
only as long as needed). Participants join with a short code and a display name: no
account, no e-mail. docs/atelier.md describes the whole session.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from enum import Enum

# A join code is read aloud and typed on a phone: no 0/O, no 1/I/L, no U (left out as in
# Crockford's base 32), upper case only. 30 symbols, 6 characters: 729 million codes.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
JOIN_CODE_LENGTH = 6
DISPLAY_NAME_MAX = 40
TITLE_MAX = 120

# Characters that reorder or hide text (bidirectional overrides and isolates, marks):
# a display name shown to the room must read as typed (U+202E can reverse a label).
_INVISIBLE = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern): a name made
# of them shows as « participant 5 — » with nothing after it.
_BLANK_LOOKING = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_JOINERS = {"\u200c", "\u200d"}  # format characters that shape real words and emoji: kept


class Refused(ValueError):
    """A request the workshop refuses: a malformed vote, a closed vote, a stale page…

    Holds every reason, in French, for the person who made the request.
    """

    def __init__(self, messages: str | Iterable[str]) -> None:
        self.messages = (messages,) if isinstance(messages, str) else tuple(messages)
        super().__init__(" ".join(self.messages))


class WorkshopState(Enum):
    OPEN = "open"
    CLOSED = "closed"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    WorkshopState.OPEN: "vote ouvert",
    WorkshopState.CLOSED: "vote clos",
    WorkshopState.ENDED: "atelier terminé",
}


class FacilitatorAction(Enum):
    CLOSE = "close"
    REOPEN = "reopen"
    END = "end"


def next_state(state: WorkshopState, action: FacilitatorAction) -> WorkshopState:
    """The state after the facilitator's action; Refused (French) when it makes no sense now.

    Closing a closed vote or reopening an open one is harmless (two clicks, two tabs) and
    leaves the state as it is; nothing but reading the results happens after the end.
    """
    if state is WorkshopState.ENDED:
        raise Refused("L'atelier est terminé : on ne peut plus ni rouvrir ni clore le vote.")
    if action is FacilitatorAction.CLOSE:
        return WorkshopState.CLOSED
    if action is FacilitatorAction.REOPEN:
        return WorkshopState.OPEN
    return WorkshopState.ENDED


def check_can_join(state: WorkshopState) -> None:
    """Latecomers may join a closed vote (it may reopen); nobody joins an ended workshop."""
    if state is WorkshopState.ENDED:
        raise Refused("Cet atelier est terminé : il n'accepte plus de participants.")


def check_can_vote(state: WorkshopState) -> None:
    if state is WorkshopState.CLOSED:
        raise Refused("Le vote est clos : l'animateur peut le rouvrir. Votre vote précédent est conservé.")
    if state is WorkshopState.ENDED:
        raise Refused("Cet atelier est terminé : le vote n'est plus possible.")


def visible_text(text: str) -> str:
    """Text as it will be read on a screen: NFC, no control or bidi characters, every run of
    spaces (tabs, line breaks…) one space, trimmed."""
    visible = "".join(
        " " if character.isspace() else character
        for character in unicodedata.normalize("NFC", text)
        if character.isspace() or _drawn(character)
    )
    return " ".join(visible.split())


def _drawn(character: str) -> bool:
    """Whether a character shows: not a control, not a format character (zero-width space,
    word joiner, byte-order mark, tags) but the joiners words need, not a blank-looking letter."""
    if character in _INVISIBLE or character in _BLANK_LOOKING:
        return False
    category = unicodedata.category(character)
    return category != "Cc" and (category != "Cf" or character in _JOINERS)


def clean_title(text: object) -> str:
    """A workshop's title as projected: readable, at most TITLE_MAX characters, « Atelier » if empty."""
    title = visible_text(text) if isinstance(text, str) else ""
    return title[:TITLE_MAX] or "Atelier"


def clean_display_name(text: object) -> str:
    """The name as the room will read it (`visible_text`); Refused when nothing readable is
    left or it is too long."""
    if not isinstance(text, str):
        raise Refused("Indiquez un nom d'affichage.")
    name = visible_text(text)
    if not any(
        character not in _JOINERS and not unicodedata.category(character).startswith("M")
        for character in name.replace(" ", "")
    ):
        raise Refused("Indiquez un nom d'affichage (un prénom, une fonction ou un pseudonyme suffit).")
    if len(name) > DISPLAY_NAME_MAX:
        raise Refused(f"Le nom d'affichage est trop long : {DISPLAY_NAME_MAX} caractères au plus.")
    return name


def new_join_code() -> str:
    """A random code of the unambiguous alphabet (uniqueness is the store's business)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(text: object) -> str | None:
    """What a person typed, as a code: « k7m 2pq » → « K7M2PQ »; None if it cannot be one.

    Spaces, dashes and dots are ignored and case does not matter; a character outside the
    alphabet (0, O, 1, I, L, U) cannot be part of a code, so the input is not one.
    """
    if not isinstance(text, str) or len(text) > 4 * JOIN_CODE_LENGTH:
        return None
    code = "".join(character for character in text.upper() if character not in " -.\u00a0\u202f\t")
    if len(code) != JOIN_CODE_LENGTH or any(character not in JOIN_CODE_ALPHABET for character in code):
        return None
    return code


NOT_A_CODE = (
    "Un code d'atelier compte 6 caractères, lettres et chiffres (jamais 0, O, 1, I, L ni U) : "
    "vérifiez-le auprès de l'animateur."
)


def privacy_notice(days: int) -> str:
    """What the join page says about the name it asks for (RGPD, information of the person)."""
    return (
        "Seul votre nom d'affichage est conservé, avec vos réponses, le temps de l'atelier : "
        "il est effacé quand l'animateur termine l'atelier, et au plus tard "
        f"{days} jours après son ouverture. Aucun compte ni adresse électronique n'est demandé. "
        "Les autres participants ne voient pas vos réponses ; l'écran de la salle les montre "
        "sans nom, sauf si l'animateur choisit d'afficher les noms."
    )
