"""Tables. Geometry is stored as WKB in GCJ-02 longitude/latitude (the system of Chinese web maps and
of the public boundary files), with a bounding box for range queries; no PostGIS is required."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from govgrid.db.keys import (
    MAPPER_ARGS,
    Chained,
    district_args,
    district_column,
    id_column,
    month_chain_indexes,
    month_column,
)
from govgrid.db.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class StoredFile:
    """The columns of a file stored by its SHA-256 (services.blobs.save_upload): a case photo, evidence."""

    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class Area(Base):
    """A district, street/town or community/village, with its boundary."""

    __tablename__ = "area"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(64))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lng: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lng: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    area_m2: Mapped[float] = mapped_column(Float)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class ResponsibilityGrid(Base):
    """责任网格: a set of unit grids bound to one grid worker."""

    __tablename__ = "responsibility_grid"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    community_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)


class UnitGrid(Base):
    """单元网格: the smallest polygon of management, always inside one community."""

    __tablename__ = "unit_grid"

    code: Mapped[str] = mapped_column(String(15), primary_key=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("area.code"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lng: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lng: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    center_lng: Mapped[float] = mapped_column(Float)
    center_lat: Mapped[float] = mapped_column(Float)
    area_m2: Mapped[float] = mapped_column(Float)
    land_use: Mapped[str] = mapped_column(String(32), default="")
    management_level: Mapped[str] = mapped_column(String(32), default="")
    responsibility_grid_code: Mapped[str | None] = mapped_column(
        ForeignKey("responsibility_grid.code"), index=True
    )
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_unit_grid_bbox", "min_lng", "max_lng", "min_lat", "max_lat"),)


class OrgUnit(Base):
    """A unit that acts: the command center, a department, a street office, the supervision office."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(24), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    scope_code: Mapped[str | None] = mapped_column(String(15), index=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # bumped by logout, a password change and disabling: every session and token of an older one is dead
    auth_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiToken(Base):
    """A bearer token for an integration. Only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # the user's, when issued


class LoginSession(Base):
    """A login, kept on the server: the cookie holds only a random token (its SHA-256 is stored here), so it
    reveals nothing and ends when the server says — at logout, on a password change, when the user is
    disabled, after `session_hours`, or after `session_idle_minutes` without a request."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), index=True)  # the user's district ("000000": all)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    generation: Mapped[int] = mapped_column(Integer)
    csrf_token: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ThrottleCounter(Base):
    """Failures or requests counted per key (an account, a client address, an API key) in a window, with a
    lock. Deployment-wide infrastructure, not district data: keys name what they count."""

    __tablename__ = "throttle_counter"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_at: Mapped[datetime] = mapped_column(UtcDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ConnectorKey(Base):
    """The key an inbound system pushes with (`govgrid connectors key ID`): only its SHA-256 is kept; it can
    be revoked and may expire. A key belongs to one connector and files only under that connector's channel."""

    __tablename__ = "connector_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    connector_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditEvent(Chained, Base):
    """Append-only record of every state change: who, when, what, on which record, in which area. Chained
    per audited object (entity_type, entity_id)."""

    __tablename__ = "audit_event"
    __table_args__ = district_args(
        "audit_event", *month_chain_indexes("audit_event", "entity_type", "entity_id")
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()  # of its scope (000000: none, or the whole city)
    id: Mapped[int] = id_column("audit_event")
    at: Mapped[datetime] = month_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48), index=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    scope_code: Mapped[str | None] = mapped_column(String(15), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ChainAnchor(Base):
    """A daily anchor (domain.chain.anchor_hash): for one chained table and district, the hash of every row
    written since the anchor before (ids up to `upto_id`), linked to that anchor."""

    __tablename__ = "chain_anchor"
    __table_args__ = district_args(
        "chain_anchor", Index("ix_chain_anchor_table", "district_code", "table_name", "upto_id", unique=True)
    )
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("chain_anchor")
    table_name: Mapped[str] = mapped_column(String(32))
    upto_id: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    made_at: Mapped[datetime] = mapped_column(UtcDateTime())
    prev_hash: Mapped[str] = mapped_column(String(64))
    anchor_hash: Mapped[str] = mapped_column(String(64))


class CalendarYear(Base):
    """A year's holidays and 调休 as the State Council's notice gives them, entered by an operator
    (`govgrid calendar set-year`); it makes the year official, replacing the provisional rules."""

    __tablename__ = "calendar_year"

    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates off
    workdays: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO weekend dates worked (调休)
    source: Mapped[str] = mapped_column(String(120), default="")  # 文号 of the notice
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ImportBatch(Base):
    """A staged import: its rows are written in short chunks, invisible (they carry the batch's id) until
    one short final step makes them live; a failed or abandoned batch is dropped whole."""

    __tablename__ = "import_batch"
    __table_args__ = district_args("import_batch")
    __mapper_args__ = MAPPER_ARGS

    district_code: Mapped[str] = district_column()
    id: Mapped[int] = id_column("import_batch")
    kind: Mapped[str] = mapped_column(String(16))  # ledger | cases
    state: Mapped[str] = mapped_column(String(12), index=True)  # staged | live | dropped
    filename: Mapped[str] = mapped_column(String(200), default="")
    actor_name: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    touched_at: Mapped[datetime] = mapped_column(UtcDateTime())  # the last chunk written (a crash stops it)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Meta(Base):
    """Small key/value facts about the database (geography revision, demo marker)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class GazetteerEntry(Base):
    """地名地址: a road, community, building or place, with a point (GCJ-02) and the unit grid holding it."""

    __tablename__ = "gazetteer_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # road | street | community | building | place
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
