"""督办台账 API: the filtered tree, an item with its history, progress reports with evidence, the ladder by
hand, 销号, and the Excel round trip. Every call goes through the services' permission checks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from govgrid.db.ledger_models import LedgerItem
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LIGHT_LABEL, RUNG_LABEL, Light, Rung, Target
from govgrid.domain.ledger_schedule import Phase
from govgrid.domain.ledger_sheet import KIND_LABELS
from govgrid.services.ledger import closure as ledger_closure
from govgrid.services.ledger import evidence as ledger_evidence
from govgrid.services.ledger import export as ledger_export
from govgrid.services.ledger import importing as ledger_import
from govgrid.services.ledger import items as ledger_service
from govgrid.services.ledger import ladder as ledger_ladder
from govgrid.services.ledger import projects as ledger_projects
from govgrid.services.ledger import views as ledger_views
from govgrid.services.ledger.views import LedgerFilter
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.params import MAX_ID, IdPath, IdQuery, PageQuery
from govgrid.web.schemas import In, Moment
from govgrid.web.uploads import evidence_of, read_upload

router = APIRouter(prefix="/ledger", tags=["ledger"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LedgerItemPublic(BaseModel):
    id: int
    parent_id: int | None
    campaign_id: int | None
    kind: str
    kind_label: str
    number: str
    content: str
    source: str
    lead_unit_id: int | None
    co_unit_ids: list[int]
    leader: str
    officer: str
    deadline_at: datetime | None
    target: str = Field(description="量化指标，如“新开工项目 38个以上”")
    status: str
    progress: float
    light: str
    light_label: str
    rung: str | None
    depth: int = 0
    matched: bool = Field(True, description="false：该行只是其下属匹配项的上级，作为上下文显示")


class LedgerTreePublic(BaseModel):
    items: list[LedgerItemPublic]
    page: int
    page_size: int
    pages: int
    total: int = Field(description="所有页的行数（匹配的事项及其作为上下文显示的上级）")
    campaigns: int
    counts: dict[str, int] = Field(description="匹配事项按预警颜色计数")


AMOUNT = 1e12  # domain.quantity.MAX_AMOUNT: the service checks it too, for pages and imports
Amount = Annotated[float, Field(ge=-AMOUNT, le=AMOUNT)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ProgressCreate(In):
    kind: str = Field("progress", max_length=16)
    value_reached: Amount | None = None
    narrative: str = Field(max_length=4000)
    problems: str = Field("", max_length=4000)
    next_steps: str = Field("", max_length=4000)
    funds_used: Annotated[float, Field(ge=0, le=AMOUNT)] | None = Field(None, description="万元")
    milestone_id: Id | None = None


class LedgerItemCreate(In):
    kind: str = Field(max_length=12)
    content: str = Field(max_length=4000)
    parent_id: Id | None = None
    number: str = Field("", max_length=32)
    source: str = Field("", max_length=24)
    lead_unit_code: str | None = Field(None, max_length=32)
    leader: str = Field("", max_length=64)
    officer: str = Field("", max_length=64)
    deadline_at: Moment | None = None
    consequence: str = Field("", max_length=4000)
    weight: Annotated[float, Field(gt=0, le=AMOUNT)] | None = None
    sla_code: str | None = Field(None, max_length=16)
    target_subject: str = Field("", max_length=200)
    target_unit: str = Field("", max_length=24)
    target_value: Amount | None = None


class RungCreate(In):
    rung: str = Field(
        max_length=16, description="remind | urge | supervise | bulletin | interview | accountability"
    )
    note: str = Field("", max_length=2000)


class ClosureDecision(In):
    approve: bool
    note: str = Field("", max_length=2000)


def target_text(item: LedgerItem) -> str:
    if item.target_value is None:
        return ""
    return f"{item.target_subject} {item.target_value:g}{item.target_unit}{item.target_qualifier}"


def item_public(item: LedgerItem, depth: int = 0, matched: bool = True) -> LedgerItemPublic:
    return LedgerItemPublic(
        id=item.id,
        parent_id=item.parent_id,
        campaign_id=item.campaign_id,
        kind=item.kind,
        kind_label=KIND_LABELS.get(item.kind, item.kind),
        number=item.number,
        content=item.content,
        source=item.source,
        lead_unit_id=item.lead_unit_id,
        co_unit_ids=list(item.co_unit_ids),
        leader=item.leader,
        officer=item.officer,
        deadline_at=item.deadline_at,
        target=target_text(item),
        status=item.status,
        progress=item.progress,
        light=item.light,
        light_label=LIGHT_LABEL[Light(item.light)],
        rung=item.rung,
        depth=depth,
        matched=matched,
    )


def rules(request: Request) -> ledger_service.LedgerRules:
    return request.app.state.ledger_rules  # read and checked at start-up


def parse_filter(
    campaign_id: int | None, unit_id: int | None, light: str | None, leader: str
) -> LedgerFilter:
    return LedgerFilter(campaign_id=campaign_id, unit_id=unit_id, light=light or None, leader=leader.strip())


@router.get(
    "/items",
    response_model=LedgerTreePublic,
    summary="督办台账（树，可按行动、单位、预警颜色、责任领导筛选）",
)
def list_items(
    session: SessionDep,
    actor: LoggedInDep,
    campaign_id: IdQuery = None,
    unit_id: IdQuery = None,
    light: Annotated[str | None, Query(max_length=8)] = None,
    leader: Annotated[str, Query(max_length=64)] = "",
    page: PageQuery = 1,
    page_size: Annotated[int, Query(ge=1, le=ledger_views.MAX_PAGE_SIZE)] = ledger_views.PAGE_SIZE,
) -> LedgerTreePublic:
    found = ledger_views.tree(
        session,
        actor=actor,
        wanted=parse_filter(campaign_id, unit_id, light, leader),
        page=page,
        page_size=page_size,
    )
    return LedgerTreePublic(
        items=[item_public(r.item, r.depth, r.matched) for r in found.rows],
        page=found.page,
        page_size=page_size,
        pages=found.pages,
        total=found.total,
        campaigns=found.campaigns,
        counts=found.counts,
    )


@router.post(
    "/items", response_model=LedgerItemPublic, status_code=201, summary="新增行动、措施、任务或项目（交办）"
)
def add_item(
    body: LedgerItemCreate, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> LedgerItemPublic:
    parent = session.get(LedgerItem, body.parent_id) if body.parent_id else None
    area = parent.area_code if parent else (actor.scope_code or "")
    target = (
        Target(body.target_subject or body.content[:40], body.target_unit, body.target_value)
        if body.target_value is not None
        else None
    )
    data = ledger_service.NewItem(
        kind=body.kind,
        content=body.content,
        area_code=area,
        parent_id=body.parent_id,
        number=body.number,
        source=body.source,
        lead_unit_code=body.lead_unit_code,
        leader=body.leader,
        officer=body.officer,
        deadline_at=body.deadline_at,
        consequence=body.consequence,
        weight=body.weight,
        sla_code=body.sla_code,
        target=target,
    )
    return item_public(
        ledger_service.add_item(session, actor=actor, rules=rules(request), data=data, now=now)
    )


@router.get(
    "/items/{item_id}", response_model=dict[str, Any], summary="督办事项详情：进展、节点、投资、升级记录"
)
def get_item(item_id: IdPath, session: SessionDep, actor: LoggedInDep) -> dict[str, Any]:
    found = ledger_views.detail(session, actor=actor, item_id=item_id)
    return {
        "item": item_public(found.item).model_dump(mode="json"),
        "path": [{"id": p.id, "number": p.number, "content": p.content} for p in found.path],
        "children": [item_public(c).model_dump(mode="json") for c in found.children],
        "reports": [
            {
                "id": r.id,
                "kind": r.kind,
                "reported_at": r.reported_at.isoformat(),
                "reported_by": r.reported_by,
                "value_reached": r.value_reached,
                "narrative": r.narrative,
                "problems": r.problems,
                "next_steps": r.next_steps,
                "funds_used": r.funds_used,
                "evidence": [
                    {"id": e.id, "filename": e.filename, "url": f"/api/v1/ledger/evidence/{e.id}"}
                    for e in found.evidence.get(r.id, [])
                ],
            }
            for r in found.reports
        ],
        "events": [
            {"at": e.at.isoformat(), "actor": e.actor_name, "action": e.action, "note": e.note}
            for e in found.events
        ],
        "milestones": [
            {
                "id": m.id,
                "label": m.label,
                "kind": m.kind,
                "due_at": m.due_at.isoformat(),
                "done_at": m.done_at.isoformat() if m.done_at else None,
            }
            for m in found.milestones
        ],
        "investment": [
            {"month": i.month, "planned": i.planned, "completed": i.completed} for i in found.investment
        ],
    }


@router.post("/items/{item_id}/reports", status_code=201, response_model=LedgerItemPublic, summary="填报进展")
def report(
    item_id: IdPath,
    body: ProgressCreate,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> LedgerItemPublic:
    ledger_service.report_progress(
        session,
        actor=actor,
        rules=rules(request),
        item_id=item_id,
        kind=body.kind,
        value_reached=body.value_reached,
        narrative=body.narrative,
        now=now,
        problems=body.problems,
        next_steps=body.next_steps,
        funds_used=body.funds_used,
        milestone_id=body.milestone_id,
    )
    return item_public(ledger_views.get_item(session, actor=actor, item_id=item_id))


@router.post(
    "/reports/{report_id}/evidence", status_code=201, response_model=dict[str, Any], summary="上传佐证材料"
)
def upload_evidence(
    report_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    checked = evidence_of(request, file)
    if checked is None:
        raise InvalidInput("请选择文件", field="file")
    saved = ledger_evidence.attach_evidence(
        session,
        actor=actor,
        media_dir=request.app.state.media_dir,
        report_id=report_id,
        upload=checked,
        now=now,
    )
    return {
        "id": saved.id,
        "filename": saved.filename,
        "content_type": saved.content_type,
        "size": saved.size,
        "url": f"/api/v1/ledger/evidence/{saved.id}",
    }


@router.get("/evidence/{evidence_id}", summary="下载佐证材料", response_class=FileResponse)
def get_evidence(
    evidence_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep
) -> FileResponse:
    evidence, path = ledger_evidence.evidence_file(
        session, actor=actor, media_dir=request.app.state.media_dir, evidence_id=evidence_id
    )
    return FileResponse(path, media_type=evidence.content_type, filename=evidence.filename)


@router.post("/items/{item_id}/rungs", response_model=LedgerItemPublic, summary="升级督办（提醒…约谈、问责）")
def take_rung(
    item_id: IdPath, body: RungCreate, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> LedgerItemPublic:
    try:
        rung = Rung(body.rung)
    except ValueError:
        raise InvalidInput(
            f"督办级别须为 {'、'.join(r.value for r in RUNG_LABEL)} 之一", field="rung"
        ) from None
    return item_public(
        ledger_ladder.take_rung(session, actor=actor, item_id=item_id, rung=rung, note=body.note, now=now)
    )


@router.post("/items/{item_id}/closure", response_model=LedgerItemPublic, summary="申请销号")
def apply_closure(
    item_id: IdPath, session: SessionDep, actor: LoggedInDep, now: NowDep, note: str = ""
) -> LedgerItemPublic:
    return item_public(
        ledger_closure.apply_for_closure(session, actor=actor, item_id=item_id, note=note, now=now)
    )


@router.post("/items/{item_id}/closure/decision", response_model=LedgerItemPublic, summary="审核销号")
def decide_closure(
    item_id: IdPath,
    body: ClosureDecision,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> LedgerItemPublic:
    return item_public(
        ledger_closure.decide_closure(
            session,
            actor=actor,
            rules=rules(request),
            item_id=item_id,
            approve=body.approve,
            note=body.note,
            now=now,
        )
    )


@router.get("/export", summary="导出台账（与页面筛选一致）：format=xlsx 或 csv", response_class=Response)
def export(
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    campaign_id: IdQuery = None,
    unit_id: IdQuery = None,
    light: Annotated[str | None, Query(max_length=8)] = None,
    leader: Annotated[str, Query(max_length=64)] = "",
    format: Annotated[str, Query(max_length=8)] = "xlsx",
) -> Response:
    wanted = parse_filter(campaign_id, unit_id, light, leader)
    stamp = now.strftime("%Y%m%d")
    if format == "csv":
        data = ledger_export.export_csv(session, actor=actor, wanted=wanted)
        return Response(
            data,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''ledger-{stamp}.csv"},
        )
    if format != "xlsx":
        raise InvalidInput("format 须为 xlsx 或 csv", field="format")
    data = ledger_export.export_xlsx(session, actor=actor, wanted=wanted, now=now)
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''ledger-{stamp}.xlsx"},
    )


@router.post(
    "/import",
    status_code=201,
    response_model=dict[str, Any],
    summary="导入台账（.xlsx/.csv，全部通过才写入）",
)
def import_ledger(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
) -> Any:
    limits = request.app.state.sheet_limits
    data = read_upload(file, limits.max_bytes, "file")  # a larger file is refused, never cut
    try:
        result = ledger_import.import_ledger(
            session,
            actor=actor,
            rules=rules(request),
            data=data,
            filename=file.filename or "ledger.xlsx",
            area_code=ledger_views.home_area(session, actor),
            now=now,
            limits=limits,
        )
    except ledger_import.LedgerRejected as exc:
        return JSONResponse(
            status_code=422,
            content={
                "error": {
                    "code": "invalid_input",
                    "message": exc.message,
                    "field": "file",
                    "total": exc.total,
                    "rows": [e.__dict__ for e in exc.errors],
                }
            },
        )
    return result.__dict__


class MilestoneCreate(In):
    label: str = Field(max_length=200)
    due_at: Moment
    kind: str = Field("step", description="step（节点）| start（开工）| finish（竣工）")


class PhaseIn(In):
    label: str = Field(max_length=200)
    workdays: int = Field(ge=1, le=3650)
    kind: str = Field("step", max_length=12)


class ScheduleCreate(In):
    phases: list[PhaseIn] = Field(
        max_length=50, description="从前到后的各阶段；最后一段止于完成时限（倒排工期）"
    )


class InvestmentPlan(In):
    planned: dict[Annotated[str, Field(max_length=10)], Annotated[float, Field(ge=0, le=AMOUNT)]] = Field(
        max_length=240, description="月份（YYYY-MM）→ 计划投资（万元）"
    )
    ambassador: str | None = Field(None, max_length=64)


@router.post(
    "/items/{item_id}/milestones", status_code=201, response_model=dict[str, Any], summary="新增时间节点"
)
def add_milestone(
    item_id: IdPath,
    body: MilestoneCreate,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> dict[str, Any]:
    milestone = ledger_projects.add_milestone(
        session,
        actor=actor,
        rules=rules(request),
        item_id=item_id,
        label=body.label,
        due_at=body.due_at,
        kind=body.kind,
        now=now,
    )
    return {
        "id": milestone.id,
        "label": milestone.label,
        "kind": milestone.kind,
        "due_at": milestone.due_at.isoformat(),
    }


@router.post(
    "/items/{item_id}/schedule", status_code=201, response_model=list[dict[str, Any]], summary="倒排工期"
)
def schedule(
    item_id: IdPath,
    body: ScheduleCreate,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> list[dict[str, Any]]:
    phases = [Phase(p.label, p.workdays, p.kind) for p in body.phases]
    made = ledger_projects.schedule_backwards(
        session, actor=actor, rules=rules(request), item_id=item_id, phases=phases, now=now
    )
    return [{"id": m.id, "label": m.label, "kind": m.kind, "due_at": m.due_at.isoformat()} for m in made]


@router.put(
    "/items/{item_id}/investment", response_model=list[dict[str, Any]], summary="重点项目投资计划（按月）"
)
def plan_investment(
    item_id: IdPath, body: InvestmentPlan, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> list[dict[str, Any]]:
    rows = ledger_projects.plan_investment(
        session, actor=actor, item_id=item_id, planned=body.planned, now=now, ambassador=body.ambassador
    )
    return [{"month": r.month, "planned": r.planned, "completed": r.completed} for r in rows]
