"""Rejoindre un atelier: a participant joins with the code and a name, then votes — on a phone.

Reached by the join link (the QR code) or by typing the code; shown alone, without the
menu or the facilitator's tools. One column, large controls: a phone 390 px wide reads it
without scrolling sideways.
"""

from __future__ import annotations

import streamlit as st

from prioritisation.french import format_percent, format_plain
from prioritisation.store import Membership, StoreError
from prioritisation.workshop.ahp import CONSISTENCY_LIMIT, judgment_phrase, most_inconsistent_pair
from prioritisation.workshop.session import NOT_A_CODE, WorkshopState, normalise_join_code, privacy_notice
from prioritisation.workshop.votes import VoteMethod, VotingCriterion
from ui import ballot, persistence, state, workshop
from ui.guard import page_guard
from ui.navigation import through_the_app
from ui.tables import escape_markdown, shown

through_the_app()  # a page Streamlit ran on its own goes back through app.py

POLL = 4.0  # seconds: a closed vote or an opened scoring shows on the phones within this delay
NOTICE_ICONS = {
    "success": ":material/check_circle:",
    "error": ":material/error:",
    "warning": ":material/warning:",
    "info": ":material/info:",
}


def show_notices(place: str = "page") -> None:
    for kind, message in state.take_workshop_notices(place):
        getattr(st, kind)(escape_markdown(message), icon=NOTICE_ICONS[kind])


def joining_form() -> None:
    code = normalise_join_code(state.join_code() or "")
    found = workshop.opened_store().workshops.find(code) if code else None
    if found is not None:
        st.markdown(f"Atelier : **{escape_markdown(shown(found.title))}**")
    elif code:
        st.warning(
            "Aucun atelier en cours ne porte ce code : vérifiez-le auprès de l'animateur.",
            icon=":material/warning:",
        )
    elif state.join_code():  # the link's code cannot be one
        st.warning(NOT_A_CODE, icon=":material/warning:")
    state.default_widget_value(ballot.CODE_KEY, ballot.code_shown())
    st.text_input("Code de l'atelier (6 caractères)", key=ballot.CODE_KEY, max_chars=24)
    st.text_input(
        "Votre nom d'affichage (un prénom, une fonction ou un pseudonyme)", key=ballot.NAME_KEY, max_chars=40
    )
    st.info(privacy_notice(workshop.opened_store().settings.workshop_days), icon=":material/shield:")
    st.button("Rejoindre", on_click=ballot.join, type="primary", icon=":material/login:", width="stretch")


def voting(membership: Membership, secret: str) -> None:
    meeting, me = membership.workshop, membership.participant
    ballot.load_stored(membership, secret)
    state.set_workshop_seen(meeting.revision)
    title, name = escape_markdown(shown(meeting.title)), escape_markdown(shown(me.display_name or ""))
    st.markdown(f"**{title}** · vous : **{name}** (participant {me.number}) · {meeting.state.label}")
    if meeting.state is WorkshopState.CLOSED:
        st.warning(
            "Le vote est clos pour l'instant : l'animateur peut le rouvrir. Votre vote est conservé.",
            icon=":material/lock:",
        )
    criteria = meeting.criteria
    st.subheader("Votre vote")
    state.default_widget_value(ballot.METHOD_KEY, VoteMethod.DIRECT.value)
    method = st.radio(
        "Comment donner vos poids ?",
        [VoteMethod.DIRECT.value, VoteMethod.PAIRWISE.value],
        format_func=lambda value: (
            "Un curseur par critère"
            if value == VoteMethod.DIRECT.value
            else "Comparer les critères deux à deux"
        ),
        key=ballot.METHOD_KEY,
    )
    if method == VoteMethod.PAIRWISE.value:
        pairwise_form(criteria)
    else:
        direct_form(criteria)
    open_vote = meeting.state is WorkshopState.OPEN
    st.button(
        "Envoyer mon vote" if state.vote_revision() == 0 else "Envoyer mon vote modifié",
        on_click=ballot.send_vote,
        args=(criteria,),
        type="primary",
        icon=":material/how_to_vote:",
        width="stretch",
        disabled=not open_vote,
    )
    show_notices(ballot.VOTE_NOTICES)
    if state.vote_revision():
        st.caption("Votre vote est enregistré ; vous pouvez le modifier tant que le vote est ouvert.")
    else:
        st.caption("Vous n'avez pas encore voté.")
    if meeting.scoring is not None and meeting.scoring_open and open_vote:
        scoring_form(membership)
    st.divider()
    st.caption(privacy_notice(workshop.opened_store().settings.workshop_days))
    st.button(
        "Quitter l'atelier sur cet appareil",
        on_click=ballot.leave,
        help="Votre vote reste enregistré ; cet appareil oublie seulement votre participation.",
    )


