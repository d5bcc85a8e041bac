"""The demo's 督导检查: one campaign over the demo district's communities on the shipped sheet — the seed's
"130个村卫生清理情况督导检查，现场评分，提出整改意见" — scored over the last two weeks by the demo supervisor
through the same service as live scoring (services.inspection), its rectification orders filed as cases.
Synthetic and deterministic (a seeded generator), labelled 合成 like every demo datum."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.catalog.bundle import Catalogs
from govgrid.db.inspection_models import InspectionCampaign
from govgrid.db.models import User
from govgrid.domain.permissions import Role
from govgrid.domain.worktime import CHINA
from govgrid.services import inspection
from govgrid.services.geo.locate import LocatorCache
from govgrid.services.people.accounts import actor_for

SHEET = "village-sanitation"
SHARE = 0.7  # of the communities inspected
SEED = 130


def build_demo_inspections(session: Session, *, catalogs: Catalogs, area_code: str, now: datetime) -> int:
    """The campaign and its scored sheets (none if the demo has them already); returns sheets scored."""
    if session.scalar(select(InspectionCampaign.id).where(InspectionCampaign.is_synthetic.is_(True))):
        return 0
    user = session.scalars(select(User).where(User.role == Role.SUPERVISOR.value).order_by(User.id)).first()
    if user is None:
        return 0
    inspector = actor_for(user)
    month = now.astimezone(CHINA)
    campaign = inspection.create_campaign(
        session,
        actor=inspector,
        sheets=catalogs.inspection_sheets,
        name=f"{month.year}年{month.month}月村（社区）环境卫生督导检查",
        sheet_id=SHEET,
        area_code=area_code,
        now=now - timedelta(days=15),
        synthetic=True,
    )
    rng = random.Random(SEED)
    sheet = catalogs.inspection_sheets[SHEET]
    codes = [d.code for item in sheet.items for d in item.deductions]
    tools = inspection.Tools(catalogs.case_rules, catalogs.inspection_sheets, LocatorCache(), None)
    scored = 0
    for place in inspection.places_of(session, campaign):
        if rng.random() > SHARE:
            continue
        ticked = rng.sample(codes, k=min(len(codes), int(rng.expovariate(0.6))))
        at = now - timedelta(days=rng.randrange(1, 14), hours=rng.randrange(0, 6))
        inspection.record(
            session,
            actor=inspector,
            tools=tools,
            campaign_id=campaign.id,
            place_code=place.code,
            ticked=[inspection.Ticked(code, rectify=rng.random() < 0.4) for code in ticked],
            note="",
            client_id=str(uuid.UUID(int=rng.getrandbits(128))),
            now=at.replace(hour=10) if at.astimezone(CHINA).hour < 8 else at,
        )
        scored += 1
    return scored
