"""A department's form as its own .xlsx: a layout workbook (catalog/form_layouts/<form>.xlsx, a city may
put its own in GOVGRID_CATALOG_DIR/form_layouts/) whose columns are named — a defined name `gg_<field>`
(gg_person_phone for person.phone, gg_seq for 序号) on each column's header cell — and two optional named
cells for the community (gg_community) and the date (gg_date). Rows are written below the header row, in
the order the layout gives the columns; merged title rows, widths and styles stay the department's. The
shipped layouts are made by `default_layout` (`govgrid forms layout CODE --output FILE.xlsx` writes one
for a department to adjust)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from govgrid.domain.errors import InvalidInput
from govgrid.domain.forms import FieldSpec, Template
from govgrid.excel.cells import FORMULA_START

PREFIX = "gg_"
SEQ, COMMUNITY, DAY = "gg_seq", "gg_community", "gg_date"
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def name_of(code: str) -> str:
    return PREFIX + code.replace(".", "_")


@dataclass(frozen=True)
class Layout:
    sheet: str
    header_row: int
    columns: dict[str, int]  # field code (or "seq") → column number
    community: tuple[int, int] | None  # (row, column)
    day: tuple[int, int] | None


def read_layout(data: bytes, columns: Sequence[FieldSpec]) -> Layout:
    """Where each column of the form goes, by the workbook's names. A layout that names no column of the
    form, or names columns on different rows, is refused, naming the form's field."""
    book = load_workbook(io.BytesIO(data))
    wanted = {name_of(spec.code): spec.code for spec in columns}
    found: dict[str, tuple[str, int, int]] = {}
    for name, defined in book.defined_names.items():
        for title, ref in defined.destinations:
            match = _CELL.match(ref.split(":")[0])
            if match:
                found[name] = (title, int(match.group(2)), _column(match.group(1)))
    placed = {wanted[n]: where for n, where in found.items() if n in wanted}
    if not placed:
        raise InvalidInput(
            "报表样式没有命名任何一列（须为每列表头单元格定义名称 gg_字段代码）", field="layout"
        )
    sheets = {where[0] for where in placed.values()}
    rows = {where[1] for where in placed.values()}
    if len(sheets) != 1 or len(rows) != 1:
        raise InvalidInput("报表样式中各列的表头须在同一工作表的同一行", field="layout")
    cols = {code: where[2] for code, where in placed.items()}
    if SEQ in found:
        cols["seq"] = found[SEQ][2]

    def cell(name: str) -> tuple[int, int] | None:
        return (found[name][1], found[name][2]) if name in found else None

    return Layout(sheets.pop(), rows.pop(), cols, cell(COMMUNITY), cell(DAY))


def write_sheet(
    data: bytes, columns: Sequence[FieldSpec], rows: Iterable[dict[str, str]], *, community: str, day: str
) -> bytes:
    """The department's workbook with the rows filled in below its header."""
    layout = read_layout(data, columns)
    book = load_workbook(io.BytesIO(data))
    sheet = book[layout.sheet]
    for where, text in ((layout.community, community), (layout.day, day)):
        if where is not None:
            named = sheet.cell(row=where[0], column=where[1], value=text)
            if text.startswith(FORMULA_START):
                named.data_type = "s"
    for number, row in enumerate(rows, start=1):
        line = layout.header_row + number
        if "seq" in layout.columns:
            sheet.cell(row=line, column=layout.columns["seq"], value=number)
        for code, column in layout.columns.items():
            if code == "seq":
                continue
            value = row.get(code, "")
            cell = sheet.cell(row=line, column=column, value=value)
            if value.startswith(FORMULA_START):
                cell.data_type = "s"  # typed text never runs as a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def default_layout(template: Template, columns: Sequence[FieldSpec], *, title: str) -> bytes:
    """A layout as departments' sheets look: a merged title, a line for the community and the date, the
    header (序号 first), every column named."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = template.name[:31]
    width = len(columns) + 1
    thin = Side(style="thin")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1, value=title).font = Font(size=16, bold=True)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.cell(row=2, column=1, value="填报单位：")
    date_label = max(width - 2, 3)  # a narrow form still has a cell for each label and value
    if date_label - 1 > 2:
        sheet.merge_cells(start_row=2, start_column=2, end_row=2, end_column=date_label - 1)
    sheet.cell(row=2, column=date_label, value="填报日期：")
    _name(book, COMMUNITY, sheet.title, 2, 2)
    _name(book, DAY, sheet.title, 2, date_label + 1)
    headers = ["序号", *(spec.name for spec in columns)]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=3, column=column, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        sheet.column_dimensions[get_column_letter(column)].width = 6 if column == 1 else 14
    _name(book, SEQ, sheet.title, 3, 1)
    for column, spec in enumerate(columns, start=2):
        _name(book, name_of(spec.code), sheet.title, 3, column)
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _name(book: Workbook, name: str, title: str, row: int, column: int) -> None:
    ref = f"'{title}'!${get_column_letter(column)}${row}"
    book.defined_names[name] = DefinedName(name, attr_text=ref)


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
