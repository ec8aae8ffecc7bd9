"""Priorisation de la feuille de route numérique : lire l'inventaire, classer, exporter."""

__version__ = "0.1.0"
