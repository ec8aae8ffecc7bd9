"""Repeated problems of one kind are one line, with a count and the rows behind it (issue 8.5)."""

from __future__ import annotations

import pytest

from prioritisation import problems as p
from prioritisation.problems import KINDS, ProblemGroup, group_problems, rows_text
from prioritisation.reading.inventory import load_inventory
from tests import corpus


def duplicates(count: int, first_row: int = 12) -> list[p.Problem]:
    return [
        p.warning(
            f"l'intitulé « Projet {n} » apparaît plusieurs fois (lignes {first_row + 3 * n}, 99) : doublon ?",
            sheet="Projets",
            row=first_row + 3 * n,
            column="DESCRIPTION",
            code="duplicate_title",
        )
        for n in range(count)
    ]


def test_a_thousand_repeated_warnings_are_one_line_with_a_count_and_the_first_rows():
    [group] = group_problems(duplicates(1085))
    assert group.count == 1085
    assert str(group) == (
        "Avertissement — feuille « Projets », colonne « DESCRIPTION » : l'intitulé apparaît plusieurs "
        "fois : 1\u202f085 cas (lignes 12, 15, 18, 21, 24, 27, 30, 33, 36, 39…)"
    )
    assert len(group.rows) == 1085 and group.rows[-1] == 12 + 3 * 1084  # the detail keeps them all
    assert group.problems[0].message.startswith("l'intitulé « Projet 0 »")


def test_a_single_problem_reads_as_before():
    [problem] = duplicates(1)
    [group] = group_problems([problem])
    assert str(group) == str(problem)


def test_groups_keep_the_order_of_their_first_problem_and_split_by_kind_severity_and_column():
    blank = p.error("projet sans intitulé.", sheet="S", row=5, column="Projet", code="missing_title")
    other_blank = p.error("projet sans intitulé.", sheet="S", row=9, column="Projet", code="missing_title")
    uncoded = p.error("autre chose", sheet="S", row=6)
    out_of_scale = [
        p.error(
            "la note 7 est hors de l'échelle.", sheet="S", row=row, column=column, code="score_out_of_scale"
        )
        for row, column in ((7, "Urgence"), (8, "Impact"), (10, "Urgence"))
    ]
    groups = group_problems([blank, uncoded, *out_of_scale, other_blank, *duplicates(2)])
    assert [(group.code, group.count, group.rows) for group in groups] == [
        ("missing_title", 2, (5, 9)),
        (None, 1, (6,)),
        ("score_out_of_scale", 2, (7, 10)),
        ("score_out_of_scale", 1, (8,)),
        ("duplicate_title", 2, (12, 15)),
    ]
    assert groups[0].is_error and not groups[-1].is_error


def test_a_threshold_keeps_small_repeats_apart():
    assert [group.count for group in group_problems(duplicates(2), at_least=3)] == [1, 1]


def test_rows_are_listed_whole_up_to_the_limit():
    assert rows_text([4, 7]) == "4, 7"
    assert rows_text(list(range(1, 13))) == "1, 2, 3, 4, 5, 6, 7, 8, 9, 10…"


def test_a_group_holds_at_least_one_problem():
    with pytest.raises(ValueError):
        ProblemGroup(())


def test_every_problem_the_inventory_reports_has_a_kind_with_a_label():
    headers = ["N°", "Intitulé", "Axe", "Urgence", "Coût", "Prérequis", "DETR (€)", "Durée"]
    rows = [
        ["P1", "Fibre", "Axe 9", 7, -5, "P9", 10, 0],
        ["P1", "", "", "x", "y", "P1", 20, "z"],
        ["P3", "Fibre", "Axe 1", 3, 10, "P4", 30, 3],
        ["P4", "Total", "Axe 1", 3, 10, "P3", None, 3],
    ]
    inventory = load_inventory(corpus.simple_xlsx(headers, rows), "x.xlsx")
    codes = {problem.code for problem in inventory.problems}
    assert None not in codes
    assert codes <= set(KINDS)
    assert len(codes) >= 12
