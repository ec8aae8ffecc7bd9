"""The command line's grammar: arguments → request → command → request is the identity, and a
pasted command runs nothing but itself (issue: equivalent command, shell quoting)."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook

from prioritisation.command import (
    Shell,
    UsageError,
    build_parser,
    command_line,
    parse_request,
    request_arguments,
)
from prioritisation.french import parse_year_amounts
from prioritisation.planning.funding import SOURCE_LABELS
from prioritisation.reading.fields import FIELDS_BY_KEY
from tests import corpus

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 12, 2)

# --- Arguments as a user types them ----------------------------------------------------------

plain_text = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00\r\n", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=12,
).filter(lambda text: text.strip() == text and text.strip())
french_amount = st.sampled_from(["300000", "300 000", "1,2 M€", "45 000,50", "0", "12 k€", "250000"])
percent = st.sampled_from(["20", "30", "12,5", "0", "100", "33,3"])


@st.composite
def argument_lists(draw: st.DrawFn) -> list[str]:
    arguments = ["rank", draw(plain_text.filter(lambda name: not name.startswith("-")))]
    if draw(st.booleans()):
        arguments += [f"--sheet={draw(plain_text)}"]
    for field in draw(st.lists(st.sampled_from(sorted(FIELDS_BY_KEY)), unique=True, max_size=3)):
        header = draw(st.one_of(st.just(""), plain_text))
        arguments += [f"--column={field}={header}"]
    if draw(st.booleans()):
        arguments += ["--scale", draw(st.sampled_from(["0-10", "1-4", "0-100", "1-5", "0,5-4,5"]))]
    if draw(st.booleans()):
        arguments += [
            "--score-words",
            draw(st.sampled_from(["faible=1;moyenne=3;forte=5", "", "P1=5,P2=3,P3=1"])),
        ]
    from prioritisation.reading.scores import word_key

    extra_words = st.lists(
        plain_text.filter(lambda w: word_key(f"mot {w}")),
        max_size=2,
        unique_by=lambda w: word_key(f"mot {w}"),
    )
    for word in draw(extra_words):
        arguments += [f"--score-word=mot {word}={draw(st.sampled_from(['1', '2,5', '4']))}"]
    if draw(st.booleans()):
        arguments.append("--skip-error-rows")
    names = draw(
        st.lists(
            st.one_of(st.sampled_from(["Urgence", "Impact", "Faisabilité", "Coût total HT"]), plain_text),
            min_size=1,
            max_size=4,
            unique_by=lambda name: name.casefold(),
        ).filter(lambda names: all(":" not in n[-4:] for n in names))
    )
    from prioritisation.ranking.criteria import canonical_name

    if len({canonical_name(name) for name in names}) < len(names):
        names = names[:1]
    directions = [draw(st.sampled_from(["max", "min"])) for _ in names]
    for name, direction in zip(names, directions, strict=True):
        arguments += [f"--criterion={name}:{direction}"]
    if draw(st.booleans()):
        weights = [draw(st.sampled_from(["0", "1", "40", "2,5", "100"])) for _ in names]
        weights[0] = "3"
        for name, weight in zip(names, weights, strict=True):
            arguments += [f"--weight={name}={weight}"]
    if draw(st.booleans()):
        arguments += ["--method", draw(st.sampled_from(["weighted-sum", "topsis", "vikor"]))]
    if draw(st.booleans()):
        arguments += ["--normalisation", draw(st.sampled_from(["minmax", "vector", "sum", "scale"]))]
    if draw(st.booleans()):
        arguments += ["--vikor-v", draw(st.sampled_from(["0", "0,3", "1", "0.75"]))]
    if draw(st.booleans()):
        arguments += ["--start", draw(st.sampled_from(["2027-01", "2026-09", "03/2028"]))]
    if draw(st.booleans()):
        arguments += ["--horizon-years", str(draw(st.integers(1, 30)))]
    if draw(st.booleans()):
        years = draw(st.lists(st.integers(2026, 2040), min_size=1, max_size=4, unique=True))
        separator = draw(st.sampled_from([";", ",", "\n"]))
        arguments += ["--envelope", separator.join(f"{year}={draw(french_amount)}" for year in years)]
    if draw(st.booleans()):
        arguments += ["--capacity", str(draw(st.integers(1, 50)))]
    if draw(st.booleans()):
        arguments += ["--phase-months", ",".join(str(draw(st.integers(1, 60))) for _ in range(3))]
    if draw(st.booleans()):
        arguments += [
            "--cost-split",
            draw(st.sampled_from(["10,30,60", "12,5;37,5;50", "0;0;100", "33,3;33,3;33,4"])),
        ]
    if draw(st.booleans()):
        arguments += ["--review-every", str(draw(st.integers(3, 5)))]
    if draw(st.booleans()):
        arguments += ["--selection", draw(st.sampled_from(["ranking", "optimal"]))]
    if draw(st.booleans()):
        arguments += ["--start-grid", draw(st.sampled_from(["year", "quarter"]))]
    ids = draw(st.lists(st.from_regex(r"P[0-9]{2}", fullmatch=True), unique=True, max_size=4))
    half = len(ids) // 2
    if ids[:half]:
        arguments += ["--must-do", ",".join(ids[:half])]
    if ids[half:]:
        arguments += ["--exclude", ";".join(ids[half:])]
    if draw(st.booleans()):
        arguments += ["--time-limit", draw(st.sampled_from(["2", "0,5", "30"]))]
    if draw(st.booleans()):
        arguments += ["--own-share", draw(percent)]
    if draw(st.booleans()):
        arguments += [
            "--region",
            draw(
                st.sampled_from(
                    ["more-developed", "transition", "less-developed", "transition-formerly-less-developed"]
                )
            ),
        ]
    if draw(st.booleans()):
        arguments += ["--feder-rate", draw(st.sampled_from(["45", "12,5", "85"]))]
    if draw(st.booleans()):
        arguments.append("--overseas")
    if draw(st.booleans()):
        arguments += ["--durations", draw(st.sampled_from(["same", "cost"]))]
    if draw(st.booleans()):
        arguments += ["--cost-bands", draw(st.sampled_from(["10000=1/1/2;100000=2/4/6", "5000=1/1/1"]))]
    if draw(st.booleans()):
        arguments += [
            "--durations",
            "type",
            f"--type-column={draw(plain_text)}",
            "--type-durations",
            "Matériel=1/1/2;Réseau=3/9/24",
        ]
    for option in ("--ceiling", "--yearly-ceiling"):
        if draw(st.booleans()):
            source = draw(st.sampled_from(sorted(SOURCE_LABELS.values())))
            arguments += [option, f"{source}={draw(french_amount)}"]
    if draw(st.booleans()):
        arguments += ["--robustness", draw(st.sampled_from(["10000", "500", "100 000"]))]
        if draw(st.booleans()):
            arguments += ["--robustness-seed", str(draw(st.integers(0, 10**6)))]
        if draw(st.booleans()):
            arguments += ["--robustness-sampling", draw(st.sampled_from(["uniform", "around"]))]
        if draw(st.booleans()):
            arguments += ["--robustness-spread", draw(st.sampled_from(["5", "12,5", "30"]))]
        if draw(st.booleans()):
            arguments += ["--top-n", str(draw(st.integers(1, 60)))]
    return [*arguments, "-o", "sortie.xlsx"]


@given(argument_lists())
@example(["rank", "inv$(touch X).csv", "--criterion", 'Coût "$(touch Y)", TTC:min', "-o", "sortie.xlsx"])
@example(["rank", "a.csv", "--envelope", "2026=250000,2027=1,5 M€", "-o", "sortie.xlsx"])
@example(["rank", "0", "--criterion=axis:max", "-o", "sortie.xlsx"])  # a field key that is no number
@example(["rank", "0", "--criterion=-:max", "--sheet=-x", "-o", "sortie.xlsx"])  # values like options
def test_arguments_to_request_to_command_to_request_is_the_identity(arguments):
    _, request = parse_request(arguments, TODAY)
    written = request_arguments(request, "sortie.xlsx")
    assert parse_request(written, TODAY)[1] == request
    for shell in (Shell.POSIX,):
        words = shlex.split(command_line(request, "sortie.xlsx", shell))
        assert words[:3] == ["python", "-m", "prioritisation"]
        assert parse_request(words[3:], TODAY)[1] == request


def test_an_inventory_named_like_an_option_is_written_after_a_double_dash():
    _, request = parse_request(["rank", "-o", "x.xlsx", "--", "-o.csv"], TODAY)
    assert request.inventory == "-o.csv"
    written = request_arguments(request, "x.xlsx")
    assert written[-2:] == ["--", "-o.csv"]
    assert parse_request(written, TODAY)[1] == request


def test_envelopes_separated_by_commas_as_the_specification_writes_them():
    """docs/contrats.md: --envelope "2026=250000,2027=300000" (a comma before « année= » separates)."""
    assert parse_year_amounts("2026=250000,2027=300000") == ((2026, 250000.0), (2027, 300000.0))
    assert parse_year_amounts("2026=1,5 M€,2027=2,25") == ((2026, 1_500_000.0), (2027, 2.25))
    assert parse_year_amounts("2026=300 000;2027=1,2 M€") == ((2026, 300_000.0), (2027, 1_200_000.0))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--envelope", "2027:300000"], "ANNÉE=MONTANT"),
        (["--envelope", "2027=douze"], "Enveloppe 2027 : « douze » n'est pas un montant lisible"),
        (["--cost-split", "10,20,30"], "les trois parts font 60 %"),
        (["--ceiling", "Région=1000"], "n'est pas une source de financement"),
        (["--horizon-years", "2,5"], "n'est pas un nombre entier"),
        (["--column", "=Projet"], "écrivez CHAMP=EN-TÊTE"),
        (["--top-n", "5"], "demandent --robustness TIRAGES"),
        (["--robustness", "0"], "nombre de tirages"),
    ],
)
def test_an_unreadable_option_is_refused_in_french(arguments, message):
    with pytest.raises(UsageError, match=message):
        parse_request(["rank", "a.csv", *arguments, "-o", "x.xlsx"], TODAY)


def test_powershell_words_are_single_quoted_with_every_single_quote_doubled():
    _, request = parse_request(["rank", "inv$(calc)'‘’.csv", "--sheet", "Feuille `1`", "-o", "x.xlsx"], TODAY)
    line = command_line(request, "x.xlsx", Shell.POWERSHELL)
    assert line.startswith("python -m prioritisation rank 'inv$(calc)''‘‘’’.csv' --sheet 'Feuille `1`'")


def test_french_help_and_messages():
    parser = build_parser()
    assert "Utilisation : " in parser.format_usage()
    assert "afficher cette aide" in parser.format_help()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash est absent")
def test_the_command_pasted_into_bash_runs_nothing_else_and_gives_back_the_ranking(tmp_path):
    """A file named « inv$(touch X).csv » and a header holding « "$(touch Y) »: pasting the
    equivalent command from the workbook into bash creates neither X nor Y, and ranks alike."""
    hostile_header = 'Coût "$(touch Y)" `touch Z`'
    name = "inv$(touch X).csv"
    rows = [["Projet", "Urgence", "Impact", "Faisabilité", hostile_header]]
    rows += [
        [f"Projet {i}", 1 + i % 5, 1 + (i * 3) % 5, 1 + (i * 7) % 5, str(1000 * (i % 7) + 5)]
        for i in range(12)
    ]
    (tmp_path / name).write_bytes(corpus.csv_bytes(rows))
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run(
        [sys.executable, "-m", "prioritisation", "rank", name, "--criterion", f"{hostile_header}:min",
         "--criteria", "Urgence:max,Impact:max", "--weight", f"{hostile_header}=2", "-o", "premier.xlsx"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    parameters = dict(
        load_workbook(tmp_path / "premier.xlsx", read_only=True)["Paramètres"].iter_rows(values_only=True)
    )
    command = parameters["Commande équivalente"].replace("classement.xlsx", "second.xlsx")
    command = command.replace("python -m", f"{shlex.quote(sys.executable)} -m", 1)
    pasted = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    assert pasted.returncode == 0, pasted.stderr
    assert not any((tmp_path / marker).exists() for marker in ("X", "Y", "Z"))

    def ranked(path: Path) -> list[tuple]:
        rows = list(load_workbook(path, read_only=True)["Classement"].iter_rows(values_only=True))
        return [row[:1] + row[-6:-4] for row in rows]

    assert ranked(tmp_path / "premier.xlsx") == ranked(tmp_path / "second.xlsx")
