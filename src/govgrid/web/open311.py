"""Open311 GeoReport v2 at /open311/v2/ (JSON and XML), with FixMyStreet's servicerequestupdates.

Mapping: service_code ↔ case class (E0102), group ↔ major class, agency_responsible ↔ responsible unit,
expected_datetime ↔ deadline, status_notes ↔ status in Chinese. lat/long are WGS-84 as the spec says
(converted to and from the stored GCJ-02). Reading needs no api_key: callers without one get the public
view — no description, no address, the location rounded to ~100 m, no cancelled case and none from the
epidemic or police systems, and in the update feed only each step's name and the note staff chose to
publish; with a key, the key owner's data scope applies as everywhere else. Creating needs an api_key and
is rate-limited per key. The key may come as the spec's `api_key` parameter (redacted from access logs)
or, better, as an `X-Api-Key` header."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import and_, select

from govgrid.db.case_models import Case, CaseForward, CaseTransition
from govgrid.db.models import Area, OrgUnit
from govgrid.domain.errors import DomainError, Forbidden, NotAuthenticated, NotFound, TooManyAttempts
from govgrid.domain.history import history_label
from govgrid.domain.moments import in_range
from govgrid.domain.permissions import ANONYMOUS, Actor
from govgrid.domain.workflow import FINAL, Status
from govgrid.geo.crs import Crs
from govgrid.services.cases import intake, queries
from govgrid.services.people import accounts as people
from govgrid.web.deps import NowDep, SessionDep, bearer_secret, count_report, limit_reports
from govgrid.web.open311_format import error, render, request_view, update_view
from govgrid.web.params import MAX_ID


class Open311Error(BaseModel):
    code: int
    description: str


SPEC_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": list[Open311Error], "description": meaning}
    for code, meaning in (
        (400, "参数无效（GeoReport 的错误格式：[{code, description}]）"),
        (403, "api_key 缺失、无效或已过期"),
        (404, "请求或服务不存在"),
        (422, "参数无效"),
        (429, "请求过于频繁：见 Retry-After"),
    )
}
router = APIRouter(prefix="/open311/v2", tags=["open311"], responses=SPEC_ERRORS)
NOTICE = "已受理，处置时限见 expected_datetime"
MAX_DAYS = 90


def _format(fmt: str) -> str:
    return fmt if fmt in ("json", "xml") else "json"


def _key(request: Request, api_key: str | None) -> str:
    return api_key or request.query_params.get("api_key") or bearer_secret(request) or ""


def _caller(request: Request, session: Any, now: datetime, api_key: str | None) -> Actor:
    key = _key(request, api_key)
    if not key:
        return ANONYMOUS
    return people.actor_for(people.user_for_token(session, secret=key, now=now))


def _ids(text: str) -> list[int]:
    """Request ids in a comma list: ASCII digits that fit an id; anything else matches nothing."""
    return [
        int(part)
        for part in (p.strip() for p in text.split(",")[:100])
        if part.isascii() and part.isdigit() and 0 < int(part) <= MAX_ID
    ]


def _service(case_class: Any) -> dict[str, Any]:
    return {
        "service_code": case_class.code,
        "service_name": case_class.name,
        "description": f"立案条件：{case_class.register_condition}；处置时限 {case_class.time_limit:g}"
        f"{case_class.time_unit.value}",
        "metadata": False,
        "type": "realtime",
        "keywords": case_class.major_name,
        "group": case_class.major_name,
    }


@router.get("/services.{fmt}", summary="GeoReport v2: 服务（案件分类）列表")
def services(request: Request, fmt: str) -> Response:
    rows = [_service(c) for c in sorted(request.app.state.case_rules.classes.values(), key=lambda c: c.code)]
    return render(_format(fmt), "services", "service", rows)


@router.get("/services/{code}.{fmt}", summary="GeoReport v2: 服务定义")
def service_definition(request: Request, code: str, fmt: str) -> Response:
    if code not in request.app.state.case_rules.classes:
        return error(_format(fmt), 404, f"service_code {code} 不存在")
    return _definition(fmt, code)


def _definition(fmt: str, code: str) -> Response:
    if _format(fmt) == "json":
        return render("json", "", "", {"service_code": code, "attributes": []})
    import xml.etree.ElementTree as ET

    top = ET.Element("service_definition")
    ET.SubElement(top, "service_code").text = code
    ET.SubElement(top, "attributes")
    return Response(
        b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8"),
        media_type="text/xml; charset=utf-8",
    )


class ServiceRequestForm(BaseModel):
    """The spec's POST fields, all optional text as GeoReport clients send them; checked below, with the
    spec's 400s. Fields the spec allows and govgrid does not use (attribute[…], device_id …) are ignored."""

    api_key: str = ""
    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""


