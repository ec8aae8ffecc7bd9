"""The « Robustesse » section and the weights' captions, through Streamlit's AppTest (no browser).

The section is drawn by a small script here: the Priorisation page wires it in separately.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from streamlit.testing.v1 import AppTest

from prioritisation.ranking.priorities import rank_inventory
from prioritisation.ranking.robustness import RobustnessSettings, analyse_ranking
from prioritisation.reading.inventory import load_inventory
from tests.test_app import SAMPLE, no_failure
from ui.robustness import robustness_table
from ui.robustness_charts import acceptability_heatmap, acceptability_matrix, rank_columns


def section_script() -> None:
    import streamlit as st

    from prioritisation.ranking.priorities import rank_inventory
    from prioritisation.reading.inventory import load_inventory
    from tests.test_app import SAMPLE
    from ui.robustness import robustness_section, weight_interval_caption

    ranking = rank_inventory(load_inventory(SAMPLE))
    for criterion in range(len(ranking.criteria)):
        st.caption(weight_interval_caption(ranking, criterion, 10) or "(marge en calcul)")
    robustness_section(ranking, 10)


def test_section_draws_the_heat_map_its_table_and_each_weights_margin_without_blocking():
    app = AppTest.from_function(section_script, default_timeout=60).run()
    no_failure(app)
    deadline = time.monotonic() + 30
    while not app.get("plotly_chart") and time.monotonic() < deadline:  # computed in the background
        time.sleep(0.2)
        app.run()
    no_failure(app)
    assert app.get("plotly_chart"), [info.value for info in app.info]
    table = app.dataframe[0].value
    assert list(table.columns) == ["Rang", "Projet", "P(rang 1)", "P(10 premiers)", "Rang médian",
                                   "Rangs (90 %)", "Stabilité"]  # fmt: skip
    assert table["P(rang 1)"].str.endswith("\u00a0%").all()
    captions = [caption.value for caption in app.caption]
    assert sum("inchangé" in caption for caption in captions) == 3
    assert any("Le poids de" in markdown.value for markdown in app.markdown)


def sample_ranking_and_robustness():
    ranking = rank_inventory(load_inventory(SAMPLE))
    return ranking, analyse_ranking(ranking, RobustnessSettings(draws=2000, top_n=10))


def test_heat_map_has_ten_ranks_then_beyond_and_escapes_project_titles():
    ranking, robustness = sample_ranking_and_robustness()
    positions = ranking.order[:25]
    assert rank_columns(robustness.acceptability, 40) == [*map(str, range(1, 11)), "au-delà"]
    percentages = acceptability_matrix(robustness.acceptability, positions, 40)
    np.testing.assert_allclose(percentages.sum(axis=1), 100)
    figure = acceptability_heatmap(ranking, robustness.acceptability, positions)
    assert figure.layout.separators == ",\u202f"
    assert "jeux de poids" in figure.layout.title.text
    hostile = replace(ranking.inventory, projects=ranking.inventory.projects.assign(title="<b>x</b>"))
    hostile_ranking = replace(ranking, inventory=hostile)
    names = acceptability_heatmap(hostile_ranking, robustness.acceptability, positions).data[0].y
    assert all("&lt;b&gt;" in name and "<b>" not in name for name in names)


def test_table_beside_the_heat_map_reads_in_french():
    ranking, robustness = sample_ranking_and_robustness()
    table = robustness_table(ranking, robustness, ranking.order[:5])
    assert table["Rangs (90 %)"].str.contains(" à ").all()
    assert set(table["Stabilité"]) <= {"solide", "fragile", ""}
