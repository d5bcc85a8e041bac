"""报表准入: a department proposes a new form (its sheet); each column is checked against the registry
(domain.forms.FormCatalog.admission) — a registered datum is taken from the register, never asked again —
and the proposal is compared with the forms that exist. The 准入 office approves it, and it may then be sent
down like a shipped form, or refuses it with a reason; refusals for duplicating registered data are
counted. Every step is a form_event (services.forms.events)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormRequest
from govgrid.db.models import OrgUnit
from govgrid.domain import sources
from govgrid.domain.errors import Conflict, InvalidInput, NotFound
from govgrid.domain.forms import (
    FieldSpec,
    FieldType,
    FormCatalog,
    Frequency,
    RowRule,
    Template,
    find_header,
    normal_header,
    row_kind,
)
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach
from govgrid.domain.worktime import CHINA
from govgrid.services.forms import events
from govgrid.uploads.limits import SheetLimits
from govgrid.uploads.sheets import read_csv, read_xlsx

MAX_COLUMNS = 60
MAX_HEADER = 40
REQUEST_PREFIX = "req"  # an approved request's template code: req12


@dataclass(frozen=True)
class Overlap:
    template: str  # the existing form's name
    shared: int  # registered columns both ask
    share: float  # of the proposal's registered columns


def may_request(actor: Actor) -> None:
    """A department may propose a form (checked before its upload is read)."""
    authorize(actor, Action.ISSUE_FORMS, unit_id=actor.unit_id)


def headers_of(data: bytes, filename: str) -> list[object]:
    """The header row of a proposed sheet (.xlsx or .csv, bounded; under any title rows)."""
    limits = SheetLimits()
    if filename.lower().endswith(".csv"):
        rows = read_csv(data, limits, filename).rows
    else:
        found = read_xlsx(data, limits)
        if not found:
            raise InvalidInput(f"{filename[:60]} 没有工作表", field="file")
        rows = found[0].rows
    headers = find_header(rows)
    if not any(normal_header(h) for h in headers):
        raise InvalidInput(f"{filename[:60]} 的前 10 行中没有表头", field="file")
    return headers


def request_form(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    name: str,
    frequency: str,
    basis: str,
    headers: list[object],
    now: datetime,
    client_id: str | None = None,
) -> FormRequest:
    """A department's proposal, its columns matched to the registry. A retry returns the first."""
    authorize(actor, Action.ISSUE_FORMS, unit_id=actor.unit_id)
    if actor.unit_id is None:
        raise InvalidInput("申请新报表须以部门身份（本账号未关联单位）", field="unit")
    name, basis = name.strip(), basis.strip()
    if not 2 <= len(name) <= 64:
        raise InvalidInput("报表名称须为 2–64 个字", field="name")
    if frequency not in {f.value for f in Frequency}:
        raise InvalidInput(f"填报频次“{frequency[:12]}”须为 每日/每周/一次性", field="frequency")
    found = catalog.admission(headers)
    total = len(found.registered) + len(found.new)
    if not total or total > MAX_COLUMNS:
        raise InvalidInput(f"报表须有 1–{MAX_COLUMNS} 列（不含序号）", field="file")
    long = [h for h in found.new if len(h) > MAX_HEADER]
    if long:
        raise InvalidInput(f"列名“{long[0][:MAX_HEADER]}…”超过 {MAX_HEADER} 个字", field="file")
    retry = sources.client_id(client_id)
    if retry is not None:
        earlier = session.scalar(
            select(FormRequest).where(
                FormRequest.requested_by == actor.user_id, FormRequest.client_id == retry
            )
        )
        if earlier is not None:
            return earlier
    registered = dict(found.registered)
    columns = [
        {"header": str(h).strip(), "field": registered.get(str(h).strip(), "")}
        for h in headers
        if normal_header(h) and str(h).strip() in (*registered, *found.new)
    ]
    request = FormRequest(
        district_code=(actor.scope_code or "000000")[:6],
        unit_id=actor.unit_id,
        name=name,
        frequency=frequency,
        basis=basis[:200],
        columns=columns,
        status="pending",
        reason="",
        refusal="",
        requested_by=actor.user_id,
        requested_at=now,
        client_id=retry,
    )
    session.add(request)
    session.flush()
    detail = {"registered": len(found.registered), "new": len(found.new)}
    events.record_request(session, request, actor, now, "request", detail)
    session.commit()
    return request


def decide(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    request_id: int,
    approve: bool,
    refusal: str,
    reason: str,
    now: datetime,
) -> FormRequest:
    """Approve (the form may be sent down) or refuse with a kind and a reason; once."""
    request = _request(session, actor, request_id)
    authorize(actor, Action.APPROVE_FORMS, area_code=request.district_code)
    if request.status != "pending":
        raise Conflict(f"报表“{request.name}”已审核（{request.status}）", field="status")
    reason = reason.strip()
    if not approve and (refusal not in catalog.refusals or not reason):
        raise InvalidInput(f"退回须选择原因（{'、'.join(catalog.refusals.values())}）并说明", field="reason")
    request.status = "approved" if approve else "refused"
    request.refusal = "" if approve else refusal
    request.reason = reason[:200]
    request.decided_by, request.decided_at = actor.user_id, now
    detail = {"refusal": request.refusal} if not approve else {}
    events.record_request(session, request, actor, now, "approve" if approve else "refuse", detail)
    session.commit()
    return request


