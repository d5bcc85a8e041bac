"""The case history an incumbent system (数字城管, 12345) hands over, as a sheet: its Chinese headers (with the
aliases such exports use; the order is free and other columns are ignored) and reading a file into rows.
The bytes are checked within their limits first (uploads.sheets); nothing here knows the database."""

from __future__ import annotations

from govgrid.domain.errors import InvalidInput
from govgrid.excel.ledger_read import RowError, SheetRows, UnreadableFile, under_header
from govgrid.excel.ledger_sheet import Column, Sheet
from govgrid.uploads.limits import SheetLimits
from govgrid.uploads.sheets import read_csv, read_xlsx

CASES = Sheet(
    "历史案件",
    (
        Column("number", "案件编号", required=True, aliases=("工单编号", "工单号", "案件号")),
        Column("source", "来源", required=True, aliases=("案件来源", "工单来源", "渠道")),
        Column("class", "问题分类", required=True, aliases=("案件分类", "问题类型", "分类")),
        Column("title", "标题", aliases=("工单标题", "案件标题")),
        Column("description", "问题描述", aliases=("案件描述", "诉求内容", "描述")),
        Column("address", "地址", aliases=("发生地址", "问题地址")),
        Column("lng", "经度", "number"),
        Column("lat", "纬度", "number"),
        Column("crs", "坐标系"),
        Column("reported_at", "上报时间", "datetime", required=True, aliases=("来电时间",)),
        Column("registered_at", "立案时间", "datetime", aliases=("受理时间",)),
        Column("dispatched_at", "派遣时间", "datetime", aliases=("派单时间",)),
        Column("unit", "处置单位", aliases=("承办单位", "责任单位")),
        Column("due_at", "处置时限", "datetime", aliases=("办理时限",)),
        Column("extended_due_at", "延期后时限", "datetime"),
        Column("fed_back_at", "反馈时间", "datetime", aliases=("办结时间",)),
        Column("closed_at", "结案时间", "datetime"),
        Column("reworks", "返工次数", "number"),
        Column("status", "当前状态", required=True, aliases=("案件状态", "状态")),
        Column("callback_contacted", "回访联系"),
        Column("callback_resolved", "回访解决"),
        Column("satisfaction", "满意度"),
    ),
)
COLUMNS = {column.key: column for column in CASES.columns}


def read_cases(
    data: bytes, filename: str, limits: SheetLimits = SheetLimits()
) -> tuple[SheetRows, list[RowError]]:
    """The rows of the file's sheet 历史案件 (else its first sheet, or the CSV) under the header row, and
    the missing required columns as errors; UnreadableFile says why a file cannot be read at all."""
    try:
        if filename.lower().endswith(".csv"):
            sheets = [read_csv(data, limits, CASES.name)]
        elif not data.startswith(b"PK\x03\x04"):
            raise InvalidInput("不是 .xlsx 工作簿，也不是 .csv 文件", field="file")
        else:
            sheets = read_xlsx(data, limits)
    except InvalidInput as exc:
        raise UnreadableFile(RowError("文件", 0, "", filename[:60], exc.message)) from None
    if not sheets:
        raise UnreadableFile(RowError("文件", 0, "", filename[:60], "工作簿中没有工作表"))
    sheet = next((s for s in sheets if s.name == CASES.name), sheets[0])
    return under_header(Sheet(sheet.name, CASES.columns), sheet.rows)
