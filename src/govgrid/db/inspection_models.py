"""督导检查·现场评分: campaigns over the places of an area, the scored sheets entered on the spot, and each
deduction with its photo and the rectification case (整改) it raised."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govgrid.db.keys import MAPPER_ARGS, district_args, district_column, district_fk, id_column
from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime


class InspectionCampaign(Base):
    __tablename__ = "inspection_campaign"
    __table_args__ = district_args("inspection_campaign")
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("inspection_campaign")
    name: Mapped[str] = mapped_column(String(64))
    sheet_id: Mapped[str] = mapped_column(String(40))  # catalog/inspection_sheets.yaml
    area_code: Mapped[str] = mapped_column(String(15))  # its places: the communities under this area
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    is_synthetic: Mapped[bool] = mapped_column(default=False)


class InspectionRecord(Base):
    __tablename__ = "inspection_record"
    __table_args__ = district_args(
        "inspection_record",
        district_fk("campaign_id", "inspection_campaign", "fk_inspection_record_campaign_id"),
        UniqueConstraint("district_code", "client_id", name="uq_inspection_record_client_id"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("inspection_record")
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)
    place_code: Mapped[str] = mapped_column(String(15), index=True)
    inspector_id: Mapped[int | None] = mapped_column(Integer)
    inspector_name: Mapped[str] = mapped_column(String(64))
    inspected_at: Mapped[datetime] = mapped_column(UtcDateTime())
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    client_id: Mapped[str] = mapped_column(String(36))  # the form's own id: a resent form records once


class InspectionDeduction(Base):
    __tablename__ = "inspection_deduction"
    __table_args__ = district_args(
        "inspection_deduction",
        district_fk("record_id", "inspection_record", "fk_inspection_deduction_record_id"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("inspection_deduction")
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    deduction_code: Mapped[str] = mapped_column(String(40))
    points: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the stored file's columns (services.blobs)
    rectify: Mapped[bool] = mapped_column(default=False)  # 提出整改意见: a case is to be filed for it
    case_id: Mapped[int | None] = mapped_column(Integer)  # the rectification case it raised