class RequestsQuery(BaseModel):
    """The spec's GET /requests filters."""

    service_request_id: str = ""
    service_code: str = ""
    start_date: str = ""
    end_date: str = ""
    status: str = ""
    api_key: str = ""


@router.post("/requests.{fmt}", summary="GeoReport v2: 创建服务请求（需 api_key）")
def create_request(
    request: Request,
    session: SessionDep,
    now: NowDep,
    fmt: str,
    form: Annotated[ServiceRequestForm, Form()],
) -> Response:
    fmt = _format(fmt)
    api_key = _key(request, form.api_key)
    service_code, lat, long, description = form.service_code, form.lat, form.long, form.description
    address_string, address_id = form.address_string, form.address_id
    if not api_key:
        return error(fmt, 403, "api_key 缺失")
    try:  # the key first (an unknown key costs nothing), then its rate
        actor = _caller(request, session, now, api_key)
        limit_reports(request, session, actor, now)
    except TooManyAttempts as exc:
        answer = error(fmt, 429, exc.message)
        answer.headers["Retry-After"] = str(exc.retry_after)
        return answer
    except DomainError as exc:
        return error(fmt, 403, exc.message)
    if not service_code:
        return error(fmt, 400, "service_code 必填")
    if not ((lat and long) or address_string or address_id):
        return error(fmt, 400, "须提供位置：lat 与 long，或 address_string，或 address_id")
    if len(description) > 4000:
        return error(fmt, 400, f"description 过长（{len(description)} 字，上限 4000）")
    try:
        point = (float(long), float(lat)) if lat and long else (None, None)
        if point[0] is not None and not (math.isfinite(point[0]) and math.isfinite(point[1] or 0.0)):
            raise ValueError("not finite")
        data = intake.Report(
            channel="open311",
            class_code=service_code,
            title=(description or service_code)[:60],
            description=description,
            lng=point[0],
            lat=point[1],
            crs=Crs.WGS84,
            address=address_string or address_id,
            reporter_name=f"{form.last_name}{form.first_name}"[:64],
            reporter_phone=(form.phone or form.email)[:32],
        )
        case, is_new = intake.report(
            session,
            actor=actor,
            rules=request.app.state.case_rules,
            locator=request.app.state.locator_cache,
            data=data,
            now=now,
        )
    except ValueError:
        return error(fmt, 400, f"lat/long 不是数字：lat={lat!r}, long={long!r}")
    except DomainError as exc:
        return error(fmt, _status(exc), f"{exc.field + '：' if exc.field else ''}{exc.message}")
    if is_new:
        count_report(session, actor, now)
    return render(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": str(case.id), "service_notice": NOTICE, "account_id": None}],
    )


def _status(exc: DomainError) -> int:
    """GeoReport knows 400, 403 and 404 only."""
    if isinstance(exc, NotAuthenticated | Forbidden):
        return 403
    return 404 if isinstance(exc, NotFound) else 400


def _parse_date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{name} 须带时区（W3C 格式，如 2026-11-01T00:00:00+08:00）")
    if not in_range(moment):
        raise ValueError(f"{name} 须在 2000–2099 年之间")
    return moment


@router.get("/requests.{fmt}", summary="GeoReport v2: 查询服务请求")
def list_requests(
    request: Request,
    session: SessionDep,
    now: NowDep,
    fmt: str,
    asked: Annotated[RequestsQuery, Query()],
) -> Response:
    fmt = _format(fmt)
    service_request_id, service_code, status = asked.service_request_id, asked.service_code, asked.status
    try:
        start, end = _parse_date(asked.start_date, "start_date"), _parse_date(asked.end_date, "end_date")
    except ValueError as exc:
        return error(fmt, 400, f"日期无效：{exc}")
    end = end or now
    start = start or end - timedelta(days=MAX_DAYS)
    if end - start > timedelta(days=MAX_DAYS):
        return error(fmt, 400, f"start_date 与 end_date 相距不得超过 {MAX_DAYS} 天")
    try:
        actor = _caller(request, session, now, asked.api_key)
    except DomainError as exc:
        return error(fmt, 403, exc.message)
    query = select(Case).where(_visible(request, actor))
    if service_request_id:
        query = query.where(Case.id.in_(_ids(service_request_id)))
    else:
        query = query.where(Case.reported_at >= start, Case.reported_at <= end)
        if service_code:
            query = query.where(Case.class_code.in_(service_code.split(",")[:100]))
        wanted = set(status.split(",")) if status else {"open", "closed"}
        if not wanted <= {"open", "closed"}:
            return error(fmt, 400, "status 须为 open 或 closed（可用逗号分隔）")
        final = [s.value for s in FINAL]
        if wanted == {"closed"}:
            query = query.where(Case.status.in_(final))
        elif wanted == {"open"}:
            query = query.where(Case.status.not_in(final))
    # every filter is in the query, before the cap: the 1,000 newest of what the caller may see and asked for
    found = list(session.scalars(query.order_by(Case.id.desc()).limit(1000)))
    return render(fmt, "service_requests", "request", _views(request, session, found, actor))


