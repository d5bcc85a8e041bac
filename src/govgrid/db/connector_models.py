"""What each inbound system sent (services.cases.connector_log): every push as received — taken, a
duplicate, or rejected with why — and every replay of a rejected one, appended, never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from govgrid.db.keys import MAPPER_ARGS, district_args, district_column, id_column
from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime


class ConnectorMessage(Base):
    __tablename__ = "connector_message"
    __table_args__ = district_args(
        "connector_message",
        Index("ix_connector_message_connector_at", "connector_id", "received_at"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("connector_message")
    connector_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(12), index=True)  # taken | duplicate | rejected
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was refused, as the sender was told
    field: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[Any] = mapped_column(JSON)  # the raw message, as it came (bounded by the request limit)
    case_id: Mapped[int | None] = mapped_column(Integer)
    millis: Mapped[float] = mapped_column(Float, default=0.0)  # time taken to handle it
    replay_of: Mapped[int | None] = mapped_column(Integer, index=True)  # the rejected message replayed
    actor_name: Mapped[str] = mapped_column(String(64), default="")  # the connector, or who replayed it
