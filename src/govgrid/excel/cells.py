"""Writing cells people typed so that a spreadsheet never runs them: text that starts like a formula
(=, +, -, @, a tab or a return) stays text in .xlsx, and gets a leading apostrophe in .csv."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def append_inert(sheet: Any, values: list[object]) -> None:
    """Append a row to an openpyxl sheet; openpyxl would store "=HYPERLINK(…)" typed by a user as a formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"


def inert(text: str) -> str:
    """CSV has no types: a leading apostrophe keeps Excel from running text as a formula (importers drop it)."""
    return "'" + text if text.startswith(FORMULA_START) else text


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
