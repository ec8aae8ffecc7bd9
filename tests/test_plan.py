"""The plan: calendar, envelopes, prerequisites, capacity, funding rules and the optimal portfolio."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from prioritisation.planning.funding import FundingRules, RegionCategory, funding_plans
from prioritisation.planning.plan import calendar_rows, make_plan
from prioritisation.planning.portfolio import Selection, StartGrid, in_ranking_order, optimal
from prioritisation.planning.schedule import (
    InvalidPlan,
    Phase,
    PlanSettings,
    Work,
    _Years,
    monthly_capex,
    phase_lengths,
    schedule_in_order,
)
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from tests import corpus

START = dt.date(2026, 1, 1)
SHORT = (1, 1, 1)  # three one-month phases: all the spending of a project falls in its start year


def plan_settings(**changes: object) -> PlanSettings:
    values = {"start": START, "horizon_years": 1, "phase_months": SHORT, "cost_split": (1 / 3, 1 / 3, 1 / 3)}
    values.update(changes)
    return PlanSettings(**values)  # type: ignore[arg-type]


# --- docs/exemples-de-reference.md ---------------------------------------------------------------

KNAPSACK = [
    Work("1", "Un", 60, 10, 0, SHORT),
    Work("2", "Deux", 100, 20, 0, SHORT),
    Work("3", "Trois", 120, 30, 0, SHORT),
]


@pytest.mark.parametrize(
    ("grid", "capacity"), [(StartGrid.YEAR, None), (StartGrid.QUARTER, 3), (StartGrid.QUARTER, None)]
)
def test_knapsack_optimum_is_220_where_greedy_by_value_per_cost_gets_160(grid, capacity):
    """Cormen et al., Introduction to Algorithms (0-1 knapsack): on every grid, with or without a
    team capacity (counted month by month on the quarterly grid)."""
    budget = plan_settings(envelopes=((2026, 50.0),), capacity=capacity)
    greedy = in_ranking_order(KNAPSACK, budget, order=["1", "2", "3"])  # by value / cost
    assert greedy.total_score == 160
    best = optimal(KNAPSACK, budget, grid=grid)
    assert best.total_score == 220
    assert {p.work.id for p in best.calendar.retained} == {"2", "3"}
    assert best.selection is Selection.OPTIMAL and best.gap is not None and best.gap < 1e-4
    assert best.calendar.spending()[0] == pytest.approx(50)


def test_own_share_is_20_percent_of_the_public_financing():
    headers = [
        "Projet",
        "Urgence",
        "Impact",
        "Faisabilité",
        "Coût",
        "DETR (€)",
        "Autofinancement (€)",
        "Partenaires privés (€)",
    ]
    rows = [
        ["Tout public, part trop faible", 3, 3, 3, 100_000, 80_001, 19_999, 0],
        ["Tout public, part juste", 3, 3, 3, 100_000, 80_000, 20_000, 0],
        ["Avec 30 000 € privés, juste", 3, 3, 3, 100_000, 56_000, 14_000, 30_000],
        ["Avec 30 000 € privés, trop de subventions", 3, 3, 3, 100_000, 56_001, 13_999, 30_000],
    ]
    inventory = load_inventory(corpus.simple_xlsx(headers, rows), "inventaire.xlsx")
    checks = funding_plans(inventory, FundingRules())
    assert [check.compliant for check in checks] == [False, True, True, False]
    assert "il en faut 20 % au moins, 20 000 €" in checks[0].problems[0].replace("\u00a0", " ").replace(
        "\u202f", " "
    )
    assert checks[2].public == 70_000 and checks[2].own_share == pytest.approx(0.2)


def test_uncovered_cost_is_own_funds_and_exemptions_and_feder_caps_apply():
    headers = [
        "Projet",
        "Urgence",
        "Impact",
        "Faisabilité",
        "Coût",
        "FEDER (€)",
        "DETR (€)",
        "Dérogation part minimale",
    ]
    rows = [
        ["Reste à charge implicite", 3, 3, 3, 100_000, 0, 50_000, ""],
        ["Dérogation", 3, 3, 3, 100_000, 0, 95_000, "oui"],
        ["FEDER trop haut", 3, 3, 3, 100_000, 60_000, 0, ""],
    ]
    inventory = load_inventory(corpus.simple_xlsx(headers, rows), "inventaire.xlsx")
    first, exempt, feder = funding_plans(inventory, FundingRules())
    assert first.amounts["own_funds"] == 50_000 and first.compliant
    assert exempt.exempt and exempt.compliant
    assert feder.status == "à vérifier" and "FEDER" in feder.problems[0]  # 60 % > 40 %: to check
    transition = funding_plans(inventory, FundingRules(region=RegionCategory.TRANSITION))[2]
    assert transition.status == "oui"  # 60 % in a transition region


# --- The calendar -------------------------------------------------------------------------------


def test_defers_project_when_envelope_is_exhausted():
    works = [Work("A", "A", 0.9, 40, 0, SHORT), Work("B", "B", 0.8, 40, 0, SHORT)]
    calendar = schedule_in_order(works, plan_settings(envelopes=((2026, 50.0),)))
    assert calendar.placements[0].start == 0
    assert calendar.placements[1].reason == "enveloppe 2026 épuisée"


def test_a_prerequisite_ranked_lower_is_pulled_ahead_and_finishes_first():
    works = [Work("A", "A", 0.9, 10, 0, SHORT, needs=("B",)), Work("B", "B", 0.1, 10, 0, SHORT)]
    calendar = schedule_in_order(works, plan_settings())
    a, b = calendar.placements
    assert b.start == 0 and a.start == b.end == 3


def test_waits_for_its_prerequisite_and_says_so():
    works = [Work("A", "A", 0.9, 10, 0, (4, 4, 4), needs=("B",)), Work("B", "B", 0.1, 10, 0, (4, 4, 4))]
    calendar = schedule_in_order(works, plan_settings())
    assert calendar.placements[0].reason.startswith("attend B (fin en janvier 2027)")


def test_team_capacity_limits_projects_running_at_once():
    works = [Work(str(i), str(i), 1 - i / 10, 10, 0, (2, 2, 2)) for i in range(3)]
    calendar = schedule_in_order(works, plan_settings(capacity=2))
    assert [p.start for p in calendar.placements] == [0, 0, 6]


def test_excluded_and_must_do_projects():
    works = [
        Work("A", "A", 0.9, 40, 0, SHORT),
        Work("B", "B", 0.1, 40, 0, SHORT),
        Work("C", "C", 0.5, 5, 0, SHORT),
    ]
    calendar = schedule_in_order(
        works, plan_settings(envelopes=((2026, 50.0),), must_do=frozenset({"B"}), excluded=frozenset({"C"}))
    )
    assert [p.retained for p in calendar.placements] == [False, True, False]
    assert calendar.placements[2].reason == "exclu par l'utilisateur"


def test_phases_follow_each_other_and_review_comes_last():
    settings = PlanSettings(start=dt.date(2026, 9, 1))
    assert phase_lengths(None, settings) == settings.phase_months
    assert sum(phase_lengths(24, settings)) == 24
    calendar = schedule_in_order([Work("A", "A", 1, 1000, 120, phase_lengths(24, settings))], settings)
    phases = calendar.placements[0].phases(settings)
    assert [phase for phase, _, _ in phases] == [
        Phase.DIAGNOSTIC,
        Phase.PILOT,
        Phase.DEPLOYMENT,
        Phase.REVIEW,
    ]
    assert all(previous[2] == following[1] for previous, following in itertools.pairwise(phases))
    assert calendar.capex_by_year.sum() == pytest.approx(1000)
    assert calendar.opex_by_year[0][:2].tolist() == [0, 0]  # operating cost starts after deployment
    assert calendar.opex_by_year[0][2] == pytest.approx(120 * 4 / 12)  # deployment ends in Sept. 2028


def test_a_review_comes_back_every_four_years_while_the_plan_lasts():
    settings = PlanSettings(start=START)  # six years: 72 months
    calendar = schedule_in_order([Work("A", "A", 1, 1000, 0, (2, 4, 6))], settings)
    reviews = [first for phase, first, _ in calendar.placements[0].phases(settings) if phase is Phase.REVIEW]
    assert reviews == [12, 60]  # at the end of deployment, then 48 months later; 108 is past the plan


def test_quarterly_starts_do_at_least_as_well_as_yearly_ones_and_say_so():
    works = [Work(str(i), str(i), 1.0, 90, 0, SHORT) for i in range(4)]
    settings = plan_settings(horizon_years=1, envelopes=((2026, 180.0),), capacity=1)
    yearly = optimal(works, settings, grid=StartGrid.YEAR)
    quarterly = optimal(works, settings, grid=StartGrid.QUARTER)
    assert len(quarterly.calendar.retained) == 2
    assert quarterly.total_score >= yearly.total_score
    assert "trimestre" in quarterly.gap_text()


def test_settings_that_cannot_give_a_plan_are_refused_in_french():
    with pytest.raises(InvalidPlan, match="100 %"):
        PlanSettings(start=START, cost_split=(0.5, 0.5, 0.5))
    with pytest.raises(InvalidPlan, match="obligatoire et exclu"):
        PlanSettings(start=START, must_do=frozenset({"A"}), excluded=frozenset({"A"}))


# --- Properties ----------------------------------------------------------------------------------

project = st.tuples(
    st.floats(0.01, 1), st.integers(0, 400), st.integers(1, 6), st.integers(1, 12), st.integers(1, 18)
)


@st.composite
def portfolios(
    draw: st.DrawFn, dependencies: bool = True, max_size: int = 9
) -> tuple[list[Work], PlanSettings]:
    drawn = draw(st.lists(project, min_size=1, max_size=max_size))
    works = []
    for i, (score, capex, diag, pilot, deploy) in enumerate(drawn):
        needs = ()
        if dependencies and i and draw(st.booleans()):
            needs = (str(draw(st.integers(0, i - 1))),)
        works.append(Work(str(i), f"Projet {i}", score, float(capex), 10.0, (diag, pilot, deploy), needs))
    envelopes = draw(st.lists(st.integers(0, 600), min_size=3, max_size=3))
    capacity = draw(st.none() | st.integers(1, 4))
    plan = PlanSettings(
        start=dt.date(2026, draw(st.integers(1, 12)), 1),
        horizon_years=3,
        envelopes=tuple((2026 + y, float(amount)) for y, amount in enumerate(envelopes)),
        capacity=capacity,
    )
    return works, plan


@settings(max_examples=80)
@given(portfolios())
def test_no_year_exceeds_its_envelope_nor_any_month_the_team_and_prerequisites_end_first(case):
    works, plan = case
    quarterly = optimal(works, plan, time_limit=5, grid=StartGrid.QUARTER)
    for portfolio in (in_ranking_order(works, plan), optimal(works, plan, time_limit=5), quarterly):
        calendar = portfolio.calendar
        spent = calendar.spending()
        for year, amount in zip(plan.years, spent, strict=True):
            assert amount <= plan.envelope(year) + 1e-6
        starts = {p.work.id: p for p in calendar.placements}
        for placement in calendar.retained:
            for need in placement.work.needs:
                assert starts[need].retained and starts[need].end <= placement.start
            assert placement.end <= plan.months
        if plan.capacity is not None:
            running = np.zeros(plan.months, dtype=int)
            for placement in calendar.retained:
                running[placement.start : placement.end] += 1
            assert running.max(initial=0) <= plan.capacity


def best_on_the_grid(works: list[Work], plan: PlanSettings, step: int = 12) -> float:
    """Every combination of starts on the grid (or none), tried one by one: the best feasible total."""
    years = _Years(plan)
    choices = [[None, *range(0, plan.months - work.length + 1, step)] for work in works]
    best = 0.0
    for starts in itertools.product(*choices):
        spent = np.zeros(len(plan.years))
        running = np.zeros(plan.months, dtype=int)
        feasible = True
        for work, start in zip(works, starts, strict=True):
            if start is None:
                continue
            spent += years.spread(monthly_capex(work, plan.cost_split), np.array([start]))[0]
            running[start : start + work.length] += 1
            for need in work.needs:
                before = starts[int(need)]
                feasible &= before is not None and before + works[int(need)].length <= start
        feasible &= bool(np.all(spent <= np.array([plan.envelope(y) for y in plan.years]) + 1e-6))
        feasible &= plan.capacity is None or running.max() <= plan.capacity
        if feasible:
            best = max(
                best, sum(w.score for w, start in zip(works, starts, strict=True) if start is not None)
            )
    return best


@settings(max_examples=60)
@given(portfolios(max_size=4))
def test_the_proven_gap_holds_against_every_combination_of_starts(case):
    """The bound behind the gap is checked by brute force: no plan on the grid beats it."""
    works, plan = case
    portfolio = optimal(works, plan, time_limit=5)
    best = best_on_the_grid(works, plan)
    assert portfolio.gap is not None and portfolio.gap < 1
    assert best <= portfolio.total_score / (1 - portfolio.gap) + 1e-6  # the bound
    if portfolio.gap < 1e-4:  # "prouvé"
        assert portfolio.total_score >= best - 1e-6


@settings(max_examples=60)
@given(portfolios())
def test_the_optimal_total_is_never_below_the_ranking_order_total(case):
    works, plan = case
    assert optimal(works, plan, time_limit=5).total_score >= in_ranking_order(works, plan).total_score - 1e-9


@settings(max_examples=60)
@given(portfolios(dependencies=False))
def test_in_ranking_order_a_better_project_never_starts_after_a_worse_one_that_needs_no_more(case):
    works, plan = case
    calendar = in_ranking_order(works, plan).calendar
    for better in calendar.placements:
        for worse in calendar.placements:
            if (
                better.work.score > worse.work.score
                and worse.retained
                and better.work.capex <= worse.work.capex
                and better.work.months == worse.work.months
            ):
                assert better.retained and better.start <= worse.start


@settings(max_examples=30)
@given(portfolios())
def test_the_same_inputs_give_the_same_plan(case):
    works, plan = case
    first, second = optimal(works, plan, time_limit=5), optimal(works, plan, time_limit=5)
    assert [p.start for p in first.calendar.placements] == [p.start for p in second.calendar.placements]
    assert np.array_equal(
        in_ranking_order(works, plan).calendar.capex_by_year,
        in_ranking_order(works, plan).calendar.capex_by_year,
    )


# --- From an inventory ----------------------------------------------------------------------------


def test_the_sample_plan_postpones_with_reasons_and_lists_each_phase():
    ranking = rank_inventory(load_inventory(corpus.simple_xlsx()))
    plan = make_plan(ranking, PlanSettings(start=START, envelopes=((2026, 0.0),)))
    assert all(p.retained or p.reason for p in plan.calendar.placements)
    rows = calendar_rows(make_plan(ranking, PlanSettings(start=START)))
    assert len(rows) == 3 * 4 and rows[0][2] == "Diagnostic / cadrage" and rows[0][3] == START


# Found by CI: on the yearly grid only one project fits the largest budget, while the plan of
# the budget before (both started in December 2027) still fits it.
STARTS_BETWEEN_GRID_POINTS = (
    [
        Work("0", "Projet 0", 1.0, 5.0, 10.0, (1, 1, 11)),
        Work("1", "Projet 1", 0.5, 3.0, 10.0, (1, 1, 11)),
    ],
    PlanSettings(start=START, horizon_years=3, envelopes=((2026, 0.0), (2027, 1.0), (2028, 4.0))),
)


@settings(max_examples=25)
@given(portfolios())
@example(STARTS_BETWEEN_GRID_POINTS)
def test_a_bigger_budget_never_lowers_the_best_total(case):
    from prioritisation.planning.portfolio import frontier

    works, plan = case
    points = frontier(works, plan, (0.5, 1.0, 2.0, 4.0), time_limit=2)
    budgets = [budget for budget, _ in points]
    totals = [total for _, total in points]
    assert budgets == sorted(budgets)
    assert all(later >= earlier - 1e-9 for earlier, later in itertools.pairwise(totals))


def test_ceilings_per_source_are_checked_in_total_and_per_year():
    from prioritisation.planning.funding import ceiling_breaches
    from prioritisation.planning.plan import make_plan

    headers = ["Projet", "Urgence", "Impact", "Faisabilité", "Coût", "DETR (€)", "Durée (mois)"]
    rows = [["A", 5, 5, 5, 100_000, 50_000, 3], ["B", 4, 4, 4, 100_000, 50_000, 3]]
    ranking = rank_inventory(load_inventory(corpus.simple_xlsx(headers, rows), "inventaire.xlsx"))
    rules = FundingRules(total_ceilings=(("detr", 80_000.0),), yearly_ceilings=(("detr", 60_000.0),))
    plan = make_plan(ranking, PlanSettings(start=START), rules=rules)
    breaches = plan.ceilings
    assert any(breach.startswith("DETR :") for breach in breaches)
    assert any(breach.startswith("DETR 2026") for breach in breaches)
    assert ceiling_breaches(plan.by_year(), FundingRules()) == []


# --- What "prouvé" proves (issue 10.4) --------------------------------------------------------------


def test_the_gap_is_worded_as_what_is_proven_on_the_grid():
    portfolio = optimal(KNAPSACK, plan_settings(envelopes=((2026, 50.0),)))
    text = portfolio.gap_text()
    assert text.startswith("optimal parmi les démarrages en début d'année ; ")
    assert "prouvé)" not in text.split(";")[0]
    bare = replace(portfolio, monthly_gap=None)
    assert bare.gap_text() == (
        "optimal parmi les démarrages en début d'année ; un démarrage en cours d'année peut faire mieux"
    )
    assert (
        replace(bare, grid=StartGrid.QUARTER)
        .gap_text()
        .endswith("un démarrage en cours de trimestre peut faire mieux")
    )


def best_with_any_start(works: list[Work], plan: PlanSettings) -> float:
    """Every combination of monthly starts (or none), tried one by one: the best feasible total."""
    return best_on_the_grid(works, plan, step=1)


# Sept. 2026 start, nothing to spend in 2026: on the yearly grid the 13-month project can only
# start in Sept. 2026; a start in January 2027 funds it.
MID_YEAR = (
    [Work("A", "A", 1.0, 13.0, 0.0, (1, 1, 11)), Work("B", "B", 0.4, 12.0, 0.0, (1, 1, 10))],
    PlanSettings(
        start=dt.date(2026, 9, 1), horizon_years=2, envelopes=((2026, 0.0), (2027, 20.0), (2028, 20.0))
    ),
)


def test_a_monthly_start_can_beat_the_grid_and_the_monthly_bound_says_how_far():
    works, plan = MID_YEAR
    on_grid, any_month = best_on_the_grid(works, plan), best_with_any_start(works, plan)
    assert any_month > on_grid  # the case exists: the grid's proof says nothing about it
    portfolio = optimal(works, plan, time_limit=5)
    assert portfolio.monthly_bound is not None and any_month <= portfolio.monthly_bound + 1e-6
    assert portfolio.total_score == pytest.approx(any_month)  # found here by filling month by month


@settings(max_examples=25, deadline=None)
@given(portfolios(dependencies=True, max_size=3), st.integers(1, 2))
@example((MID_YEAR[0], MID_YEAR[1]), 2)
def test_the_monthly_bound_holds_against_every_combination_of_monthly_starts(case, years):
    works, plan = case
    plan = replace(plan, horizon_years=years, envelopes=plan.envelopes[: years + 1])
    portfolio = optimal(works, plan, time_limit=5)
    best = best_with_any_start(works, plan)
    assert portfolio.monthly_bound is not None and portfolio.monthly_gap is not None
    assert best <= portfolio.monthly_bound + 1e-6
    assert portfolio.bound is not None and best_on_the_grid(works, plan) <= portfolio.bound + 1e-6
    if portfolio.monthly_gap < 1e-4:
        assert portfolio.total_score >= best - 1e-6
        assert "optimal aussi" in portfolio.gap_text()


def test_beyond_a_few_hundred_projects_the_monthly_bound_is_skipped_and_said():
    works = [Work(str(i), str(i), 0.5, 10.0, 0.0, (1, 1, 1)) for i in range(700)]
    portfolio = optimal(works, PlanSettings(start=START, envelopes=((2026, 100.0),)), time_limit=5)
    assert portfolio.monthly_gap is None and "trop de projets" in portfolio.monthly_note
    assert portfolio.monthly_text().startswith("non calculé : trop de projets")
    assert portfolio.gap_text().endswith("un démarrage en cours d'année peut faire mieux")


# --- Must-do projects (issue 10.5) ------------------------------------------------------------------

# The must-do project M is 13 months long: on the yearly grid it can only start in Sept. 2026,
# where nothing may be spent; the ranking order starts it in January 2027. B1 comes before B2
# and B3 in the ranking, yet B2 and B3 together are worth more and fit where B1 does.
MUST_DO_BETWEEN_GRID_POINTS = (
    [
        Work("M", "Obligatoire", 0.1, 1.3, 0.0, (1, 1, 11)),
        Work("B1", "B1", 0.9, 60.0, 0.0, SHORT),
        Work("B2", "B2", 0.5, 40.0, 0.0, SHORT),
        Work("B3", "B3", 0.5, 40.0, 0.0, SHORT),
    ],
    PlanSettings(
        start=dt.date(2026, 9, 1),
        horizon_years=2,
        envelopes=((2026, 0.0), (2027, 81.5), (2028, 1.0)),
        cost_split=(1 / 3, 1 / 3, 1 / 3),
        must_do=frozenset({"M"}),
    ),
)


def test_a_must_do_project_that_only_fits_between_grid_points_is_kept_without_a_false_alarm():
    """Issue 10.5: the result said « Aucun portefeuille ne respecte toutes les contraintes » while
    the plan it returned met them all, and a better plan existed."""
    works, plan = MUST_DO_BETWEEN_GRID_POINTS
    ranked = in_ranking_order(works, plan)
    assert {p.work.id for p in ranked.calendar.retained} == {"M", "B1"}
    best = optimal(works, plan, time_limit=5)
    assert "Aucun portefeuille" not in best.note and best.selection is Selection.OPTIMAL
    assert {p.work.id for p in best.calendar.retained} == {"M", "B2", "B3"}
    assert best.total_score == pytest.approx(1.1)


def test_a_must_do_project_longer_than_the_horizon_is_said_in_the_note_and_the_problems():
    """Issue 10.5: it got no solver variable and disappeared silently."""
    headers = ["Identifiant", "Projet", "Urgence", "Impact", "Faisabilité", "Coût", "Durée (mois)"]
    rows = [["P1", "Court", 5, 5, 5, 100, 3], ["P2", "Trop long", 1, 1, 1, 100, 30]]
    ranking = rank_inventory(load_inventory(corpus.simple_xlsx(headers, rows), "inventaire.xlsx"))
    settings = PlanSettings(start=START, horizon_years=2, must_do=frozenset({"P2"}))
    for selection in Selection:
        plan = make_plan(ranking, settings, selection, time_limit=5)
        assert "Projet obligatoire P2 (« Trop long ») non retenu : dure 30 mois" in plan.chosen.note
        (problem,) = plan.must_do_problems
        assert (problem.row, problem.column) == (3, "Identifiant")
        assert "projet obligatoire non retenu par le plan" in problem.message
        assert problem in plan.problems


@settings(max_examples=40, deadline=None)
@given(portfolios(), st.data())
def test_the_optimal_plan_funds_every_must_do_project_the_ranking_order_funds(case, data):
    works, plan = case
    must = frozenset(data.draw(st.sets(st.sampled_from([w.id for w in works]), max_size=2)))
    plan = replace(plan, must_do=must)
    ranked = in_ranking_order(works, plan).calendar
    best = optimal(works, plan, time_limit=5).calendar
    funded = {p.work.id for p in best.retained}
    assert {p.work.id for p in ranked.retained} & must <= funded


# --- A constant criterion and the plan (issue 10.6) -----------------------------------------------


def test_a_constant_criterion_does_not_change_the_optimal_portfolio():
    """It added the same priority to every project, so two cheap projects outweighed a better one."""
    from prioritisation.planning.plan import priorities
    from prioritisation.ranking.criteria import Criterion, RankingSettings

    headers = [
        "Identifiant",
        "Projet",
        "Urgence",
        "Impact",
        "Faisabilité",
        "Coût",
        "Durée (mois)",
        "Population",
    ]
    rows = [
        ["A", "Le meilleur", 5, 5, 5, 100, 3, 1200],
        ["B", "Moyen", 2.8, 2.8, 2.8, 50, 3, 1200],
        ["C", "Moyen aussi", 2.8, 2.8, 2.8, 50, 3, 1200],
    ]
    inventory = load_inventory(corpus.simple_xlsx(headers, rows), "inventaire.xlsx")
    settings_ = PlanSettings(start=START, horizon_years=1, envelopes=((2026, 100.0),))
    plain = rank_inventory(inventory)
    chosen = {}
    for maximise in (True, False):
        criteria = (
            Criterion("urgency"),
            Criterion("impact"),
            Criterion("feasibility"),
            Criterion("Population", maximise),
        )
        ranking = rank_inventory(inventory, RankingSettings(criteria=criteria, weights=(1, 1, 1, 3)))
        np.testing.assert_allclose(priorities(ranking), priorities(plain), atol=1e-12)
        plan = make_plan(ranking, settings_, Selection.OPTIMAL, time_limit=5)
        chosen[maximise] = {p.work.id for p in plan.calendar.retained}
    assert chosen[True] == chosen[False] == {"A"}


# --- The search (issue 10.7) ----------------------------------------------------------------------


def test_identical_projects_are_interchangeable_and_the_optimum_is_still_found():
    works = [Work(f"S{i}", "Écran", 0.5, 30.0, 0.0, SHORT) for i in range(6)] + [
        Work("X", "X", 0.8, 50.0, 0.0, SHORT)
    ]
    plan = plan_settings(horizon_years=2, envelopes=((2026, 100.0), (2027, 60.0)), capacity=3)
    best = optimal(works, plan, time_limit=5)
    assert best.total_score == pytest.approx(best_on_the_grid(works, plan))
    assert best.gap is not None and best.gap < 1e-4


def test_pulled_earlier_starts_sooner_and_still_fits():
    from prioritisation.planning.schedule import pulled_earlier

    works = [Work("A", "A", 1, 40, 0, SHORT), Work("B", "B", 1, 40, 0, SHORT, needs=("A",))]
    plan = plan_settings(horizon_years=2, envelopes=((2026, 50.0), (2027, 50.0)))
    moved = pulled_earlier(works, plan, {"A": 12, "B": 20})
    assert moved == {"A": 0, "B": 12}  # B could follow A in March 2026, but 2026 has 10 € left
    calendar = schedule_in_order(works, plan, fixed=moved)
    assert calendar.spending().tolist() == pytest.approx([40, 40])


@settings(max_examples=25, deadline=None)
@given(portfolios())
def test_the_steps_of_the_search_never_get_worse_and_the_last_is_final(case):
    from prioritisation.planning.portfolio import optimal_steps

    works, plan = case
    steps = list(optimal_steps(works, plan, time_limit=5))
    assert [step.final for step in steps] == [False] * (len(steps) - 1) + [True]
    totals = [step.total_score for step in steps]
    assert all(later >= earlier - 1e-12 for earlier, later in itertools.pairwise(totals))
    assert all(step.stage for step in steps)


@pytest.mark.parametrize("grid", list(StartGrid))
def test_the_integer_search_reads_its_starts_whatever_the_model_counts_beside_them(grid):
    """With a team capacity on the quarterly grid, the model counts projects in progress month by
    month in variables of its own: the starts are read from the projects' variables only."""
    from prioritisation.planning.portfolio import _Model

    model = _Model(KNAPSACK, plan_settings(envelopes=((2026, 50.0),), capacity=3), grid.value)
    starts, bound = model.integer(5, better_than=0)
    assert starts is not None and set(starts) == {"2", "3"} and bound >= 220 - 1e-6


