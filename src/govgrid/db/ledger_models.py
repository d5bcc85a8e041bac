"""Supervision ledgers (督办台账): one tree of campaigns → measures → tasks, with reports and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime


class LedgerItem(Base):
    """A campaign, measure, task or key project; `campaign_id` is the root of its tree."""

    __tablename__ = "ledger_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_item.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(12))  # campaign | measure | task | project
    number: Mapped[str] = mapped_column(String(32), default="")  # 编号 as the office writes it
    content: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(24), default="")  # 上级部署, 会议交办, 领导批示 …
    area_code: Mapped[str] = mapped_column(String(15), index=True)  # where it applies (district, or a town)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    co_unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    leader: Mapped[str] = mapped_column(String(64), default="")
    officer: Mapped[str] = mapped_column(String(64), default="")
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deadline_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    consequence: Mapped[str] = mapped_column(Text, default="")  # 完不成怎么办
    weight: Mapped[float | None] = mapped_column(Float)
    sla_code: Mapped[str | None] = mapped_column(String(16))
    target_subject: Mapped[str] = mapped_column(String(200), default="")
    target_unit: Mapped[str] = mapped_column(String(24), default="")
    target_value: Mapped[float | None] = mapped_column(Float)
    target_baseline: Mapped[float] = mapped_column(Float, default=0.0)
    target_direction: Mapped[str] = mapped_column(String(12), default="increase")
    target_qualifier: Mapped[str] = mapped_column(String(12), default="")
    status: Mapped[str] = mapped_column(
        String(12), default="open", index=True
    )  # open | closing | closed (销号)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # cached, 0..1
    light: Mapped[str] = mapped_column(String(8), default="green", index=True)  # cached
    rung: Mapped[str | None] = mapped_column(String(16))  # the highest escalation step taken
    ambassador: Mapped[str] = mapped_column(String(64), default="")  # 服务大使 of a key project
    version: Mapped[int] = mapped_column(Integer, default=1)
    # set while an import stages the item (invisible to every reader); NULL once the batch is live
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)


class LedgerMilestone(Base):
    """时间节点: a dated step of a task."""

    __tablename__ = "ledger_milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_item.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="step")  # step | start (开工) | finish (竣工)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LedgerInvestment(Base):
    """A key project's investment for one month (万元): planned, and completed as reported."""

    __tablename__ = "ledger_investment"
    __table_args__ = (UniqueConstraint("item_id", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_item.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    planned: Mapped[float] = mapped_column(Float, default=0.0)
    completed: Mapped[float] = mapped_column(Float, default=0.0)


class ProgressReport(Base):
    """A unit's progress report on a task (audited by being append-only)."""

    __tablename__ = "progress_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_item.id"), index=True)
    kind: Mapped[str] = mapped_column(
        String(16), default="progress"
    )  # progress | staged_result | plan | resolved
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    reported_by: Mapped[str] = mapped_column(String(64))
    value_reached: Mapped[float | None] = mapped_column(Float)
    narrative: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    funds_used: Mapped[float | None] = mapped_column(Float)  # 万元
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_milestone.id")
    )  # a 时间节点 this report meets


class ReportEvidence(Base):
    """A file proving a progress report (photo, PDF, Word or Excel), stored by content hash."""

    __tablename__ = "report_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_report.id"), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class LedgerEvent(Base):
    """Append-only history of a ledger item: light changes, escalation steps, closure and reopening."""

    __tablename__ = "ledger_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("ledger_item.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
