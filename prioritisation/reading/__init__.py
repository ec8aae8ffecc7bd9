"""Reading: an uploaded file, checked as hostile, becomes an inventory with its problems located.

untrusted (size, archive, cells, XML declarations) → spreadsheet (grids of cells) → fields
(what each header means) → inventory (the table, the canonical fields, the problems).
"""
