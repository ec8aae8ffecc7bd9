"""What arrives from a phone is read strictly: numbers are numbers, faults are all named.

A vote or a score sheet comes from a page, through the network; a hostile or broken page
may send anything. These helpers read its values without guessing and gather the reasons
for a refusal, capped so that a document with a million faults gives a short message.
"""

from __future__ import annotations

import math

from prioritisation.french import format_plain
from prioritisation.workshop.session import Refused

MAX_REASONS = 8


def number(value: object) -> float | None:
    """A finite number; booleans and text are not numbers here (the page sends numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def quoted(value: object) -> str:
    """A received value, short enough to quote in a message."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return format_plain(float(value))
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"


def refuse_if_any(reasons: list[str]) -> None:
    """Refused with every reason (the first MAX_REASONS, then how many more)."""
    if len(reasons) > MAX_REASONS:
        reasons = [*reasons[:MAX_REASONS], f"… et {len(reasons) - MAX_REASONS} autre(s) problème(s)."]
    if reasons:
        raise Refused(reasons)
