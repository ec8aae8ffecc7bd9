"""The workshop in the dashboard, through Streamlit's AppTest: one session per person.

The facilitator opens a workshop on the Atelier page; each participant is a separate
session opened on the join link (as a phone scanning the QR code would); they share the
process's store (a throwaway data folder, tests/conftest.py), as real sessions do.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from prioritisation.ranking.criteria import RankingSettings
from prioritisation.workshop.session import JOIN_CODE_ALPHABET
from tests.test_app import ROOT, TIMEOUT, _KeptFiles, engine_ids, no_failure, shown_ids, visit


def facilitator() -> AppTest:
    """A facilitator who opened a workshop on the sample, on the Atelier page."""
    app = visit(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run(), "Atelier")
    button(app, "Ouvrir l'atelier").click().run()
    no_failure(app)
    return app


def button(app: AppTest, label: str):
    return next(found for found in app.button if found.label.startswith(label))


def join_code(app: AppTest) -> str:
    return re.search(r"code=(\w+)", app.code[0].value).group(1)


def participant(code: str, name: str) -> AppTest:
    """A phone that opened the join link and joined under `name`."""
    phone = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    phone.query_params["code"] = code
    phone.run()
    phone.text_input(key="rejoindre_nom").input(name)
    button(phone, "Rejoindre").click().run()
    no_failure(phone)
    return phone


def vote_directly(phone: AppTest, *weights: int) -> AppTest:
    for index, weight in enumerate(weights):
        phone.slider(key=f"vote_poids_{index}").set_value(weight)
    return button(phone, "Envoyer mon vote").click().run()


def vote_by_pairs(
    phone: AppTest, urgency_impact: float, urgency_feasibility: float, impact_feasibility: float
):
    phone.radio(key="vote_methode").set_value("pairwise").run()
    phone.select_slider(key="vote_paire_0_1").set_value(urgency_impact)
    phone.select_slider(key="vote_paire_0_2").set_value(urgency_feasibility)
    phone.select_slider(key="vote_paire_1_2").set_value(impact_feasibility)
    return button(phone, "Envoyer mon vote").click().run()


def texts(app: AppTest, kind: str) -> str:
    """The elements' text as read on screen: Markdown escapes removed, no-break spaces as spaces."""
    return " ".join(element.value for element in getattr(app, kind)).replace("\\", "").replace("\u00a0", " ")


def metric(app: AppTest, label: str) -> str:
    return next(found.value for found in app.metric if found.label == label)


def table_with(app: AppTest, column: str):
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


# --- The facilitator ----------------------------------------------------------------------------


def test_the_facilitator_opens_a_workshop_with_a_short_code_a_join_link_and_a_qr_code():
    app = facilitator()
    code = join_code(app)
    assert len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET)
    assert f"{code[:3]} {code[3:]}" in texts(app, "markdown")  # read aloud in two groups
    assert len(app.get("image")) == 1  # the QR code, an image (PNG), never HTML
    secret = app.query_params["animation"]
    assert len(secret) == 32 and secret not in app.code[0].value  # the join link names the code only
    assert metric(app, "Votes reçus") == "0"


def test_a_facilitator_who_reloads_keeps_the_workshop_and_its_rights():
    app = facilitator()
    reloaded = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    reloaded.query_params.update(dict(app.query_params))
    visit(reloaded.run(), "Atelier")
    no_failure(reloaded)
    assert join_code(reloaded) == join_code(app)
    assert any(found.label == "Clore le vote" for found in reloaded.button)


def test_the_facilitators_secret_is_only_in_the_atelier_pages_link_and_survives_a_reload_elsewhere():
    """A link copied from Priorisation (which invites sharing) must not give the facilitator's
    rights; a reload on Priorisation keeps them all the same (the working state has them)."""
    app = facilitator()
    secret = app.query_params["animation"]
    visit(app, "Priorisation")
    no_failure(app)
    assert "animation" not in app.query_params
    (shared,) = [block.value for block in app.code if "/priorisation?" in block.value]
    assert "etat=" not in shared and secret not in shared and "poids_urgence=" in shared
    reloaded = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    reloaded.query_params.update(dict(app.query_params))  # the address bar, with its working state
    visit(reloaded.run(), "Atelier")
    no_failure(reloaded)
    assert any(found.label == "Clore le vote" for found in reloaded.button)
    assert reloaded.query_params["animation"] == secret


