"""Builds the bundled sample inventory and the blank template (needs requirements-dev.txt).

    python sample_data/build_sample.py

The sample is the inventory of a fictional intercommunalité, kept the way a real one is: a
"Lisez-moi" sheet first, a merged title and a subtitle above the header, French headers in
the services' own words, 40 projects over the five CRTE axes. Costs follow the orders of
magnitude of the 2019 DETR/DSIL digital projects (docs/domaine.md); each funding plan leaves the
collectivité at least 20 % of the public money, except where the notes say otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from prioritisation.export.workbook import EUROS, write_template  # noqa: E402

SAMPLE = HERE / "inventaire_exemple.xlsx"
TEMPLATE = HERE / "modele_inventaire.xlsx"
TITLE = "Communauté de communes du Val de Brenne — inventaire des projets numériques 2026-2032"

HEADERS = (
    "N°", "Intitulé du projet", "Axe", "Service porteur", "URGENCE (1 à 5)", "Impact",
    "Faisabilite", "Coût total HT", "Fonctionnement annuel (€)", "Durée (mois)", "Prérequis",
    "FEDER (€)", "DSIL (€)", "DETR (€)", "Autres subventions (€)", "Autofinancement (€)",
    "Partenaires privés (€)", "Indicateur", "Valeur cible", "Échéance", "Responsable",
    "Commentaire",
)  # fmt: skip

# id, title, axis, service, urgency, impact, feasibility, capex, opex, months, prerequisites,
# (FEDER, DSIL, DETR, other, private) as shares of the cost, indicator, target, deadline,
# lead, comment
PROJECTS = (
    ("P01", "Schéma directeur des systèmes d'information", 3, "DSI mutualisée", 5, 4, 5, 45000, 0, 6, "",
     (0, 0, .4, 0, 0), "Schéma adopté en conseil", "1", "2027-06", "M. Garnier", ""),
    ("P02", "Montée en débit fibre des zones d'activités", 1, "Aménagement", 4, 5, 2, 1850000, 22000, 36, "P01",
     (.35, .25, 0, .1, .1), "Entreprises raccordables", "95 %", "2030-12", "Mme Lefèvre", "Avec le syndicat départemental"),
    ("P03", "Couverture mobile des hameaux (pylônes)", 1, "Aménagement", 4, 4, 2, 620000, 9000, 30, "",
     (0, .3, .2, .1, .2), "Hameaux couverts en 4G", "12 sur 14", "2029-12", "Mme Lefèvre", "New Deal mobile"),
    ("P04", "Capteurs de niveau des cours d'eau (IoT)", 1, "Environnement", 3, 3, 3, 85000, 6000, 12, "P01",
     (.4, 0, .2, 0, 0), "Stations en service", "8", "2028-03", "M. Roux", ""),
    ("P05", "Réseau LoRaWAN intercommunal", 1, "DSI mutualisée", 2, 3, 3, 140000, 12000, 18, "P01",
     (.3, .2, 0, 0, 0), "Communes couvertes", "22", "2028-12", "M. Garnier", ""),
    ("P06", "Plan de cybersécurité et sauvegardes externalisées", 2, "DSI mutualisée", 5, 5, 4, 160000, 25000, 12, "P01",
     (0, .4, 0, .15, 0), "Communes avec sauvegarde testée", "100 %", "2027-12", "M. Garnier", "Parcours cyber ANSSI"),
    ("P07", "Marketplace du commerce local", 2, "Développement économique", 3, 4, 3, 95000, 14000, 12, "P12",
     (.3, 0, .2, 0, .1), "Commerçants inscrits", "150", "2028-06", "Mme Caron", ""),
    ("P08", "Visite numérique du patrimoine (réalité augmentée)", 2, "Culture et tourisme", 2, 3, 3, 120000, 8000, 18, "",
     (.4, 0, 0, .2, 0), "Visiteurs utilisateurs / an", "5 000", "2029-06", "M. Petit", ""),
    ("P09", "FabLab de la maison de l'emploi", 2, "Développement économique", 2, 4, 3, 72000, 18000, 12, "",
     (.3, 0, .3, 0, 0), "Usagers actifs / an", "400", "2028-09", "Mme Caron", ""),
    ("P10", "Audit de sécurité des systèmes industriels (eau, assainissement)", 2, "Eau et assainissement", 5, 4, 4, 38000, 0, 6, "",
     (0, 0, .4, 0, 0), "Vulnérabilités critiques corrigées", "100 %", "2027-06", "M. Roux", ""),
    ("P11", "Portail citoyen et démarches en ligne", 3, "Relation usagers", 5, 5, 4, 210000, 30000, 18, "P01",
     (.3, .3, 0, 0, 0), "Démarches dématérialisées", "80 %", "2028-12", "Mme Da Silva", ""),
    ("P12", "Plateforme de données ouvertes", 3, "DSI mutualisée", 3, 4, 4, 65000, 9000, 12, "P01",
     (.4, 0, .2, 0, 0), "Jeux de données publiés", "60", "2028-06", "M. Garnier", ""),
    ("P13", "Gestion électronique des courriers et parapheur", 3, "Administration générale", 4, 3, 5, 48000, 7000, 9, "P01",
     (0, 0, .4, 0, 0), "Courriers traités sans papier", "90 %", "2027-12", "Mme Bernard", ""),
    ("P14", "Équipement numérique des écoles (VPI, tablettes)", 3, "Éducation", 4, 4, 5, 186000, 15000, 24, "",
     (0, .2, .3, 0, 0), "Classes équipées", "48", "2028-09", "Mme Morel", "Socle numérique des écoles"),
    ("P15", "Espace numérique de travail des écoles", 3, "Éducation", 3, 3, 4, 24000, 9000, 6, "P14",
     (0, 0, .4, 0, 0), "Familles connectées", "70 %", "2028-12", "Mme Morel", ""),
    ("P16", "Télémédecine en maison de santé", 3, "Santé et solidarités", 4, 5, 3, 90000, 12000, 12, "P02",
     (.3, 0, .2, .1, 0), "Téléconsultations / an", "1 200", "2029-03", "Dr Fontaine", "Avec l'ARS"),
    ("P17", "Sobriété numérique : inventaire et réemploi du parc", 3, "DSI mutualisée", 3, 3, 5, 18000, 0, 6, "",
     (0, 0, .4, 0, 0), "Équipements réemployés", "300", "2027-12", "M. Garnier", ""),
    ("P18", "Budget participatif en ligne", 3, "Relation usagers", 2, 3, 4, 35000, 6000, 9, "P11",
     (0, 0, .3, 0, 0), "Participants", "1 500", "2029-06", "Mme Da Silva", ""),
    ("P19", "Système d'information géographique mutualisé", 3, "Aménagement", 3, 4, 3, 130000, 16000, 18, "P01",
     (.3, .2, 0, 0, 0), "Communes utilisatrices", "22", "2029-06", "Mme Lefèvre", ""),
    ("P20", "Vidéoprotection des zones d'activités", 3, "Sécurité", 3, 3, 3, 175000, 11000, 12, "P02",
     (0, .3, .1, 0, 0), "Sites équipés", "6", "2029-12", "M. Perrin", "FIPD à solliciter"),
    ("P21", "Gestion de la relation usagers (GRU)", 3, "Relation usagers", 3, 4, 3, 98000, 14000, 12, "P11",
     (.3, 0, .2, 0, 0), "Délai moyen de réponse", "5 jours", "2029-06", "Mme Da Silva", ""),
    ("P22", "Dématérialisation des autorisations d'urbanisme", 3, "Aménagement", 5, 3, 4, 42000, 8000, 6, "",
     (0, 0, .4, 0, 0), "Dossiers déposés en ligne", "60 %", "2027-06", "Mme Lefèvre", "Obligation légale"),
    ("P23", "Conseillers numériques itinérants", 4, "Santé et solidarités", 5, 5, 4, 150000, 60000, 24, "",
     (0, 0, 0, .5, 0), "Personnes accompagnées / an", "1 800", "2028-12", "M. Lambert", "Avec l'État (conseillers numériques)"),
    ("P24", "Espace France services numérique", 4, "Santé et solidarités", 4, 5, 4, 68000, 20000, 12, "",
     (0, .3, .2, 0, 0), "Demandes traitées / an", "4 000", "2028-06", "M. Lambert", ""),
    ("P25", "Ateliers numériques pour les seniors", 4, "Santé et solidarités", 3, 4, 5, 15000, 8000, 12, "",
     (0, 0, .3, .2, 0), "Seniors formés / an", "250", "2027-12", "M. Lambert", ""),
    ("P26", "Bornes d'accès aux droits en mairie", 4, "Relation usagers", 3, 3, 5, 36000, 4000, 6, "P11",
     (0, 0, .4, 0, 0), "Mairies équipées", "12", "2028-06", "Mme Da Silva", ""),
    ("P27", "Pass numérique pour les publics éloignés", 4, "Santé et solidarités", 3, 4, 4, 30000, 0, 12, "P23",
     (0, 0, .3, .3, 0), "Pass utilisés", "600", "2029-06", "M. Lambert", ""),
    ("P28", "Médiathèque : espace de création numérique", 4, "Culture et tourisme", 2, 3, 4, 56000, 7000, 9, "",
     (.3, 0, .2, 0, 0), "Ateliers / an", "80", "2028-12", "M. Petit", ""),
    ("P29", "Formation des agents au numérique", 4, "Ressources humaines", 4, 4, 5, 28000, 10000, 12, "",
     (0, 0, 0, .3, 0), "Agents formés", "200", "2028-06", "Mme Bernard", ""),
    ("P30", "Accessibilité numérique (RGAA) des sites", 4, "Relation usagers", 4, 3, 4, 26000, 3000, 9, "P11",
     (0, 0, .4, 0, 0), "Taux de conformité RGAA", "75 %", "2028-12", "Mme Da Silva", "Obligation légale"),
    ("P31", "Tiers-lieu de la gare", 5, "Développement économique", 3, 5, 2, 480000, 45000, 30, "P02",
     (.35, .25, 0, 0, .15), "Coworkers réguliers", "60", "2030-06", "Mme Caron", "Appel à projets Fabriques de territoire"),
    ("P32", "Cartographie des acteurs du numérique", 5, "Développement économique", 2, 2, 5, 12000, 0, 6, "",
     (0, 0, .4, 0, 0), "Acteurs recensés", "120", "2027-09", "Mme Caron", ""),
    ("P33", "Réseau des tiers-lieux ruraux", 5, "Développement économique", 2, 4, 3, 90000, 15000, 18, "P31",
     (.3, 0, .2, 0, 0), "Tiers-lieux en réseau", "5", "2031-06", "Mme Caron", ""),
    ("P34", "Campus connecté (études supérieures à distance)", 5, "Éducation", 3, 5, 2, 260000, 40000, 24, "P02",
     (.3, .3, 0, 0, 0), "Étudiants accueillis", "30", "2030-09", "Mme Morel", ""),
    ("P35", "Club des entreprises numériques", 5, "Développement économique", 1, 2, 5, 8000, 3000, 6, "P32",
     (0, 0, 0, 0, .3), "Entreprises membres", "40", "2028-06", "Mme Caron", ""),
    ("P36", "Wi-Fi public dans les centres-bourgs", 1, "Aménagement", 2, 3, 4, 54000, 6000, 9, "",
     (0, 0, .4, 0, 0), "Bourgs équipés", "10", "2028-06", "Mme Lefèvre", "WiFi4EU terminé"),
    ("P37", "Archivage électronique à valeur probante", 3, "Administration générale", 3, 3, 3, 62000, 11000, 12, "P13",
     (0, .2, .2, 0, 0), "Actes archivés électroniquement", "100 %", "2029-12", "Mme Bernard", ""),
    ("P38", "Télétravail sécurisé des agents", 2, "DSI mutualisée", 4, 3, 4, 52000, 9000, 6, "P06",
     (0, .3, .1, 0, 0), "Agents équipés", "120", "2028-03", "M. Garnier", ""),
    ("P39", "Observatoire territorial des données énergie", 3, "Environnement", 2, 4, 3, 76000, 8000, 12, "P12",
     (.4, 0, .2, 0, 0), "Bâtiments suivis", "85", "2029-12", "M. Roux", ""),
    ("P40", "Application mobile des déchets et collectes", 3, "Environnement", 3, 3, 4, 40000, 6000, 9, "P11",
     (0, 0, .3, 0, 0), "Téléchargements", "6 000", "2028-12", "M. Roux", ""),
)  # fmt: skip


def funding(cost: int, shares: tuple[float, ...]) -> list[int]:
    """Grants rounded to the hundred; own funds take the rest (never below zero)."""
    grants = [round(cost * share / 100) * 100 for share in shares]
    own = cost - sum(grants)
    feder, dsil, detr, other, private = grants
    return [feder, dsil, detr, other, own, private]


def project_row(project: tuple) -> list[object]:
    ident, title, axis, service, urgency, impact, feasibility, cost, opex, months, needs, shares, *kpi = (
        project
    )
    feder, dsil, detr, other, own, private = funding(cost, shares)
    indicator, target, deadline, lead, comment = kpi
    return [
        ident, title, f"Axe {axis}", service, urgency, impact, feasibility, cost, opex, months, needs,
        feder or None, dsil or None, detr or None, other or None, own, private or None,
        indicator, target, deadline, lead, comment or None,
    ]  # fmt: skip


def build_sample(path: Path = SAMPLE) -> None:
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Lisez-moi"
    for line in (
        TITLE,
        "",
        "Données fictives, réalistes, pour découvrir l'outil de priorisation.",
        "La feuille « Projets » recense les projets candidats proposés par les services.",
        "Notes de 1 (faible) à 5 (fort). Montants HT en euros.",
        "Mise à jour : 12 mars 2026 — service numérique mutualisé.",
    ):
        cover.append([line])
    cover["A1"].font = Font(bold=True, size=14)
    cover.column_dimensions["A"].width = 100

    sheet = workbook.create_sheet("Projets")
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=8)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Version de travail — comité de pilotage du 12 mars 2026"])
    sheet.append([])
    sheet.append(list(HEADERS))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for project in PROJECTS:
        sheet.append(project_row(project))
    for column in "HIKLMNOPQ":
        for cell in sheet[column][4:]:
            cell.number_format = EUROS
    widths = {"A": 6, "B": 52, "C": 8, "D": 26, "R": 34, "V": 36}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C5"
    workbook.active = 1
    workbook.save(path)


if __name__ == "__main__":
    build_sample()
    write_template(TEMPLATE)
    print(f"Écrit : {SAMPLE.name}, {TEMPLATE.name}")
