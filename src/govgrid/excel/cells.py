"""Writing cells people typed so that a spreadsheet never runs them: text that starts like a formula
(=, +, -, @, a tab or a return) stays text in .xlsx, and gets a leading apostrophe in .csv."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def append_inert(sheet: Any, values: list[object]) -> int:
    """Append a row to an openpyxl sheet and return its number; openpyxl would store "=HYPERLINK(…)" typed
    by a user as a formula. The row is appended as cells already typed: reading `sheet.max_row` after each
    append scans every cell of the sheet, which made a 5,000-row export take a minute."""
    cells = []
    for value in values:
        cell = Cell(sheet, value=value)  # type: ignore[call-arg, arg-type]  # placed by append
        if isinstance(value, str) and value.startswith(FORMULA_START):
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)
    return sheet._current_row if not cells else cells[0].row


def inert(text: str) -> str:
    """CSV has no types: a leading apostrophe keeps Excel from running text as a formula (importers drop it)."""
    return "'" + text if text.startswith(FORMULA_START) else text


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
