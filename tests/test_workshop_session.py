"""The workshop's rules without storage: states, join codes, display names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation.workshop.session import (
    DISPLAY_NAME_MAX,
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    FacilitatorAction,
    Refused,
    WorkshopState,
    check_can_join,
    check_can_vote,
    clean_display_name,
    clean_title,
    new_join_code,
    next_state,
    normalise_join_code,
    privacy_notice,
)


def test_join_codes_leave_out_characters_people_confuse():
    assert not set("01OILU") & set(JOIN_CODE_ALPHABET)
    assert len(set(JOIN_CODE_ALPHABET)) == 30


def test_a_new_join_code_is_six_characters_of_the_alphabet():
    codes = {new_join_code() for _ in range(200)}
    assert all(len(code) == JOIN_CODE_LENGTH and set(code) <= set(JOIN_CODE_ALPHABET) for code in codes)
    assert len(codes) > 190  # random, not a counter


@pytest.mark.parametrize(
    ("typed", "code"), [("k7m2pq", "K7M2PQ"), (" K7M 2PQ ", "K7M2PQ"), ("k7m-2pq", "K7M2PQ")]
)
def test_reads_a_typed_code_whatever_its_case_and_spacing(typed, code):
    assert normalise_join_code(typed) == code


@pytest.mark.parametrize(
    "typed", ["K0M2PQ", "KOM2PQ", "K1M2PQ", "KLM2PQ", "K7M2P", "K7M2PQR", "", None, 123456, "x" * 500]
)
def test_a_text_that_cannot_be_a_code_is_no_code(typed):
    assert normalise_join_code(typed) is None


@given(st.text(max_size=60))
def test_a_display_name_is_clean_or_refused(text):
    try:
        name = clean_display_name(text)
    except Refused:
        return
    assert 0 < len(name) <= DISPLAY_NAME_MAX
    assert name == name.strip() and "  " not in name
    assert "\u202e" not in name and not any(ord(character) < 32 for character in name)


def test_invisible_characters_are_taken_out_of_a_display_name_but_joiners_stay():
    assert clean_display_name("Ma\u200brie\ufeff") == "Marie"
    assert clean_display_name("👩\u200d💻 Léa") == "👩\u200d💻 Léa"  # an emoji sequence keeps its joiner


def test_a_display_name_cannot_reverse_the_text_around_it():
    assert clean_display_name("  Marie\u202e   Curie\n") == "Marie Curie"
    assert clean_display_name("Élu\u2066 n°\u20693") == "Élu n°3"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "Indiquez"),
        ("\u202e \t", "Indiquez"),
        ("x" * 41, "trop long"),
        (None, "Indiquez"),
        # Names that draw nothing: zero-width space, word joiner, byte-order mark, Hangul fillers,
        # the blank Braille pattern, a tag character, a lone combining accent.
        *(
            (invisible, "Indiquez")
            for invisible in [
                "\u200b",
                "\u2060",
                "\ufeff",
                "\u3164",
                "\u115f",
                "\u2800",
                "\U000e0041",
                "\u0301",
                "\u200d\u200b",
            ]
        ),
    ],
)
def test_refuses_an_empty_or_overlong_display_name(name, reason):
    with pytest.raises(Refused, match=reason):
        clean_display_name(name)


def test_the_facilitator_closes_reopens_and_ends_the_vote():
    assert next_state(WorkshopState.OPEN, FacilitatorAction.CLOSE) is WorkshopState.CLOSED
    assert next_state(WorkshopState.CLOSED, FacilitatorAction.REOPEN) is WorkshopState.OPEN
    assert next_state(WorkshopState.CLOSED, FacilitatorAction.CLOSE) is WorkshopState.CLOSED
    assert next_state(WorkshopState.OPEN, FacilitatorAction.END) is WorkshopState.ENDED
    for action in FacilitatorAction:
        with pytest.raises(Refused, match="terminé"):
            next_state(WorkshopState.ENDED, action)


def test_latecomers_join_a_closed_vote_but_nobody_votes_in_it():
    check_can_join(WorkshopState.CLOSED)
    with pytest.raises(Refused, match="Le vote est clos"):
        check_can_vote(WorkshopState.CLOSED)
    with pytest.raises(Refused, match="n'accepte plus"):
        check_can_join(WorkshopState.ENDED)
    check_can_vote(WorkshopState.OPEN)


def test_the_join_page_says_what_is_kept_and_for_how_long():
    notice = privacy_notice(30)
    assert "nom d'affichage" in notice and "30 jours" in notice and "effacé" in notice


def test_a_workshop_title_reads_as_typed_and_is_never_empty():
    assert clean_title("  Conseil\u202e  communautaire\n") == "Conseil communautaire"
    assert clean_title("   ") == "Atelier" and clean_title(None) == "Atelier"
    assert len(clean_title("x" * 500)) == 120
