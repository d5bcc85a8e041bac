"""One row of a case history sheet read into a report and its old case: each cell by its column, the class
and the unit by code or name, 来源 to a channel of this deployment, the point inside the district. Every bad
cell of a row is reported (sheet, row, column, value), not only the first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import OrgUnit
from govgrid.domain.case_import import OldCase, parse_callback, parse_status
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput
from govgrid.domain.sources import Channel
from govgrid.domain.workflow import Loop
from govgrid.domain.worktime import CHINA
from govgrid.excel.case_sheet import COLUMNS
from govgrid.excel.ledger_read import RowError
from govgrid.excel.ledger_sheet import is_blank, read_cell
from govgrid.geo.crs import Crs, parse_crs, to_stored
from govgrid.geo.index import NOWHERE
from govgrid.services.cases.intake import Report, check_report
from govgrid.services.geo.locate import LocatorCache

PERSON_LABELS = {  # 来源 as incumbent systems write it → a person channel
    "巡查": Channel.PATROL,
    "网格员巡查": Channel.PATROL,
    "网格员上报": Channel.PATROL,
    "监督员上报": Channel.PATROL,
    "市民": Channel.CITIZEN,
    "市民上报": Channel.CITIZEN,
    "公众举报": Channel.CITIZEN,
    "来电": Channel.PHONE,
    "电话": Channel.PHONE,
    "open311": Channel.OPEN311,
    "督导检查": Channel.INSPECTION,
}
CONNECTOR_LABELS = {  # 来源 → a connector's channel, where this deployment has that connector
    "12345": "hotline",
    "12345热线": "hotline",
    "市民热线": "hotline",
    "视频": "video",
    "视频监控": "video",
    "上级交办": "task",
    "疫情防控": "epidemic",
    "公安排查": "police",
}


@dataclass(frozen=True)
class Lookup:
    """What rows are checked against: the catalogue's classes, the units, the channels, the grids."""

    classes: dict[str, str | None]  # code or name → code (None: a name of several classes)
    unit_codes: dict[str, str | None]  # code or name → code
    unit_ids: dict[str, int]
    unit_names: dict[str, str]
    channels: dict[str, tuple[str, Loop]]  # 来源 → (channel, loop)
    rules: CaseRules
    locator: Any  # the located index (services.geo.locate)

    @classmethod
    def of(cls, session: Session, rules: CaseRules, cache: LocatorCache) -> Lookup:
        names = Counter(c.name for c in rules.classes.values())
        classes: dict[str, str | None] = {
            c.name: (c.code if names[c.name] == 1 else None) for c in rules.classes.values()
        }
        classes |= {code: code for code in rules.classes}
        units = list(session.scalars(select(OrgUnit)))
        unit_names = Counter(u.name for u in units)
        unit_codes: dict[str, str | None] = {
            u.name: (u.code if unit_names[u.name] == 1 else None) for u in units
        }
        unit_codes |= {u.code: u.code for u in units}
        channels = {label.lower(): (c.value, Loop.URBAN) for label, c in PERSON_LABELS.items()}
        channels |= {c.value: (c.value, Loop.URBAN) for c in Channel}
        for connector in rules.connectors.values():
            entry = (connector.channel, Loop(connector.loop))
            for name in (connector.id, connector.channel, connector.name):
                channels[name.lower()] = entry
            for label, channel in CONNECTOR_LABELS.items():
                if channel == connector.channel:
                    channels[label] = entry
        return cls(
            classes,
            unit_codes,
            {u.code: u.id for u in units},
            {u.code: u.name for u in units},
            channels,
            rules,
            cache.get(session),
        )

    def error(self, sheet: str, line: int, exc: InvalidInput, cells: dict[str, object]) -> RowError:
        key = exc.field if exc.field in COLUMNS else ""
        header = COLUMNS[key].header if key else (exc.field or "")
        value = cells.get(key) if key else None
        return RowError(sheet, line, header, "" if is_blank(value) else str(value)[:40], exc.message)


