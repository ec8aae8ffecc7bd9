"""The public inventories the issues were measured on load end to end (issue 8 item 1).

The files are not in the repository (3 MB each, Licence Ouverte): these tests run when
they are in fichiers_publics/ or in the folder named by PRIORISATION_FICHIERS_PUBLICS, and are
skipped otherwise. tests/corpus.py rebuilds their traits in small files for the tests
that always run (grant_list_xlsx: a cover sheet, a sheet declared down to row 1 048 576).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from prioritisation.reading.inventory import load_inventory
from prioritisation.reading.spreadsheet import read_file
from tests.corpus import public_files

FOLDER = public_files()
GRANTS_2019 = (
    FOLDER / "projets_dotations_investissement_2019.xlsx"
)  # anct-carto/dotations_investissement_2019
GRANTS_2018 = FOLDER / "Projets_DI_2018.ods"  # anct-carto/dotation_investissement


def needs(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not path.exists(), reason=f"{path.name} absent (public file, not in the repository)"
    )


@needs(GRANTS_2019)
def test_the_2019_grant_list_declared_down_to_row_1048576_loads_from_its_second_sheet():
    workbook = read_file(GRANTS_2019)
    assert [sheet.name for sheet in workbook.sheets] == ["infos", "Projets_dotations_investissement_2019"]
    data = workbook.sheet("Projets_dotations_investissement_2019")
    assert (len(data.rows), max(map(len, data.rows))) == (24_812, 14)
    inventory = load_inventory(GRANTS_2019)
    assert inventory.table.sheet == "Projets_dotations_investissement_2019"
    assert len(inventory.projects) == 24_811


@needs(GRANTS_2018)
def test_the_2018_grant_list_in_opendocument_loads():
    workbook = read_file(GRANTS_2018)
    data = workbook.sheet("Projets_DI_2018")
    assert (len(data.rows), max(map(len, data.rows))) == (26_296, 18)
    assert len(load_inventory(GRANTS_2018).projects) == 26_295
