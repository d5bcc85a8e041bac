"""API shapes (XPublic / XCreate). Coordinates in every field are GCJ-02 unless the field says otherwise."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model, model_validator

from govgrid.domain.roles import Role
from govgrid.domain.text import check_all
from govgrid.domain.workflow import Step

MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="乐观锁：案件当前 version，不一致时返回 409")]


def _moment(value: datetime) -> datetime:
    from govgrid.domain.moments import LATEST, RANGE_TEXT, in_range

    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("须带时区（如 2026-12-01T17:30:00+08:00）")
    if not in_range(value):
        raise ValueError(f"须在 {RANGE_TEXT}之间（早于 {LATEST.year} 年）")
    return value


Moment = Annotated[datetime, AfterValidator(_moment)]


class In(BaseModel):
    """Every request body: unknown fields, NaN/Infinity and control characters are refused by name."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, values: Any) -> Any:
        check_all(values)
        return values


def body_of(
    command: type,
    name: str,
    *,
    exclude: Collection[str] = (),
    override: Mapping[str, tuple[Any, Any]] | None = None,
    descriptions: Mapping[str, str] | None = None,
) -> type[In]:
    """A request body made from a domain command (a dataclass), so the API takes exactly what the service
    does — the same fields, defaults and limits, declared once. `override` gives a field another type (a
    moment the API wants with its time zone), `descriptions` the words the API documents it with."""
    hints = typing.get_type_hints(command, include_extras=True)
    fields: dict[str, Any] = {}
    for spec in dataclasses.fields(command):
        if spec.name in exclude:
            continue
        if override and spec.name in override:
            fields[spec.name] = override[spec.name]
            continue
        default: Any = spec.default
        if default is dataclasses.MISSING:
            factory: Any = spec.default_factory
            default = factory() if factory is not dataclasses.MISSING else ...
        if descriptions and spec.name in descriptions:
            default = Field(default, description=descriptions[spec.name])
        fields[spec.name] = (hints[spec.name], default)
    return create_model(name, __base__=In, __doc__=command.__doc__, **fields)


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
    lng: float = Field(description="longitude: GCJ-02 as stored (locate), or in the crs asked for (geocode)")
    lat: float = Field(description="latitude: GCJ-02 as stored (locate), or in the crs asked for (geocode)")
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


class UserCreate(In):
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


class TokenCreate(In):
    name: str = Field(min_length=1, max_length=64)
    days: int | None = Field(None, ge=1, le=3650, description="有效天数；缺省取 GOVGRID_TOKEN_DAYS")


class ActiveIn(In):
    is_active: bool


class TokenIssued(BaseModel):
    token: str
    note: str = "只显示这一次，请妥善保存 / shown once, keep it safe"


class ImportResult(BaseModel):
    counts: dict[str, int]


class CaseIn(In):
    channel: Literal["patrol", "citizen", "phone"] | None = Field(
        None,
        description="人工上报的渠道：patrol（巡查，工作人员缺省）| phone（来电）| citizen（市民，市民只能用它）。"
        "12345、视频等渠道只接收各自连接器的推送（/api/v1/connectors/{id}/events）",
    )
    client_id: UUID | None = Field(
        None, description="客户端为这次上报生成的 UUID：网络重试时带同一个，只生成一件，且只返回给同一上报人"
    )
    class_code: str = Field(max_length=8, description="分类编码，如 E0102 暴露垃圾")
    title: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    lng: float | None = None
    lat: float | None = None
    crs: str = Field("gcj02", description="lng/lat 的坐标系：gcj02 | wgs84 | bd09")
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=64)
    reporter_phone: str = Field("", max_length=32)


class ConnectorReceipt(BaseModel):
    case_id: int
    code: str = Field(description="案件编号")
    status: str
    status_label: str
    is_duplicate: bool = Field(description="true：该编号此前已推送过，返回的是第一次生成的案件")
    follow_secret: str = Field(
        description="查询码：市民凭案件编号和它在公开查询页看办理进度（可随回访告知来电人）"
    )


class CasePublic(BaseModel):
    id: int
    code: str
    loop: str
    status: str
    status_label: str
    version: int
    channel: str
    class_code: str
    class_name: str
    title: str
    description: str
    address: str
    lng: float | None = Field(description="GCJ-02")
    lat: float | None = Field(description="GCJ-02")
    grid_code: str | None
    scope_code: str
    unit_id: int | None
    suggested_unit_code: str | None
    reported_at: datetime
    dispatched_at: datetime | None
    due_at: datetime | None
    due_is_provisional: bool = Field(description="期限按暂定日历计算（当年调休尚未公布）")
    closed_at: datetime | None
    closure_type: str | None
    rework_count: int
    is_overdue: bool
    supervision_level: int
    is_synthetic: bool = Field(False, description="govgrid demo 生成的合成演示数据（不是真实工单）")
    allowed_steps: list[str]
    follow_secret: str | None = Field(
        None, description="查询码（只给上报人看）：凭案件编号和它在公开查询页看办理进度"
    )


class StepIn(In):
    step: Step
    note: str = Field("", max_length=2000, description="工作备注（内部可见，从不公开）")
    public_note: str = Field(
        "", max_length=200, description="公开说明：市民查询页和 Open311 可见，不得含个人信息"
    )
    unit_code: str | None = Field(None, description="派遣时指定责任单位；缺省按权责清单")
    category: str | None = Field(
        None, max_length=16, description="派遣时确认的 12345 一级类别（记为标注样本，供重新训练）"
    )
    expected_version: Version | None = None
    contacted: bool | None = Field(None, description="回访：是否已联系")
    resolved: bool | None = Field(None, description="回访：是否已解决")
    satisfaction: str | None = Field(None, description="回访：satisfied | basically_satisfied | dissatisfied")
    closure_type: str | None = Field(None, description="强制结案：special（特殊，缺省）| error（差错）")


class TransitionPublic(BaseModel):
    id: int
    at: datetime
    actor_name: str
    step: str
    from_status: str | None
    to_status: str
    note: str
    public_note: str
    detail: dict[str, Any]


class ExtensionIn(In):
    until: Moment = Field(description="申请的新期限（带时区，如 2026-12-01T17:30:00+08:00）")
    reason: str = Field(max_length=2000)
    expected_version: Version | None = None


class DecisionIn(In):
    approve: bool
    note: str = Field("", max_length=2000)
    expected_version: Version | None = None


class NoteIn(In):
    note: str = Field(max_length=2000)
    expected_version: Version | None = None


class SimilarPublic(BaseModel):
    case_id: int
    code: str
    title: str
    status: str
    reason: str = Field(description="nearby（同类 50 米内）| text（文字几乎相同）| manual")
    distance_m: float | None
    is_merged: bool


class MergeIn(In):
    into: Id = Field(description="并入的案件 id")


class PhotoPublic(BaseModel):
    id: int
    case_id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime
    phase: str = Field(description="before（处置前）| after（处置后）| check（核查）; empty for older photos")
    url: str


class ReasonIn(In):
    reason: str = Field(max_length=2000)


class ReminderPublic(BaseModel):
    case_id: int
    code: str
    title: str
    step: str
    label: str
    at: datetime
    note: str
