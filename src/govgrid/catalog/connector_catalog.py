"""Loading catalog/connectors.yaml: each inbound system's id, channel, loop and field mapping, validated
with errors that name the file, the connector and the field."""

from __future__ import annotations

from typing import Any

from govgrid.catalog import SHIPPED_SOURCE, CatalogError
from govgrid.domain.case_rules import Connector
from govgrid.domain.workflow import Loop

PERSON_CHANNELS = (
    "patrol",
    "citizen",
    "phone",
    "open311",
    "inspection",
)  # domain.sources.Channel: filed by people

FILE = "connectors.yaml"
CASE_FIELDS = (
    "external_id",
    "title",
    "description",
    "address",
    "lng",
    "lat",
    "crs",
    "reporter_name",
    "reporter_phone",
    "urgency",
)
REQUIRED = ("external_id", "title")


def load_connectors(known_classes: set[str], doc: Any = None) -> dict[str, Connector]:
    doc = SHIPPED_SOURCE.load(FILE) if doc is None else doc
    found: dict[str, Connector] = {}
    for number, item in enumerate(doc or [], start=1):
        connector = _connector(number, item, known_classes)
        if connector.id in found:
            raise CatalogError(f"catalog/{FILE} 第 {number} 个连接器：id {connector.id} 重复", field="id")
        if connector.channel in PERSON_CHANNELS or any(
            c.channel == connector.channel for c in found.values()
        ):
            raise CatalogError(
                f"catalog/{FILE} 第 {number} 个连接器：渠道 {connector.channel} 已被占用"
                "（每个连接器独占一个渠道，且不能用人工上报的渠道）",
                field="channel",
            )
        found[connector.id] = connector
    return found


def _connector(number: int, item: Any, known: set[str]) -> Connector:
    where = f"catalog/{FILE} 第 {number} 个连接器"
    for key in ("id", "name", "channel", "loop", "fields", "class"):
        if not isinstance(item, dict) or not item.get(key):
            raise CatalogError(f"{where}：缺少 {key}", field=key)
    fields = item["fields"]
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise CatalogError(
            f"{where}：未知的案件字段 {sorted(unknown)}（可用：{', '.join(CASE_FIELDS)}）", field="fields"
        )
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        raise CatalogError(f"{where}：fields 缺少 {missing}", field="fields")
    rule = item["class"]
    codes = {*rule.get("map", {}).values(), rule.get("default")}
    bad = sorted(str(c) for c in codes if c not in known)
    if bad:
        raise CatalogError(f"{where}：class 中的分类 {bad} 不在 case_classes.yaml 中", field="class")
    try:
        loop = Loop(item["loop"])
    except ValueError:
        raise CatalogError(
            f"{where}：loop 须为 urban 或 hotline，实为 {item['loop']!r}", field="loop"
        ) from None
    return Connector(
        id=str(item["id"]),
        name=str(item["name"]),
        channel=str(item["channel"]),
        loop=loop,
        fields=dict(fields),
        class_from=str(rule.get("from", "")),
        class_map={str(k): str(v) for k, v in (rule.get("map") or {}).items()},
        class_default=str(rule["default"]),
        is_public=bool(item.get("public", True)),
    )
