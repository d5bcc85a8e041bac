"""The demo's linked systems at work today (synthetic data): each connector of the catalogue pushes a few
orders through the same logged intake as a live push (connector_log.take), and two are refused as a live
one would be — a 12345 order whose platform dropped its title field, a video alarm whose position is not
a number — so /connectors shows every system's health and rejected messages waiting for 重放.

The payloads are built from each connector's own field mapping (connectors.yaml), so a city's catalogue
gets traffic of its own shape."""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.connector_models import ConnectorMessage
from govgrid.db.models import UnitGrid
from govgrid.domain.case_rules import CaseRules, Connector
from govgrid.domain.errors import DomainError
from govgrid.geo.crs import from_stored, parse_crs
from govgrid.services.cases import connector_keys, connector_log
from govgrid.services.geo.locate import LocatorCache

SEED = 20261202
PER_CONNECTOR = 4  # orders today from each linked system
HOURS = 8  # spread over the hours before `now`


def build_demo_traffic(session: Session, *, rules: CaseRules, area_code: str, now: datetime) -> int:
    """Today's pushes (none if the log holds any already); returns the messages sent."""
    if session.scalar(select(ConnectorMessage.id).limit(1)) is not None:
        return 0
    grids = session.execute(select(UnitGrid.center_lng, UnitGrid.center_lat).order_by(UnitGrid.code)).all()
    if not grids:
        return 0
    rng = random.Random(SEED)
    locator = LocatorCache()
    sent = 0
    moments = sorted(
        (now - timedelta(minutes=rng.randrange(5, HOURS * 60)), cid)
        for cid in rules.connectors
        for _ in range(PER_CONNECTOR)
    )
    spoiled = {"hotline12345": _without_title, "video": _bad_position}
    for number, (at, cid) in enumerate(moments, start=1):
        connector = rules.connectors[cid]
        payload = _payload(connector, rules, rng, rng.choice(grids), number, at)
        # one message each of these two systems goes wrong, never a day's first (the health shows both)
        spoil = spoiled.pop(cid, None) if number > len(rules.connectors) else None
        if spoil is not None:
            payload = spoil(connector, payload)
        actor = connector_keys.connector_actor(cid, area_code)
        # a refused one is kept in the log with why: what the demo shows
        with contextlib.suppress(DomainError):
            case, _ = connector_log.take(
                session,
                actor=actor,
                connector_id=cid,
                payload=payload,
                rules=rules,
                locator=locator,
                now=at,
            )
            case.is_synthetic = True  # labelled as the demo's other cases are
            session.commit()  # before the next message: a refusal rolls back what is not committed
        sent += 1
    return sent


def _payload(
    connector: Connector,
    rules: CaseRules,
    rng: random.Random,
    centre: tuple[float, float],
    number: int,
    at: datetime,
) -> dict[str, Any]:
    """A message in the connector's own shape: every mapped path filled."""
    codes = sorted(connector.class_map) or [connector.class_default]
    category = rng.choice(codes)
    class_code = connector.class_map.get(category, connector.class_default)
    crs = connector.fields.get("crs")
    system = parse_crs(str(crs["value"])) if isinstance(crs, dict) else None
    lng, lat = centre[0] + rng.uniform(-0.0003, 0.0003), centre[1] + rng.uniform(-0.0002, 0.0002)
    if system is not None:
        lng, lat = from_stored(lng, lat, system)
    name = rules.classes[class_code].name
    values = {
        "external_id": f"DEMO-{connector.id}-{at:%Y%m%d}-{number:03d}",
        "title": f"{name}（合成数据）",
        "description": f"{connector.name}推送：{name}。（合成演示数据）",
        "address": "",
        "lng": round(lng, 6),
        "lat": round(lat, 6),
        "reporter_name": "演示市民",
        "reporter_phone": "",
        "urgency": "general",
    }
    return payload_of(connector, values, category)


def payload_of(connector: Connector, values: dict[str, Any], category: str) -> dict[str, Any]:
    """A message in the connector's own shape: each case field's value at the path the catalogue maps."""
    payload: dict[str, Any] = {}
    for field, source in connector.fields.items():
        if isinstance(source, str) and field in values:
            _put(payload, source, values[field])
    if connector.class_from:
        _put(payload, connector.class_from, category)
    return payload


def _put(payload: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path ("location.lng", "position.0"): a digit is a list index, as connectors.pick reads it."""
    *heads, last = path.split(".")
    here: Any = payload
    for part, then in zip(heads, [*heads, last][1:], strict=True):
        if _get(here, part) is None:
            _set(here, part, [] if then.isdigit() else {})
        here = _get(here, part)
    _set(here, last, value)


def _get(container: Any, key: str) -> Any:
    if isinstance(container, list):
        return container[int(key)] if int(key) < len(container) else None
    return container.get(key)


def _set(container: Any, key: str, value: Any) -> None:
    if isinstance(container, list):
        container.extend([None] * (int(key) + 1 - len(container)))
        container[int(key)] = value
    else:
        container[key] = value


def _without_title(connector: Connector, payload: dict[str, Any]) -> dict[str, Any]:
    source = connector.fields.get("title")
    if isinstance(source, str) and "." not in source:
        return {k: v for k, v in payload.items() if k != source}
    return payload


def _bad_position(connector: Connector, payload: dict[str, Any]) -> dict[str, Any]:
    source = connector.fields.get("lng")
    if isinstance(source, str):
        spoiled = {**payload}
        _put(spoiled, source, "N/A")
        return spoiled
    return payload
