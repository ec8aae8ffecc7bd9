"""JSON documents in the store: strict JSON, with a size limit, read back as written.

The dashboard's settings, the workshop's criteria and snapshot, votes and scoring setups
are kept as JSON text: the same column type on SQLite and PostgreSQL, and a document the
dashboard owns and versions itself. NaN and infinities are not JSON: a document holding
one is a programming error of the page, refused here rather than stored half-readable.
"""

from __future__ import annotations

import json
from typing import Any

from prioritisation.reading.untrusted import format_size
from prioritisation.store.errors import TooLarge


def encode(document: Any, limit: int | None = None) -> str:
    """Compact JSON; ValueError for what JSON cannot hold, TooLarge (French) over `limit` bytes."""
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if limit is not None and len(text.encode("utf-8")) > limit:
        raise TooLarge(
            f"Les réglages à enregistrer dépassent la taille permise ({format_size(limit)}) : "
            "ils n'ont pas été enregistrés."
        )
    return text


def decode(text: str) -> Any:
    return json.loads(text)
