"""The workshop: every participant weighs the criteria, the room sees the group and its spread.

session (states, join code, display names) → votes (direct weights or pairwise comparisons,
checked before they are stored) → ahp (one participant's priorities and consistency) →
aggregation (the group's weights) → spread, consensus and group_ranking (the room's view);
scoring for the optional project scores. Pure functions: storage is prioritisation.store.
"""
