"""Grants given as an amount in one column and the scheme they come from in another.

Grant lists write « Subvention » (or « Montant sollicité », SUBVENTION) and, beside it,
« Dispositif » (or DOT, « Type de dotation »): DETR, DSIL, DSID, FEDER… Each row's amount
goes to the funding source its scheme names; a scheme without a column of its own (DSID,
a Région, the CAF…) goes to « Autres subventions » and is named in one warning.

When the row already has a value in the column of that source (« DETR (€) » beside
« Subvention » / « DETR »), that value is kept and the grant is not added: the two are most
often the same money written twice, and adding them would double a grant in the funding
plan. A warning names those rows so that the user checks (docs/colonnes.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from prioritisation.reading.headers import header_words

OTHER = "other_grants"
_SCHEMES: tuple[tuple[str, tuple[frozenset[str], ...]], ...] = tuple(
    (key, tuple(header_words(name) for name in names))
    for key, names in (
        ("feder", ("FEDER", "fonds européen de développement régional", "fonds européens", "Europe")),
        ("dsil", ("DSIL", "dotation de soutien à l'investissement local")),
        ("detr", ("DETR", "dotation d'équipement des territoires ruraux")),
        ("own_funds", ("autofinancement", "fonds propres", "reste à charge")),
        ("private", ("privé", "mécénat")),
    )
)


def recognise_scheme(text: str) -> str | None:
    """The funding source a scheme's name points to ('DSIL exceptionnelle' → 'dsil').

    None for a scheme we keep no column for (DSID, FNADT, a Région…), for a blank, and for a
    cell naming several sources at once (« DETR / DSIL »): those go to other grants.
    """
    words = header_words(text)
    found = {key for key, names in _SCHEMES if any(name <= words for name in names)}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class GrantRouting:
    """Where each row's grant went, and what the user should be told about it."""

    added: dict[str, np.ndarray]  # source → amount added to each row (0 where nothing)
    elsewhere: dict[str, list[int]] = field(default_factory=dict)  # scheme as written → row positions
    already: dict[str, list[int]] = field(default_factory=dict)  # source → rows whose column was kept


def route_grants(
    amounts: np.ndarray,
    schemes: Sequence[str] | None,
    sources: Mapping[str, np.ndarray],
    mapped: frozenset[str],
) -> GrantRouting:
    """Send each row's grant to its source. `schemes` is None when the file has no scheme column.

    `sources` are the funding columns as read (NaN where blank); `mapped` the sources that
    have a column in the file, whose values win over the grant column.
    """
    count = len(amounts)
    added = {key: np.zeros(count) for key in sources}
    elsewhere: dict[str, list[int]] = {}
    already: dict[str, list[int]] = {}
    known: dict[str, str | None] = {}
    for position in np.flatnonzero(~np.isnan(amounts) & (amounts != 0)):
        written = " ".join(schemes[position].split()) if schemes is not None else ""
        if written not in known:
            known[written] = recognise_scheme(written) if written else None
        source = known[written] or OTHER
        if source == OTHER and schemes is not None:
            elsewhere.setdefault(written, []).append(int(position))
        if source in mapped and not np.isnan(sources[source][position]):
            already.setdefault(source, []).append(int(position))
            continue
        added[source][position] = amounts[position]
    return GrantRouting(added, elsewhere, already)