def read_row(
    sheet: str, line: int, cells: dict[str, object], lookup: Lookup
) -> tuple[Report, OldCase] | list[RowError]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for key, column in COLUMNS.items():
        raw = cells.get(key)
        if raw is None or raw == "":
            values[key] = None  # most optional cells are empty: no parsing
            continue
        try:
            values[key] = (
                _moment(raw) if column.kind == "datetime" and not is_blank(raw) else read_cell(column, raw)
            )
        except InvalidInput as exc:
            errors.append(lookup.error(sheet, line, InvalidInput(exc.message, field=key), cells))
    if errors:
        return errors
    for check in (_channel, _class, _unit, _status, _point, _reworks, _callback):
        try:
            check(values, lookup)
        except InvalidInput as exc:
            errors.append(lookup.error(sheet, line, exc, cells))
    if errors:
        return errors
    report = Report(
        channel=values["channel"],
        class_code=values["class_code"],
        title=(
            values["title"]
            or (values["description"] or "")[:60]
            or lookup.rules.classes[values["class_code"]].name
        )[:60],
        description=values["description"] or "",
        external_id=values["number"],
        lng=values["lng"],
        lat=values["lat"],
        crs=values["crs_value"],
        address=values["address"] or "",
        loop=values["loop"],
    )
    try:
        check_report(lookup.rules, report)
    except InvalidInput as exc:
        return [lookup.error(sheet, line, exc, cells)]
    old = OldCase(
        number=values["number"],
        loop=values["loop"],
        status=values["status_value"],
        reported_at=values["reported_at"],
        registered_at=values["registered_at"],
        dispatched_at=values["dispatched_at"],
        unit_code=values["unit_code"],
        due_at=values["due_at"],
        extended_due_at=values["extended_due_at"],
        fed_back_at=values["fed_back_at"],
        closed_at=values["closed_at"],
        reworks=values["reworks_value"],
        callback=values["callback"],
    )
    return report, old


def _moment(raw: object) -> datetime:
    """A time cell: an Excel date-time, a serial, or text (2025-05-06 09:20, ISO 8601 too), Beijing time."""
    if isinstance(raw, str) and "T" in raw:
        try:
            moment = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInput(f"“{raw.strip()[:30]}”不是时间", field="date") from None
        if not 2000 <= moment.year <= 2099:
            raise InvalidInput(f"“{raw.strip()[:30]}”不在 2000–2099 年之间", field="date")
        return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
    value = read_cell(COLUMNS["reported_at"], raw)
    assert isinstance(value, datetime)
    return value


def _channel(values: dict[str, Any], lookup: Lookup) -> None:
    text = str(values["source"] or "").strip()
    found = lookup.channels.get(text.lower()) or lookup.channels.get(text)
    if found is None:
        raise InvalidInput("来源不是本系统的渠道（如 巡查、12345、市民、视频、上级交办）", field="source")
    values["channel"], values["loop"] = found


def _code_of(table: dict[str, str | None], text: str, field: str, what: str, where: str, hint: str) -> str:
    """A code from a cell that gives the code or the name; a name several entries share is refused."""
    if text not in table:
        raise InvalidInput(f"{what}不在{where}中（{hint}）", field=field)
    code = table[text]
    if code is None:
        raise InvalidInput(f"多个{what}同名，请填代码", field=field)
    return code


def _class(values: dict[str, Any], lookup: Lookup) -> None:
    text = str(values["class"]).strip()
    values["class_code"] = _code_of(
        lookup.classes, text, "class", "问题分类", "分类目录", "填代码如 E0102，或名称如 暴露垃圾"
    )


def _unit(values: dict[str, Any], lookup: Lookup) -> None:
    text = str(values["unit"] or "").strip()
    values["unit_code"] = (
        _code_of(lookup.unit_codes, text, "unit", "处置单位", "单位目录", "填单位代码或全称")
        if text
        else None
    )


def _status(values: dict[str, Any], lookup: Lookup) -> None:
    values["status_value"] = parse_status(str(values["status"]))


def _point(values: dict[str, Any], lookup: Lookup) -> None:
    values["crs_value"] = parse_crs(values["crs"]) if values["crs"] else Crs.GCJ02
    lng, lat = values["lng"], values["lat"]
    if (lng is None) != (lat is None):
        raise InvalidInput("经度、纬度须同时填写", field="lng" if lng is None else "lat")
    if lng is None:
        if not values["address"]:
            raise InvalidInput("须有经纬度或地址", field="address")
        return
    to_stored(lng, lat, values["crs_value"])  # a point that cannot be converted is refused here; one
    # outside the district is found for the whole file at once (outside_rows)


def outside_rows(lookup: Lookup, reports: list[tuple[int, Report]]) -> set[int]:
    """The rows whose point lies in no grid of the district (every point located in one query)."""
    pointed = [
        (line, *to_stored(r.lng, r.lat, r.crs))
        for line, r in reports
        if r.lng is not None and r.lat is not None
    ]
    if not pointed:
        return set()
    xy = np.array([(x, y) for _, x, y in pointed], dtype=float)
    hits = lookup.locator.index.locate_many(xy[:, 0], xy[:, 1])
    return {line for (line, _, _), hit in zip(pointed, hits, strict=True) if hit == NOWHERE}


def _reworks(values: dict[str, Any], lookup: Lookup) -> None:
    count = values["reworks"]
    if count is not None and not float(count).is_integer():
        raise InvalidInput("返工次数须为整数", field="reworks")
    values["reworks_value"] = int(count or 0)


def _callback(values: dict[str, Any], lookup: Lookup) -> None:
    values["callback"] = parse_callback(
        str(values["callback_contacted"] or ""),
        str(values["callback_resolved"] or ""),
        str(values["satisfaction"] or ""),
    )
