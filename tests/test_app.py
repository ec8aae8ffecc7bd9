"""The dashboard, page by page, through Streamlit's AppTest (no browser).

Every page of `ui.navigation.PAGES` — the list the app itself uses — renders the sample
without an exception; interactions give what the engine says they should.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from prioritisation.ranking.criteria import RankingSettings
from prioritisation.ranking.methods import Method
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.inventory import load_inventory, with_cells
from prioritisation.request import PlanForm
from ui.navigation import PAGES, PageSpec, page_of

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "inventaire_exemple.xlsx"
TIMEOUT = 60


def start() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()


def visit(app: AppTest, title: str) -> AppTest:
    spec = page_of(title)
    app.switch_page(spec.script)
    return app.run()


def uploaded(name: str, text: str) -> AppTest:
    """The Inventaire page once the CSV `text` is uploaded under `name` (no failure)."""
    app = visit(start(), "Inventaire")
    app.file_uploader[0].upload(name, text.encode(), "text/csv").run()
    no_failure(app)
    return app


def shown_ids(app: AppTest) -> list[str]:
    """Identifiers in the ranking table's order (its « Projet » column reads « P07 · Portail »)."""
    return [project.split(" · ")[0] for project in app.dataframe[0].value["Projet"]]


def engine_ids(settings: RankingSettings, edits: dict | None = None) -> list[str]:
    inventory = load_inventory(SAMPLE)
    if edits:
        inventory = with_cells(inventory, edits)
    return rank_inventory(inventory, settings).summary()["Identifiant"].tolist()


