"""Funding plans a finance department can sign: spending never above cost, the 2021–2027 FEDER
rates, the own-share rule and its exemptions as people write them (issue 10, items 1 to 3)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from prioritisation.export.workbook import ranking_bytes
from prioritisation.planning.funding import (
    FundingRules,
    RegionCategory,
    funding_plans,
    funding_problems,
    own_share_basis,
    parse_percent,
    parse_region,
    read_exemption,
)
from prioritisation.planning.plan import budget_rows, make_plan
from prioritisation.planning.schedule import InvalidPlan, PlanSettings
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from tests import corpus

START = dt.date(2026, 1, 1)
SCORES = ["Urgence", "Impact", "Faisabilité"]


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def inventory_of(headers: list[str], rows: list[list[object]]):
    return load_inventory(corpus.simple_xlsx(["Projet", *SCORES, *headers], rows), "inventaire.xlsx")


# --- 1. Spending by source never exceeds the cost ---------------------------------------------------

OVER_FUNDED = (
    ["Coût", "DETR (€)", "Autofinancement (€)", "Durée (mois)"],
    [
        ["Médiathèque numérique", 5, 5, 5, 100_000, 60_000, 60_000, 3],
        ["Tiers-lieu", 4, 4, 4, 50_000, None, None, 3],
    ],
)


def test_budget_sheet_totals_the_money_really_spent_when_funding_exceeds_the_cost():
    """Issue 10.1: a 100,000 € project declared with 60,000 € DETR + 60,000 € own funds beside a
    50,000 € project, in a 150,000 € envelope: 150,000 € are spent, so the sheet says Total
    150,000 € and « Reste » 0 (it said 170,000 € and −20,000 €)."""
    ranking = rank_inventory(inventory_of(*OVER_FUNDED))
    plan = make_plan(ranking, PlanSettings(start=START, horizon_years=1, envelopes=((2026, 150_000.0),)))
    assert len(plan.calendar.retained) == 2
    rows = load_workbook(io.BytesIO(ranking_bytes(ranking, plan=plan)))["Budget"].values
    by_source = {row[1]: row[2:] for row in list(rows)[1:] if row[0] == 2026}
    assert by_source["Total"] == (150_000, 150_000, 0)
    assert by_source["DETR"][0] == 60_000
    assert by_source["Autofinancement"][0] == 40_000 + 50_000
    assert budget_rows(plan)[-1][2:] == [150_000, 150_000, 0]


def test_an_excess_comes_off_own_funds_first_and_is_said_in_the_report_and_the_workbook():
    ranking = rank_inventory(inventory_of(*OVER_FUNDED))
    check = funding_plans(ranking.inventory, FundingRules())[0]
    assert check.amounts["own_funds"] == 40_000 and check.declared["own_funds"] == 60_000
    assert sum(check.amounts.values()) == check.cost == 100_000
    assert check.compliant and not check.over_funded
    problems = funding_problems(ranking.inventory, funding_plans(ranking.inventory, FundingRules()))
    adjusted = [problem for problem in problems if "au lieu des" in problem.message]
    assert len(adjusted) == 1 and not adjusted[0].is_error
    assert (adjusted[0].row, adjusted[0].column) == (2, "Autofinancement (€)")
    assert "autofinancement compté 40 000 € au lieu des 60 000 € déclarés" in plain(adjusted[0].message)
    plan = make_plan(ranking, PlanSettings(start=START, horizon_years=1))
    parameters = load_workbook(io.BytesIO(ranking_bytes(ranking, plan=plan)))["Paramètres"].values
    assert any("au lieu des" in str(value) for _, value in parameters)


def test_grants_that_alone_exceed_the_cost_are_an_error_located_on_the_grant_and_never_spending():
    headers = ["Coût", "FEDER (€)", "DETR (€)", "Autofinancement (€)", "Durée (mois)"]
    rows = [["Vidéoprotection", 5, 5, 5, 100_000, 30_000, 90_000, 10_000, 3]]
    ranking = rank_inventory(inventory_of(headers, rows))
    check = funding_plans(ranking.inventory, FundingRules())[0]
    assert check.over_funded and not check.compliant and check.status == "non"
    assert sum(check.amounts.values()) == pytest.approx(100_000)
    assert check.amounts["own_funds"] == 0
    assert check.amounts["detr"] == pytest.approx(75_000) and check.amounts["feder"] == pytest.approx(25_000)
    (error,) = [p for p in funding_problems(ranking.inventory, [check]) if p.is_error]
    assert (error.sheet, error.row, error.column) == ("Projets", 2, "DETR (€)")
    assert "dépassent à eux seuls le coût (100 000 €)" in plain(error.message)
    plan = make_plan(ranking, PlanSettings(start=START, horizon_years=1))
    assert plan.by_year().sum(axis=1).tolist() == pytest.approx([100_000])


# --- 2. FEDER 2021-2027 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "rate"),
    [
        (RegionCategory.MORE_DEVELOPED, 0.40),
        (RegionCategory.MORE_DEVELOPED_FORMERLY_TRANSITION, 0.50),
        (RegionCategory.TRANSITION, 0.60),
        (RegionCategory.TRANSITION_FORMERLY_LESS_DEVELOPED, 0.70),
        (RegionCategory.LESS_DEVELOPED, 0.85),
    ],
)
def test_feder_caps_are_those_of_regulation_2021_1060_article_112(category, rate):
    """Regulation (EU) 2021/1060, art. 112(3): 40, 50, 60, 70 and 85 %."""
    assert category.feder_max_share == rate
    assert FundingRules().region is RegionCategory.MORE_DEVELOPED


def test_a_feder_share_above_the_category_is_a_warning_to_check_with_the_region_not_a_breach():
    headers = ["Coût", "FEDER (€)", "Autofinancement (€)"]
    rows = [["Fibre", 5, 5, 5, 100_000, 45_000, 55_000], ["Portail", 4, 4, 4, 100_000, 40_000, 60_000]]
    inventory = inventory_of(headers, rows)
    above, within = funding_plans(inventory, FundingRules())
    assert above.compliant and above.status == "à vérifier" and within.status == "oui"
    (problem,) = funding_problems(inventory, [above, within])
    assert not problem.is_error and problem.column == "FEDER (€)"
    assert "à vérifier avec la Région" in problem.message and "40 %" in plain(problem.message)
    assert funding_plans(inventory, FundingRules(region=RegionCategory.TRANSITION))[0].status == "oui"
    explicit = FundingRules(region=RegionCategory.LESS_DEVELOPED, feder_rate=0.30)
    assert explicit.feder_max_share == 0.30  # the rate the Région gave overrides the category's
    assert funding_plans(inventory, explicit)[1].to_check


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("more-developed", RegionCategory.MORE_DEVELOPED),
        ("transition", RegionCategory.TRANSITION),
        ("less-developed", RegionCategory.LESS_DEVELOPED),
        ("outermost", RegionCategory.LESS_DEVELOPED),
        ("more-developed-formerly-transition", RegionCategory.MORE_DEVELOPED_FORMERLY_TRANSITION),
        ("TRANSITION_FORMERLY_LESS_DEVELOPED", RegionCategory.TRANSITION_FORMERLY_LESS_DEVELOPED),
        ("en transition", RegionCategory.TRANSITION),
        ("Plus développée", RegionCategory.MORE_DEVELOPED),
    ],
)
def test_region_option_values_of_the_command_line_stay_valid(text, category):
    assert parse_region(text) is category
    assert parse_region(category.option) is category


def test_unknown_region_and_rates_out_of_range_are_refused_in_french():
    with pytest.raises(InvalidPlan, match="catégorie de région inconnue"):
        parse_region("ultra-developed")
    with pytest.raises(InvalidPlan, match="taux FEDER"):
        FundingRules(feder_rate=1.5)
    with pytest.raises(InvalidPlan, match="part propre minimale"):
        FundingRules(min_own_share=-0.1)
    with pytest.raises(InvalidPlan, match="pourcentage"):
        parse_percent("cent")
    assert parse_percent("37,5 %") == 0.375


# --- 3. Own share (CGCT L1111-10) -------------------------------------------------------------------


def test_the_30_percent_option_is_the_lead_authority_rule_of_l1111_9():
    assert "L1111-9" in own_share_basis(0.30) and "chef de file" in own_share_basis(0.30)
    assert "L1111-10" in own_share_basis(0.20)
    assert "L1111-9" in FundingRules(min_own_share=0.30).own_share_text


def test_overseas_collectivites_of_l1111_10_iii_have_no_minimum_own_share():
    headers = ["Coût", "DETR (€)"]
    inventory = inventory_of(headers, [["Cyberbase", 5, 5, 5, 100_000, 95_000]])
    assert not funding_plans(inventory, FundingRules())[0].compliant
    overseas = FundingRules(overseas=True)
    assert funding_plans(inventory, overseas)[0].compliant
    assert "Mayotte" in overseas.own_share_text and "L1111-10 III" in overseas.own_share_text


@pytest.mark.parametrize(
    ("written", "exempt", "reason"),
    [
        ("Oui - monument historique", True, "monument historique"),
        ("oui (patrimoine)", True, "patrimoine"),
        ("x", True, ""),
        ("X", True, ""),
        ("true", True, ""),
        ("vrai", True, ""),
        ("dérogation", True, ""),
        ("Dérogation préfectorale (calamité)", True, "préfectorale (calamité)"),
        ("Renouvellement urbain (ANRU)", True, "Renouvellement urbain (ANRU)"),
        ("non", False, ""),
        ("Non", False, ""),
        ("", False, ""),
        ("-", False, "-"),
    ],
)
def test_the_exemption_column_reads_what_people_write(written, exempt, reason):
    exemption = read_exemption(written)
    assert (exemption.exempt, exemption.reason, exemption.understood) == (exempt, reason, True)


def test_an_exemption_names_its_reason_and_what_is_not_understood_is_a_warning_not_a_silent_no():
    headers = ["Coût", "DETR (€)", "Dérogation part minimale"]
    rows = [
        ["Église", 5, 5, 5, 100_000, 95_000, "Oui - monument historique"],
        ["Mairie", 4, 4, 4, 100_000, 95_000, "peut-être"],
    ]
    inventory = inventory_of(headers, rows)
    church, town_hall = funding_plans(inventory, FundingRules())
    assert church.compliant and church.status == "dérogation (monument historique)"
    assert not town_hall.exempt and not town_hall.compliant
    problems = funding_problems(inventory, [church, town_hall])
    named = [p for p in problems if p.row == 2]
    assert len(named) == 1 and "(monument historique)" in named[0].message
    unclear = [p for p in problems if p.row == 3 and "non comprise" in p.message]
    assert len(unclear) == 1 and not unclear[0].is_error
    assert unclear[0].column == "Dérogation part minimale" and "« peut-être »" in unclear[0].message


amount = st.none() | st.integers(0, 300_000)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 200_000), amount, amount, amount, amount), min_size=1, max_size=6))
def test_what_the_budget_counts_adds_up_to_each_cost_and_never_more(rows):
    """Whatever the funding declared, each project's sources add up to its cost: the Budget sheet's
    totals are the money spent."""
    headers = [
        "Coût",
        "FEDER (€)",
        "DETR (€)",
        "Partenaires privés (€)",
        "Autofinancement (€)",
        "Durée (mois)",
    ]
    table = [[f"Projet {i}", 3, 3, 3, *row, 3] for i, row in enumerate(rows)]
    ranking = rank_inventory(inventory_of(headers, table))
    for check, (cost, *_) in zip(funding_plans(ranking.inventory, FundingRules()), rows, strict=True):
        assert sum(check.amounts.values()) == pytest.approx(cost)
        assert all(value >= 0 for value in check.amounts.values())
    plan = make_plan(ranking, PlanSettings(start=START, horizon_years=1))
    assert plan.by_year().sum(axis=1).tolist() == pytest.approx(plan.calendar.spending().tolist())


def test_a_doubtful_exemption_is_a_warning_not_an_exemption():
    """« à voir (patrimoine ?) » names a case of CGCT L1111-10 III but decides nothing: the rule
    applies and the report says the cell was not understood."""
    from prioritisation.planning.funding import read_exemption

    doubtful = read_exemption("à voir (patrimoine ?)")
    assert not doubtful.exempt and not doubtful.understood
    assert read_exemption("patrimoine").exempt
