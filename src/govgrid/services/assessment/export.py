"""The 考核 page as a workbook: 排名 (place, unit, score and the lines that explain it, on the chosen scheme)
and 指标 (every count and rate of every row, and the total), headers in Chinese, rates as percentages."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from govgrid.domain.assessment import COUNTS, LABELS, RATES
from govgrid.excel.cells import append_inert

FIGURES = [*COUNTS, *RATES, "avg_handling_hours"]


def workbook(found: dict[str, Any], board: dict[str, Any], slice_label: str) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    ranked = book.create_sheet("排名")
    append_inert(ranked, [f"{board['scheme']['name']}（{found['from']} 至 {found['to']}）"])
    append_inert(ranked, ["名次", slice_label, "得分", "得分说明"])
    for entry in [*board["ranked"], *board["unranked"]]:
        place = entry["place"] if entry["place"] is not None else "不排名"
        lines = "；".join(line["text"] for line in entry["lines"])
        append_inert(ranked, [place, entry["name"], entry["score"], lines])
    ranked.column_dimensions["B"].width = 22
    ranked.column_dimensions["D"].width = 90
    figures = book.create_sheet("指标")
    append_inert(figures, [slice_label, *(LABELS[key] for key in FIGURES)])
    for row in [*found["rows"], {"name": "合计", **found["total"]}]:
        append_inert(figures, [row["name"], *(row.get(key) for key in FIGURES)])
    for column, key in enumerate(FIGURES, start=2):
        if key in RATES:
            for (cell,) in figures.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = "0.00%"
    figures.column_dimensions["A"].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
