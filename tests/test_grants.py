"""A grant whose scheme is in another column is read into the right funding source (issue 8.3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from prioritisation.planning.funding import FundingRules, funding_plans
from prioritisation.reading.grants import recognise_scheme, route_grants
from prioritisation.reading.inventory import load_inventory
from tests import corpus

HEADERS = ["Intitulé du projet", "Coût prévisionnel HT", "Subvention sollicitée", "Dispositif"]


def read(rows, headers=HEADERS):
    return load_inventory(corpus.simple_xlsx(headers, rows), "subventions.xlsx")


def amounts(inventory, source):
    return [None if math.isnan(value) else value for value in inventory.projects[source]]


@pytest.mark.parametrize(
    ("written", "source"),
    [
        ("DETR", "detr"),
        ("detr 2024", "detr"),
        ("Dotation d'équipement des territoires ruraux", "detr"),
        ("DSIL", "dsil"),
        ("DSIL exceptionnelle", "dsil"),
        ("FEDER", "feder"),
        ("Fonds européen de développement régional", "feder"),
        ("DSID", None),
        ("Région", None),
        ("DETR / DSIL", None),
        ("", None),
    ],
)
def test_recognises_the_funding_source_a_scheme_names(written, source):
    assert recognise_scheme(written) == source


def test_each_rows_grant_goes_to_the_source_its_scheme_names():
    rows = [
        ["Écoles", 10_000, 3_000, "DETR"],
        ["Fibre", 20_000, 5_000, "DSIL"],
        ["Tiers-lieu", 30_000, 9_000, "FEDER"],
        ["Vidéoprotection", 40_000, 8_000, "DSID"],
    ]
    inventory = read(rows)
    assert amounts(inventory, "detr") == [3_000, None, None, None]
    assert amounts(inventory, "dsil") == [None, 5_000, None, None]
    assert amounts(inventory, "feder") == [None, None, 9_000, None]
    assert amounts(inventory, "other_grants") == [None, None, None, 8_000]
    plans = funding_plans(inventory, FundingRules())
    assert plans[0].amounts["detr"] == 3_000
    assert plans[0].amounts["own_funds"] == 7_000


def test_schemes_without_a_column_of_their_own_go_to_other_grants_with_one_warning_naming_them():
    rows = [
        ["A", 10_000, 1_000, "DSID"],
        ["B", 10_000, 1_000, "Région"],
        ["C", 10_000, 1_000, "DSID"],
        ["D", 10_000, 1_000, ""],
        ["E", 10_000, 1_000, "DETR"],
    ]
    inventory = read(rows)
    assert amounts(inventory, "other_grants") == [1_000, 1_000, 1_000, 1_000, None]
    grouped = [problem for problem in inventory.warnings if problem.code == "grant_scheme_elsewhere"]
    assert len(grouped) == 1
    assert grouped[0].column == "Dispositif"
    assert "« DSID » (2 ligne(s) : 2, 4)" in grouped[0].message
    assert "« Région » (1 ligne(s) : 3)" in grouped[0].message
    assert "dispositif non renseigné (1 ligne(s) : 5)" in grouped[0].message
    assert "« Autres subventions »" in grouped[0].message


def test_a_value_in_the_sources_own_column_is_kept_and_the_grant_not_added_again():
    headers = [*HEADERS, "DETR (€)"]
    rows = [
        ["A", 10_000, 3_000, "DETR", 3_000],
        ["B", 10_000, 2_000, "DETR", None],
        ["C", 10_000, 2_500, "DETR", 4_000],
    ]
    inventory = read(rows, headers)
    assert amounts(inventory, "detr") == [3_000, 2_000, 4_000]
    [kept] = [problem for problem in inventory.warnings if problem.code == "grant_already_counted"]
    assert kept.column == "DETR (€)"
    assert "sur 2 ligne(s) (2, 4)" in kept.message
    assert "pour ne pas la compter deux fois" in kept.message


def test_without_a_scheme_column_grants_count_as_other_grants_and_the_user_is_told():
    inventory = read([["A", 10_000, 3_000]], HEADERS[:3])
    assert amounts(inventory, "other_grants") == [3_000]
    [told] = [problem for problem in inventory.warnings if problem.code == "grant_without_scheme"]
    assert told.column == "Subvention sollicitée"


def test_the_dgcl_files_grants_are_split_between_detr_dsil_and_other_grants():
    data = corpus.ods({"Projets_DI_2018": [corpus.DGCL_HEADERS, *corpus.DGCL_ROWS]})
    inventory = load_inventory(data, "Projets_DI_2018.ods")
    assert amounts(inventory, "dsil") == [58226.0, None, None, None, None]
    assert amounts(inventory, "detr") == [None, 9698.0, None, 12000.0, 3000.0]
    assert amounts(inventory, "other_grants") == [None, None, 135142.0, None, None]
    assert list(inventory.projects["capex"]) == [176444, 24247, 662416, 30000, 12000]


def test_funding_above_cost_counts_the_grants_read_from_the_grant_column():
    """The funding check (planning/funding.py, one report for the page, validate and the
    workbook) sees the grant read from the grant column: 3 000 € of DSIL for a 1 000 € project."""
    from prioritisation.planning.funding import FundingRules, funding_plans, funding_problems

    inventory = read([["A", 1_000, 3_000, "DSIL"]])
    found = funding_problems(inventory, funding_plans(inventory, FundingRules()))
    assert any(problem.code == "over_funded" and problem.is_error for problem in found)


def test_route_grants_leaves_blank_and_zero_amounts_alone():
    sources = {key: np.full(3, np.nan) for key in ("feder", "dsil", "detr", "other_grants")}
    routing = route_grants(np.array([np.nan, 0.0, 5.0]), ["DETR", "DETR", "DETR"], sources, frozenset())
    assert routing.added["detr"].tolist() == [0.0, 0.0, 5.0]
    assert routing.elsewhere == {} and routing.already == {}


# -- money left unmapped ------------------------------------------------------------------------


def test_an_unmapped_column_that_looks_like_money_is_named_in_a_warning():
    headers = ["Projet", "Urgence", "Enveloppe votée", "Exercice", "Population", "Code INSEE", "Montant AP"]
    rows = [
        ["A", 3, 120_000, 2025, 12_000, "01002", 90_000],
        ["B", 4, 80_000, 2026, 3_000, "01005", 70_000],
    ]
    inventory = load_inventory(corpus.simple_xlsx(headers, rows), "x.xlsx")
    named = [problem.column for problem in inventory.warnings if problem.code == "unmapped_amount"]
    assert named == ["Enveloppe votée", "Montant AP"]


def test_no_money_warning_on_the_dgcl_files_codes_ratios_coordinates_and_populations():
    data = corpus.ods({"Projets_DI_2018": [corpus.DGCL_HEADERS, *corpus.DGCL_ROWS]})
    inventory = load_inventory(data, "Projets_DI_2018.ods")
    assert [problem for problem in inventory.warnings if problem.code == "unmapped_amount"] == []