def test_the_facilitators_controls_list_a_participant_who_joins_while_the_page_is_open():
    """The room's view polls the store; the controls, drawn once, are redrawn when it sees a
    participant they do not list (the facilitator could not remove a late joiner)."""
    app = facilitator()
    assert "Aucun participant pour l'instant." in texts(app, "caption")
    participant(join_code(app), "Louise")
    app.run()  # the room's fragment, polling, finds Louise and redraws the page
    no_failure(app)
    assert app.selectbox(key="atelier_retirer").options == ["participant 1 — Louise"]


def test_a_workshop_needs_two_to_ten_criteria_and_says_so():
    app = visit(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run(), "Priorisation")
    button(app, "Retirer « Faisabilite »").click().run()
    button(app, "Retirer « Impact »").click().run()
    visit(app, "Atelier")
    button(app, "Ouvrir l'atelier").click().run()
    no_failure(app)
    assert "2 à 10 critères (1 choisis)" in texts(app, "error")
    assert "animation" not in app.query_params


# --- The participants ---------------------------------------------------------------------------


def test_a_participant_sees_the_join_page_alone_with_the_privacy_notice():
    code = join_code(facilitator())
    phone = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    phone.query_params["code"] = code
    phone.run()
    no_failure(phone)
    assert [title.value for title in phone.title] == ["Rejoindre un atelier"]
    assert not phone.sidebar.children  # no file, no working state, no facilitator's tools
    assert "Seul votre nom d'affichage est conservé" in texts(phone, "info")
    assert not any(found.label == "Ouvrir l'atelier" for found in phone.button)
    assert dict(phone.query_params) == {"code": code}


def test_an_unknown_code_is_refused_in_french():
    phone = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    phone.query_params["code"] = "ZZZZZZ"
    phone.run()
    assert "Aucun atelier en cours ne porte ce code" in texts(phone, "warning")
    phone.text_input(key="rejoindre_nom").input("Marie")
    button(phone, "Rejoindre").click().run()
    no_failure(phone)
    assert "Aucun atelier en cours ne porte ce code" in texts(phone, "error")
    assert "participant" not in phone.query_params


def test_a_link_or_an_input_that_cannot_be_a_code_says_what_a_code_looks_like():
    phone = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    phone.query_params["code"] = "A" * 45
    phone.run()
    no_failure(phone)
    assert "Un code d'atelier compte 6 caractères" in texts(phone, "warning")
    phone.text_input(key="rejoindre_code").input("K7M")
    phone.text_input(key="rejoindre_nom").input("Marie")
    button(phone, "Rejoindre").click().run()
    assert "Un code d'atelier compte 6 caractères" in texts(phone, "error")


def test_three_participants_vote_in_their_own_sessions_and_the_room_sees_each_vote():
    app = facilitator()
    code = join_code(app)
    vote_directly(participant(code, "Marie"), 80, 10, 10)
    vote_directly(participant(code, "Ahmed"), 60, 20, 20)
    paul = vote_by_pairs(participant(code, "Paul"), 3.0, 5.0, 2.0)
    assert "Vote enregistré (comparaison par paires)" in texts(paul, "success")
    app.run()  # what the room's fragment does on its own every second
    no_failure(app)
    assert metric(app, "Participants") == "3" and metric(app, "Votes reçus") == "3"
    weights = table_with(app, "Poids reportés (sur 100)")
    assert "Moyenne des poids (adoptée)" in weights.columns  # mixed votes: the mean, stated
    assert "Médiane des poids" in weights.columns
    people = table_with(app, "Participant")
    assert people["Participant"].tolist() == ["participant 1", "participant 2", "participant 3"]
    ranking = table_with(app, "Rang du groupe")
    assert {"Meilleur rang", "Pire rang", "Dans les 10 premiers pour tous"} <= set(ranking.columns)
    assert len(app.get("plotly_chart")) == 1  # the spread, with its tables beside it
    assert any("W de Kendall" in found.label for found in app.metric)


def test_pairwise_votes_are_aggregated_by_the_geometric_mean_with_the_entropy_consensus():
    app = facilitator()
    code = join_code(app)
    vote_by_pairs(participant(code, "A"), 3.0, 5.0, 2.0)
    vote_by_pairs(participant(code, "B"), 2.0, 4.0, 2.0)
    app.run()
    assert "Moyenne géométrique des jugements (adoptée)" in table_with(app, "Critère").columns
    assert any("AHP-OS" in found.label for found in app.metric)
    assert "Cohérence des jugements du groupe" in texts(app, "caption")


