"""The invitation the room sees: code, join link, QR code, and an address phones can reach."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation.workshop.invitation import (
    app_root,
    is_local,
    join_address,
    join_link,
    qr_png,
    reachable_root,
    spaced_code,
)
from prioritisation.workshop.session import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, normalise_join_code
from ui.workshop import join_root

codes = st.text(alphabet=JOIN_CODE_ALPHABET, min_size=JOIN_CODE_LENGTH, max_size=JOIN_CODE_LENGTH)


@given(codes)
def test_the_spaced_code_reads_back_as_the_code(code):
    assert normalise_join_code(spaced_code(code)) == code


def test_the_join_link_names_the_join_page_and_the_code_only():
    link = join_link("http://192.168.1.20:8501", "k7m 2pq")
    assert link == "http://192.168.1.20:8501/rejoindre?code=K7M2PQ"
    assert join_address("http://192.168.1.20:8501") == "192.168.1.20:8501/rejoindre"


def test_a_join_link_needs_a_valid_code():
    with pytest.raises(ValueError):
        join_link("http://h", "O0I1")


@pytest.mark.parametrize(
    ("page", "root"),
    [
        ("http://h:8501/atelier", "http://h:8501"),
        ("https://mairie.fr/priorisation/atelier", "https://mairie.fr/priorisation"),
        ("http://h:8501", "http://h:8501"),
    ],
)
def test_the_root_is_the_page_address_without_the_page(page, root):
    assert app_root(page, "atelier") == root


def test_a_local_address_is_replaced_by_the_network_address_keeping_port_and_prefix():
    assert (
        is_local("http://localhost:8501") and is_local("http://127.0.0.1:8501") and is_local("http://[::1]")
    )
    assert reachable_root("http://localhost:8501/p", "192.168.1.20") == "http://192.168.1.20:8501/p"
    assert reachable_root("https://mairie.fr", "192.168.1.20") == "https://mairie.fr"
    assert reachable_root("http://localhost:8501", None) == "http://localhost:8501"


def test_the_qr_code_is_a_png_image():
    image = qr_png(join_link("http://192.168.1.20:8501", "K7M2PQ"))
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and len(image) < 20_000


def test_the_public_address_setting_wins_over_the_page_address(monkeypatch):
    monkeypatch.setenv("PRIORISATION_ADRESSE_PUBLIQUE", "https://priorisation.mairie.fr/")
    assert join_root("http://localhost:8501/atelier", "atelier", lambda: "10.0.0.2").address == (
        "https://priorisation.mairie.fr"
    )


def test_a_laptop_on_localhost_gives_phones_its_network_address_and_says_so(monkeypatch):
    monkeypatch.delenv("PRIORISATION_ADRESSE_PUBLIQUE", raising=False)
    root = join_root("http://localhost:8501/atelier", "atelier", lambda: "10.0.0.2")
    assert root.address == "http://10.0.0.2:8501" and "réseau local" in root.note
    lost = join_root("http://localhost:8501/atelier", "atelier", lambda: None)
    assert lost.address == "http://localhost:8501" and "PRIORISATION_ADRESSE_PUBLIQUE" in lost.note
    assert join_root("https://mairie.fr/atelier", "atelier", lambda: "10.0.0.2").note is None
