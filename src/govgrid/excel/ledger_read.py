"""Reading an office's ledger workbook (.xlsx) or CSV into rows under each sheet's header row: a title row
above the headers is skipped, blank rows between groups too; a missing sheet or required column is named.
The bytes are checked within their limits first (uploads.sheets); nothing here knows the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from govgrid.domain.errors import InvalidInput
from govgrid.excel import ledger_sheet as ls
from govgrid.uploads.limits import SheetLimits
from govgrid.uploads.sheets import read_csv, read_xlsx


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as Excel numbers it
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} 第{self.row}行" + (f"“{self.column}”" if self.column else "")
        return f"{where}{('（' + self.value + '）') if self.value else ''}：{self.message}"


class UnreadableFile(InvalidInput):
    """The file is not a workbook or CSV that can be read within the limits."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error), field="file")
        self.error = error


@dataclass
class SheetRows:
    """The cells of one sheet under its header row: (Excel row number, column key → raw value)."""

    sheet: ls.Sheet
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)


def read_file(
    data: bytes, filename: str, limits: SheetLimits = SheetLimits()
) -> tuple[dict[str, SheetRows], list[RowError]]:
    """Every sheet the ledger uses, under its header row; the file is checked within `limits` before any
    cell is read (uploads.sheets), and refused whole with the reason."""
    try:
        if filename.lower().endswith(".csv"):
            sheets = [read_csv(data, limits, ls.ITEMS.name)]
        elif not data.startswith(b"PK\x03\x04"):
            raise InvalidInput("不是 .xlsx 工作簿，也不是 .csv 文件", field="file")
        else:
            sheets = read_xlsx(data, limits)
    except InvalidInput as exc:
        raise UnreadableFile(RowError("文件", 0, "", filename[:60], exc.message)) from None
    by_name = {sheet.name: sheet for sheet in sheets}
    found: dict[str, SheetRows] = {}
    errors: list[RowError] = []
    for sheet in ls.SHEETS:
        grid = by_name.get(sheet.name)
        if grid is None and sheet is ls.ITEMS:
            if len(sheets) == 1:  # an office's single-sheet ledger under its own sheet name
                grid = sheets[0]
            else:
                errors.append(RowError(sheet.name, 0, "", "", f"工作簿中没有“{sheet.name}”工作表"))
        if grid is None:
            continue
        rows, problems = under_header(sheet, grid.rows)
        found[sheet.name] = rows
        errors.extend(problems)
    return found, errors


def under_header(sheet: ls.Sheet, grid: list[list[object]]) -> tuple[SheetRows, list[RowError]]:
    """The rows under the sheet's header row (found among the first 10), blank rows skipped."""
    best: tuple[int, dict[str, int], list[str]] | None = None
    for number, row in enumerate(grid[:10], start=1):
        columns, missing = ls.header_map(sheet, list(row))
        if best is None or len(columns) > len(best[1]):
            best = (number, columns, missing)
    if best is None or not best[1]:
        return SheetRows(sheet), [
            RowError(sheet.name, 1, "", "", f"找不到表头行（前 10 行中没有{_required(sheet)}等列名）")
        ]
    header_row, columns, missing = best
    if missing:
        return SheetRows(sheet), [
            RowError(sheet.name, header_row, name, "", f"缺少必填列“{name}”") for name in missing
        ]
    rows = SheetRows(sheet)
    for number, row in enumerate(grid[header_row:], start=header_row + 1):
        cells = {key: row[pos] if pos < len(row) else None for key, pos in columns.items()}
        if all(ls.is_blank(v) for v in cells.values()):
            continue  # blank rows between groups are common
        rows.rows.append((number, cells))
    return rows, []


def _required(sheet: ls.Sheet) -> str:
    return "".join(f"“{c.header}”" for c in sheet.columns if c.required)
