"""Atelier: the facilitator opens a workshop, projects its code and QR code, and leads the vote.

Without a workshop: what it is and the button to open one on the inventory, criteria and
settings in force. With one (the facilitator's secret in this session and in its link):
the invitation to project, the room's view refreshed live, and the facilitator's controls.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from prioritisation.french import format_date
from prioritisation.store import StoreError, Workshop
from prioritisation.workshop.invitation import join_address, join_link, qr_png, spaced_code
from prioritisation.workshop.session import WorkshopState, privacy_notice
from ui import data, persistence, state, workshop
from ui.guard import page_guard
from ui.navigation import page_of, through_the_app
from ui.room import room_section
from ui.tables import escape_markdown, shown

through_the_app()  # a page Streamlit ran on its own goes back through app.py

TITLE_KEY = "atelier_titre"
CONFIRM_END_KEY = "atelier_fin_confirmee"
REVEAL_KEY = "atelier_noms"
REMOVE_KEY = "atelier_retirer"
CONTROLS_KEY = "atelier_commandes"
SCORED_PROJECTS_KEY = "atelier_projets_notes"
SCORED_CRITERIA_KEY = "atelier_criteres_notes"
NOTICE_ICONS = {
    "success": ":material/check_circle:",
    "error": ":material/error:",
    "warning": ":material/warning:",
    "info": ":material/info:",
}


def show_notices() -> None:
    for kind, message in state.take_workshop_notices():
        getattr(st, kind)(escape_markdown(message), icon=NOTICE_ICONS[kind])


def opening() -> None:
    st.markdown(
        "Chaque participant donne ses poids aux critères sur son téléphone ; la salle voit les poids du "
        "groupe, leur dispersion, le consensus et le classement qui en découle.\n\n"
        "1. **Ouvrez l'atelier** : il porte sur l'inventaire, les critères et la méthode en vigueur.\n"
        "2. **Projetez** le code et le QR code : les participants rejoignent avec un nom d'affichage, "
        "sans compte.\n"
        "3. Chacun **vote** : curseurs, ou comparaison des critères deux à deux.\n"
        "4. La salle voit le résultat se construire ; vous **adoptez** les poids du groupe en un clic.\n"
        "5. **Terminez** l'atelier : les noms sont effacés, les votes restent, anonymes."
    )
    criteria = workshop.voting_criteria()
    st.markdown(
        "**Critères soumis au vote :** " + escape_markdown(" · ".join(shown(c.label) for c in criteria))
    )
    st.caption(
        f"Méthode : {state.method().label}. Pour changer de critères ou de méthode, passez d'abord par "
        "la page Priorisation (de 2 à 10 critères)."
    )
    state.default_widget_value(TITLE_KEY, f"Atelier du {format_date(dt.date.today())}")
    st.text_input("Titre de l'atelier (projeté, et écrit dans l'export)", key=TITLE_KEY, max_chars=120)
    st.button(
        "Ouvrir l'atelier",
        on_click=workshop.open_workshop,
        args=(TITLE_KEY,),
        type="primary",
        icon=":material/play_arrow:",
    )
    st.caption(privacy_notice(persistence.store().settings.workshop_days))  # type: ignore[union-attr]


def invitation(meeting: Workshop) -> None:
    """The code, the link and the QR code, large enough to read from the back of the room."""
    root = workshop.join_root(st.context.url, page_of("Atelier").url_path, network_address)
    link = join_link(root.address or "", meeting.join_code or "")
    code_column, qr_column = st.columns([3, 2], gap="large")
    with code_column:
        st.markdown(f"# Code : {spaced_code(meeting.join_code or '')}")
        where = join_address(root.address) if root.address else link.split("?")[0]
        st.markdown(
            f"Scannez le QR code, ou ouvrez **{escape_markdown(where)}** sur votre téléphone et "
            "tapez le code."
        )
        st.code(link, language=None)
        if root.note:
            st.caption(escape_markdown(root.note))
        st.caption(
            "Gardez pour vous le lien de cette page : il porte vos droits d'animation (un rechargement "
            "les garde). Le lien et le code ci-dessus ne donnent que le droit de rejoindre."
        )
    qr_column.image(
        qr_png(link),
        caption=f"QR code du lien pour rejoindre (code {spaced_code(meeting.join_code or '')})",
        alt=f"QR code du lien qui fait rejoindre l'atelier, code {spaced_code(meeting.join_code or '')}",
        width=300,
    )


def network_address() -> str | None:
    """This machine's address on the local network (what Streamlit prints as « Network URL »)."""
    from streamlit import net_util

    return net_util.get_internal_ip()


