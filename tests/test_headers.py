"""Headers are recognised by what they mean, never mapped to a field they do not mean (issue 8.2)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritisation.reading.fields import (
    ALL_FIELDS,
    FIELDS,
    Ambiguity,
    map_columns,
    reading,
    recognise,
    with_choices,
)
from prioritisation.reading.headers import header_words
from prioritisation.reading.inventory import load_inventory
from tests import corpus
from tests.corpus import public_files
from tests.header_corpus import HEADERS, ISSUE

REAL_2019 = public_files() / "projets_dotations_investissement_2019.xlsx"


def test_the_corpus_holds_over_a_hundred_real_world_headers_of_every_field():
    assert len(HEADERS) >= 100
    assert len({header for header, _, _ in HEADERS}) == len(HEADERS), "no header twice"
    meant = {field for _, field, _ in HEADERS if field}
    assert meant == {field.key for field in ALL_FIELDS}, "every field has headers in the corpus"


def test_recognises_at_least_95_percent_of_the_corpus_and_maps_none_wrongly():
    wrong, missed = [], []
    for header, expected, source in HEADERS:
        found = recognise(header)
        if found != expected and found is not None:
            wrong.append(f"{header!r} → {found}, attendu {expected} ({source})")
        elif found != expected:
            missed.append(f"{header!r} → rien, attendu {expected} ({source})")
    meaningful = sum(expected is not None for _, expected, _ in HEADERS)
    assert wrong == [], "a wrong mapping is worse than none"
    assert (meaningful - len(missed)) / meaningful >= 0.95, "missed:\n" + "\n".join(missed)


@pytest.mark.parametrize(
    ("header", "field"), [(header, field) for header, field, source in HEADERS if source == ISSUE]
)
def test_recognises_every_header_the_issue_names(header, field):
    assert recognise(header) == field


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("Taux FEDER", "a rate, not an amount"),
        ("Part de la subvention dans le coût total du projet (en %)", "a share"),
        ("Public cible", "who the project serves, not a KPI target"),
        ("Durée d'amortissement", "an accounting duration"),
        ("Charge interne (j/h)", "person-days, not money"),
        ("Complexité", "the opposite of feasibility"),
        ("Identifiant du département", "a code of the territory, not of the project"),
        ("Nom de la collectivité à laquelle est attribuée la subvention", "the beneficiary"),
        ("Commentaire sur le coût", "a comment"),
        ("Durée (jours)", "days, not months"),
    ],
)
def test_leaves_alone_a_header_that_names_a_field_but_means_something_else(header, why):
    assert recognise(header) is None, why
    assert reading(header).candidates == (), why


def test_units_and_scales_become_markers_and_a_bracket_naming_one_scheme_counts():
    assert header_words("Budget estimé (€ TTC)") == {"budget", "estime", "<€>"}
    assert header_words("Urgence (1 à 5)") == {"urgence", "<echelle>"}
    assert header_words("Investissement (k€)") == {"investissement", "<k€>", "<€>"}
    assert recognise("Subvention (DETR)") == "detr"
    assert recognise("Nom de la dotation (DETR/DSID/DSIL)") == "grant_scheme"  # a list of values


def test_a_header_that_may_mean_several_fields_is_left_unmapped_and_recorded():
    headers = ["Projet", "Subvention DETR/DSIL", "Urgence / Impact", "Coût 2025", "Faisabilité"]
    mapping = map_columns(headers)
    assert mapping.positions == {"title": 0, "feasibility": 4}
    assert {(a.header, frozenset(a.candidates)) for a in mapping.ambiguities} == {
        ("Subvention DETR/DSIL", frozenset({"detr", "dsil"})),
        ("Urgence / Impact", frozenset({"urgency", "impact"})),
        ("Coût 2025", frozenset({"capex"})),
    }
    shown = str(next(a for a in mapping.ambiguities if a.header == "Urgence / Impact"))
    assert "peut désigner" in shown and "« Urgence »" in shown and "« Impact »" in shown


def test_an_ambiguity_offers_only_fields_still_without_a_column_and_a_choice_settles_it():
    headers = ["Projet", "Impact", "Impact environnemental", "Urgence / Faisabilité"]
    mapping = map_columns(headers)
    assert mapping.position("impact") == 1
    assert [(a.position, a.candidates) for a in mapping.ambiguities] == [(3, ("urgency", "feasibility"))]
    settled = with_choices(mapping, headers, {"urgency": 3})
    assert settled.ambiguities == ()
    assert mapping.ambiguities != ()  # the recognised mapping is left as it was


def test_an_ambiguity_needs_a_candidate():
    with pytest.raises(ValueError, match="au moins un champ"):
        Ambiguity(0, "X", ())


def test_the_column_that_says_a_field_most_plainly_wins_whatever_its_place():
    for headers in (
        ["Description", "Intitulé", "Montant", "Coût total"],
        ["Intitulé", "Description", "Coût total", "Montant"],
    ):
        mapping = map_columns(headers)
        assert headers[mapping.position("title")] == "Intitulé"
        assert headers[mapping.position("capex")] == "Coût total"
        assert any("« Description » désigne aussi « Projet »" in note for note in mapping.notes)


def test_a_grant_list_is_mapped_by_meaning_below_its_title_block():
    """Before, only « Libellé du projet » was known here; every other column needed mapping by hand."""
    inventory = load_inventory(corpus.programme_xlsx(), "programmation.xlsx")
    assert inventory.table.header_row == 4
    found = {key: inventory.table.headers[position] for key, position in inventory.mapping.positions.items()}
    assert found == {
        "id": "N° opération",
        "title": "Libellé du projet",
        "owner_service": "Pôle porteur",
        "capex": "Coût prévisionnel HT",
        "grant_amount": "Subvention sollicitée",
        "grant_scheme": "Dispositif",
        "duration": "Durée prévisionnelle (mois)",
    }


def test_the_header_row_is_found_under_a_title_block_from_headers_known_by_meaning_only():
    headers = ["Désignation du projet", "Coût prévisionnel HT", "Niveau d'urgence", "Faisabilité technique"]
    rows = [["Portail citoyen", 60000, 4, 3], ["Écoles numériques", 84000, 5, 4]]
    data = corpus.xlsx({"PPI": [["Schéma directeur numérique 2026-2030"], [], headers, *rows]})
    inventory = load_inventory(data, "ppi.xlsx")
    assert inventory.table.header_row == 3
    assert list(inventory.projects["title"]) == ["Portail citoyen", "Écoles numériques"]
    assert list(inventory.projects["urgency"]) == [4, 5]


def test_the_dgcl_open_data_headers_map_to_title_cost_grant_and_scheme():
    """DESCRIPTION is the only text naming the project; BENEFICIAIRE is the commune that receives
    the grant, not a service of the collectivité that carries the project, so it stays unmapped."""
    mapping = map_columns(corpus.DGCL_HEADERS)
    found = {key: corpus.DGCL_HEADERS[position] for key, position in mapping.positions.items()}
    assert found == {
        "id": "IDENTIFIANT",
        "grant_scheme": "DOT",
        "title": "DESCRIPTION",
        "capex": "COUT",
        "grant_amount": "SUBVENTION",
    }
    assert mapping.ambiguities == ()


def test_a_users_column_choice_still_wins_over_recognition():
    headers = ["Intitulé", "Nom de l'action", "Coût total", "Budget"]
    mapping = map_columns(headers, {"title": "Nom de l'action", "capex": "Budget"})
    assert mapping.position("title") == 1
    assert mapping.position("capex") == 3


def test_the_template_headers_are_recognised_as_their_own_fields():
    assert [recognise(field.header) for field in FIELDS] == [field.key for field in FIELDS]


@pytest.mark.skipif(not REAL_2019.exists(), reason="the DGCL/ANCT 2019 file is not on this machine")
def test_the_2019_grant_files_data_sheet_headers_are_recognised():
    """Headers of sheet 2 read straight from the archive (its declared extent is another matter)."""
    with zipfile.ZipFile(REAL_2019) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode("utf-8")
        with archive.open("xl/worksheets/sheet2.xml") as sheet:
            start = io.TextIOWrapper(sheet, encoding="utf-8").read(20_000)
    texts = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<si>(.*?)</si>", strings[:100_000], re.S)]
    first_row = re.search(r'<row r="1".*?</row>', start, re.S).group(0)
    headers = [texts[int(index)] for index in re.findall(r't="s"[^>]*><v>(\d+)</v>', first_row)]
    assert headers[:3] == ["id_projet", "id_dep", "id_terr"]
    mapping = map_columns(headers)
    found = {key: headers[position] for key, position in mapping.positions.items()}
    assert found == {
        "id": "id_projet",
        "grant_scheme": "dotation",
        "title": "description",
        "capex": "cout_total",
        "grant_amount": "montant_sub",
    }


@given(
    entry=st.sampled_from([entry for entry in HEADERS if entry[1] is not None]),
    junk=st.text(alphabet="qxzkwj", min_size=6, max_size=10),
)
def test_a_word_nobody_can_place_always_blocks_the_mapping(entry, junk):
    header, _, _ = entry
    assert recognise(f"{header} {junk}") is None


@given(entry=st.sampled_from(HEADERS))
def test_case_and_spacing_never_change_what_a_header_means(entry):
    header, expected, _ = entry
    assert recognise(f"  {header.upper()}  ") == expected
