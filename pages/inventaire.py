"""Inventaire: upload, sheet, column mapping, validation report, editable table, template."""

from __future__ import annotations

import streamlit as st

from prioritisation.export.workbook import template_bytes
from prioritisation.french import format_number, parse_number
from prioritisation.problems import errors, group_problems, warnings
from prioritisation.reading.fields import ALL_FIELDS, FIELDS_BY_KEY, possible_urgency_columns
from prioritisation.reading.inventory import Inventory, Scale, unique_labels
from prioritisation.usecases import blocks_ranking
from ui import data, state
from ui.guard import page_guard
from ui.navigation import through_the_app
from ui.pager import page_of_rows
from ui.tables import (
    LINE,
    edits_table,
    escape_markdown,
    excluded_table,
    groups_table,
    problems_table,
    shown,
    words_table,
)

through_the_app()  # a page Streamlit ran on its own goes back through app.py

UPLOAD_KEY = "fichier_importe"
SHEET_KEY = "choix_feuille"
SCALE_KEY = "choix_echelle"
AUTOMATIC_SHEET = "Automatique"
SCALES = (Scale(1, 5), Scale(0, 5), Scale(1, 4), Scale(1, 10), Scale(0, 10), Scale(0, 100))
NO_COLUMN = "— aucune colonne —"


def on_upload() -> None:
    uploaded = state.widget_value(UPLOAD_KEY)
    if uploaded is None:
        return
    content = uploaded.getvalue()
    refusal = data.check_upload(uploaded.name, content)
    if refusal is None:
        state.use_file(uploaded.name, content)
        state.set_upload_message(None)
    else:
        state.set_upload_message(f"« {uploaded.name} » n'a pas été importé. {refusal}")


def on_sheet() -> None:
    chosen = state.widget_value(SHEET_KEY)
    state.set_sheet(None if chosen == AUTOMATIC_SHEET else str(chosen))


def on_scale() -> None:
    chosen = state.widget_value(SCALE_KEY)
    if isinstance(chosen, Scale):
        state.set_scale(chosen)


def on_column(field: str) -> None:
    chosen = state.widget_value(f"colonne_{field}")
    state.choose_column(field, None if chosen == NO_COLUMN else str(chosen))


EDITOR_ROWS = 500  # rows of the editable table at once: a 20,000-row table is edited page by page
EDITOR_PAGE_KEY = "inventaire_page"


def editor_rows(inventory: Inventory) -> slice:
    page = int(state.widget_value(EDITOR_PAGE_KEY) or 1)
    total = len(inventory.table.rows)
    if total <= EDITOR_ROWS:
        return slice(0, total)
    return slice((page - 1) * EDITOR_ROWS, min(page * EDITOR_ROWS, total))


def on_table_edit(key: str) -> None:
    """Keep what was typed in the table: (spreadsheet row, column) → text, as typed.

    The editor keeps every edit made since it was drawn (its key does not change when an edit
    is kept), so an edit typed while the page reruns is sent with the next one, never lost.
    """
    editor = state.widget_value(key)
    changes = editor.get("edited_rows", {}) if isinstance(editor, dict) else {}
    inventory = data.inventory()
    rows = inventory.table.row_numbers[editor_rows(inventory)]
    labels = set(unique_labels(inventory.table.headers))  # never the row number (« _index »)
    edits = {
        (int(rows[row]), label): "" if value is None else str(value)
        for row, columns in changes.items()
        for label, value in columns.items()
        if label in labels
    }
    state.record_edits(edits)


def upload_section() -> None:
    source = state.source()
    limit = st.get_option("server.maxUploadSize")
    st.file_uploader(
        f"Importer l'inventaire (.xlsx, .xlsm, .ods ou .csv, {limit} Mo au plus)",
        type=["xlsx", "xlsm", "ods", "csv"],
        key=UPLOAD_KEY,
        on_change=on_upload,
    )
    message = state.upload_message()
    if message:
        st.error(escape_markdown(message), icon=":material/block:")
    label = "données d'exemple fictives" if source.is_sample else "votre fichier"
    st.caption(f"Fichier en cours : {escape_markdown(shown(source.file_name))} ({label}).")
    if not source.is_sample:
        st.button("Revenir aux données d'exemple", on_click=state.use_sample)


