"""督办台账 files over the API: evidence on a report (佐证材料) up and down, and the Excel round trip — the
export follows the filter on screen, the import is all or nothing with a row-by-row report."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response

from govgrid.domain.errors import InvalidInput
from govgrid.domain.worktime import CHINA
from govgrid.excel.cells import XLSX
from govgrid.services.ledger import evidence as ledger_evidence
from govgrid.services.ledger import export as ledger_export
from govgrid.services.ledger import importing as ledger_import
from govgrid.web.deps import LedgerRulesDep, LoggedInDep, NowDep, SessionDep
from govgrid.web.filters import LedgerFilterDep
from govgrid.web.params import IdPath
from govgrid.web.uploads import evidence_of, read_upload

router = APIRouter(prefix="/ledger", tags=["ledger"])


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


@router.get("/export", summary="导出台账（与页面筛选一致）：format=xlsx 或 csv", response_class=Response)
def export(
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    wanted: LedgerFilterDep,
    format: Annotated[str, Query(max_length=8)] = "xlsx",
) -> Response:
    stamp = quote(f"督办台账-{now.astimezone(CHINA):%Y-%m-%d}")
    if format == "csv":
        data = ledger_export.export_csv(session, actor=actor, wanted=wanted)
        return Response(
            data,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{stamp}.csv"},
        )
    if format != "xlsx":
        raise InvalidInput("format 须为 xlsx 或 csv", field="format")
    data = ledger_export.export_xlsx(session, actor=actor, wanted=wanted, now=now)
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{stamp}.xlsx"},
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
    rules: LedgerRulesDep,
    file: Annotated[UploadFile, File()],
) -> Any:
    limits = request.app.state.sheet_limits
    data = read_upload(file, limits.max_bytes, "file")  # a larger file is refused, never cut
    try:
        result = ledger_import.import_ledger(
            session,
            actor=actor,
            rules=rules,
            data=data,
            filename=file.filename or "ledger.xlsx",
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