@router.get("/requests/{request_id}.{fmt}", summary="GeoReport v2: 单个服务请求")
def get_request(
    request: Request, session: SessionDep, now: NowDep, request_id: str, fmt: str, api_key: str = ""
) -> Response:
    fmt = _format(fmt)
    try:
        actor = _caller(request, session, now, api_key)
    except DomainError as exc:
        return error(fmt, 403, exc.message)
    ids = _ids(request_id)
    case = (
        session.scalar(select(Case).where(Case.id == ids[0], _visible(request, actor)))
        if len(ids) == 1
        else None
    )
    if case is None:
        return error(fmt, 404, f"service_request_id {request_id[:20]} 不存在")
    return render(fmt, "service_requests", "request", _views(request, session, [case], actor))


@router.get("/tokens/{token}.{fmt}", summary="GeoReport v2: 令牌换取请求编号")
def token(
    request: Request, session: SessionDep, now: NowDep, token: str, fmt: str, api_key: str = ""
) -> Response:
    """Requests are created synchronously here: the token is the request id itself — answered only for a
    request the caller may see (so hidden cases cannot be told from missing ones)."""
    fmt = _format(fmt)
    try:
        actor = _caller(request, session, now, api_key)
    except DomainError as exc:
        return error(fmt, 403, exc.message)
    ids = _ids(token)
    if (
        len(ids) != 1
        or session.scalar(select(Case.id).where(Case.id == ids[0], _visible(request, actor))) is None
    ):
        return error(fmt, 404, f"token {token[:20]} 不存在")
    return render(fmt, "tokens", "token", [{"token": token, "service_request_id": token}])


@router.get("/servicerequestupdates.{fmt}", summary="FixMyStreet 扩展：状态更新流")
def updates(
    request: Request,
    session: SessionDep,
    now: NowDep,
    fmt: str,
    start_date: str = "",
    end_date: str = "",
    api_key: str = "",
) -> Response:
    fmt = _format(fmt)
    try:
        start, end = _parse_date(start_date, "start_date"), _parse_date(end_date, "end_date")
        actor = _caller(request, session, now, api_key)
    except ValueError as exc:
        return error(fmt, 400, f"日期无效：{exc}")
    except DomainError as exc:
        return error(fmt, 403, exc.message)
    end = end or now
    start = start or end - timedelta(days=1)
    if end - start > timedelta(days=MAX_DAYS):
        return error(fmt, 400, f"start_date 与 end_date 相距不得超过 {MAX_DAYS} 天")
    rows = session.scalars(
        select(CaseTransition)
        .join(Case, Case.id == CaseTransition.case_id)
        .where(CaseTransition.at >= start, CaseTransition.at <= end, _visible(request, actor))
        .order_by(CaseTransition.id)
        .limit(5000)
    ).all()
    public = actor.is_anonymous or not queries.sees_working_notes(actor)
    return render(
        fmt,
        "service_request_updates",
        "request_update",
        [update_view(r, history_label(r.step), is_public=public) for r in rows],
    )


def _visible(request: Request, actor: Actor) -> Any:
    """The SQL condition for the cases a caller may see: with a key, what the key owner's scope allows;
    without one, every case that is public (not cancelled, not from the epidemic or police systems), each
    complaint once: a city's 12345 order handed to a district shows as the district's case."""
    if not actor.is_anonymous:
        return queries.visible_cases(actor)
    rules = request.app.state.case_rules
    private = [c.channel for c in rules.connectors.values() if not c.is_public]
    forwarded = select(CaseForward.case_id)
    return and_(
        Case.status != Status.CANCELLED.value, Case.channel.not_in(private), Case.id.not_in(forwarded)
    )


def _views(request: Request, session: Any, cases: list[Case], actor: Actor) -> list[dict[str, Any]]:
    """The cases as GeoReport requests; the names of their units and communities read once for all (two
    queries of names, not two loads of a row per case)."""
    unit_ids = {c.unit_id for c in cases if c.unit_id}
    codes = {c.grid_code[:12] for c in cases if c.grid_code}
    units = (
        dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all())
        if unit_ids
        else {}
    )
    places = (
        dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(codes))).all()) if codes else {}
    )
    classes = request.app.state.case_rules.classes
    return [
        request_view(
            case,
            class_name=classes[case.class_code].name if case.class_code in classes else case.class_code,
            unit_name=units.get(case.unit_id) if case.unit_id else None,
            community=places.get(case.grid_code[:12]) if case.grid_code else None,
            is_public=actor.is_anonymous,
            notice=NOTICE,
        )
        for case in cases
    ]