def reading_section() -> None:
    workbook = data.workbook()
    inventory = data.inventory()
    left, right = st.columns(2)
    names = [sheet.name for sheet in workbook.sheets]
    if len(names) > 1:
        options = [AUTOMATIC_SHEET, *names]
        current = state.sheet()
        left.selectbox(
            "Feuille à lire",
            options,
            index=options.index(current) if current in options else 0,
            key=SHEET_KEY,
            on_change=on_sheet,
            help="Automatique : la feuille qui ressemble le plus à un inventaire "
            f"(ici « {inventory.table.sheet} »).",
        )
    right.selectbox(
        "Échelle des notes (urgence, impact, faisabilité)",
        SCALES,
        index=SCALES.index(state.scale()) if state.scale() in SCALES else 0,
        format_func=lambda scale: scale.span(),
        key=SCALE_KEY,
        on_change=on_scale,
    )
    where = (
        f"dans la feuille « {escape_markdown(inventory.table.sheet)} »"
        if not inventory.table.file_name.lower().endswith(".csv")
        else f"dans « {escape_markdown(shown(inventory.table.file_name))} »"  # a CSV has no sheet
    )
    st.caption(
        f"Tableau lu {where}, en-têtes à la ligne {inventory.table.header_row}, "
        f"{format_number(len(inventory.projects))} projets."
    )


def mapping_section() -> None:
    inventory = data.inventory()
    labels = unique_labels(inventory.table.headers)
    recognised = data.recognised_mapping()
    chosen = state.column_choices()
    ambiguities = inventory.mapping.ambiguities
    if ambiguities:
        st.warning(
            f"{format_number(len(ambiguities))} colonne(s) pourraient désigner une information attendue : "
            "l'outil ne devine pas. "
            + " ".join(escape_markdown(str(ambiguity)) for ambiguity in ambiguities),
            icon=":material/help:",
        )
        for ambiguity in ambiguities:  # one click when there is one likely field
            if len(ambiguity.candidates) == 1:
                field = ambiguity.candidates[0]
                st.button(
                    f"Rattacher « {escape_markdown(shown(labels[ambiguity.position]))} » à "
                    f"« {escape_markdown(FIELDS_BY_KEY[field].header)} »",
                    on_click=on_attach,
                    args=(field, labels[ambiguity.position]),
                    key=f"rattacher_{ambiguity.position}",
                )
    with st.expander("Correspondance des colonnes", expanded=bool(ambiguities)):
        st.caption(
            "Pour chaque information attendue, la colonne de votre fichier qui la contient. "
            "Corrigez un choix si la reconnaissance automatique s'est trompée ; les autres "
            "colonnes sont conservées telles quelles dans l'export."
        )
        columns = st.columns(3)
        options = [NO_COLUMN, *labels]
        for number, field in enumerate(ALL_FIELDS):
            position = inventory.mapping.position(field.key)
            current = NO_COLUMN if position is None else labels[position]
            how = (
                "choisie"
                if field.key in chosen
                else ("reconnue" if recognised.position(field.key) is not None else "")
            )
            columns[number % 3].selectbox(
                f"{field.header}" + (f" ({how})" if how else ""),
                options,
                format_func=shown,
                index=options.index(current),
                key=f"colonne_{field.key}",
                on_change=on_column,
                args=(field.key,),
            )
        for note in inventory.mapping.notes:
            st.caption(escape_markdown(note))


def on_attach(field: str, label: str) -> None:
    """Callback: the column the tool was unsure of, attached to the field it proposed."""
    state.choose_column(field, label)
    state.set_widget_value(f"colonne_{field}", label)