def table_with(app: AppTest, column: str):
    """The first table on the page that has `column`."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def settled(app: AppTest, seconds: float = 60) -> AppTest:
    """Run the app again until no background computation is pending (the optimal portfolio)."""
    import time

    deadline = time.monotonic() + seconds
    while any("en cours de calcul" in info.value for info in app.info) and time.monotonic() < deadline:
        time.sleep(0.3)
        app.run()
    return app


def no_failure(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not [e.value for e in app.error if "erreur inattendue" in e.value]


@pytest.fixture(scope="module")
def app() -> AppTest:
    return start()


# --- Every page ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec", PAGES, ids=[spec.title for spec in PAGES])
def test_every_page_renders_the_sample_without_an_error(spec: PageSpec):
    app = start()
    visit(app, spec.title)
    no_failure(app)
    assert not app.error, [e.value for e in app.error]


def test_page_scripts_compile_without_magic_so_the_warm_up_imports_cannot_race_ast_parse(monkeypatch):
    """Python 3.11's ast.parse fails when two threads run it at once (CPython gh-106905): the
    warm-up thread's imports call it (inspect.signature), so Streamlit's « magic » must not."""
    from streamlit.runtime.scriptrunner import magic

    parsed: list[str] = []
    monkeypatch.setattr(magic, "add_magic", lambda code, script_path: parsed.append(script_path) or code)
    app = start()
    for spec in PAGES:
        visit(app, spec.title)
        no_failure(app)
        assert app.main.children, spec.title  # the page was drawn
    assert parsed == []


def test_first_visit_shows_the_sample_clearly_labelled_with_a_status_line():
    app = start()
    assert "données d'exemple" in app.info[0].value
    status = " ".join(m.value for m in app.markdown)
    assert "40 projets" in status and "0 erreur(s)" in status
    assert "Somme pondérée" in status and "Urgence 33" in status


def test_pages_are_ours_in_our_order_with_french_titles():
    assert [spec.title for spec in PAGES] == [
        "Accueil",
        "Inventaire",
        "Priorisation",
        "Atelier",
        "Calendrier",
        "Budget",
        "Export",
    ]
    assert all((ROOT / spec.script).is_file() for spec in PAGES)


# --- Priorisation -------------------------------------------------------------------------


def test_moving_a_weight_reorders_the_ranking_as_the_engine_says():
    app = visit(start(), "Priorisation")
    assert shown_ids(app) == engine_ids(RankingSettings())
    app.slider(key="poids_impact").set_value(0).run()
    app.slider(key="poids_faisabilite").set_value(0).run()
    no_failure(app)
    expected = engine_ids(RankingSettings(weights=(50, 0, 0)))
    assert shown_ids(app) == expected
    assert expected != engine_ids(RankingSettings())
    assert "100\u00a0%" in app.slider(key="poids_urgence").label


def test_the_shares_beside_the_sliders_add_up_to_100_percent():
    app = visit(start(), "Priorisation")
    app.slider(key="poids_urgence").set_value(70).run()  # of 170: 41,2 + 29,4 + 29,4 rounded is 99
    shares = [
        int(s.label.split(" — ")[-1].split("\u00a0")[0]) for s in app.slider if s.key.startswith("poids_")
    ]
    assert sum(shares) == 100 and shares == [41, 30, 29]


def test_a_preset_sets_the_weights_and_the_ranking_follows():
    app = visit(start(), "Priorisation")
    next(b for b in app.button if b.label == "Impact").click().run()
    no_failure(app)
    assert app.slider(key="poids_impact").value == 60
    assert shown_ids(app) == engine_ids(RankingSettings(weights=(20, 60, 20)))


def test_choosing_another_method_changes_the_scores():
    app = visit(start(), "Priorisation")
    before = app.dataframe[0].value["Score sur 100"].tolist()
    app.radio(key="choix_methode").set_value("topsis").run()
    no_failure(app)
    table = app.dataframe[0].value
    assert table["Score sur 100"].tolist() != before
    assert shown_ids(app) == engine_ids(RankingSettings(method=Method.TOPSIS))


def test_the_weights_come_from_a_shared_link():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params.update({"poids_urgence": "100", "poids_impact": "0", "poids_faisabilite": "0"})
    app.run()
    visit(app, "Priorisation")
    no_failure(app)
    assert shown_ids(app) == engine_ids(RankingSettings(weights=(1, 0, 0)))


def test_weights_survive_a_visit_to_another_page():
    app = visit(start(), "Priorisation")
    app.slider(key="poids_urgence").set_value(100).run()
    visit(app, "Export")
    visit(app, "Priorisation")
    assert app.slider(key="poids_urgence").value == 100


def test_a_criterion_added_from_a_numeric_column_takes_part_in_the_ranking():
    app = visit(start(), "Priorisation")
    app.selectbox(key="nouveau_critere").set_value("Durée (mois)")
    app.radio(key="sens_nouveau_critere").set_value("Moins c'est élevé, mieux c'est")
    next(b for b in app.button if b.label == "Ajouter ce critère").click().run()
    no_failure(app)
    assert any("Durée \\(mois\\) (à minimiser)" in slider.label for slider in app.slider)  # Markdown-escaped
    from prioritisation.ranking.criteria import DEFAULT_CRITERIA, Criterion

    settings = RankingSettings(criteria=(*DEFAULT_CRITERIA, Criterion("Durée (mois)", maximise=False)))
    assert shown_ids(app) == engine_ids(settings)


def test_why_a_project_ranks_there_compares_it_with_the_median():
    app = visit(start(), "Priorisation")
    sentence = " ".join(m.value for m in app.markdown)
    assert "Rang 1 sur 40" in sentence
    explanation = app.dataframe[1].value
    assert {"Critère", "Valeur du projet", "Médiane des projets", "Points apportés au score"} <= set(
        explanation
    )


def test_filtering_by_axis_keeps_only_that_axis_and_survives_a_page_change():
    app = visit(start(), "Priorisation")
    axis = app.multiselect(key="axes").options[0]
    app.multiselect(key="axes").set_value([axis]).run()
    table = app.dataframe[0].value
    projects = load_inventory(SAMPLE).projects.set_index("id")
    assert len(table) > 0 and {projects.at[i, "axis"] for i in shown_ids(app)} == {axis}
    visit(app, "Accueil")
    visit(app, "Priorisation")
    assert {projects.at[i, "axis"] for i in shown_ids(app)} == {axis}


# --- Sessions and failures ----------------------------------------------------------------


def test_two_sessions_never_see_each_others_data():
    first, second = visit(start(), "Inventaire"), visit(start(), "Inventaire")
    first.file_uploader[0].upload("maison.csv", CSV_WITH_UNUSUAL_HEADER, "text/csv").run()
    first.session_state["modifications"] = {(2, "Projet"): "Portail modifié"}
    first.run()
    second.run()
    assert "maison\\.csv" in " ".join(c.value for c in first.caption)
    assert "inventaire\\_exemple" in " ".join(c.value for c in second.caption)
    visit(second, "Priorisation")
    assert len(second.dataframe[0].value) == 40


def test_an_error_in_a_page_is_shown_in_french_and_the_other_pages_keep_working(
    monkeypatch: pytest.MonkeyPatch,
):
    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("panne simulée")

    app = visit(start(), "Priorisation")
    app.slider(key="poids_urgence").set_value(100).run()
    monkeypatch.setattr("ui.data.ranking", broken)
    app.run()
    assert not app.exception
    assert any("erreur inattendue" in e.value and "conservés" in e.value for e in app.error)
    assert "panne simulée" not in " ".join(e.value for e in app.error)
    visit(app, "Inventaire")
    no_failure(app)
    monkeypatch.undo()
    visit(app, "Priorisation")
    no_failure(app)
    assert app.slider(key="poids_urgence").value == 100  # the session kept its weights


def test_our_reader_enforces_the_upload_limit_of_the_configuration():
    from streamlit import config

    app = visit(start(), "Inventaire")
    config.set_option("server.maxUploadSize", 1)
    try:
        big = b"Projet;Urgence;Impact;Faisabilite\n" + b"Projet tres long;3;3;3\n" * 60_000
        app.file_uploader[0].upload("gros.csv", big, "text/csv").run()
    finally:
        config.set_option("server.maxUploadSize", 20)
    assert any("n'a pas été importé" in e.value and "1,0 Mo" in e.value for e in app.error), [
        e.value for e in app.error
    ]


# --- Inventaire ---------------------------------------------------------------------------


def test_a_malformed_upload_is_refused_in_french_and_the_app_stays_usable():
    app = visit(start(), "Inventaire")
    app.file_uploader[0].upload(
        "inventaire.xlsx", b"ceci n'est pas un classeur", "application/octet-stream"
    ).run()
    no_failure(app)
    assert any("n'a pas été importé" in e.value for e in app.error)
    assert not app.success  # no « aucun problème » beside a refusal: the refused file was not checked
    assert any("Le fichier en cours reste" in c.value for c in app.caption)
    visit(app, "Priorisation")
    no_failure(app)
    assert len(app.dataframe[0].value) == 40  # still the sample


CSV_WITH_UNUSUAL_HEADER = (
    "Projet;Urgence;Retombées pour les habitants;Faisabilité;Coût\n"
    "Portail;5;2;3;1000\n"
    "Fibre;2;5;4;2 000\n"
    "Tiers-lieu;3;4;2;1 500 €\n"
).encode()


def test_correcting_the_column_mapping_fixes_the_inventory():
    app = visit(start(), "Inventaire")
    app.file_uploader[0].upload("maison.csv", CSV_WITH_UNUSUAL_HEADER, "text/csv").run()
    no_failure(app)
    assert any("Impact" in str(row) for row in app.dataframe[0].value["Problème"])
    app.selectbox(key="colonne_impact").set_value("Retombées pour les habitants").run()
    no_failure(app)
    assert any("aucun problème" in s.value for s in app.success)
    visit(app, "Priorisation")
    assert shown_ids(app)[0] == "P002"  # Fibre, second project: its impact now counts


def test_an_edit_in_the_table_changes_the_ranking():
    app = visit(start(), "Inventaire")
    edits = {(5, "Faisabilite"): "1", (5, "URGENCE (1 à 5)"): "1"}
    app.session_state["modifications"] = edits
    app.run()
    no_failure(app)
    assert "2 cellule(s) modifiée(s)" in " ".join(m.value for m in app.markdown)
    visit(app, "Priorisation")
    assert shown_ids(app) == engine_ids(RankingSettings(), edits)
    assert shown_ids(app) != engine_ids(RankingSettings())


def test_an_edit_of_a_cell_the_table_does_not_have_is_kept_aside_not_a_broken_page():
    """Typing over the row number (« _index ») made every page fail, and the kept state kept it
    failing after a reload; an edit made on another sheet is in the same case."""
    app = visit(start(), "Inventaire")
    app.session_state["modifications"] = {(5, "_index"): "99", (4000, "Impact"): "2", (5, "Impact"): "1"}
    app.run()
    no_failure(app)
    assert any(
        "2 modification(s) portent sur des cellules que ce tableau n'a pas" in w.value for w in app.warning
    )
    assert "1 cellule(s) modifiée(s)" in " ".join(m.value for m in app.markdown)
    for title in ("Priorisation", "Calendrier", "Budget", "Export"):
        visit(app, title)
        no_failure(app)
    visit(app, "Inventaire")
    next(b for b in app.button if b.label == "Oublier ces modifications").click().run()
    no_failure(app)
    assert app.session_state["modifications"] == {(5, "Impact"): "1"}
    assert not any("n'a pas" in w.value for w in app.warning)


def test_ranking_without_the_rows_in_error_lists_them_on_inventaire():
    app = visit(start(), "Inventaire")
    app.session_state["modifications"] = {(5, "Impact"): "beaucoup"}
    app.run()
    app.toggle(key="sans_lignes_en_erreur").set_value(True).run()
    no_failure(app)
    assert any("ligne(s) écartée(s) : 5, 6" in i.value for i in app.info)  # P01, and what depends on it
    left_out = table_with(app, "Pourquoi")
    assert left_out["Identifiant"][0] == "P01" and "beaucoup" in left_out["Pourquoi"][0]
    assert "dépend de « P01 »" in left_out["Pourquoi"][1]


def test_a_score_word_the_tool_does_not_know_is_listed_for_the_user_to_give_it_a_score():
    app = uploaded(
        "mots.csv",
        "Projet;Urgence;Impact;Faisabilité\nPortail;forte;bof;facile\nFibre;faible;forte;difficile\n",
    )
    assert any("sans note" in e.label for e in app.expander)
    table = table_with(app, "Mot")
    assert dict(zip(table["Mot"], table["Note"], strict=True))["bof"] == ""
    assert "facile" in table["Mot"].tolist()  # a feasibility word the tool now knows


def test_a_priority_column_is_pointed_at_as_the_urgency_not_mapped_behind_the_users_back():
    app = uploaded(
        "priorites.csv", "Projet;Priorité;Impact;Faisabilité\nPortail;haute;3;3\nFibre;basse;4;2\n"
    )
    assert any("« Priorité » donne peut-être l'urgence" in i.value for i in app.info)
    app.selectbox(key="colonne_urgency").set_value("Priorité").run()
    no_failure(app)
    assert not any("donne peut-être l'urgence" in i.value for i in app.info)
    assert not [e.value for e in app.error]  # « haute / basse » read as urgency words


def test_a_column_the_tool_is_unsure_of_is_named_at_the_top_and_attached_in_one_click():
    app = uploaded(
        "detr.csv", "Projet;Urgence;Impact;Faisabilité;Coût;Part État DETR\nPortail;3;3;3;1000;400\n"
    )
    assert any(
        "« Part État DETR » pourrait être « DETR (€) »" in w.value.replace("\\", "") for w in app.warning
    )
    next(b for b in app.button if b.label.startswith("Rattacher « Part État DETR »")).click().run()
    no_failure(app)
    assert app.selectbox(key="colonne_detr").value == "Part État DETR"
    assert not any("pourrait être" in w.value for w in app.warning)


def test_a_wished_start_date_column_the_calendar_does_not_read_is_said_on_calendrier():
    app = uploaded(
        "dates.csv",
        "Projet;Urgence;Impact;Faisabilité;Coût;Date de démarrage souhaitée\nPortail;3;3;3;1000;03/2027\n",
    )
    visit(app, "Calendrier")
    no_failure(app)
    notes = " ".join(i.value for i in app.info).replace("\\", "")
    assert "« Date de démarrage souhaitée » n'est pas lue par le calendrier" in notes


def test_a_wrong_amount_typed_in_the_table_is_reported_never_passed():
    app = visit(start(), "Inventaire")
    app.session_state["modifications"] = {(5, "Coût total HT"): "douze mille"}
    app.run()
    reading = app.dataframe[-1].value
    assert reading["Lu comme"].tolist() == ["illisible : ce n'est pas un nombre"]
    problems = app.dataframe[0].value
    assert ((problems["Ligne"] == "5") & (problems["Colonne"] == "Coût total HT")).any()


# --- Export ---------------------------------------------------------------------------------


class _KeptFiles(MemoryMediaFileStorage):
    """Keeps the downloads of every run, so a test can open them."""

    files: dict[str, bytes] = {}  # noqa: RUF012

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes) and filename:
            _KeptFiles.files[filename] = path_or_data
        return super().load_and_get_id(path_or_data, mimetype, kind, filename)


def test_the_exported_workbook_reimports_to_the_same_table(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", _KeptFiles)
    app = visit(start(), "Inventaire")
    app.session_state["modifications"] = {(5, "Impact"): "1"}
    app.run()
    visit(app, "Export")
    no_failure(app)
    name = next(
        name for name in _KeptFiles.files if name.startswith("classement_") and name.endswith(".xlsx")
    )
    assert name.startswith("classement_inventaire_exemple_")
    exported = load_inventory(_KeptFiles.files[name], name)
    edited = with_cells(load_inventory(SAMPLE), {(5, "Impact"): "1"})
    ranking = rank_inventory(edited)
    assert exported.projects["id"].tolist() == ranking.summary()["Identifiant"].tolist()
    assert (
        exported.projects["impact"].tolist()
        == ranking.inventory.projects["impact"].iloc[ranking.order].tolist()
    )
    sheets = openpyxl.load_workbook(io.BytesIO(_KeptFiles.files[name]), read_only=True).sheetnames
    assert sheets == ["Classement", "Calendrier", "Budget", "Robustesse", "Paramètres"]
    csv_name = next(name for name in _KeptFiles.files if name.endswith(".csv"))
    assert _KeptFiles.files[csv_name].decode("utf-8-sig").splitlines()[0].endswith(";Rang;Score")


# --- Calendrier and Budget ------------------------------------------------------------------


def sample_plan(**changes):
    import datetime as dt

    from prioritisation.planning.plan import make_plan
    from prioritisation.planning.schedule import PlanSettings

    settings = PlanSettings(start=dt.date.today().replace(day=1), **changes)
    return make_plan(rank_inventory(load_inventory(SAMPLE)), settings)


def test_envelopes_typed_the_french_way_bound_the_plan_as_the_engine_says():
    app = visit(start(), "Budget")
    years = sample_plan().settings.years
    app.session_state["plan"] = PlanForm(envelopes=tuple((year, "0,3 M€") for year in years))
    settled(app.run())
    no_failure(app)
    shown = app.dataframe[0].value if app.dataframe else None
    expected = sample_plan(envelopes=tuple((year, 300_000.0) for year in years))
    assert app.metric[0].value == str(len(expected.calendar.retained))
    visit(app, "Calendrier")
    no_failure(app)
    postponed = table_with(app, "Motif du report")
    assert len(postponed) == 40 - len(expected.calendar.retained)
    assert any("enveloppe" in reason for reason in postponed["Motif du report"])
    del shown


def test_an_unreadable_envelope_is_named_never_used():
    app = visit(start(), "Budget")
    app.session_state["plan"] = PlanForm(envelopes=((2027, "douze mille"),))
    app.run()
    no_failure(app)
    assert any("« douze mille » n'est pas un montant lisible" in e.value for e in app.error)
    visit(app, "Calendrier")
    assert any("douze mille" in e.value for e in app.error)


def test_the_optimal_selection_funds_at_least_the_ranking_order_total():
    app = visit(start(), "Calendrier")
    app.session_state["plan"] = PlanForm(
        envelopes=tuple((year, "250 000") for year in sample_plan().settings.years)
    )
    settled(app.radio(key="plan_selection").set_value("optimal").run())
    no_failure(app)
    assert "sélection : portefeuille optimal" in " ".join(m.value for m in app.markdown)
    settled(visit(app, "Budget"))
    metrics = [m.value for m in app.metric]
    ranked_total, optimal_total = (
        float(metrics[i].split(" points")[0].replace("\u202f", "")) for i in (1, 3)
    )
    assert optimal_total >= ranked_total


def test_a_project_excluded_in_the_calendar_is_postponed_with_the_reason():
    app = visit(start(), "Calendrier")
    app.multiselect(key="plan_exclus").set_value(["P01"]).run()
    no_failure(app)
    postponed = table_with(app, "Motif du report")
    assert postponed.set_index("Identifiant").at["P01", "Motif du report"] == "exclu par l'utilisateur"


def test_a_ceiling_typed_in_the_budget_is_checked_and_the_frontier_is_drawn():
    app = visit(start(), "Budget")
    app.session_state["plan"] = PlanForm(ceilings=(("detr", "10 000", ""),))
    settled(app.run())
    no_failure(app)
    assert any("Plafond dépassé : DETR" in w.value for w in app.warning)
    app.toggle(key="budget_frontiere").set_value(True).run()
    no_failure(app)
    assert len(app.get("plotly_chart")) == 4  # spending, cumulative, operating costs, frontier


def test_an_excluded_project_renamed_in_the_table_is_named_in_french_not_a_crash():
    app = visit(start(), "Calendrier")
    app.multiselect(key="plan_exclus").set_value(["P03"]).run()  # nobody depends on P03 (row 7)
    app.session_state["modifications"] = {(7, "N°"): "P03-bis"}
    app.run()
    no_failure(app)
    assert any("P03" in e.value and "absent" in e.value for e in app.error), [e.value for e in app.error]


def test_a_file_name_with_markdown_is_shown_as_typed_never_formatted():
    app = visit(start(), "Inventaire")
    app.file_uploader[0].upload(
        "**gras** :red[rouge].xlsx", b"pas un classeur", "application/octet-stream"
    ).run()
    no_failure(app)
    message = next(e.value for e in app.error if "n'a pas été importé" in e.value)
    assert "\\*\\*gras\\*\\* \\:red\\[rouge\\]" in message


# --- Links and the equivalent command ---------------------------------------------------------


def test_a_copied_link_keeps_every_weight_even_at_zero_and_gives_the_same_ranking():
    app = visit(start(), "Priorisation")
    app.slider(key="poids_impact").set_value(0).run()
    app.slider(key="poids_urgence").set_value(55).run()
    app.radio(key="choix_methode").set_value("topsis").run()
    link = dict(app.query_params)
    assert link["poids_impact"] == "0" and link["poids_urgence"] == "55" and link["methode"] == "topsis"
    colleague = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    colleague.query_params.update(link)
    visit(colleague.run(), "Priorisation")
    no_failure(colleague)
    assert shown_ids(colleague) == shown_ids(app)
    assert shown_ids(app) == engine_ids(RankingSettings(weights=(55, 0, 50), method=Method.TOPSIS))


def test_a_link_with_added_and_removed_criteria_opens_on_the_same_criteria():
    app = visit(start(), "Priorisation")
    app.selectbox(key="nouveau_critere").set_value("Durée (mois)")
    app.radio(key="sens_nouveau_critere").set_value("Moins c'est élevé, mieux c'est")
    next(b for b in app.button if b.label == "Ajouter ce critère").click().run()
    next(b for b in app.button if b.label.startswith("Retirer « Faisabilite »")).click().run()
    no_failure(app)
    colleague = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key in app.query_params:
        colleague.query_params[key] = app.query_params[key]
    visit(colleague.run(), "Priorisation")
    no_failure(colleague)
    assert [s.label.split(" — ")[0] for s in colleague.slider] == [
        s.label.split(" — ")[0] for s in app.slider
    ]
    assert shown_ids(colleague) == shown_ids(app)


@pytest.mark.parametrize(
    ("value", "used", "notice"),
    [
        ("-50", 0, "un poids va de 0 à 100"),
        ("150", 100, "un poids va de 0 à 100"),
        ("1e308", 100, "un poids va de 0 à 100"),  # a number, if not written the French way
        ("NaN", 50, "ce n'est pas un poids"),
        ("inf", 50, "ce n'est pas un poids"),
        ("abc", 50, "ce n'est pas un poids"),
        ("33,5", 34, "les poids sont entiers"),
    ],
)
def test_a_weight_in_a_link_is_checked_and_brought_within_bounds_with_a_notice(value, used, notice):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params["poids_urgence"] = value
    visit(app.run(), "Priorisation")
    no_failure(app)
    assert app.slider(key="poids_urgence").value == used
    assert any(notice in w.value for w in app.warning), [w.value for w in app.warning]
    app.run()
    assert app.query_params["poids_urgence"] == str(used)  # the link now says what is used


def test_a_link_value_is_quoted_short_in_its_notice():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params["poids_urgence"] = "9" * 5000
    visit(app.run(), "Priorisation")
    no_failure(app)
    (notice,) = [w.value for w in app.warning if "pour poids" in w.value]
    assert len(notice) < 200 and "…" in notice


def test_a_criterion_a_link_names_but_the_file_lacks_is_left_out_with_a_notice():
    """Not « the inventory has errors » on every page: the link's mistake, named as such."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params["critere"] = ["zzz", "<script>", "impact"]
    visit(app.run(), "Priorisation")
    no_failure(app)
    notices = " ".join(w.value for w in app.warning).replace("\\", "")
    assert "« zzz », qui n'est pas une colonne du fichier : il est ignoré" in notices
    assert "« <script> », qui n'est pas une colonne du fichier" in notices
    assert [s.key for s in app.slider if s.key.startswith("poids_")] == ["poids_impact"]
    assert shown_ids(app)  # ranked: nothing blocks it
    visit(app, "Inventaire")
    assert not [e.value for e in app.error]
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params["critere"] = "zzz"
    visit(app.run(), "Priorisation")
    assert "les critères par défaut sont repris" in " ".join(w.value for w in app.warning)
    assert len([s for s in app.slider if s.key.startswith("poids_")]) == 3 and shown_ids(app)


