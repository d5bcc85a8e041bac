"""Workbooks (.xlsx) and CSV files read within limits, as grids of cell values.

An .xlsx is checked in three steps before a cell is materialised: the ZIP's declared sizes and ratios
(uploads.zips); then each sheet's XML is scanned as a byte stream for its declared dimension, its rows and
its merged ranges (a merged A1:Z100000 in a 1.6 KB file, or 200,000 rows, is refused here, in memory of a
few megabytes); only then is it read with openpyxl in read-only mode, row by row, and merged ranges are
filled from their top-left cell."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_from_string, range_boundaries

from govgrid.domain.errors import InvalidInput
from govgrid.uploads.limits import SheetLimits
from govgrid.uploads.text import decode_chinese
from govgrid.uploads.zips import ZipLimits, open_zip

DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([^\"]{1,40})\"")
ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([^\"]{1,40})\"")
CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
CHUNK = 1024 * 1024
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


@dataclass
class Sheet:
    name: str
    rows: list[list[object]] = field(default_factory=list)


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="file")


def read_xlsx(data: bytes, limits: SheetLimits, wanted: set[str] | None = None) -> list[Sheet]:
    """The workbook's sheets (all, or those named in `wanted`), in book order, within the limits."""
    if len(data) > limits.max_bytes:
        raise _refuse(f"文件超过 {limits.max_bytes // 1048576} MB，请分批导入")
    archive = open_zip(
        data,
        ZipLimits(limits.max_parts, limits.max_part_bytes, limits.max_total_bytes, limits.max_ratio),
        what="工作簿",
        field="file",
    )
    parts = _sheet_parts(archive)
    if len(parts) > limits.max_sheets:
        raise _refuse(f"工作簿有 {len(parts)} 个工作表，超过上限 {limits.max_sheets}")
    chosen = [(name, part) for name, part in parts if wanted is None or name in wanted or len(parts) == 1]
    merged: dict[str, list[tuple[int, int, int, int]]] = {}
    covered = 0
    for name, part in chosen:
        merged[name], cells = _prescan(archive, name, part, limits)
        covered += cells
        if covered > limits.max_merged_cells:
            raise _refuse(f"合并单元格共覆盖 {covered:,} 个单元格，超过上限 {limits.max_merged_cells:,}")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _refuse(f"无法读取工作簿：{str(exc)[:120]}") from exc
    try:
        return [
            _grid(book[name], name, merged[name], limits) for name, _ in chosen if name in book.sheetnames
        ]
    finally:
        book.close()


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in book order, from workbook.xml and its relationships."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError) as exc:
        raise _refuse(f"不是有效的 .xlsx 工作簿（{str(exc)[:80]}）") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", NS)}
    found = []
    for sheet in book.findall("m:sheets/m:sheet", NS):
        target = targets.get(sheet.get(f"{{{NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        found.append((sheet.get("name", ""), path))
    return found


def _prescan(archive: zipfile.ZipFile, name: str, part: str, limits: SheetLimits) -> tuple[list, int]:
    """The sheet's merged ranges and the cells they cover, after checking its declared dimension and
    counting its rows — streamed, never parsed into objects."""
    rows, cells, merges, tail = 0, 0, [], b""
    try:
        stream = archive.open(part)
    except KeyError:
        raise _refuse(f"工作表“{name}”缺少内容（{part}）") from None
    with stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            cut = max(0, len(window) - 64)  # a tag cut by the chunk boundary is seen in the next window
            if dimension := DIMENSION.search(window):
                _check_dimension(name, dimension.group(1).decode("ascii", "replace"), limits)
            rows += len(ROW.findall(window, 0, cut))
            cells += len(CELL.findall(window, 0, cut))
            merges.extend(MERGE.findall(window, 0, cut))
            if rows > limits.max_rows:
                raise _refuse(f"工作表“{name}”超过 {limits.max_rows:,} 行，请分批导入")
            if cells > limits.max_cells:  # counted whether or not the sheet declares its dimension
                raise _refuse(f"工作表“{name}”超过 {limits.max_cells:,} 个单元格，请分批导入")
            tail = window[cut:]
        rows += len(ROW.findall(tail))
        merges.extend(MERGE.findall(tail))
    if rows > limits.max_rows:
        raise _refuse(f"工作表“{name}”超过 {limits.max_rows:,} 行，请分批导入")
    ranges, covered = [], 0
    for ref in merges:
        bounds = _bounds(name, ref.decode("ascii", "replace"), limits)
        ranges.append(bounds)
        covered += (bounds[2] - bounds[0] + 1) * (bounds[3] - bounds[1] + 1)
        if covered > limits.max_merged_cells:
            raise _refuse(
                f"工作表“{name}”的合并单元格覆盖 {covered:,} 个单元格，超过上限 {limits.max_merged_cells:,}"
            )
    return ranges, covered


def _bounds(name: str, ref: str, limits: SheetLimits) -> tuple[int, int, int, int]:
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        raise _refuse(f"工作表“{name}”的区域“{ref}”无效") from None
    if max_row is None or max_col is None or max_row > limits.max_rows + 10 or max_col > limits.max_columns:
        raise _refuse(
            f"工作表“{name}”的区域“{ref}”超出 {limits.max_rows:,} 行 × {limits.max_columns} 列的上限"
        )
    return int(min_col or 1), int(min_row or 1), int(max_col), int(max_row)


def _check_dimension(name: str, ref: str, limits: SheetLimits) -> None:
    """A sheet's declared extent (A1:Z100000) within the limits, before its rows are read."""
    last = ref.split(":")[-1]
    try:
        column_letters, row = coordinate_from_string(last)
    except ValueError:
        return  # a malformed dimension is only a hint; the rows are counted anyway
    from openpyxl.utils.cell import column_index_from_string

    columns = column_index_from_string(column_letters)
    if row > limits.max_rows + 10 or columns > limits.max_columns or row * columns > limits.max_cells:
        raise _refuse(
            f"工作表“{name}”声明的范围 {ref} 超过上限（{limits.max_rows:,} 行、{limits.max_columns} 列）"
        )


def _grid(worksheet: Any, name: str, merged: list[tuple[int, int, int, int]], limits: SheetLimits) -> Sheet:
    sheet = Sheet(name)
    for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > limits.max_rows:
            raise _refuse(f"工作表“{name}”超过 {limits.max_rows:,} 行，请分批导入")
        if len(row) > limits.max_columns:
            row = _trimmed(row, name, number, limits)
        sheet.rows.append(list(row))
    for min_col, min_row, max_col, max_row in merged:
        if min_row - 1 >= len(sheet.rows):
            continue
        top = sheet.rows[min_row - 1][min_col - 1] if min_col - 1 < len(sheet.rows[min_row - 1]) else None
        for r in range(min_row - 1, min(max_row, len(sheet.rows))):
            cells = sheet.rows[r]
            cells.extend([None] * (max_col - len(cells)))
            for c in range(min_col - 1, max_col):
                cells[c] = top
    return sheet


def _trimmed(row: tuple[Any, ...], name: str, number: int, limits: SheetLimits) -> tuple[Any, ...]:
    """A row padded past the column limit is fine if the extra cells are empty."""
    if any(value not in (None, "") for value in row[limits.max_columns :]):
        raise _refuse(f"工作表“{name}”第 {number} 行超过 {limits.max_columns} 列")
    return row[: limits.max_columns]


def read_csv(data: bytes, limits: SheetLimits, name: str) -> Sheet:
    """A CSV (UTF-8, or GBK as Excel saves it on Chinese Windows) as one sheet, within the limits."""
    if len(data) > limits.max_bytes:
        raise _refuse(f"文件超过 {limits.max_bytes // 1048576} MB，请分批导入")
    text = decode_chinese(data)
    if text is None:
        raise _refuse("CSV 既不是 UTF-8 也不是 GBK 编码")
    sheet = Sheet(name)
    for number, row in enumerate(_csv_rows(text, limits), start=1):
        if number > limits.max_rows:
            raise _refuse(f"超过 {limits.max_rows:,} 行，请分批导入")
        if len(row) > limits.max_columns:
            raise _refuse(f"第 {number} 行有 {len(row)} 列，超过上限 {limits.max_columns}")
        sheet.rows.append(list(row))
    return sheet


def _csv_rows(text: str, limits: SheetLimits) -> Iterator[list[str]]:
    csv.field_size_limit(limits.max_field_chars + 1)
    reader = csv.reader(io.StringIO(text))
    try:
        yield from reader
    except csv.Error as exc:
        raise _refuse(f"第 {reader.line_num} 行无法解析：{str(exc)[:80]}（单元格过长或引号不配对）") from None