def report_section() -> None:
    found = data.problems()
    blocking = [problem for problem in found if blocks_ranking(problem)]
    to_correct = [problem for problem in errors(found) if not blocks_ranking(problem)]
    notices = warnings(found)
    name = escape_markdown(shown(state.source().file_name))
    st.subheader("Contrôle de l'inventaire")
    skip_rows_section()
    if not found:
        if state.upload_message():  # the file just refused is not the one checked here
            st.caption(f"Le fichier en cours reste « {name} » ; son contrôle ne signale aucun problème.")
        else:
            st.success(
                f"« {name} » : aucun problème, l'inventaire peut être classé.", icon=":material/check_circle:"
            )
        return
    if blocking:
        st.error(
            f"« {name} » : {format_number(len(blocking))} erreur(s) empêchent le classement ; corrigez-les "
            "dans le tableau ci-dessous ou dans votre fichier.",
            icon=":material/error:",
        )
    if to_correct:
        st.error(
            f"« {name} » : {format_number(len(to_correct))} plan(s) de financement à corriger (des "
            "subventions dépassent à elles seules le coût) ; le classement reste possible, le budget "
            "les compte au prorata du coût.",
            icon=":material/error:",
        )
    if notices:
        st.warning(
            f"« {name} » : {format_number(len(notices))} avertissement(s), le classement reste possible.",
            icon=":material/warning:",
        )
    groups = group_problems(found)
    st.dataframe(groups_table(groups), hide_index=True, width="stretch")
    repeated = [group for group in groups if group.count > 1]
    if repeated:
        with st.expander("Détail des problèmes répétés, ligne par ligne"):
            chosen = st.selectbox(
                "Problème",
                range(len(repeated)),
                format_func=lambda i: shown(repeated[i].summary()),
                key="detail_probleme",
            )
            detail = list(repeated[chosen].problems)
            st.dataframe(
                problems_table(detail[page_of_rows(len(detail), 500, "detail_page", "cas")]),
                hide_index=True,
                width="stretch",
            )


def skip_rows_section() -> None:
    """« Classer sans les lignes en erreur »: explicit, reversible, naming the rows left out."""
    candidates = data.rows_in_error()
    skipping = state.reading().skip_error_rows
    if not candidates and not skipping:
        return
    st.toggle(
        "Classer sans les lignes en erreur",
        value=skipping,
        key="sans_lignes_en_erreur",
        on_change=on_skip_rows,
        help="Les lignes en erreur sont écartées du classement et du plan ; elles sont listées ici, "
        "et l'export les garde en fin de feuille Classement, sans rang, avec la raison.",
    )
    excluded = data.excluded_rows()
    if skipping and excluded:
        st.info(
            f"{format_number(len(excluded))} ligne(s) écartée(s) : "
            + ", ".join(str(row.row) for row in excluded[:30])
            + ("…" if len(excluded) > 30 else "")
            + ". Désactivez l'interrupteur pour les reprendre.",
            icon=":material/filter_alt:",
        )
        with st.expander("Les lignes écartées et pourquoi"):
            st.dataframe(
                excluded_table(excluded[page_of_rows(len(excluded), 500, "ecartees_page", "lignes")]),
                hide_index=True,
                width="stretch",
            )
    elif candidates:
        st.caption(
            f"{format_number(candidates)} ligne(s) ont une erreur. Vous pouvez les corriger, ou classer "
            "sans elles."
        )


def on_skip_rows() -> None:
    state.set_skip_error_rows(bool(state.widget_value("sans_lignes_en_erreur")))


def score_words_section() -> None:
    """Scores written in words (« faible », « P1 », « +++ »): the reading, shown and editable;
    a word the tool does not know is listed without a score, for the user to give one."""
    inventory = data.inventory()
    words, unvalued = inventory.score_words, inventory.unvalued_words
    if not words and not unvalued:
        return
    title = f"Notes écrites en mots ({format_number(len(words.values))} mot(s) reconnu(s)"
    title += f", {format_number(len(unvalued))} sans note)" if unvalued else ")"
    with st.expander(title, expanded=True):
        st.caption(
            f"Ces mots des colonnes de notes sont lus comme des notes {inventory.scale.span()} ; "
            "corrigez une valeur si elle ne vous convient pas"
            + (", et donnez la sienne à chaque mot sans note." if unvalued else ".")
        )
        key = f"mots_{state.editor_key()}"
        st.data_editor(
            words_table(words, unvalued),
            key=key,
            on_change=on_words,
            args=(key,),
            disabled=["Mot"],
            num_rows="fixed",
            hide_index=True,
        )