def test_a_method_in_a_link_is_read_by_its_documented_name_or_its_label_and_written_once():
    for spelling in ("topsis", "TOPSIS"):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        app.query_params["methode"] = spelling
        visit(app.run(), "Priorisation")
        assert app.radio(key="choix_methode").value == "topsis"
        assert app.query_params["methode"] == "topsis"
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params["methode"] = "electre"
    visit(app.run(), "Priorisation")
    no_failure(app)
    assert any("méthode « electre », inconnue" in w.value for w in app.warning)


def test_two_criteria_spelled_alike_get_two_sliders_not_an_error():
    """« Budget » and « Budget (€) » are two columns: two criteria, two weights, two link keys."""
    csv = "Projet;Urgence;Impact;Faisabilité;Budget;Budget (€)\nA;1;2;3;10;400\nB;3;2;1;20;300\n".encode()
    app = visit(start(), "Inventaire")
    app.file_uploader[0].upload("doubles.csv", csv, "text/csv").run()
    visit(app, "Priorisation")
    for name in ("Budget", "Budget (€)"):
        app.selectbox(key="nouveau_critere").set_value(name)
        next(b for b in app.button if b.label == "Ajouter ce critère").click().run()
    no_failure(app)
    keys = [slider.key for slider in app.slider if slider.key.startswith("poids_")]
    assert len(keys) == 5 and len(set(keys)) == 5
    assert "poids_budget" in keys and "poids_budget_2" in keys


