"""The demo's recurring problems (synthetic data, catalog/demo_hotspots.yaml): each is pushed as 12345
orders by different callers over the weeks before the demo's day, through the same logged intake as a live
push (connector_log.take), worded differently each time, at one place — so 热点 shows them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.catalog import SHIPPED_SOURCE
from govgrid.db.case_models import Case
from govgrid.db.models import UnitGrid
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.supervision import Policy
from govgrid.services.cases import connector_keys, connector_log
from govgrid.services.cases.sweeper import sweep
from govgrid.services.demo.connector_traffic import payload_of
from govgrid.services.geo.locate import LocatorCache

SEED = 20261203
CONNECTOR = "hotline12345"


def plant_hotspots(
    session: Session, *, rules: CaseRules, policy: Policy, area_code: str, now: datetime
) -> int:
    """Push the recurring problems' orders (none if they are in already), then sweep them as the live worker
    would have (their 超期 and 催办 marked); returns the orders sent."""
    if CONNECTOR not in rules.connectors or session.scalar(
        select(Case.id).where(Case.external_id.like("DEMO-HOT-%")).limit(1)
    ):
        return 0
    spec = SHIPPED_SOURCE.load("demo_hotspots.yaml")
    grids = session.execute(select(UnitGrid.center_lng, UnitGrid.center_lat).order_by(UnitGrid.code)).all()
    if not grids:
        return 0
    connector = rules.connectors[CONNECTOR]
    rng = random.Random(SEED)
    locator = LocatorCache()
    actor = connector_keys.connector_actor(CONNECTOR, area_code)
    orders = []
    for p, problem in enumerate(spec["problems"]):
        lng, lat = grids[rng.randrange(len(grids))]
        category = next(
            (k for k, code in connector.class_map.items() if rules.classes[code].name == problem["class"]),
            next(iter(connector.class_map), ""),
        )
        for n in range(int(problem["count"])):
            at = now - timedelta(days=rng.uniform(1, int(spec["days"])), minutes=rng.randrange(600))
            title = rng.choice(problem["titles"]).format(place=problem["place"])
            values = {
                "external_id": f"DEMO-HOT-{p + 1}-{n + 1:02d}",
                "title": f"{title}（合成数据）",
                "description": f"{problem['body']}（合成演示数据）",
                "address": problem["place"],
                "lng": round(lng + rng.uniform(-0.0002, 0.0002), 6),
                "lat": round(lat + rng.uniform(-0.0002, 0.0002), 6),
                "reporter_name": "演示市民",
                "reporter_phone": f"1390000{p:01d}{n:03d}",
                "urgency": "general",
            }
            orders.append((at, payload_of(connector, values, category)))
    for at, payload in sorted(orders, key=lambda o: o[0]):
        case, _ = connector_log.take(
            session,
            actor=actor,
            connector_id=CONNECTOR,
            payload=payload,
            rules=rules,
            locator=locator,
            now=at,
        )
        case.is_synthetic = True
        session.commit()
    sweep(session, rules=rules, policy=policy, now=now)
    return len(orders)