def test_an_inconsistent_comparison_shows_its_ratio_and_the_pair_to_revise():
    phone = participant(join_code(facilitator()), "Marie")
    phone.radio(key="vote_methode").set_value("pairwise").run()
    phone.select_slider(key="vote_paire_0_1").set_value(1 / 5)  # impact ≫ urgency
    phone.select_slider(key="vote_paire_0_2").set_value(5.0)  # urgency ≫ feasibility
    phone.select_slider(key="vote_paire_1_2").set_value(1 / 5).run()  # yet feasibility ≫ impact
    no_failure(phone)
    warning = texts(phone, "warning")
    assert "CR = " in warning and "au-delà de 10 %" in warning
    assert "La réponse qui s'écarte le plus des autres" in warning and "suggèrent plutôt" in warning
    phone.select_slider(key="vote_paire_0_1").set_value(1 / 3)
    phone.select_slider(key="vote_paire_0_2").set_value(3.0)
    phone.select_slider(key="vote_paire_1_2").set_value(9.0).run()  # 1/3 × 9 = 3: consistent
    assert "Vos réponses sont cohérentes : CR = 0,0 %" in texts(phone, "success")


def test_a_participant_who_reloads_finds_their_vote_and_can_change_it():
    app = facilitator()
    phone = vote_directly(participant(join_code(app), "Marie"), 70, 20, 10)
    link = dict(phone.query_params)
    assert set(link) == {"code", "participant"}
    reloaded = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    reloaded.query_params.update(link)
    reloaded.run()
    no_failure(reloaded)
    assert [reloaded.slider(key=f"vote_poids_{i}").value for i in range(3)] == [70, 20, 10]
    vote_directly(reloaded, 20, 70, 10)
    assert "Vote enregistré" in texts(reloaded, "success")
    app.run()
    assert table_with(app, "Participant")["Impact"].tolist() == ["70,0\u00a0%"]


def test_a_vote_from_a_stale_tab_is_refused_with_the_stores_message_and_the_stored_vote_shown():
    app = facilitator()
    first = participant(join_code(app), "Marie")
    second = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    second.query_params.update(dict(first.query_params))
    second.run()  # a second tab, opened before the first one votes
    vote_directly(first, 70, 20, 10)
    vote_directly(second, 10, 10, 80)
    no_failure(second)
    assert "déjà été remplacé par un plus récent" in texts(second, "error")
    assert [second.slider(key=f"vote_poids_{i}").value for i in range(3)] == [70, 20, 10]
    vote_directly(second, 10, 10, 80)  # now it saw the stored vote: accepted
    assert "Vote enregistré" in texts(second, "success")
    app.run()
    assert table_with(app, "Participant")["Faisabilite"].tolist() == ["80,0\u00a0%"]


def test_a_closed_vote_refuses_votes_until_it_reopens():
    app = facilitator()
    phone = participant(join_code(app), "Marie")
    button(app, "Clore le vote").click().run()
    phone.run()
    assert "Le vote est clos" in texts(phone, "warning")
    assert button(phone, "Envoyer mon vote").disabled
    button(app, "Rouvrir le vote").click().run()
    vote_directly(phone.run(), 70, 20, 10)
    assert "Vote enregistré" in texts(phone, "success")


def test_names_are_hidden_until_revealed_and_a_removed_participant_leaves_with_their_vote():
    app = facilitator()
    code = join_code(app)
    vote_directly(participant(code, "Marie"), 70, 20, 10)
    paul = vote_directly(participant(code, "Paul"), 10, 20, 70)
    app.run()
    assert table_with(app, "Participant")["Participant"].tolist() == ["participant 1", "participant 2"]
    app.toggle(key="atelier_noms").set_value(True).run()
    assert table_with(app, "Participant")["Participant"].tolist() == ["Marie", "Paul"]
    assert app.selectbox(key="atelier_retirer").value is None and button(app, "Retirer").disabled
    app.selectbox(key="atelier_retirer").set_value(2).run()  # nobody is removed by default
    button(app, "Retirer").click().run()
    no_failure(app)
    assert metric(app, "Votes reçus") == "1"
    paul.run()
    assert "l'animateur vous en a retiré" in texts(paul, "warning")
    assert "participant" not in paul.query_params  # the page offers to join again


