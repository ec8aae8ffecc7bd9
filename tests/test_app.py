"""The dashboard's pages render the sample without an exception (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def test_home_page_ranks_the_sample_and_offers_the_workbook():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert "40 projets" in app.info[0].value
    table = app.dataframe[0].value
    assert len(table) == 40
    assert table.iloc[0]["Rang"] == 1
    assert table.iloc[0]["Coût d'investissement (€)"].endswith("\u00a0€")
