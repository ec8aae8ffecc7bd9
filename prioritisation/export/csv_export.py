"""The ranking as CSV, for other tools: every original column, then Rang and Score (and, for
the rows left out as in error, why: `Ranking.ranked_original`).

Written the way French spreadsheets open it without a question: `;` between fields, a
decimal comma, UTF-8 with a byte-order mark. A text that a spreadsheet would run as a
formula (`=`, `+`, `-`, `@`, tab, carriage return first) is written with a leading
apostrophe, the usual defence against CSV injection; numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

from prioritisation.ranking.priorities import RANK_HEADER, SCORE_HEADER, Ranking
from prioritisation.reading.inventory import cell_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ranking_csv(ranking: Ranking) -> bytes:
    """The ranked table as CSV bytes, best project first."""
    frame = ranking.ranked_original()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_safe_text(str(header)) for header in frame.columns])
    for values in frame.itertuples(index=False):
        writer.writerow(
            [_csv_value(value, column) for value, column in zip(values, frame.columns, strict=True)]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: object, column: str) -> str:
    if column == SCORE_HEADER and isinstance(value, float):
        return _decimal(value * 100, 4)  # on 100, as the pages and the workbook show it
    if column in (RANK_HEADER, SCORE_HEADER) and (value is None or value != value):
        return ""  # a row left out has neither
    if column == RANK_HEADER:
        return str(int(value))  # type: ignore[call-overload]
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, int | float):
        return "" if isinstance(value, float) and math.isnan(value) else _decimal(float(value), 10)
    if isinstance(value, dt.date | dt.datetime):
        return cell_text(value)
    return _safe_text("" if value is None else str(value))


def _decimal(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if text not in ("", "-0") else "0"


def _safe_text(text: str) -> str:
    """A text a spreadsheet would evaluate gets a leading apostrophe; others are unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