def test_the_equivalent_command_of_the_dashboard_gives_back_its_ranking_after_mapping_and_criteria(
    tmp_path: Path,
):
    """A column mapped by hand and a criterion chosen in the browser travel in the command."""
    import shlex
    import subprocess
    import sys

    app = visit(start(), "Inventaire")
    app.file_uploader[0].upload("maison.csv", CSV_WITH_UNUSUAL_HEADER, "text/csv").run()
    app.selectbox(key="colonne_impact").set_value("Retombées pour les habitants").run()
    visit(app, "Priorisation")
    app.selectbox(key="nouveau_critere").set_value("Coût")
    app.radio(key="sens_nouveau_critere").set_value("Moins c'est élevé, mieux c'est")
    next(b for b in app.button if b.label == "Ajouter ce critère").click().run()
    app.slider(key="poids_urgence").set_value(20).run()
    dashboard = shown_ids(app)
    visit(app, "Export")
    no_failure(app)
    command = next(code.value for code in app.code if code.language == "bash")
    assert "--column" in command and "Retombées pour les habitants" in command and "--criteria" in command
    (tmp_path / "maison.csv").write_bytes(CSV_WITH_UNUSUAL_HEADER)
    words = shlex.split(command)
    completed = subprocess.run(
        [sys.executable, *words[1:-1], str(tmp_path / "sortie.xlsx")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 0, completed.stderr
    rows = list(openpyxl.load_workbook(tmp_path / "sortie.xlsx", read_only=True)["Classement"].values)
    header = rows[0]
    titles = [row[header.index("Projet")] for row in rows[1:]]
    table = load_inventory(CSV_WITH_UNUSUAL_HEADER, "maison.csv").projects.set_index("title")
    assert [table.at[title, "id"] for title in titles] == dashboard
