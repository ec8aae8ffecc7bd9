"""The DGCL/ANCT open-data grant lists, read as published (skipped where the files are absent).

Sources (Licence Ouverte): anct-carto/dotation_investissement, data/Projets_DI_2018.ods, and
anct-carto/dotations_investissement_2019, data/projets_dotations_investissement_2019.xlsx.
"""

from __future__ import annotations

import numpy as np
import pytest

from prioritisation.problems import group_problems
from prioritisation.reading.inventory import load_inventory, without_error_rows
from prioritisation.reading.untrusted import ReadLimits
from tests.corpus import public_files

REAL = public_files()
DI_2018 = REAL / "Projets_DI_2018.ods"
DI_2019 = REAL / "projets_dotations_investissement_2019.xlsx"


def mapped(inventory):
    return {key: inventory.table.headers[position] for key, position in inventory.mapping.positions.items()}


@pytest.mark.skipif(not DI_2018.exists(), reason="Projets_DI_2018.ods is not on this machine")
def test_the_2018_grant_list_is_read_whole_with_its_grants_in_their_sources():
    inventory = load_inventory(DI_2018)
    assert len(inventory.projects) == 26_295
    assert mapped(inventory) == {
        "id": "IDENTIFIANT",
        "grant_scheme": "DOT",
        "title": "DESCRIPTION",
        "capex": "COUT",
        "grant_amount": "SUBVENTION",
    }
    assert [problem.code for problem in inventory.errors] == ["missing_title"] * 4
    lines = [str(group) for group in group_problems(inventory.problems)]
    assert any("l'intitulé apparaît plusieurs fois : 1\u202f085 cas (lignes 10, 15" in line for line in lines)
    assert len(lines) == 2  # blank titles, repeated titles; funding plans are checked by the plan
    grants = inventory.projects["grant_amount"].sum()
    routed = sum(np.nansum(inventory.projects[key]) for key in ("feder", "dsil", "detr", "other_grants"))
    assert routed == pytest.approx(grants)
    assert without_error_rows(inventory).errors == []


@pytest.mark.skipif(not DI_2019.exists(), reason="projets_dotations_investissement_2019.xlsx is not here")
def test_the_2019_grant_list_routes_dsid_to_other_grants_in_one_warning():
    # Its sheet declares A1:N1048576: the extent guard is raised here, this test is about columns.
    inventory = load_inventory(DI_2019, limits=ReadLimits(max_cells_per_sheet=20_000_000))
    assert (inventory.table.sheet, inventory.table.header_row) == ("Projets_dotations_investissement_2019", 1)
    assert len(inventory.projects) == 24_811
    assert set(mapped(inventory)) == {"id", "grant_scheme", "title", "capex", "grant_amount"}
    [elsewhere] = [problem for problem in inventory.warnings if problem.code == "grant_scheme_elsewhere"]
    assert "« DSID » (350 ligne(s) : 2, 3, 4" in elsewhere.message
    assert not [problem for problem in inventory.warnings if problem.code == "unmapped_amount"]
