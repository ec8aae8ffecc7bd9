"""French conventions for numbers and dates: reading what people type, writing what they read.

"1 200 000 €", "45 000,50", "4,5", "1,2 M€", "12 k€" are numbers; "1 234 567,89 €" and
"12 mars 2026" are how we show them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Spaces people (and Excel, and LibreOffice) put between thousands.
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\u2007\t")
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "md": 1e9, "mds": 1e9}
_NUMBER = re.compile(r"^(?P<sign>[-+\u2212]?)(?P<body>[0-9][0-9.,']*)(?P<suffix>k|m|md|mds)?$")
_CURRENCY = re.compile(r"(€|eur(os?)?|ttc|ht)$")


def parse_number(value: object) -> float | None:
    """The number a cell holds, read the French way; None when it holds none.

    Numbers already typed as numbers pass through; text is read with a comma or a dot as
    decimal mark, any kind of space (or a dot when a comma is the decimal mark) between
    thousands, an optional euro sign and a k/M multiplier. Booleans are not numbers.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    return _parse_text(value)


def _parse_text(text: str) -> float | None:
    compact = text.translate(_SPACES).lower()
    if not compact:
        return None
    negative = compact.startswith("(") and compact.endswith(")")
    if negative:
        compact = compact[1:-1]
    compact = _CURRENCY.sub("", compact)
    compact = _CURRENCY.sub("", compact)  # "€ HT", "euros TTC"
    match = _NUMBER.match(compact)
    if match is None:
        return None
    body = _decimal_body(match["body"])
    if body is None:
        return None
    number = float(body) * _MULTIPLIERS.get(match["suffix"] or "", 1.0)
    if match["sign"] in ("-", "\u2212") or negative:
        number = -number
    return number


def _decimal_body(body: str) -> str | None:
    """'1.200.000' → '1200000', '45000,50' → '45000.50', '1,234.5' → '1234.5'."""
    body = body.replace("'", "")
    if "," in body and "." in body:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        body = body.replace(thousands, "").replace(decimal, ".")
    elif "," in body:
        if body.count(",") > 1:
            return None
        body = body.replace(",", ".")
    elif body.count(".") > 1:
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+", body):
            return None
        body = body.replace(".", "")
    if body.endswith(".") or body.count(".") > 1:
        return None
    return body


_FRENCH_MARKS = str.maketrans({",": "\u202f", ".": ","})


def format_number(value: float, decimals: int = 0) -> str:
    """1234567.891 → '1 234 567,89' (narrow no-break space between thousands)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{decimals}f}".translate(_FRENCH_MARKS)


def format_numbers(values: Iterable[float], decimals: int = 0, unit: str = "") -> list[str]:
    """Many numbers at once, as `format_number` would write each (then `unit`); for tables."""
    pattern = f"{{:,.{decimals}f}}{unit}"
    return [
        "—" if value is None or value != value else pattern.format(value).translate(_FRENCH_MARKS)
        for value in values
    ]


def format_amounts(values: Iterable[float]) -> list[str]:
    """Many amounts at once, as `format_euros` would write each."""
    return format_numbers(values, 0, "\u00a0€")


def format_plain(value: float, max_decimals: int = 4) -> str:
    """3.0 → '3', 2.5 → '2,5', 1/3 → '0,3333': no trailing zeros."""
    text = format_number(value, max_decimals)
    return text.rstrip("0").rstrip(",") if "," in text else text


def format_euros(value: float, decimals: int = 0) -> str:
    """1234567.89 → '1 234 568 €' (or '1 234 567,89 €' with decimals=2)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{format_number(value, decimals)}\u00a0€"


def format_percent(share: float, decimals: int = 0) -> str:
    """0.4 → '40 %'."""
    return f"{format_number(share * 100, decimals)}\u00a0%"