def on_words(key: str) -> None:
    """Keep the scores given in the words table: a corrected one, or one for a word without."""
    editor = state.widget_value(key)
    changes = editor.get("edited_rows", {}) if isinstance(editor, dict) else {}
    inventory = data.inventory()
    words = dict(inventory.score_words.values)
    names = [*words, *inventory.unvalued_words]  # the table's rows, in order
    for row, columns in changes.items():
        if "Note" in columns and 0 <= int(row) < len(names):
            number = parse_number(str(columns["Note"]))
            if number is not None:
                words[names[int(row)]] = number
    state.set_score_words(tuple(words.items()))


def table_section() -> None:
    inventory = data.inventory()
    st.subheader("Projets")
    st.caption(
        "Modifiez une cellule pour noter un projet ou corriger une valeur sans revenir à Excel. "
        "Les montants et les notes s'écrivent à la française (« 1 200 000 », « 1,2 M€ », « 3,5 ») ; "
        "chaque saisie est relue ci-dessous. Vos modifications sont celles qui sont classées et exportées."
    )
    missing = [header for header in state.SCORE_HEADERS if inventory.header_of(_SCORE_FIELDS[header]) is None]
    for header in possible_urgency_columns(inventory.table.headers, inventory.mapping):
        st.info(
            f"La colonne « {escape_markdown(shown(header))} » donne peut-être l'urgence : si c'est le cas, "
            "choisissez-la pour « Urgence » dans « Correspondance des colonnes » plutôt que de ressaisir "
            "les notes. Vérifiez le sens : une priorité 1 est souvent la plus haute, quand une urgence de 1 "
            "est la plus faible.",
            icon=":material/lightbulb:",
        )
    if missing:
        st.button(
            "Ajouter les colonnes de notes (" + ", ".join(missing) + ") pour noter les projets ici",
            on_click=state.add_score_columns,
            icon=":material/add_column_right:",
        )
    shown_rows = page_of_rows(len(inventory.table.rows), EDITOR_ROWS, EDITOR_PAGE_KEY, "lignes")
    if state.entered_page():
        state.start_new_editor()  # Streamlit dropped the widget's state when the page was left
    key = f"{state.editor_key()}_{shown_rows.start}"
    st.data_editor(
        data.editable_page(shown_rows, state.baked_edits(key)),
        key=key,
        on_change=on_table_edit,
        args=(key,),
        disabled=["_index"],  # the row number as the spreadsheet shows it: not a value to edit
        num_rows="fixed",
        width="stretch",
        height=420,
    )
    edits = state.edits()
    stale = data.stale_edits()
    if stale:
        st.warning(
            f"{format_number(len(stale))} modification(s) portent sur des cellules que ce tableau n'a pas "
            "(une autre feuille ou un autre fichier a été choisi) : elles ne sont pas appliquées. "
            "Revenez à la feuille d'origine pour les retrouver, ou oubliez-les.",
            icon=":material/history:",
        )
        st.button("Oublier ces modifications", on_click=state.drop_edits, args=(stale,))
    applied = {cell: text for cell, text in edits.items() if cell not in stale}
    if applied or state.added_columns():
        st.markdown(f"**{format_number(len(applied))} cellule(s) modifiée(s)**, relues ainsi :")
        st.dataframe(edits_table(inventory, applied), hide_index=True, width="stretch")
    if edits or state.added_columns():
        st.button("Annuler toutes mes modifications", on_click=state.forget_edits)


_SCORE_FIELDS = {"Urgence": "urgency", "Impact": "impact", "Faisabilité": "feasibility"}


def template_section() -> None:
    st.download_button(
        "Télécharger le modèle vierge (Excel)",
        data=_template(),
        file_name="modele_inventaire.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/description:",
    )


@st.cache_resource(show_spinner=False)
def _template() -> bytes:
    return template_bytes()


st.title("Inventaire des projets")
with page_guard("Inventaire"):
    upload_section()
    reading_section()
    mapping_section()
    score_words_section()
    report_section()
    table_section()
    template_section()
st.caption(f"Les numéros de {LINE.lower()} sont ceux de votre tableur.")
