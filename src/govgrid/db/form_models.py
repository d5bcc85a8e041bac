"""一表通's form work: a department's form task for a community (which form, from when, answered within how
many working days of each period), a community's return for one period, the rows it keeps (the values
entered for an entry of the register on that day), and the append-only events of all three, written by
services.forms.events alone. Registry values are never copied into a row: the register holds them once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from govgrid.db.keys import (
    MAPPER_ARGS,
    Chained,
    chain_index,
    district_args,
    district_column,
    district_fk,
    id_column,
)
from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime


class FormTask(Base):
    __tablename__ = "form_task"
    __table_args__ = district_args(
        "form_task",
        Index("ix_form_task_community", "district_code", "community_code"),
        UniqueConstraint(
            "district_code", "issued_by", "client_id", "community_code", name="uq_form_task_client"
        ),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("form_task")
    template_code: Mapped[str] = mapped_column(String(40))
    community_code: Mapped[str] = mapped_column(String(12))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))  # the department that asks
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    due_workdays: Mapped[int] = mapped_column(
        Integer, default=1
    )  # 1: by the end of the period's first workday
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | stopped
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    client_id: Mapped[str | None] = mapped_column(String(36))  # the issuing form's retry key


class FormReturn(Base):
    """A community's answer to a task for one period (a day, a week, or the one time)."""

    __tablename__ = "form_return"
    __table_args__ = district_args(
        "form_return",
        district_fk("task_id", "form_task", "fk_form_return_task_id_form_task"),
        UniqueConstraint("district_code", "task_id", "period", name="uq_form_return_period"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("form_return")
    task_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[date] = mapped_column(Date)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | submitted
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rows: Mapped[int] = mapped_column(Integer, default=0)  # counted on submission
    prefilled: Mapped[int] = mapped_column(Integer, default=0)  # cells the register or yesterday filled
    typed: Mapped[int] = mapped_column(Integer, default=0)  # cells typed for it
    seconds_saved: Mapped[int] = mapped_column(Integer, default=0)  # by each pre-filled cell's typing time
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # its rows' values erased (retention)
    rung: Mapped[str] = mapped_column(String(12), default="")  # the ladder: "" | remind | urge | report


class FormRow(Base):
    """What a return keeps for one register entry: values entered (event and local fields), the codes typed
    for it (a changed phone too), or that it was taken off the form."""

    __tablename__ = "form_row"
    __table_args__ = district_args(
        "form_row",
        district_fk("return_id", "form_return", "fk_form_row_return_id_form_return"),
        district_fk("entry_id", "register_entry", "fk_form_row_entry_id_register_entry"),
        UniqueConstraint("district_code", "return_id", "entry_id", name="uq_form_row_entry"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("form_row")
    return_id: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    typed: Mapped[list[str]] = mapped_column(JSON, default=list)
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FormRequest(Base):
    """报表准入: a department's proposed form, its columns checked against the registry, approved (it may
    then be sent down like a shipped form) or refused with a reason."""

    __tablename__ = "form_request"
    __table_args__ = district_args(
        "form_request",
        UniqueConstraint("district_code", "requested_by", "client_id", name="uq_form_request_client"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("form_request")
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    name: Mapped[str] = mapped_column(String(64))
    frequency: Mapped[str] = mapped_column(String(12))
    basis: Mapped[str] = mapped_column(String(200), default="")  # why the department needs it
    columns: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # [{header, field}] in order
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | approved | refused
    reason: Mapped[str] = mapped_column(String(200), default="")  # the decision's reason
    refusal: Mapped[str] = mapped_column(String(24), default="")  # duplicate | no_basis | other
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    client_id: Mapped[str | None] = mapped_column(String(36))


class FormEvent(Chained, Base):
    """Append-only: a task issued or stopped, a row saved, a return submitted, a sheet exported, a form
    requested, approved or refused at 准入."""

    __tablename__ = "form_event"
    __table_args__ = district_args(
        "form_event",
        district_fk("task_id", "form_task", "fk_form_event_task_id_form_task"),
        district_fk("request_id", "form_request", "fk_form_event_request_id_form_request"),
        Index("ix_form_event_task_id", "task_id"),
        chain_index("form_event", "chain_key"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("form_event")
    chain_key: Mapped[str] = mapped_column(String(24), default="", server_default="")  # t<task> | r<request>
    task_id: Mapped[int | None] = mapped_column(Integer)
    return_id: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(
        String(16)
    )  # issue | save_row | add_row | submit | export | request | approve | refuse
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
