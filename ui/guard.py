"""An error in a page becomes a French message; the session and the other pages carry on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from prioritisation.french import UnreadableValue
from prioritisation.planning.schedule import InvalidPlan
from prioritisation.ranking.methods import InvalidSettings
from prioritisation.reading.fields import UnknownOverride
from prioritisation.reading.untrusted import FileRefused
from ui.cache import ServerBusy
from ui.tables import escape_markdown

log = logging.getLogger("priorisation")


@contextmanager
def page_guard(page: str) -> Iterator[None]:
    """Run a page's body; a user-data error or a bug ends as a message, never a traceback.

    Streamlit's own control flow (`st.stop`, `st.rerun`) derives from BaseException and
    passes through untouched.
    """
    try:
        yield
    except (
        FileRefused,
        InvalidSettings,
        InvalidPlan,
        UnknownOverride,
        UnreadableValue,
        ServerBusy,
    ) as refused:
        st.error(escape_markdown(str(refused)), icon=":material/error:")  # quotes file names
    except BaseException as error:
        if not (isinstance(error, Exception) or type(error).__name__ == "PanicException"):
            raise  # st.stop, st.rerun, an interruption: not errors
        log.exception("Erreur dans la page %s", page)
        st.error(
            f"La page « {page} » a rencontré une erreur inattendue. Vos données et vos réglages "
            "sont conservés : rechargez la page, ou revenez à l'Inventaire pour vérifier le "
            "fichier. Si l'erreur persiste, signalez-la avec le fichier utilisé.",
            icon=":material/error:",
        )
