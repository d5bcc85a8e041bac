"""督办台账 API: the filtered tree, an item with its history, 交办, progress reports, the ladder by hand and
销号. Every call goes through the one service of its rule; the request bodies are the domain's commands
(domain.ledger_items), so the API takes exactly what the pages and the import do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from govgrid.db.ledger_models import LedgerItem
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LIGHT_LABEL, RUNG_LABEL, Light, Rung
from govgrid.domain.ledger_items import NewItem, NewReport
from govgrid.domain.ledger_states import KIND_LABEL, STEP_LABEL, ClosureStep, ItemKind
from govgrid.services.ledger import closure as ledger_closure
from govgrid.services.ledger import instructions as ledger_instructions
from govgrid.services.ledger import items as ledger_items
from govgrid.services.ledger import ladder as ledger_ladder
from govgrid.services.ledger import reports as ledger_reports
from govgrid.services.ledger import views as ledger_views
from govgrid.services.ledger.views import target_text
from govgrid.web.deps import LedgerRulesDep, LoggedInDep, NowDep, SessionDep
from govgrid.web.filters import LedgerFilterDep
from govgrid.web.paging import Page, PagingDep
from govgrid.web.params import IdPath
from govgrid.web.schemas import In, Moment, NoteIn, Version, body_of

router = APIRouter(prefix="/ledger", tags=["ledger"])


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
    version: int
    depth: int = 0
    matched: bool = Field(True, description="false：该行只是其下属匹配项的上级，作为上下文显示")


class LedgerTreePublic(Page[LedgerItemPublic]):
    total: int = Field(description="所有页的行数（匹配的事项及其作为上下文显示的上级）")
    campaigns: int
    counts: dict[str, int] = Field(description="匹配事项按预警颜色计数")


LedgerItemCreate = body_of(
    NewItem,
    "LedgerItemCreate",
    override={
        "assigned_at": (Moment | None, None),
        "deadline_at": (Moment | None, Field(None, description="留空：沿用上级事项的完成时限")),
    },
    descriptions={
        "parent_id": "上级事项；留空即新建行动（台账）",
        "lead_unit_code": "牵头单位编码",
        "co_unit_codes": "配合单位编码",
        "sla_code": "回应规则（如 3-7：三天有回音、七天有阶段性成果）；留空沿用上级",
        "source": "事项来源；留空沿用上级",
    },
)
ProgressCreate = body_of(NewReport, "ProgressCreate")


class RungCreate(In):
    rung: str = Field(
        max_length=16, description="remind | urge | supervise | bulletin | interview | accountability"
    )
    note: str = Field("", max_length=2000)


class ClosureStepIn(In):
    step: ClosureStep = Field(
        description="apply（申请销号）| approve（批准）| refuse（退回）| reopen（重新打开）"
    )
    note: str = Field("", max_length=2000, description="申请销号须说明完成情况；重新打开须说明原因")
    expected_version: Version | None = None


def item_public(item: LedgerItem, depth: int = 0, matched: bool = True) -> LedgerItemPublic:
    return LedgerItemPublic(
        id=item.id,
        parent_id=item.parent_id,
        campaign_id=item.campaign_id,
        kind=item.kind,
        kind_label=KIND_LABEL[ItemKind(item.kind)],
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
        version=item.version,
        depth=depth,
        matched=matched,
    )


@router.get(
    "/items",
    response_model=LedgerTreePublic,
    summary="督办台账（树，可按行动、单位、预警颜色、责任领导筛选）",
)
def list_items(
    session: SessionDep,
    actor: LoggedInDep,
    paging: PagingDep,
    wanted: LedgerFilterDep,
) -> LedgerTreePublic:
    found = ledger_views.tree(session, actor=actor, wanted=wanted, paging=paging)
    return LedgerTreePublic(
        items=[item_public(r.item, r.depth, r.matched) for r in found.rows],
        page=found.page,
        page_size=found.page_size,
        pages=found.pages,
        total=found.total,
        campaigns=found.campaigns,
        counts=found.counts,
    )


@router.post(
    "/items", response_model=LedgerItemPublic, status_code=201, summary="交办：新增行动、措施、任务或项目"
)
def add_item(
    body: LedgerItemCreate,  # type: ignore[valid-type]
    rules: LedgerRulesDep,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> LedgerItemPublic:
    data = NewItem(**body.model_dump())  # type: ignore[attr-defined]
    return item_public(ledger_items.assign(session, actor=actor, rules=rules, data=data, now=now))


@router.get(
    "/items/{item_id}", response_model=dict[str, Any], summary="督办事项详情：进展、节点、投资、升级记录"
)
def get_item(item_id: IdPath, session: SessionDep, actor: LoggedInDep) -> dict[str, Any]:
    found = ledger_views.detail(session, actor=actor, item_id=item_id)
    return {
        "item": item_public(found.item).model_dump(mode="json"),
        "path": [{"id": p.id, "number": p.number, "content": p.content} for p in found.path],
        "children": [item_public(c).model_dump(mode="json") for c in found.children],
        "reports": [_report(r, found.evidence.get(r.id, [])) for r in found.reports],
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


def _report(r: Any, evidence: list[Any]) -> dict[str, Any]:
    return {
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
            {"id": e.id, "filename": e.filename, "url": f"/api/v1/ledger/evidence/{e.id}"} for e in evidence
        ],
    }


@router.post("/items/{item_id}/reports", status_code=201, response_model=LedgerItemPublic, summary="填报进展")
def report(
    item_id: IdPath,
    body: ProgressCreate,  # type: ignore[valid-type]
    rules: LedgerRulesDep,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> LedgerItemPublic:
    data = NewReport(**body.model_dump())  # type: ignore[attr-defined]
    ledger_reports.report_progress(session, actor=actor, rules=rules, item_id=item_id, data=data, now=now)
    return item_public(ledger_views.get_item(session, actor=actor, item_id=item_id))


@router.post("/items/{item_id}/instruction", response_model=LedgerItemPublic, summary="领导批示")
def instruct(
    item_id: IdPath, body: NoteIn, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> LedgerItemPublic:
    return item_public(
        ledger_instructions.instruct(session, actor=actor, item_id=item_id, note=body.note, now=now)
    )


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


@router.post(
    "/items/{item_id}/closure",
    response_model=LedgerItemPublic,
    summary="销号：" + "、".join(f"{s.value}（{STEP_LABEL[s]}）" for s in ClosureStep),
)
def closure(
    item_id: IdPath,
    body: ClosureStepIn,
    rules: LedgerRulesDep,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
) -> LedgerItemPublic:
    return item_public(
        ledger_closure.take_closure_step(
            session,
            actor=actor,
            rules=rules,
            item_id=item_id,
            step=body.step,
            note=body.note,
            now=now,
            expected_version=body.expected_version,
        )
    )
