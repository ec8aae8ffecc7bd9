"""Durations: the inventory's, or defaults that are said, by cost band or project type, with a
warning when the figures contradict each other or fall far outside the usual (issue 8, item 6)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from prioritisation.export.workbook import ranking_bytes
from prioritisation.planning.durations import (
    DefaultsBy,
    DurationDefaults,
    DurationSource,
    cost_bands_text,
    parse_cost_bands,
    parse_phases,
    parse_type_durations,
    plan_durations,
    project_types,
    type_durations_text,
)
from prioritisation.planning.plan import make_plan
from prioritisation.planning.schedule import InvalidPlan, PlanSettings
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from tests import corpus

SETTINGS = PlanSettings(start=dt.date(2026, 1, 1))  # default phases 4, 12, 18: 34 months
BASE = ["Identifiant", "Projet", "Urgence", "Impact", "Faisabilité", "Coût"]


def inventory_of(headers: list[str], rows: list[list[object]]):
    return load_inventory(corpus.simple_xlsx([*BASE, *headers], rows), "inventaire.xlsx")


PURCHASES = (
    ["Catégorie"],
    [
        ["P1", "Achat de PC", 4, 4, 4, 1_427, "Matériel"],
        ["P2", "Tableaux numériques", 3, 3, 3, 38_000, "Matériel"],
        ["P3", "Fibre", 5, 5, 5, 420_000, "Réseau"],
        ["P4", "Étude", 2, 2, 2, None, "Étude"],
    ],
)


def test_defaults_applied_are_said_project_by_project():
    """Issue 8.6: without a duration column every 1,427 € PC purchase became a 34-month project,
    unannounced."""
    report = plan_durations(inventory_of(*PURCHASES), SETTINGS, DurationDefaults())
    assert [p.source for p in report.projects] == [DurationSource.DEFAULT] * 4
    (note,) = report.notes()
    assert "pour 4 projets sans durée dans l'inventaire" in note
    assert "diagnostic 4, pilote 12, déploiement 18 mois, soit 34 mois — P1, P2, P3, P4" in note


def test_defaults_by_cost_band_give_a_pc_purchase_a_few_months():
    report = plan_durations(inventory_of(*PURCHASES), SETTINGS, DurationDefaults(by=DefaultsBy.COST))
    months = [p.months for p in report.projects]
    assert months == [(1, 1, 2), (2, 4, 6), (4, 12, 18), (4, 12, 18)]
    notes = " ".join(report.notes()).replace("\u00a0", " ").replace("\u202f", " ")
    assert "coût inférieur à 10 000 €" in notes and "— P1." in notes
    assert "coût de 10 000 € à 100 000 €" in notes and "coût de 100 000 € ou plus" in notes
    assert "coût inconnu" in notes and "— P4." in notes


def test_defaults_by_project_type_read_a_column_of_the_inventory():
    inventory = inventory_of(*PURCHASES)
    assert project_types(inventory, "Catégorie") == ["Matériel", "Réseau", "Étude"]
    defaults = DurationDefaults(
        by=DefaultsBy.TYPE, type_column="Catégorie", by_type=(("matériel", (1, 1, 1)), ("Réseau", (3, 9, 24)))
    )
    report = plan_durations(inventory, SETTINGS, defaults)
    assert [p.months for p in report.projects] == [(1, 1, 1), (1, 1, 1), (3, 9, 24), (4, 12, 18)]
    assert report.projects[3].rule == "type « Étude » sans durée choisie"
    with pytest.raises(InvalidPlan, match="pas de colonne « Nature »"):
        plan_durations(inventory, SETTINGS, DurationDefaults(by=DefaultsBy.TYPE, type_column="Nature"))
    with pytest.raises(InvalidPlan, match="colonne qui donne le type"):
        DurationDefaults(by=DefaultsBy.TYPE)
    with pytest.raises(InvalidPlan, match="croissant"):
        DurationDefaults(cost_bands=((100_000.0, (1, 1, 1)), (10_000.0, (1, 1, 1))))


def test_a_total_that_contradicts_the_phases_is_a_warning_and_the_phases_are_kept():
    headers = ["Durée (mois)", "Durée diagnostic (mois)", "Durée pilote (mois)", "Durée déploiement (mois)"]
    rows = [
        ["P1", "Cohérent", 3, 3, 3, 10_000, 12, 2, 4, 6],
        ["P2", "Contradictoire", 3, 3, 3, 10_000, 12, 4, 12, 18],
        ["P3", "Phase manquante", 3, 3, 3, 10_000, 20, 4, None, 6],
        ["P4", "Total seul", 3, 3, 3, 10_000, 17, None, None, None],
    ]
    report = plan_durations(inventory_of(headers, rows), SETTINGS, DurationDefaults())
    assert [p.months for p in report.projects] == [(2, 4, 6), (4, 12, 18), (4, 10, 6), (2, 6, 9)]
    assert [p.source for p in report.projects] == [
        DurationSource.PHASES,
        DurationSource.PHASES,
        DurationSource.COMPLETED,
        DurationSource.TOTAL,
    ]
    (problem,) = report.problems
    assert (problem.row, problem.column) == (3, "Durée (mois)") and not problem.is_error
    assert "durée totale de 12 mois, mais les phases font 4 + 12 + 18 = 34 mois" in problem.message
    notes = report.notes()
    assert any("répartie entre les phases" in note and "P4" in note for note in notes)
    assert any("complétées" in note and "P3" in note for note in notes)


def test_durations_far_outside_the_usual_ranges_are_warnings():
    headers = ["Durée (mois)", "Durée diagnostic (mois)", "Durée pilote (mois)", "Durée déploiement (mois)"]
    rows = [
        ["P1", "Diagnostic sans fin", 3, 3, 3, 10_000, None, 18, 12, 12],
        ["P2", "Habituel", 3, 3, 3, 10_000, None, 6, 12, 24],
        ["P3", "Dix ans", 3, 3, 3, 10_000, 120, None, None, None],
    ]
    report = plan_durations(inventory_of(headers, rows), SETTINGS, DurationDefaults())
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "Durée diagnostic (mois)"),
        (4, "Durée (mois)"),
    ]
    assert "diagnostic de 18 mois : d'ordinaire 3 à 6 mois" in report.problems[0].message


def test_the_plan_and_its_workbook_say_which_durations_were_invented():
    ranking = rank_inventory(inventory_of(*PURCHASES))
    plan = make_plan(ranking, SETTINGS, durations=DurationDefaults(by=DefaultsBy.COST))
    assert plan.calendar.placements[0].work.months == (1, 1, 2)
    assert len(plan.duration_notes()) == 4
    parameters = dict(
        (label, value)
        for label, value in list(
            load_workbook(io.BytesIO(ranking_bytes(ranking, plan=plan)))["Paramètres"].values
        )
        if label in ("Durées", "Choix des durées par défaut")
    )
    assert parameters["Choix des durées par défaut"] == "selon le coût du projet"
    assert "Durées par défaut (coût" in parameters["Durées"]


phases = st.tuples(st.integers(1, 60), st.integers(1, 60), st.integers(1, 60))


type_names = st.text(
    st.characters(blacklist_characters=";", blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=12,
).filter(lambda name: name == name.strip() and name != "")
amounts = st.floats(1, 1e7).map(lambda amount: round(amount, 2))


@settings(max_examples=60)
@given(
    st.lists(st.tuples(amounts, phases), min_size=1, max_size=4, unique_by=lambda band: band[0]),
    st.lists(st.tuples(type_names, phases), max_size=4),
)
def test_defaults_written_as_text_read_back_the_same(bands, types):
    """For the command line and the equivalent command: text → defaults → text → the same."""
    bands = tuple(sorted(bands))
    assert parse_cost_bands(cost_bands_text(bands)) == bands
    assert parse_type_durations(type_durations_text(tuple(types))) == tuple(types)


def test_durations_written_wrong_are_refused_in_french():
    with pytest.raises(InvalidPlan, match="diagnostic/pilote/déploiement"):
        parse_phases("4/12")
    with pytest.raises(InvalidPlan, match="MONTANT=PHASES"):
        parse_cost_bands("beaucoup=1/1/1")
    assert parse_phases("4+12+18") == (4, 12, 18)
