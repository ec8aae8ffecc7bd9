"""Ranking: criteria and weights turn an inventory into ranks and scores, and say why.

criteria (what projects are ranked on) → methods (normalisations, weighted sum, TOPSIS,
VIKOR; the only module that imports scikit-criteria) → priorities (the ranking of an
inventory) → explanation (movement, close calls, a project against the median).
"""
