"""Work orders (案件/工单) and their append-only history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    FetchedValue,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from govgrid.db.keys import (
    MAPPER_ARGS,
    Chained,
    district_args,
    district_column,
    district_fk,
    id_column,
    month_chain_indexes,
    month_column,
)
from govgrid.db.models import Base, StoredFile
from govgrid.db.types import UtcDateTime
from govgrid.domain.case_fields import LENGTHS, case_code
from govgrid.domain.workflow import OPEN


class Case(Base):
    """A case in one of the two loops. `status` changes only through services.cases.transition, which
    compares and sets `version` so that of two concurrent steps exactly one wins."""

    __tablename__ = "case"

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("case")
    loop: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str] = mapped_column(String(LENGTHS["channel"]))  # indexed with reported_at (below)
    # who sent it (a connector id, or user:<id>) and the sender's own number for it (an order number, a
    # client's UUID): a retry is recognised by the pair, so no sender can reach another's numbers
    source: Mapped[str] = mapped_column(String(40), default="", server_default="")
    external_id: Mapped[str | None] = mapped_column(String(LENGTHS["external_id"]))
    class_code: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(LENGTHS["title"]))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(LENGTHS["address"]), default="")
    lng: Mapped[float | None] = mapped_column(Float)  # GCJ-02
    lat: Mapped[float | None] = mapped_column(Float)
    grid_code: Mapped[str | None] = mapped_column(String(15), index=True)
    scope_code: Mapped[str] = mapped_column(String(15), index=True)  # grid, else street, else district
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    reporter_name: Mapped[str] = mapped_column(String(LENGTHS["reporter_name"]), default="")
    reporter_phone: Mapped[str] = mapped_column(String(LENGTHS["reporter_phone"]), default="")
    # the 查询码 a reporter follows the case with on the public page (with its number); no personal data
    # is shown there, so it guards against enumeration rather than secrets
    follow_secret: Mapped[str | None] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(12), default="general")
    # made by `govgrid demo` (the demo year), never by a person or a connector: lists label it, and an
    # assessment of real work can leave it out
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    # counted over a year whose 调休 is not yet announced (the provisional calendar): shown as 暂定
    due_is_provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)  # the 30-day closure trend
    closure_type: Mapped[str | None] = mapped_column(String(12))
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    is_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    supervision_level: Mapped[int] = mapped_column(Integer, default=0)  # 0 none, 1 催办, 2 督办
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    extension_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    extension_state: Mapped[str | None] = mapped_column(String(12))  # requested | approved | refused
    appeal_state: Mapped[str | None] = mapped_column(String(12))  # requested | approved | refused
    links_checked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)

    __table_args__ = district_args(
        "case",
        UniqueConstraint("district_code", "source", "external_id", name="uq_case_source_external_id"),
        Index("ix_case_channel_reported_at", "channel", "reported_at"),  # a channel's day (今日巡查, 12345)
    )
    __mapper_args__ = MAPPER_ARGS

    @property
    def code(self) -> str:
        """The number people quote (案件编号): report date (Beijing) and id, e.g. 20261118000042."""
        return case_code(self.reported_at, self.id)


class CaseTransition(Chained, Base):
    """One row per step taken on a case — its history, its audit and its notification outbox. Chained per
    case."""

    __tablename__ = "case_transition"

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("case_transition")
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = month_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")  # staff's own note: never shown publicly
    # what staff chose to publish about this step (the follow page, Open311 without a key): checked to
    # carry no phone, ID or flat number, nor the reporter's name
    public_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # PostgreSQL: the writing transaction's id (pg_current_xact_id, the column's default), so readers of
    # the history as an outbox take rows in commit order (services.assessment.rollups); SQLite: not set
    txid: Mapped[int | None] = mapped_column(BigInteger, server_default=FetchedValue())

    __table_args__ = district_args(
        "case_transition",
        district_fk("case_id", "case", "fk_case_transition_case_id_case"),
        Index("ix_case_transition_case_at", "case_id", "at"),
        Index("ix_case_transition_district_txid", "district_code", "txid"),
        *month_chain_indexes("case_transition", "case_id"),
    )
    __mapper_args__ = MAPPER_ARGS


class CaseLink(Base):
    """相似案件: a case that may repeat another (same class nearby and recent, or near-identical text).
    Linked, never silently merged; `is_merged` records an explicit merge (并案)."""

    __tablename__ = "case_link"

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("case_link")
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    similar_case_id: Mapped[int] = mapped_column(Integer, index=True)  # in the same district
    reason: Mapped[str] = mapped_column(String(16))  # nearby | text
    distance_m: Mapped[float | None] = mapped_column(Float)
    is_merged: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = district_args(
        "case_link",
        district_fk("case_id", "case", "fk_case_link_case_id_case"),
        district_fk("similar_case_id", "case", "fk_case_link_similar_case_id_case"),
        UniqueConstraint("district_code", "case_id", "similar_case_id", name="uq_case_link_pair"),
    )
    __mapper_args__ = MAPPER_ARGS


class CaseForward(Base):
    """转办: a city's 12345 order (a case of the city's own partition, district_code 370100) handed to a
    district, whose own case answers it — two rows, so neither ever changes its district. Kept beside the
    city's order; the district's reply comes up to it, the city's 回访 and 考评 go down to the district's."""

    __tablename__ = "case_forward"

    district_code: Mapped[str] = district_column()  # the city's, as its order's
    id: Mapped[int] = id_column("case_forward")
    case_id: Mapped[int] = mapped_column(Integer)  # the city's order
    to_district: Mapped[str] = mapped_column(String(6))
    to_case_id: Mapped[int] = mapped_column(Integer)  # the district's case (in the district's partition)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_name: Mapped[str] = mapped_column(String(64))

    __table_args__ = district_args(
        "case_forward",
        district_fk("case_id", "case", "fk_case_forward_case_id_case"),
        UniqueConstraint("district_code", "case_id", name="uq_case_forward_case"),
        Index("ix_case_forward_to", "to_district", "to_case_id"),
    )
    __mapper_args__ = MAPPER_ARGS


class Attachment(StoredFile, Base):
    """A photo on a case (现场照片), stored by content hash under the media folder."""

    __tablename__ = "attachment"

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("attachment")
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    # when it was taken, from the case's status then (domain.photos.phase_of): before / after / check
    phase: Mapped[str] = mapped_column(String(8), default="", server_default="")

    __table_args__ = district_args("attachment", district_fk("case_id", "case", "fk_attachment_case_id_case"))
    __mapper_args__ = MAPPER_ARGS


def still_open() -> Any:
    """未办结 as SQL: the open statuses named (IN), which the index on status answers with a few seeks;
    NOT IN (the final ones) reads the whole index of a district's years of closed cases."""
    return Case.status.in_(sorted(s.value for s in OPEN))
