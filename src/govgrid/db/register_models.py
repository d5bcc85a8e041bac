"""一表通's base register (基础台账): one row per resident, house or enterprise of a grid, its values by
registry field code (catalog/form_fields.yaml), and the append-only history of every change — who, when,
which field, old → new — written by services.forms.register alone. Each value change also keeps keyed
digests of the old and new value, so a personal value can be erased after its retention period while the
history (and the chain over it) stays whole."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
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

LABEL_LENGTH = 120


class RegisterEntry(Base):
    __tablename__ = "register_entry"
    __table_args__ = district_args(
        "register_entry",
        Index("ix_register_entry_community_kind", "district_code", "community_code", "kind"),
        Index("ix_register_entry_grid_code", "grid_code"),
        UniqueConstraint("district_code", "created_by", "client_id", name="uq_register_entry_client"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("register_entry")
    kind: Mapped[str] = mapped_column(String(12))  # resident | house | enterprise
    grid_code: Mapped[str] = mapped_column(String(15))
    community_code: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(LABEL_LENGTH))  # a name, an address: shown, never personal
    values: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # field code → value as entered
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    client_id: Mapped[str | None] = mapped_column(
        String(36)
    )  # the form's retry key: one entry per submission
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RegisterChange(Chained, Base):
    """One field of one entry changed: append-only. `old_value`/`new_value` may be erased (set to None)
    after retention; the digests stay, and the entry's chain covers the digests, not the values."""

    __tablename__ = "register_change"
    __table_args__ = district_args(
        "register_change",
        district_fk("entry_id", "register_entry", "fk_register_change_entry_id_register_entry"),
        Index("ix_register_change_entry_id", "entry_id"),
        chain_index("register_change", "entry_id"),
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("register_change")
    entry_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(12))  # create | update | erase
    field_code: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    old_digest: Mapped[str] = mapped_column(String(64), default="")
    new_digest: Mapped[str] = mapped_column(String(64), default="")
