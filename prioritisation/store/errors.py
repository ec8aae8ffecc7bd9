"""What the store refuses or cannot do, each with a French message for the person concerned.

Every exception here is a `StoreError` whose text can be shown as is; a page shows it and
carries on. Refusals of the workshop's rules (a malformed vote, a closed vote) are
`prioritisation.workshop.session.Refused`, which the store lets through unchanged.
"""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    """Something the store cannot do; the message is French, for the user."""


class StoreConfigurationError(StoreError):
    """The server's settings are wrong (raised at start, for the administrator)."""


class StoreUnavailable(StoreError):
    """The database does not answer, or stayed busy too long: try again in a moment."""


class SchemaTooNew(StoreError):
    """The database was created by a newer version of the tool; this one must not touch it."""


class NotFound(StoreError):
    """An unknown or expired link (working state, workshop, participant or facilitator)."""


class TooLarge(StoreError):
    """A file or a settings document over the store's limit."""


class StaleRevision(StoreError):
    """The stored item changed since the page read it (another tab, a replayed request).

    `current` holds what is stored now, for the page to merge and retry, or to show.
    """

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current
