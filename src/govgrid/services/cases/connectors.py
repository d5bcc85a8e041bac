"""Inbound systems: turn a payload into a report by the connector's mapping, then take it in like any
other report (idempotent on the connector's channel and the payload's external id)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.domain.case_rules import CaseRules, Connector
from govgrid.domain.errors import Forbidden, InvalidInput, NotFound
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.domain.text import check_all
from govgrid.geo.crs import parse_crs
from govgrid.services.cases.intake import Report, report
from govgrid.services.geo.locate import LocatorCache

URGENCIES = {"general", "emergency", "utility", "complex"}


def pick(payload: Any, path: str) -> Any:
    """The value at a dotted path ("location.lng", "position.0"), or None where the path ends."""
    value = payload
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isascii() and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def to_report(connector: Connector, payload: Any, known_classes: set[str]) -> Report:
    """Map a payload to a report; a missing or malformed value is named by its path in the payload."""
    if not isinstance(payload, dict):
        raise InvalidInput("请求体须为 JSON 对象", field="body")
    values: dict[str, Any] = {}
    for name, source in connector.fields.items():
        values[name] = source["value"] if isinstance(source, dict) else pick(payload, source)
    path = {name: (source if isinstance(source, str) else name) for name, source in connector.fields.items()}
    for name in ("external_id", "title"):
        if values.get(name) in (None, ""):
            raise InvalidInput(f"缺少 {path[name]}", field=path[name])
    for name in ("lng", "lat"):
        if values.get(name) is not None:
            try:
                values[name] = float(values[name])
            except (TypeError, ValueError, OverflowError):
                raise InvalidInput(
                    f"{path[name]} 不是数字：{str(values[name])[:40]!r}", field=path[name]
                ) from None
            if not math.isfinite(values[name]):
                raise InvalidInput(f"{path[name]} 须为有限数值", field=path[name])
    urgency = str(values.get("urgency") or "general")
    if urgency not in URGENCIES:
        raise InvalidInput(
            f"{path.get('urgency', 'urgency')} 须为 {'、'.join(sorted(URGENCIES))} 之一", field="urgency"
        )
    category = pick(payload, connector.class_from) if connector.class_from else None
    class_code = connector.class_map.get(str(category)) or (
        str(category) if str(category) in known_classes else connector.class_default
    )
    return Report(
        channel=connector.channel,
        loop=connector.loop,
        class_code=class_code,
        external_id=str(values["external_id"]),
        title=str(values["title"]),
        description=str(values.get("description") or ""),
        address=str(values.get("address") or ""),
        lng=values.get("lng"),
        lat=values.get("lat"),
        crs=parse_crs(str(values.get("crs") or "gcj02")),
        reporter_name=str(values.get("reporter_name") or ""),
        reporter_phone=str(values.get("reporter_phone") or ""),
        urgency=urgency,
    )


def known(rules: CaseRules, connector_id: str) -> Connector:
    connector = rules.connectors.get(connector_id)
    if connector is None:
        raise NotFound(
            f"连接器“{connector_id[:32]}”不存在（见 catalog/connectors.yaml）", field="connector_id"
        )
    return connector


def receive(
    session: Session,
    *,
    actor: Actor,
    connector_id: str,
    payload: Any,
    rules: CaseRules,
    locator: LocatorCache,
    now: datetime,
) -> tuple[Case, bool]:
    """Take one event from an inbound system in: only the connector itself, by its key (a replay of the
    same order number returns its first case)."""
    connector = known(rules, connector_id)
    if actor.role is not Role.CONNECTOR or actor.source != connector.id:
        raise Forbidden("外部系统推送须使用该连接器的密钥")
    check_all(payload)
    data = to_report(connector, payload, set(rules.classes))
    return report(session, actor=actor, rules=rules, locator=locator, data=data, now=now)
