"""Pushes to the groups people read (企业微信 and 钉钉 group robots): the destinations, each with its own
cursors on the outboxes (the case history, the issued bulletins), every attempt with its answer, and the
bulletins issued (the worker issues the daily one at 08:00 on working days)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govgrid.db.keys import MAPPER_ARGS, district_args, district_column, id_column
from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime


class PushDestination(Base):
    __tablename__ = "push_destination"
    __table_args__ = district_args("push_destination")
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("push_destination")
    name: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(12))  # wecom | dingtalk
    url: Mapped[str] = mapped_column(Text)  # the robot's webhook (a local receiver in tests)
    secret: Mapped[str] = mapped_column(String(128), default="")  # 钉钉 加签 secret
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the last case_transition pushed, as a feed position in commit order (services.cases.feed): (txid, id)
    case_txid: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    case_cursor: Mapped[int] = mapped_column(Integer, default=0)
    bulletin_cursor: Mapped[int] = mapped_column(Integer, default=0)  # the last bulletin_issue id pushed
    # 一表通: a department's group also gets its forms as they are submitted (the last form_event pushed)
    form_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    form_cursor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row, since the last success
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PushAttempt(Base):
    __tablename__ = "push_attempt"
    __table_args__ = district_args("push_attempt")
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("push_attempt")
    destination_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    items: Mapped[int] = mapped_column(Integer)  # messages it carried (a digest carries several)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")


class BulletinIssue(Base):
    __tablename__ = "bulletin_issue"
    __table_args__ = district_args(
        "bulletin_issue", UniqueConstraint("district_code", "kind", "issued_on", name="uq_bulletin_issue_day")
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("bulletin_issue")
    kind: Mapped[str] = mapped_column(String(8))  # daily | weekly | monthly
    issued_on: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, Beijing
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    summary: Mapped[str] = mapped_column(Text)
