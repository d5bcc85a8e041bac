"""Work orders: report, list in scope, detail with the suggested unit, timeline, take a step."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Path, Query, Request, Response

from govgrid.db.case_models import Case
from govgrid.domain.errors import InvalidInput, NotAuthenticated
from govgrid.domain.follow import shown
from govgrid.domain.history import history_label
from govgrid.domain.permissions import Actor
from govgrid.domain.sources import channel_labels, person_channel
from govgrid.domain.workflow import STATUS_LABEL, Loop, Status, allowed_steps
from govgrid.domain.worktime import CHINA
from govgrid.excel.cells import XLSX
from govgrid.geo.crs import parse_crs, parse_near
from govgrid.services.cases import (
    connector_keys,
    connector_log,
    connectors,
    intake,
    queries,
    reminders,
    steps,
)
from govgrid.services.cases import export as case_export
from govgrid.services.cases import side_actions as case_actions
from govgrid.services.cases import similar as similar_cases
from govgrid.web.deps import (
    LoggedInDep,
    NowDep,
    ReadSessionDep,
    SessionDep,
    bearer_secret,
    count_report,
    limit_reports,
)
from govgrid.web.filters import CaseFilterDep
from govgrid.web.paging import Page, PagingDep, page_body
from govgrid.web.params import IdPath
from govgrid.web.schemas import (
    CaseIn,
    CasePublic,
    ConnectorReceipt,
    DecisionIn,
    ExtensionIn,
    MergeIn,
    NoteIn,
    ReasonIn,
    ReminderPublic,
    SimilarPublic,
    StepIn,
    TransitionPublic,
)

router = APIRouter(prefix="/cases", tags=["cases"])
connectors_router = APIRouter(prefix="/connectors", tags=["connectors"])
reminders_router = APIRouter(prefix="/reminders", tags=["cases"])


def public(case: Case, request: Request, actor: Actor) -> CasePublic:
    """The case as the API shows it; its 查询码 only to the person who reported it."""
    rules = request.app.state.case_rules
    case_class = rules.classes.get(case.class_code)
    try:
        suggestion = steps.suggested_unit(rules, case) if case.unit_id is None else None
    except InvalidInput:
        suggestion = None
    return CasePublic.model_validate(
        {
            **{c: getattr(case, c) for c in CasePublic.model_fields if hasattr(case, c)},
            "status_label": STATUS_LABEL[Status(case.status)],
            "class_name": case_class.name if case_class else "",
            "allowed_steps": [s.value for s in allowed_steps(Loop(case.loop), Status(case.status))],
            "suggested_unit_code": suggestion,
            "follow_secret": shown(case.follow_secret)
            if actor.user_id is not None and actor.user_id == case.reporter_id
            else None,
        }
    )


@router.post(
    "",
    response_model=CasePublic,
    status_code=201,
    summary="上报案件（带 client_id 重试只生成一件，且只返回给同一上报人）",
)
def report_case(
    body: CaseIn, request: Request, response: Response, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    limit_reports(request, session, actor, now)
    fields = body.model_dump(exclude={"crs", "client_id", "channel"})
    data = intake.Report(
        **fields,
        channel=person_channel(actor, body.channel),
        crs=parse_crs(body.crs),
        external_id=str(body.client_id) if body.client_id else None,
    )
    case, is_new = intake.report(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        locator=request.app.state.locator_cache,
        data=data,
        now=now,
    )
    if is_new:
        count_report(session, actor, now)
    else:
        response.status_code = 200
    return public(case, request, actor)


@router.get(
    "",
    response_model=Page[CasePublic],
    summary="案件列表（按数据范围、责任单位或本人上报；分页，最新在前或按距离）",
)
def list_cases(
    request: Request,
    session: ReadSessionDep,
    actor: LoggedInDep,
    paging: PagingDep,
    wanted: CaseFilterDep,
    near: Annotated[str, Query(max_length=64, description="经度,纬度：按距离排序")] = "",
    crs: Annotated[str, Query(max_length=8)] = "gcj02",
) -> Any:
    found = queries.list_cases(
        session,
        actor=actor,
        wanted=wanted,
        paging=paging,
        near=parse_near(near, crs),
        rules=request.app.state.case_rules,
    )
    return page_body(found, lambda case: public(case, request, actor))


@router.get(
    "/export",
    summary="导出案件列表（与列表筛选一致）：format=xlsx 或 csv，最多 5 万件",
    response_class=Response,
)
def export_cases(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    wanted: CaseFilterDep,
    format: Annotated[str, Query(max_length=8)] = "xlsx",
) -> Response:
    if format not in ("xlsx", "csv"):
        raise InvalidInput("format 须为 xlsx 或 csv", field="format")
    rules = request.app.state.case_rules
    channels = channel_labels(rules)
    rows = case_export.case_rows(session, actor=actor, rules=rules, wanted=wanted, channels=channels)
    name = quote(f"案件-{now.astimezone(CHINA):%Y-%m-%d}.{format}")
    data, media = (
        (case_export.to_csv(rows), "text/csv; charset=utf-8")
        if format == "csv"
        else (case_export.to_xlsx(rows), XLSX)
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    )


@router.get("/{case_id}", response_model=CasePublic, summary="案件详情")
def get_case(case_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep) -> CasePublic:
    return public(queries.get_case(session, actor=actor, case_id=case_id), request, actor)


@router.get("/{case_id}/timeline", response_model=list[TransitionPublic], summary="案件流转记录")
def case_timeline(case_id: IdPath, session: SessionDep, actor: LoggedInDep) -> Any:
    return queries.timeline(session, actor=actor, case_id=case_id)


@router.post(
    "/{case_id}/steps", response_model=CasePublic, summary="办理一步（核实、立案、派遣、签收、反馈、核查……）"
)
def take_step(
    case_id: IdPath, body: StepIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    case = steps.transition(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        step=body.step,
        now=now,
        note=body.note,
        unit_code=body.unit_code,
        expected_version=body.expected_version,
        answers={"contacted": body.contacted, "resolved": body.resolved, "satisfaction": body.satisfaction},
        closure_type=body.closure_type,
        public_note=body.public_note,
        category=body.category,
        suggester=request.app.state.suggester,
    )
    return public(case, request, actor)


@router.post(
    "/{case_id}/extension", response_model=CasePublic, summary="申请延期（办理单位，须在期限前并说明理由）"
)
def request_extension(
    case_id: IdPath, body: ExtensionIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    case = case_actions.request_extension(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        until=body.until,
        reason=body.reason,
        now=now,
        expected_version=body.expected_version,
    )
    return public(case, request, actor)


@router.post("/{case_id}/extension/decision", response_model=CasePublic, summary="审批延期（指挥中心）")
def decide_extension(
    case_id: IdPath, body: DecisionIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    case = case_actions.decide_extension(
        session,
        actor=actor,
        case_id=case_id,
        approve=body.approve,
        note=body.note,
        now=now,
        expected_version=body.expected_version,
    )
    return public(case, request, actor)


@router.post("/{case_id}/supervision", response_model=CasePublic, summary="督查督办（督查人员）")
def supervise(
    case_id: IdPath, body: NoteIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    case = case_actions.supervise_by_hand(
        session, actor=actor, case_id=case_id, note=body.note, now=now, expected_version=body.expected_version
    )
    return public(case, request, actor)


@router.post(
    "/{case_id}/instruction", response_model=CasePublic, summary="领导批示（记入时间线并提醒办理单位）"
)
def instruct(
    case_id: IdPath, body: NoteIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    case = case_actions.instruct(session, actor=actor, case_id=case_id, note=body.note, now=now)
    return public(case, request, actor)


@router.get(
    "/{case_id}/similar",
    response_model=list[SimilarPublic],
    summary="相似案件（50 米、24 小时内同类，或文字几乎相同）",
)
def similar(case_id: IdPath, session: SessionDep, actor: LoggedInDep) -> list[SimilarPublic]:
    return [
        SimilarPublic(
            case_id=other.id,
            code=other.code,
            title=other.title,
            status=other.status,
            reason=link.reason,
            distance_m=link.distance_m,
            is_merged=link.is_merged,
        )
        for link, other in similar_cases.visible_similar(session, actor=actor, case_id=case_id)
    ]


@router.post("/{case_id}/merge", response_model=CasePublic, summary="并案：把本案并入另一案（本案作废）")
def merge(
    case_id: IdPath, body: MergeIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    case = similar_cases.merge_into(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        into_case_id=body.into,
        now=now,
    )
    return public(case, request, actor)


@connectors_router.post(
    "/{connector_id}/events",
    response_model=ConnectorReceipt,
    status_code=201,
    summary="外部系统推送（12345、视频、上级交办、疫情防控、公安排查）：以连接器密钥认证，按该系统的编号去重",
)
def connector_event(
    connector_id: Annotated[str, Path(max_length=32)],
    payload: Annotated[dict[str, Any], Body()],
    request: Request,
    response: Response,
    session: SessionDep,
    now: NowDep,
) -> ConnectorReceipt:
    connectors.known(request.app.state.case_rules, connector_id)
    secret = bearer_secret(request)
    if not secret:
        raise NotAuthenticated("外部系统推送须带连接器密钥（Authorization: Bearer ggc_…）")
    actor = connector_keys.actor_for_key(
        session,
        secret=secret,
        connector_id=connector_id,
        now=now,
        per_minute=request.app.state.settings.connector_posts_per_minute,
    )
    case, is_new = connector_log.take(  # kept in the linked systems' log, taken or refused
        session,
        actor=actor,
        connector_id=connector_id,
        payload=payload,
        rules=request.app.state.case_rules,
        locator=request.app.state.locator_cache,
        now=now,
    )
    if not is_new:
        response.status_code = 200
    return ConnectorReceipt(
        case_id=case.id,
        code=case.code,
        status=case.status,
        status_label=STATUS_LABEL[Status(case.status)],
        is_duplicate=not is_new,
        follow_secret=shown(case.follow_secret),
    )


@router.post(
    "/{case_id}/appeal", response_model=CasePublic, summary="申诉剔单（办理单位，已考评的 12345 工单）"
)
def request_appeal(
    case_id: IdPath, body: ReasonIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    return public(
        case_actions.request_appeal(session, actor=actor, case_id=case_id, reason=body.reason, now=now),
        request,
        actor,
    )


@router.post("/{case_id}/appeal/decision", response_model=CasePublic, summary="审核申诉（督查；通过即剔单）")
def decide_appeal(
    case_id: IdPath, body: DecisionIn, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> CasePublic:
    case = case_actions.decide_appeal(
        session,
        actor=actor,
        rules=request.app.state.case_rules,
        case_id=case_id,
        approve=body.approve,
        note=body.note,
        now=now,
    )
    return public(case, request, actor)


@reminders_router.get(
    "", response_model=Page[ReminderPublic], summary="我的提醒：预警、超期、催办、督办、派遣、返工、审批结果"
)
def my_reminders(session: SessionDep, actor: LoggedInDep, paging: PagingDep) -> Any:
    return page_body(
        reminders.reminders(session, actor=actor, paging=paging),
        lambda found: ReminderPublic(
            case_id=found[1].id,
            code=found[1].code,
            title=found[1].title,
            step=found[0].step,
            label=history_label(found[0].step),
            at=found[0].at,
            note=found[0].note,
        ),
    )
