"""Planning: a ranking becomes a phased calendar within envelopes, funding rules and capacity.

schedule (phases, placing projects month by month) → funding (each project's funding plan
and the co-financing rules) → portfolio (ranking order or the optimal selection) → plan
(the one call that puts them together).
"""