def test_ending_the_workshop_erases_names_keeps_anonymous_results_and_closes_the_links():
    app = facilitator()
    code = join_code(app)
    marie = vote_directly(participant(code, "Marie"), 70, 20, 10)
    app.toggle(key="atelier_noms").set_value(True).run()
    app.checkbox(key="atelier_fin_confirmee").check()
    button(app, "Terminer l'atelier").click().run()
    no_failure(app)
    assert "noms et liens des participants sont effacés" in texts(app, "info")
    assert table_with(app, "Participant")["Participant"].tolist() == ["participant 1"]
    assert not app.code  # the join code is freed: nothing to project
    marie.run()
    assert "n'est plus valable" in texts(marie, "warning")


def test_the_facilitator_opens_project_scoring_and_the_room_sees_the_scores():
    app = facilitator()
    phone = participant(join_code(app), "Marie")
    app.multiselect(key="atelier_projets_notes").set_value(["P01", "P02"])
    button(app, "Ouvrir la notation").click().run()
    no_failure(app)
    phone.run()
    assert "Noter des projets" in [header.value for header in phone.subheader]
    phone.select_slider(key="note_0_0").set_value(4.0)
    phone.select_slider(key="note_1_2").set_value(2.0)
    button(phone, "Envoyer mes notes").click().run()
    no_failure(phone)
    assert "Notes enregistrées" in texts(phone, "success")
    app.run()
    scores = table_with(app, "Notes")
    assert scores["Moyenne"].tolist() == ["4,0", "2,0"] and scores["Notes"].tolist() == [1, 1]


# --- Adopting ----------------------------------------------------------------------------------


def adopted_after_two_votes() -> AppTest:
    """A facilitator who adopted the mean of Marie's 80/10/10 and Ahmed's 60/20/20."""
    app = facilitator()
    code = join_code(app)
    vote_directly(participant(code, "Marie"), 80, 10, 10)
    vote_directly(participant(code, "Ahmed"), 60, 20, 20)
    app.run()
    button(app, "Adopter les poids du groupe").click().run()
    no_failure(app)
    return app


def test_adopting_sets_the_priorisation_weights_and_the_export_carries_the_atelier_sheet(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", _KeptFiles)
    app = adopted_after_two_votes()
    assert "Poids adoptés" in texts(app, "success")
    assert app.query_params["poids_urgence"] == "70"  # mean of 80 % and 60 %
    visit(app, "Priorisation")
    no_failure(app)
    assert [app.slider(key=key).value for key in ("poids_urgence", "poids_impact", "poids_faisabilite")] == [
        70,
        15,
        15,
    ]
    assert shown_ids(app) == engine_ids(RankingSettings(weights=(70, 15, 15)))
    _KeptFiles.files.clear()
    visit(app, "Export")
    no_failure(app)
    assert "Feuille « Atelier »" in texts(app, "caption")
    name = next(name for name in _KeptFiles.files if name.endswith(".xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(_KeptFiles.files[name]), read_only=True)
    assert workbook.sheetnames == [
        "Classement",
        "Calendrier",
        "Budget",
        "Robustesse",
        "Atelier",
        "Paramètres",
    ]
    rows = list(workbook["Atelier"].values)
    assert ("Participants", 2) in [row[:2] for row in rows]
    assert any(row[0] == "participant 2" and row[1] == pytest.approx(0.6) for row in rows)
    assert all("Marie" not in str(cell) and "Ahmed" not in str(cell) for row in rows for cell in row)
    origin = next(row[1] for row in workbook["Paramètres"].values if row[0] == "Origine des poids")
    assert origin.startswith("atelier « Atelier du ") and "moyenne des poids" in origin


def test_an_adopted_workshop_is_still_in_the_export_after_the_facilitator_reloads():
    """The adoption is part of the working state: a reload (F5) keeps the « Atelier » sheet and
    the weights' origin, as it keeps the weights themselves."""
    app = adopted_after_two_votes()
    reloaded = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    reloaded.query_params.update(dict(app.query_params))
    visit(reloaded.run(), "Export")
    no_failure(reloaded)
    assert "Feuille « Atelier »" in texts(reloaded, "caption")
    visit(reloaded, "Priorisation")
    assert reloaded.slider(key="poids_urgence").value == 70