def direct_form(criteria: tuple[VotingCriterion, ...]) -> None:
    st.caption(
        "Donnez à chaque critère un poids de 0 à 100 : seules les proportions comptent, ramenées à 100 %."
    )
    for index in range(len(criteria)):
        state.default_widget_value(ballot.weight_key(index), ballot.DEFAULT_DIRECT_WEIGHT)
    shares = ballot.direct_shares(len(criteria))
    for index, criterion in enumerate(criteria):
        share = "—" if shares is None else format_percent(float(shares[index]))
        st.slider(
            f"{escape_markdown(shown(criterion.label))} — {share}",
            min_value=0,
            max_value=100,
            step=5,
            key=ballot.weight_key(index),
        )
    if shares is None:
        st.error("Au moins un critère doit avoir un poids supérieur à zéro.", icon=":material/error:")
    else:
        st.markdown(
            "**Vos poids :** "
            + escape_markdown(
                " · ".join(
                    f"{shown(criterion.label)} {format_percent(float(share))}"
                    for criterion, share in zip(criteria, shares, strict=True)
                )
            )
            + " (total 100 %)"
        )


def pairwise_form(criteria: tuple[VotingCriterion, ...]) -> None:
    st.caption(
        "Pour chaque paire, glissez vers le critère qui compte le plus, d'autant plus loin qu'il compte "
        "plus (échelle de Saaty : ×3, un peu plus ; ×5, nettement plus ; ×9, extrêmement plus)."
    )
    for first, second in ballot.pairs(len(criteria)):
        key = ballot.pair_key(first, second)
        state.default_widget_value(key, 1.0)
        a, b = criteria[first], criteria[second]
        value = st.select_slider(
            f"{escape_markdown(shown(a.label))} ou {escape_markdown(shown(b.label))} ?",
            options=ballot.PAIR_OPTIONS,
            format_func=lambda value, a=a, b=b: shown(ballot.pair_mark(a, b, value)),
            key=key,
        )
        phrase = judgment_phrase(ballot.spoken(a), ballot.spoken(b), float(value))
        st.caption(escape_markdown(shown(phrase[:1].upper() + phrase[1:] + ".")))
    vote = ballot.pairwise_vote(len(criteria))
    result = vote.analysis()
    st.markdown(
        "**Vos poids :** "
        + escape_markdown(
            " · ".join(
                f"{shown(criterion.label)} {format_percent(share)}"
                for criterion, share in zip(criteria, result.priorities, strict=True)
            )
        )
    )
    if len(criteria) < 3:
        return
    ratio = format_percent(result.consistency_ratio, 1)
    if result.consistent_enough:
        st.success(
            f"Vos réponses sont cohérentes : CR = {ratio} (au plus {format_percent(CONSISTENCY_LIMIT)}).",
            icon=":material/check:",
        )
        return
    hint = most_inconsistent_pair(vote.matrix(), result.priorities)
    advice = ""
    if hint is not None:
        left, right = ballot.spoken(criteria[hint.first]), ballot.spoken(criteria[hint.second])
        advice = (
            f" La réponse qui s'écarte le plus des autres : « {judgment_phrase(left, right, hint.given)} » ; "
            f"vos autres réponses suggèrent plutôt « {judgment_phrase(left, right, hint.suggested)} »."
        )
    st.warning(
        escape_markdown(
            f"Cohérence de vos réponses : CR = {ratio}, au-delà de {format_percent(CONSISTENCY_LIMIT)} : "
            f"certaines se contredisent.{advice} Vous pouvez tout de même envoyer ce vote."
        ),
        icon=":material/balance:",
    )


def scoring_form(membership: Membership) -> None:
    setup = membership.workshop.scoring
    if setup is None:
        return
    st.subheader("Noter des projets")
    low, high = format_plain(setup.low), format_plain(setup.high)
    st.caption(f"De {low} (faible) à {high} (fort) ; laissez « sans note » si vous ne savez pas.")
    options = ballot.score_options(setup)
    for p, project in enumerate(setup.projects):
        st.markdown(f"**{escape_markdown(shown(f'{project.id} · {project.label}'))}**")
        for c, criterion in enumerate(setup.criteria):
            st.select_slider(
                shown(criterion.label),
                options=options,
                format_func=lambda value: "sans note" if value is None else format_plain(value),
                key=ballot.score_key(p, c),
            )
    st.button("Envoyer mes notes", on_click=ballot.send_scores, args=(setup,), width="stretch")
    show_notices(ballot.SCORE_NOTICES)


@st.fragment(run_every=POLL)
def follow_workshop(secret: str) -> None:
    """Draw the page again when the facilitator changes something (vote closed, scoring opened)."""
    try:
        membership = workshop.opened_store().workshops.for_participant(secret)
    except StoreError:
        st.rerun(scope="app")  # the page says why (removed, ended, expired)
        return
    if membership.workshop.revision != state.workshop_seen():
        st.rerun(scope="app")


def participant_page() -> None:
    show_notices()
    secret = state.participant_secret()
    membership = None
    if secret is not None:
        try:
            membership = workshop.opened_store().workshops.for_participant(secret)
        except StoreError as problem:
            st.warning(escape_markdown(str(problem)), icon=":material/link_off:")
            ballot.forget_if_gone(problem)
    if membership is None or secret is None:
        joining_form()
        return
    voting(membership, secret)
    follow_workshop(secret)


st.title("Rejoindre un atelier")
with page_guard("Rejoindre un atelier"):
    if not persistence.available():
        st.error(workshop.NO_STORE, icon=":material/cloud_off:")
    else:
        participant_page()
