"""What the language models learn from in use: every category a dispatcher gave a message when dispatching
it, beside what the model had suggested. A row is appended, never changed; `govgrid nlp export-labels`
writes them out for retraining."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govgrid.db.keys import MAPPER_ARGS, district_args, district_column, district_fk, id_column
from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime
from govgrid.domain.case_fields import LENGTHS

CATEGORY_LENGTH = 16


class MessageLabel(Base):
    __tablename__ = "message_label"
    __table_args__ = district_args(
        "message_label",
        district_fk("case_id", "case", "fk_message_label_case_id_case"),
        Index("ix_message_label_case_id", "case_id"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("message_label")
    case_id: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(LENGTHS["title"]))  # the text as it was labelled
    body: Mapped[str] = mapped_column(Text, default="")
    label: Mapped[str] = mapped_column(String(CATEGORY_LENGTH))  # the dispatcher's category
    predicted: Mapped[str | None] = mapped_column(String(CATEGORY_LENGTH))  # the model's, if it had one
    confidence: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(40), default="")
    labelled_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    labelled_at: Mapped[datetime] = mapped_column(UtcDateTime())


class HotspotCase(Base):
    """每月一题: a case whose message belongs to a hotspot made into a ledger task. `joined_by` is who made
    the task (the messages attached then), or None for a message the worker linked when it joined later."""

    __tablename__ = "hotspot_case"
    __table_args__ = district_args(
        "hotspot_case",
        district_fk("case_id", "case", "fk_hotspot_case_case_id_case"),
        district_fk("item_id", "ledger_item", "fk_hotspot_case_item_id_ledger_item"),
        UniqueConstraint("district_code", "item_id", "case_id", name="uq_hotspot_case_item_case"),
        Index("ix_hotspot_case_case_id", "case_id"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("hotspot_case")
    item_id: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())
    joined_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