def view(session: Session, *, actor: Actor, catalog: FormCatalog, request_id: int) -> dict[str, Any]:
    """A request with its check: each column registered (the field it reuses) or new, and the existing
    forms it overlaps."""
    request = _request(session, actor, request_id)
    unit = session.get(OrgUnit, request.unit_id)
    return {
        "request": request,
        "unit_name": unit.name if unit else "",
        "columns": [
            (c["header"], catalog.registry.get(c["field"]) if c["field"] else None) for c in request.columns
        ],
        "registered": sum(1 for c in request.columns if c["field"]),
        "overlaps": overlaps(with_approved(session, catalog), request),
        "may_decide": reach(actor, Action.APPROVE_FORMS) is not Reach.NONE and request.status == "pending",
    }


def overlaps(catalog: FormCatalog, request: FormRequest) -> list[Overlap]:
    """The existing forms that already ask most of the proposal's registered columns, flagged from the
    catalogue's overlap_warning share."""
    wanted = {c["field"] for c in request.columns if c["field"]}
    out = []
    for template in catalog.templates.values():
        if template.code == f"{REQUEST_PREFIX}{request.id}" or not wanted:
            continue
        shared = len(wanted & set(template.fields))
        if shared and shared / len(wanted) >= catalog.overlap_warning:
            out.append(Overlap(template.name, shared, shared / len(wanted)))
    return sorted(out, key=lambda o: -o.share)


def list_requests(session: Session, *, actor: Actor, limit: int = 200) -> list[tuple[FormRequest, str]]:
    """The requests the caller may see, newest first: a department its own, the 准入 office all."""
    query = select(FormRequest, OrgUnit.name).join(OrgUnit, OrgUnit.id == FormRequest.unit_id)
    if reach(actor, Action.APPROVE_FORMS) is Reach.NONE:
        authorize(actor, Action.ISSUE_FORMS, unit_id=actor.unit_id)
        query = query.where(FormRequest.unit_id == (actor.unit_id or -1))
    elif reach(actor, Action.APPROVE_FORMS) is not Reach.ALL:
        query = query.where(FormRequest.district_code == (actor.scope_code or "-")[:6])
    rows = session.execute(query.order_by(FormRequest.id.desc()).limit(limit))
    return [(r, name) for r, name in rows]


def monthly(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """Per month: proposals, approved, refused, and refused for duplicating registered data."""
    months: dict[str, dict[str, Any]] = {}
    for request, _ in list_requests(session, actor=actor, limit=5000):
        month = request.requested_at.astimezone(CHINA).strftime("%Y-%m")
        item = months.setdefault(
            month, {"month": month, "requested": 0, "approved": 0, "refused": 0, "duplicate": 0}
        )
        item["requested"] += 1
        item[request.status] = item.get(request.status, 0) + 1
        item["duplicate"] += request.refusal == "duplicate"
    return sorted(months.values(), key=lambda m: m["month"], reverse=True)


def with_approved(session: Session, catalog: FormCatalog) -> FormCatalog:
    """The catalogue with every approved request as a template (its registered columns from the register,
    its new ones as the form's own text fields; rows are added by hand)."""
    approved = session.execute(
        select(FormRequest, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == FormRequest.unit_id)
        .where(FormRequest.status == "approved")
        .order_by(FormRequest.id)
    )
    templates = dict(catalog.templates)
    for request, unit_name in approved:
        fields = tuple(dict.fromkeys(c["field"] for c in request.columns if c["field"] in catalog.registry))
        local = tuple(
            FieldSpec(code=_local_code(n), name=c["header"], type=FieldType.TEXT, max_length=200)
            for n, c in enumerate(c for c in request.columns if not c["field"])
        )
        kind = row_kind(fields)
        code = f"{REQUEST_PREFIX}{request.id}"
        templates[code] = Template(
            code, request.name, unit_name, Frequency(request.frequency), fields, local, RowRule(kind)
        )
    return replace(catalog, templates=templates)


def _local_code(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(97 + rest) + letters
    return f"own_{letters}"


def _request(session: Session, actor: Actor, request_id: int) -> FormRequest:
    request = session.get(FormRequest, request_id)
    if request is None:
        raise NotFound(f"报表申请 {request_id} 不存在")
    if reach(actor, Action.APPROVE_FORMS) is not Reach.NONE:
        authorize(actor, Action.APPROVE_FORMS, area_code=request.district_code)
    else:
        authorize(actor, Action.ISSUE_FORMS, unit_id=request.unit_id)
    return request
