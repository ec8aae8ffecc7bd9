"""Export: the ranking and the plan written back for people (workbook, CSV)."""