def test_a_page_draws_the_ranking_order_plan_then_follows_the_optimal_search_step_by_step():
    """The quick plan first; the optimal one as a series of ever better plans, the last final."""
    from prioritisation.planning.plan import optimal_plans

    headers = ["Identifiant", "Projet", "Urgence", "Impact", "Faisabilité", "Coût", "Durée (mois)"]
    rows = [[f"P{i}", f"Projet {i}", 1 + i % 5, 1 + (i * 2) % 5, 1 + (i * 3) % 5, 10_000 * (1 + i % 7), 3 + i % 9]
            for i in range(12)]  # fmt: skip
    ranking = rank_inventory(load_inventory(corpus.simple_xlsx(headers, rows), "inventaire.xlsx"))
    settings_ = PlanSettings(start=START, horizon_years=2, envelopes=((2026, 60_000.0), (2027, 60_000.0)))
    quick = make_plan(ranking, settings_)
    assert (
        quick.chosen.selection is Selection.RANKING
        and quick.chosen.gap_text() == "écart à l'optimum non calculé"
    )
    plans = list(optimal_plans(quick, time_limit=5))
    assert [plan.chosen.final for plan in plans] == [False] * (len(plans) - 1) + [True]
    assert all(plan.asked is Selection.OPTIMAL and plan.by_ranking is quick.by_ranking for plan in plans)
    assert plans[-1].chosen.total_score >= quick.chosen.total_score
