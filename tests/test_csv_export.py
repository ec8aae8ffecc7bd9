"""The ranking as CSV: French separators, every column, no text that a spreadsheet would run."""

from __future__ import annotations

import csv
import io

from prioritisation.export.csv_export import ranking_csv
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory
from tests import corpus

HEADERS = [*corpus.HEADERS, "Coût total HT", "Commentaire"]
ROWS = [
    [*corpus.ROWS[0], 1_200_000.5, '=HYPERLINK("http://attaquant")'],
    [*corpus.ROWS[1], 210000, "+33 1 23 45 67 89"],
    [*corpus.ROWS[2], 150000, "Texte ordinaire ; avec point-virgule"],
]


def exported_rows() -> list[list[str]]:
    inventory = load_inventory(corpus.simple_xlsx(HEADERS, ROWS), "inventaire.xlsx")
    data = ranking_csv(rank_inventory(inventory))
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_keeps_every_column_then_rang_and_score_best_first():
    rows = exported_rows()
    assert rows[0] == [*HEADERS, "Rang", "Score"]
    assert [row[0] for row in rows[1:]] == ["P02", "P03", "P01"]
    assert [row[-2] for row in rows[1:]] == ["1", "2", "3"]


def test_csv_writes_numbers_with_a_decimal_comma_and_texts_as_typed():
    by_id = {row[0]: row for row in exported_rows()[1:]}
    assert by_id["P01"][6] == "1200000,5"
    assert by_id["P03"][7] == "Texte ordinaire ; avec point-virgule"
    assert by_id["P02"][-1] == "83,3333"  # (1 + 0,75 + 0,75) / 3, on 100 as the pages show it


def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe():
    by_id = {row[0]: row for row in exported_rows()[1:]}
    assert by_id["P01"][7] == '\'=HYPERLINK("http://attaquant")'
    assert by_id["P02"][7] == "'+33 1 23 45 67 89"