def controls(meeting: Workshop, secret: str) -> None:
    # Keyed and followed (on_change): it stays open across the reruns its own buttons cause.
    with st.expander("Conduire l'atelier", icon=":material/tune:", key=CONTROLS_KEY, on_change="rerun"):
        if meeting.state is WorkshopState.OPEN:
            st.button("Clore le vote", on_click=workshop.close_vote, icon=":material/lock:")
        else:
            st.button("Rouvrir le vote", on_click=workshop.reopen_vote, icon=":material/lock_open:")
        state.set_widget_value(REVEAL_KEY, meeting.reveal_names)
        st.toggle(
            "Afficher les noms dans la vue de la salle",
            key=REVEAL_KEY,
            on_change=workshop.reveal_names,
            args=(REVEAL_KEY,),
        )
        participants_control(secret)
        scoring_control(meeting)
        st.divider()
        st.checkbox(
            "Je termine l'atelier : les noms et les liens des participants seront effacés",
            key=CONFIRM_END_KEY,
        )
        st.button(
            "Terminer l'atelier",
            on_click=workshop.end_workshop,
            args=(CONFIRM_END_KEY,),
            icon=":material/stop:",
        )


def participants_control(secret: str) -> None:
    try:
        people = workshop.room_snapshot(secret).results.participants
    except (StoreError, workshop.Unavailable):
        return
    state.note_drawn_participants(tuple(person.number for person in people))  # the room's view follows
    if not people:
        st.caption("Aucun participant pour l'instant.")
        return
    names = {person.number: shown(person.display_name or "") for person in people}
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        "Participant à retirer (son nom, son vote et ses notes sont effacés)",
        list(names),
        index=None,  # nobody until the facilitator chooses: « Retirer » never removes by default
        placeholder="Choisissez un participant",
        format_func=lambda number: f"participant {number} — {names[number]}",
        key=REMOVE_KEY,
    )
    right.button("Retirer", on_click=workshop.remove_participant, args=(REMOVE_KEY,), disabled=chosen is None)


def scoring_control(meeting: Workshop) -> None:
    st.markdown("**Notation de projets (facultative)**")
    projects = data.inventory().projects
    ids = projects["id"].astype(str).tolist()
    titles = dict(zip(ids, projects["title"].astype(str), strict=True))
    criteria = workshop.scoring_criteria()
    if meeting.scoring is not None:
        state.default_widget_value(
            SCORED_PROJECTS_KEY, [p.id for p in meeting.scoring.projects if p.id in titles]
        )
        state.default_widget_value(SCORED_CRITERIA_KEY, [c.key for c in meeting.scoring.criteria])
    else:
        state.default_widget_value(SCORED_CRITERIA_KEY, [criterion.key for criterion in criteria])
    st.multiselect(
        "Projets à noter sur les téléphones",
        ids,
        key=SCORED_PROJECTS_KEY,
        format_func=lambda project: shown(f"{project} · {titles[project]}"),
        max_selections=100,
    )
    labels = {criterion.key: criterion.label for criterion in criteria}
    st.multiselect(
        "Notes demandées", list(labels), key=SCORED_CRITERIA_KEY, format_func=lambda key: shown(labels[key])
    )
    left, right = st.columns(2)
    left.button(
        "Ouvrir la notation de ces projets",
        on_click=workshop.start_scoring,
        args=(SCORED_PROJECTS_KEY, SCORED_CRITERIA_KEY),
        disabled=meeting.state is WorkshopState.ENDED,
    )
    if meeting.scoring_open:
        right.button("Clore la notation", on_click=workshop.stop_scoring)
    st.caption(f"Échelle de l'inventaire : {state.scale().span()}.")


def ended(meeting: Workshop) -> None:
    st.info(
        f"Atelier terminé le {format_date((meeting.ended_at or meeting.updated_at).date())} : noms et "
        f"liens des participants sont effacés ; les votes restent, anonymes, jusqu'au "
        f"{format_date(meeting.expires_at.date())}.",
        icon=":material/task_alt:",
    )
    st.button("Ouvrir un nouvel atelier", on_click=workshop.forget_workshop, icon=":material/add:")


def facilitating(secret: str) -> None:
    try:
        meeting = workshop.workshop_of(secret)
    except StoreError as problem:
        st.error(escape_markdown(str(problem)), icon=":material/error:")
        st.button("Ouvrir un nouvel atelier", on_click=workshop.forget_workshop, icon=":material/add:")
        return
    st.subheader(escape_markdown(shown(meeting.title)))
    if meeting.state is WorkshopState.ENDED:
        ended(meeting)
    else:
        invitation(meeting)
        controls(meeting, secret)
    room_section(secret)


st.title("Atelier")
with page_guard("Atelier"):
    show_notices()
    if not persistence.available():
        st.error(workshop.NO_STORE, icon=":material/cloud_off:")
    elif state.facilitator_secret() is None:
        opening()
    else:
        facilitating(str(state.facilitator_secret()))
