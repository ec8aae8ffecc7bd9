"""The user's working state kept in the store between visits: a reload or a link brings it back.

After each run that changed something, the session's choices (`state.working_document`)
and its uploaded file are saved under an unguessable token, which the page's link carries
(`?etat=…`). A session opened on such a link restores them before anything is drawn. Two
tabs on one link never lose each other's cell edits: a stale save merges what the other
saved. The store is opened once per process; if it cannot be, the dashboard works as
before, without keeping anything, and says so. See docs/stockage.md.
"""

from __future__ import annotations

import json
import logging

import streamlit as st

from prioritisation.store import NewFile, NotFound, StaleRevision, Store, StoreError, open_store
from ui import state

log = logging.getLogger("priorisation")


@st.cache_resource(show_spinner=False)
def store() -> Store | None:
    """The process's store (working states and workshops), opened once; None if it cannot be."""
    try:
        return open_store()
    except Exception:  # a wrong setting, a full disk: the dashboard still works, without memory
        log.exception("Stockage indisponible")
        return None


def available() -> bool:
    return store() is not None


def kept_days() -> int:
    opened = store()
    return opened.settings.working_state_days if opened is not None else 0


def restore_from_link() -> list[str]:
    """On a session's first run: the working state named by the link, if it is still kept."""
    token = st.query_params.get(state.TOKEN_PARAMETER)
    if not token or state.kept_token() is not None or state.saved_document_text() is not None:
        return []
    opened = store()
    if opened is None:
        return ["Le stockage des états de travail ne répond pas : le lien ne peut pas être rouvert."]
    try:
        kept = opened.working_states.load(token)
        stored_file = opened.working_states.read_file(token) if kept is not None else None
    except StoreError as problem:
        return [str(problem)]
    if kept is None:
        state.keep_token(None, 0, _text(state.working_document()), state.source().digest)
        return [
            "Ce lien désigne un état de travail qui n'existe plus (supprimé, ou non utilisé depuis "
            "plus longtemps que la durée de conservation) : vous repartez des données d'exemple."
        ]
    notices = state.restore_document(
        kept.document, stored_file.name if stored_file else None, stored_file.data if stored_file else None
    )
    state.keep_token(token, kept.revision, _text(state.working_document()), state.source().digest)
    return notices


def save() -> None:
    """Keep what changed in this run (nothing is written when nothing changed)."""
    document = state.working_document()
    text = _text(document)
    source = state.source()
    if state.saved_document_text() is None:  # a fresh session: nothing of the user's yet
        state.keep_token(None, 0, text, source.digest)
        return
    if text == state.saved_document_text() and source.digest == state.saved_file_digest():
        return
    opened = store()
    if opened is None:
        return
    new_file = (
        None
        if source.is_sample or source.digest == state.saved_file_digest()
        else NewFile(source.file_name, source.data)
    )
    try:
        saved = _write(opened, document, new_file, remove_file=source.is_sample)
    except StoreError as problem:
        state.set_store_notice(str(problem))
        return
    state.keep_token(saved.token, saved.revision, text, source.digest)


def _write(store: Store, document: dict, new_file: NewFile | None, *, remove_file: bool) -> object:
    token = state.kept_token()
    if token is None:
        return store.working_states.create(document, file=new_file or _current_file())
    try:
        return store.working_states.save(
            token, document, expected_revision=state.kept_revision(), file=new_file,
            remove_file=remove_file and new_file is None,
        )  # fmt: skip
    except StaleRevision as stale:  # another tab saved in between: keep its edits too
        merged = merge(stale.current.document, document)
        return store.working_states.save(
            token, merged, expected_revision=stale.current.revision, file=new_file,
            remove_file=remove_file and new_file is None,
        )  # fmt: skip
    except NotFound:  # deleted or expired meanwhile: keep it afresh
        return store.working_states.create(document, file=new_file or _current_file())


def _current_file() -> NewFile | None:
    source = state.source()
    return None if source.is_sample else NewFile(source.file_name, source.data)


def merge(theirs: dict, ours: dict) -> dict:
    """Our settings, with every cell edit of both (ours win where both edited the same cell)."""
    edits = {(row, label): text for row, label, text in theirs.get("modifications", [])}
    if theirs.get("exemple") == ours.get("exemple"):
        edits.update({(row, label): text for row, label, text in ours.get("modifications", [])})
    else:
        edits = {(row, label): text for row, label, text in ours.get("modifications", [])}
    return {**ours, "modifications": [[row, label, text] for (row, label), text in sorted(edits.items())]}


def delete_working_state() -> None:
    """Callback: delete the kept state now, and start afresh on the sample."""
    token = state.kept_token()
    opened = store()
    if token and opened is not None:
        try:
            opened.working_states.delete(token)
        except StoreError as problem:
            state.set_store_notice(str(problem))
            return
    state.forget_working_state()
    st.query_params.clear()
    state.keep_token(None, 0, _text(state.working_document()), state.source().digest)


def notice() -> str | None:
    return state.take_store_notice()


def _text(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False)
