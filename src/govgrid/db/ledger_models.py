"""Supervision ledgers (督办台账): one tree of campaigns → measures → tasks, with reports and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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
from govgrid.domain.ledger_items import LENGTHS
from govgrid.domain.ledger_states import ItemStatus


class LedgerItem(Base):
    """A campaign, measure, task or key project; `campaign_id` is the root of its tree."""

    __tablename__ = "ledger_item"

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("ledger_item")
    parent_id: Mapped[int | None] = mapped_column(Integer, index=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(LENGTHS["kind"]))  # campaign | measure | task | project
    number: Mapped[str] = mapped_column(String(LENGTHS["number"]), default="")  # 编号 as the office writes it
    content: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(
        String(LENGTHS["source"]), default=""
    )  # 上级部署, 会议交办, 领导批示 …
    area_code: Mapped[str] = mapped_column(String(15), index=True)  # where it applies (district, or a town)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    co_unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    leader: Mapped[str] = mapped_column(String(LENGTHS["leader"]), default="")
    officer: Mapped[str] = mapped_column(String(LENGTHS["officer"]), default="")
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    consequence: Mapped[str] = mapped_column(Text, default="")  # 完不成怎么办
    weight: Mapped[float | None] = mapped_column(Float)
    sla_code: Mapped[str | None] = mapped_column(String(LENGTHS["sla_code"]))
    target_subject: Mapped[str] = mapped_column(String(LENGTHS["target_subject"]), default="")
    target_unit: Mapped[str] = mapped_column(String(LENGTHS["target_unit"]), default="")
    target_value: Mapped[float | None] = mapped_column(Float)
    target_baseline: Mapped[float] = mapped_column(Float, default=0.0)
    target_direction: Mapped[str] = mapped_column(String(12), default="increase")
    target_qualifier: Mapped[str] = mapped_column(String(LENGTHS["target_qualifier"]), default="")
    status: Mapped[str] = mapped_column(String(12), default=ItemStatus.OPEN.value, index=True)  # ItemStatus
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # cached, 0..1
    light: Mapped[str] = mapped_column(String(8), default="green", index=True)  # cached
    rung: Mapped[str | None] = mapped_column(String(16))  # the highest escalation step taken
    ambassador: Mapped[str] = mapped_column(
        String(LENGTHS["ambassador"]), default=""
    )  # 服务大使 of a key project
    version: Mapped[int] = mapped_column(Integer, default=1)
    # set while an import stages the item (invisible to every reader); NULL once the batch is live
    batch_id: Mapped[int | None] = mapped_column(Integer, index=True)

    __table_args__ = district_args(
        "ledger_item",
        district_fk("parent_id", "ledger_item", "fk_ledger_item_parent_id_ledger_item"),
        district_fk("batch_id", "import_batch", "fk_ledger_item_batch_id_import_batch"),
    )
    __mapper_args__ = MAPPER_ARGS


class LedgerMilestone(Base):
    """时间节点: a dated step of a task."""

    __tablename__ = "ledger_milestone"
    __table_args__ = district_args(
        "ledger_milestone", district_fk("item_id", "ledger_item", "fk_ledger_milestone_item_id_ledger_item")
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("ledger_milestone")
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    label: Mapped[str] = mapped_column(String(LENGTHS["label"]))
    kind: Mapped[str] = mapped_column(String(12), default="step")  # step | start (开工) | finish (竣工)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LedgerInvestment(Base):
    """A key project's investment for one month (万元): planned, and completed as reported."""

    __tablename__ = "ledger_investment"
    __table_args__ = district_args(
        "ledger_investment",
        district_fk("item_id", "ledger_item", "fk_ledger_investment_item_id_ledger_item"),
        UniqueConstraint("district_code", "item_id", "month", name="uq_ledger_investment_item_id"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("ledger_investment")
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    planned: Mapped[float] = mapped_column(Float, default=0.0)
    completed: Mapped[float] = mapped_column(Float, default=0.0)


class ProgressReport(Base):
    """A unit's progress report on a task (audited by being append-only)."""

    __tablename__ = "progress_report"
    __table_args__ = district_args(
        "progress_report",
        district_fk("item_id", "ledger_item", "fk_progress_report_item_id_ledger_item"),
        district_fk("milestone_id", "ledger_milestone", "fk_progress_report_milestone_id_ledger_milestone"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("progress_report")
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(LENGTHS["report_kind"]), default="progress")  # ReportKind
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    reported_by: Mapped[str] = mapped_column(String(LENGTHS["reported_by"]))
    value_reached: Mapped[float | None] = mapped_column(Float)
    narrative: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    funds_used: Mapped[float | None] = mapped_column(Float)  # 万元
    milestone_id: Mapped[int | None] = mapped_column(Integer)  # a 时间节点 this report meets


class ReportEvidence(StoredFile, Base):
    """A file proving a progress report (photo, PDF, Word or Excel), stored by content hash."""

    __tablename__ = "report_evidence"
    __table_args__ = district_args(
        "report_evidence",
        district_fk("report_id", "progress_report", "fk_report_evidence_report_id_progress_report"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("report_evidence")
    report_id: Mapped[int] = mapped_column(Integer, index=True)


class LedgerEvent(Chained, Base):
    """Append-only history of a ledger item: light changes, escalation steps, closure and reopening. Chained
    per item."""

    __tablename__ = "ledger_event"
    __table_args__ = district_args(
        "ledger_event",
        district_fk("item_id", "ledger_item", "fk_ledger_event_item_id_ledger_item"),
        *month_chain_indexes("ledger_event", "item_id"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("ledger_event")
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = month_column()
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))  # EventKind
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