def format_date(day: dt.date) -> str:
    """date(2026, 3, 12) → '12 mars 2026'; the first of the month reads '1er'."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def split_items(text: str) -> list[str]:
    """Split a list on `;` and on commas that separate items (a comma between digits is a
    decimal mark): 'Urgence=40,5;Impact=30' → ['Urgence=40,5', 'Impact=30']."""
    parts, current = [], ""
    for index, char in enumerate(text):
        between_digits = 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit()
        if char in ",;" and not (char == "," and between_digits):
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


# ---------------------------------------------------------------------------------------
# What people type in settings: amounts, lists of "key=amount", months. One parser, one
# wording of each message, for the command line and the pages alike (docs/contrats.md).

MAX_AMOUNT = 1e13  # ten thousand billion euros: beyond, a typing slip, not a budget


class UnreadableValue(ValueError):
    """Typed text that does not read as what was asked; the message is French, for the user."""


def parse_amount(text: str, what: str) -> float:
    """'1,2 M€' → 1200000.0; UnreadableValue naming `what` when it is not an amount ≥ 0.

    `what` names the setting as the user sees it (« Enveloppe 2027 », « Plafond FEDER »).
    """
    number = parse_number(text)
    if number is None:
        raise UnreadableValue(
            f"{what} : « {text.strip()} » n'est pas un montant lisible (ex. « 300 000 », « 1,2 M€ »)."
        )
    if number < 0:
        raise UnreadableValue(f"{what} : « {text.strip()} » est négatif ; un montant est positif ou nul.")
    if number > MAX_AMOUNT:
        raise UnreadableValue(
            f"{what} : « {text.strip()} » dépasse tout budget plausible ; vérifiez la saisie."
        )
    return number


# A comma separates two items only when the next item names its key: "2026=1,5 M€,2027=2 M€".
_ITEM_BREAK = re.compile(r"[;\n]|,(?=[^,;=\n]*=)")


def split_pairs(text: str, form: str = "CLÉ=VALEUR, ex. 2027=300000") -> list[tuple[str, str]]:
    """'2026=250000,2027=1,5 M€;2028=3' → [('2026', '250000'), ('2027', '1,5 M€'), ('2028', '3')].

    Items are separated by `;`, a new line, or a comma followed by the next item's « clé= »;
    any other comma is a decimal mark. UnreadableValue for an item without « = ».
    """
    pairs = []
    for item in _ITEM_BREAK.split(text):
        if not item.strip():
            continue
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise UnreadableValue(f"« {item.strip()} » : écrivez {form}.")
        pairs.append((key.strip(), value.strip()))
    return pairs


def parse_year_amounts(text: str, what: str = "Enveloppe") -> tuple[tuple[int, float], ...]:
    """'2026=250000,2027=300000' or '2026=300 000;2027=1,2 M€' → ((2026, 250000.0), …), by year.

    A year given twice keeps its last amount. UnreadableValue for an unreadable year or amount.
    """
    amounts: dict[int, float] = {}
    for year_text, amount_text in split_pairs(text, "ANNÉE=MONTANT, ex. 2027=300000"):
        if not (year_text.isdigit() and len(year_text) == 4):
            raise UnreadableValue(f"« {year_text}={amount_text} » : écrivez ANNÉE=MONTANT, ex. 2027=300000.")
        amounts[int(year_text)] = parse_amount(amount_text, f"{what} {year_text}")
    return tuple(sorted(amounts.items()))


def parse_month(text: str) -> dt.date:
    """'2026-09' or '09/2026' → 1 Sept. 2026; UnreadableValue if unreadable."""
    cleaned = text.strip()
    for pattern in ("%Y-%m", "%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(cleaned, pattern).date().replace(day=1)
        except ValueError:
            continue
    raise UnreadableValue(f"« {text} » : écrivez le mois de début sous la forme AAAA-MM, ex. 2027-01.")


def exact_number(value: float) -> str:
    """A number written so that `parse_number` gives it back exactly: 300000.0 → '300000',
    0.125 → '0,125', 1/3 → '0,3333333333333333' (what the equivalent command writes)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(Decimal(repr(float(value))), "f").replace(".", ",")


def exact_percent(share: float) -> str:
    """A share written as a percentage that reads back, divided by 100, as exactly `share`:
    0.35 → '35' (where 0.35 × 100 would print 35,00000000000001)."""
    written = exact_number(float(Decimal(repr(float(share))) * 100))
    if (parse_number(written) or 0.0) / 100 == share:
        return written
    for digits in range(1, 18):
        candidate = exact_number(round(share * 100, digits))
        if (parse_number(candidate) or 0.0) / 100 == share:
            return candidate
    return exact_number(share * 100)
