"""The command line as a user runs it: exit statuses, French messages, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "inventaire_exemple.xlsx"


def run(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-m", "prioritisation", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )
    assert "Traceback" not in completed.stderr + completed.stdout
    return completed


def test_rank_writes_the_workbook_and_exits_0(tmp_path):
    output = tmp_path / "classement.xlsx"
    completed = run(
        "rank", str(SAMPLE), "--weights", "Urgence=40,Impact=35,Faisabilité=25", "-o", str(output)
    )
    assert completed.returncode == 0, completed.stderr
    assert "40 projets classés (Somme pondérée, normalisation scale)" in completed.stdout
    workbook = load_workbook(output, read_only=True)
    assert workbook.sheetnames == ["Classement", "Calendrier", "Budget", "Paramètres"]
    header = next(workbook["Classement"].iter_rows(max_row=1, values_only=True))
    assert header[:2] == ("N°", "Intitulé du projet")
    assert header[-6:] == ("Rang", "Score", "Retenu", "Début", "Fin", "Motif du report")


def test_rank_plans_within_envelopes_and_the_optimal_portfolio_does_at_least_as_well(tmp_path):
    envelopes = "2027=400000;2028=400 000;2029=0,4 M€;2030=400000;2031=400000;2032=400000"
    totals = {}
    for selection in ("ranking", "optimal"):
        output = tmp_path / f"{selection}.xlsx"
        completed = run(
            "rank", str(SAMPLE), "-o", str(output), "--start", "2027-01", "--envelope", envelopes,
            "--capacity", "6", "--selection", selection, "--exclude", "P05",
        )  # fmt: skip
        assert completed.returncode == 0, completed.stderr
        workbook = load_workbook(output, read_only=True)
        budget = list(workbook["Budget"].iter_rows(min_row=2, values_only=True))
        for _year, source, amount, envelope, left in budget:
            if source == "Total":
                assert amount <= envelope + 0.01 and left >= -0.01
        rows = list(workbook["Classement"].iter_rows(values_only=True))
        header = rows[0]
        retained = header.index("Retenu")
        by_id = {row[0]: row for row in rows[1:]}
        assert (
            by_id["P05"][retained] == "non"
            and by_id["P05"][header.index("Motif du report")] == "exclu par l'utilisateur"
        )
        scores = [row[header.index("Score")] for row in rows[1:] if row[retained] == "oui"]
        totals[selection] = sum(scores)
        assert "Plan (" in completed.stdout
    assert totals["optimal"] >= totals["ranking"] - 1e-9


def test_rank_refuses_a_must_do_project_that_is_not_in_the_inventory():
    completed = run("rank", str(SAMPLE), "-o", "x.xlsx", "--must-do", "P01,P99")
    assert completed.returncode == 2
    assert "P99" in completed.stderr and "absent" in completed.stderr and "Traceback" not in completed.stderr


def test_rank_refuses_an_unreadable_envelope_in_french():
    completed = run("rank", str(SAMPLE), "-o", "x.xlsx", "--envelope", "2027:300000")
    assert completed.returncode == 2
    assert "ANNÉE=MONTANT" in completed.stderr and "Traceback" not in completed.stderr


def test_rank_with_topsis_user_criteria_and_column_mapping(tmp_path):
    rows = [
        ["Action", "Urgence", "Impact", "Faisabilité", "Budget"],
        ["A", 5, 5, 5, 900],
        ["B", 1, 1, 1, 100],
    ]
    source = tmp_path / "actions.csv"
    source.write_bytes(corpus.csv_bytes(rows))
    output = tmp_path / "sortie.xlsx"
    completed = run(
        "rank", str(source), "--column", "title=Action", "--criteria", "Urgence:max,Budget:min",
        "--weights", "Urgence=1;Budget=1", "--method", "topsis", "-o", str(output),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "TOPSIS" in completed.stdout


def test_validate_lists_every_error_in_french_and_exits_1(tmp_path):
    source = tmp_path / "inventaire.xlsx"
    source.write_bytes(
        corpus.simple_xlsx(rows=[["P01", "A", "Axe 1", 9, 4, 4], ["P01", "B", "Axe 2", 3, "", 3]])
    )
    completed = run("validate", str(source))
    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert any(
        line.startswith(
            "Erreur — feuille « Projets », ligne 2, colonne « Urgence » : la note 9 est hors de l'échelle de 1 à 5."
        )
        for line in lines
    )
    assert any(
        "l'identifiant « P01 » est utilisé par plusieurs projets (lignes 2, 3)" in line for line in lines
    )
    assert any("ligne 3, colonne « Impact » : valeur manquante" in line for line in lines)
    assert lines[-1] == "2 projet(s), 3 erreur(s) : corrigez-les avant de classer."


def test_validate_a_clean_inventory_reports_the_mapping_used_and_exits_0():
    completed = run("validate", str(SAMPLE))
    assert completed.returncode == 0
    lines = completed.stdout.strip().splitlines()
    assert (
        lines[0]
        == "Fichier « inventaire_exemple.xlsx », feuille « Projets », en-têtes ligne 4, 40 projet(s)."
    )
    assert "  Projet ← « Intitulé du projet »" in lines
    assert "  Urgence ← « URGENCE (1 à 5) »" in lines
    assert "  Coût d'investissement (€) ← « Coût total HT »" in lines
    assert "Colonnes conservées telles quelles : « Commentaire »" in lines
    assert lines[-1] == "Inventaire valide : 40 projet(s), 0 avertissement(s)."


def test_rank_refuses_an_inventory_with_errors_with_status_1(tmp_path):
    source = tmp_path / "inventaire.csv"
    source.write_bytes(
        corpus.csv_bytes([["Projet", "Urgence", "Impact", "Faisabilité"], ["A", "6", "1", "1"]])
    )
    completed = run("rank", str(source), "-o", str(tmp_path / "x.xlsx"))
    assert completed.returncode == 1
    assert "Classement impossible" in completed.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["rank", "absent.xlsx", "-o", "x.xlsx"], "est introuvable"),
        (["rank", str(SAMPLE)], "obligatoires manquants : -o/--output"),
        (["rank", str(SAMPLE), "-o", "sortie.csv"], "doit avoir l'extension .xlsx"),
        (["rank", str(SAMPLE), "--method", "electre", "-o", "x.xlsx"], "choix invalide « electre »"),
        (["rank", str(SAMPLE), "--weights", "Urgence=-3", "-o", "x.xlsx"], "positifs ou nuls"),
        (["rank", str(SAMPLE), "--weights", "Coût=3", "-o", "x.xlsx"], "n'est pas un des critères"),
        (["rank", str(SAMPLE), "--criteria", "Urgence:plus", "-o", "x.xlsx"], "« :max »"),
        (["validate", str(SAMPLE), "--column", "budget_total=Projet"], "Champ inconnu « budget_total »"),
        (["validate", str(SAMPLE), "--sheet", "Budget"], "n'a pas de feuille « Budget »"),
        (["validate", str(SAMPLE), "--scale", "5-1"], "écrivez MIN-MAX"),
        (["validate", str(SAMPLE), "--max-size-mb", "0,001"], "la limite est de"),
        (["validate", str(SAMPLE), "--max-size-mb", "0"], "indiquez une taille positive"),
        ([], "obligatoires manquants"),
    ],
)
def test_unusable_invocations_exit_2_with_a_message(tmp_path, arguments, message):
    completed = run(*arguments, cwd=tmp_path)
    assert completed.returncode == 2
    assert message in completed.stderr


def test_an_unsafe_file_is_refused_with_status_2(tmp_path):
    source = tmp_path / "piege.xlsx"
    source.write_bytes(corpus.encrypted_office_file())
    completed = run("validate", str(source))
    assert completed.returncode == 2
    assert "protégé par un mot de passe" in completed.stderr


def test_template_writes_a_blank_inventory_that_validate_reads(tmp_path):
    output = tmp_path / "modele.xlsx"
    assert run("template", str(output)).returncode == 0
    completed = run("validate", str(output))
    assert completed.returncode == 1
    assert "aucun projet sous la ligne d'en-tête" in completed.stderr


def test_the_command_written_in_parametres_gives_back_the_same_plan(tmp_path):
    import shlex

    first = tmp_path / "premier.xlsx"
    options = ["--start", "2027-01", "--envelope", "2027=300000;2028=0,35 M€", "--capacity", "5"]
    completed = run(
        "rank", str(SAMPLE), "-o", str(first), *options, "--selection", "optimal", "--exclude", "P03"
    )
    assert completed.returncode == 0, completed.stderr
    parameters = dict(load_workbook(first, read_only=True)["Paramètres"].iter_rows(values_only=True))
    command = shlex.split(parameters["Commande équivalente"])
    assert command[:4] == ["python", "-m", "prioritisation", "rank"]
    arguments = command[4:]
    arguments[0] = str(SAMPLE)
    second = tmp_path / "second.xlsx"
    arguments[arguments.index("-o") + 1] = str(second)
    assert run("rank", *arguments).returncode == 0

    def plan_columns(path):
        rows = list(load_workbook(path, read_only=True)["Classement"].iter_rows(values_only=True))
        return [row[-6:] for row in rows]

    assert plan_columns(first) == plan_columns(second)
