"""API shapes (XPublic / XCreate). Coordinates in every field are GCJ-02 unless the field says otherwise."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from govgrid.domain.roles import Role


class Health(BaseModel):
    status: str
    version: str
    database: str
    geo_revision: int


class PlacePublic(BaseModel):
    code: str
    name: str


class LocationPublic(BaseModel):
    is_inside: bool
    message: str
    lng: float = Field(description="GCJ-02 longitude of the point, as stored")
    lat: float = Field(description="GCJ-02 latitude of the point, as stored")
    grid_code: str | None = None
    responsibility_grid_code: str | None = None
    community: PlacePublic | None = None
    street: PlacePublic | None = None
    district: PlacePublic | None = None


class FeatureCollection(BaseModel):
    type: str = "FeatureCollection"
    crs_note: str = "GCJ-02 longitude/latitude"
    features: list[dict[str, Any]]


class WorkerPublic(BaseModel):
    id: int
    name: str
    phone: str


class GridPublic(BaseModel):
    code: str
    sequence: int
    area_m2: float
    land_use: str
    management_level: str
    is_synthetic: bool
    center_lng: float
    center_lat: float
    community: PlacePublic
    street: PlacePublic
    responsibility_grid_code: str | None
    responsibility_grid_name: str | None
    worker: WorkerPublic | None


class ResponsibilityGridPublic(BaseModel):
    code: str
    name: str
    community_code: str
    worker_id: int | None
    unit_grid_codes: list[str] | None = None


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    scope_code: str | None
    unit_id: int | None
    phone: str
    is_active: bool


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=64)
    role: Role
    unit_code: str | None = None
    scope_code: str | None = None
    phone: str = ""
    password: str | None = Field(None, min_length=8)


class UnitPublic(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    area_code: str | None


class AuditPublic(BaseModel):
    id: int
    at: datetime
    actor_name: str
    action: str
    entity_type: str
    entity_id: str
    scope_code: str | None
    detail: dict[str, Any]


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=64)


class TokenIssued(BaseModel):
    token: str
    note: str = "只显示这一次，请妥善保存 / shown once, keep it safe"


class ImportResult(BaseModel):
    counts: dict[str, int]
