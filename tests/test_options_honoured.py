"""Every option docs/contrats.md lists is shown by `--help` and acts on the result: an option
that is accepted, written back into the equivalent command and then ignored passes the
round-trip property, so each one that decides something has a test of its effect here."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from prioritisation import usecases
from prioritisation.cli import main
from prioritisation.command import parse_request, request_arguments
from prioritisation.planning.durations import DefaultsBy, DurationDefaults
from prioritisation.planning.schedule import PlanSettings
from prioritisation.ranking.robustness import RobustnessSettings
from prioritisation.request import PlanOptions, Request, request_of
from tests import corpus

TODAY = dt.date(2026, 12, 2)
HEADERS = ["Identifiant", "Projet", "Urgence", "Impact", "Faisabilité", "Coût", "Catégorie"]
ROWS = [
    ["P1", "Achat de PC", 4, 4, 4, 1_427, "Matériel"],
    ["P2", "Tableaux numériques", 3, 3, 3, 38_000, "Matériel"],
    ["P3", "Fibre", 5, 5, 5, 420_000, "Réseau"],
]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (
            "rank",
            ["--region", "--feder-rate", "--overseas", "--durations", "--cost-bands", "--robustness-seed"],
        ),
        ("validate", ["--own-share", "--region", "--skip-error-rows"]),
        ("template", ["output"]),
    ],
)
def test_every_command_prints_its_help_and_exits_0(command, options, capsys):
    """`rank --help` ended in « Erreur interne inattendue » (a « % » in the --region help)."""
    with pytest.raises(SystemExit) as ended:
        main([command, "--help"])
    assert ended.value.code == 0
    shown = capsys.readouterr().out
    assert all(option in shown for option in options)
    assert "Erreur interne" not in shown


def test_the_help_gives_the_seed_the_request_uses(capsys):
    with pytest.raises(SystemExit):
        main(["rank", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert f"graine du tirage (défaut {RobustnessSettings().seed})" in shown


def test_duration_options_are_read_into_the_request():
    """--durations, --cost-bands, --type-column and --type-durations were accepted, written into
    the equivalent command, and dropped when read."""
    _, by_cost = parse_request(
        ["rank", "a.csv", "--durations", "cost", "--cost-bands", "5000=1/1/1", "-o", "x.xlsx"], TODAY
    )
    assert by_cost.plan.durations == DurationDefaults(by=DefaultsBy.COST, cost_bands=((5000.0, (1, 1, 1)),))
    arguments = ["rank", "a.csv", "--durations", "type", "--type-column", "Catégorie"]
    arguments += ["--type-durations", "Matériel=1/1/2;Réseau=3/9/24", "-o", "x.xlsx"]
    _, by_type = parse_request(arguments, TODAY)
    assert by_type.plan.durations == DurationDefaults(
        by=DefaultsBy.TYPE, type_column="Catégorie", by_type=(("Matériel", (1, 1, 2)), ("Réseau", (3, 9, 24)))
    )
    assert parse_request(request_arguments(by_type, "x.xlsx"), TODAY)[1] == by_type


def ranked():
    workbook = usecases.open_workbook(corpus.simple_xlsx(HEADERS, ROWS), "inventaire.xlsx")
    request = Request("inventaire.xlsx")
    return usecases.rank(usecases.read_inventory(workbook, request.reading), request)


def test_the_plan_follows_the_duration_defaults_of_its_options():
    """The Calendrier page's « selon le coût du projet » and `--durations cost` reached the
    request but not the plan: every project kept the same default phases."""
    defaults = DurationDefaults(by=DefaultsBy.COST)
    options = PlanOptions(PlanSettings(start=dt.date(2026, 1, 1)), durations=defaults)
    plan = usecases.plan(ranked(), options)
    assert plan.durations is not None and plan.durations.defaults == defaults
    assert plan.durations.months == [(1, 1, 2), (2, 4, 6), (4, 12, 18)]
    steps = list(usecases.optimal_plan_steps(ranked(), options))
    assert all(step.durations is not None and step.durations.defaults == defaults for step in steps)
    assert request_of(plan.ranking, plan).plan.durations == defaults


def test_rank_with_durations_by_type_writes_them_in_the_workbook(tmp_path):
    source = tmp_path / "inventaire.xlsx"
    source.write_bytes(corpus.simple_xlsx(HEADERS, ROWS))
    output = tmp_path / "classement.xlsx"
    status = main(
        ["rank", str(source), "--durations", "type", "--type-column", "Catégorie",
         "--type-durations", "Matériel=1/1/2", "--start", "2026-01", "-o", str(output)]
    )  # fmt: skip
    assert status == 0
    parameters = dict(load_workbook(output, read_only=True)["Paramètres"].iter_rows(values_only=True))
    assert (
        parameters["Choix des durées par défaut"] == "selon le type de projet (une colonne de l'inventaire)"
    )
    assert "--durations type" in parameters["Commande équivalente"]


def test_the_usage_and_the_hint_name_the_command_once(capsys):
    """The usage read « Utilisation : Utilisation : python -m prioritisation rank », and a bare
    call suggested « python -m prioritisation prioritisation --help »."""
    with pytest.raises(SystemExit):
        main(["rank", "--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("Utilisation : python -m prioritisation rank [-h]")
    assert shown.count("Utilisation") == 1
    assert main([]) == 2
    assert "Voir : python -m prioritisation --help" in capsys.readouterr().err
    assert main(["rank", "a.csv"]) == 2
    assert "Voir : python -m prioritisation rank --help" in capsys.readouterr().err
