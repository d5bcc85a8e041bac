"""历史案件导入 for administrators: upload a sheet from the old system, follow the import's progress, and see
every bad row or what was added. The import runs as a job off the request (web.jobs); its rules are the
service's (services.cases.history_import), the same as `govgrid cases import`."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from govgrid.domain.errors import NotFound
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.excel.case_sheet import CASES
from govgrid.services.cases import history_import
from govgrid.uploads.limits import MB
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.jobs import Job, JobState
from govgrid.web.pages.render import page
from govgrid.web.uploads import read_upload

router = APIRouter()
KIND = "case_import"


def _page(
    request: Request, session: Session, actor: Actor, *, status_code: int = 200, **extra: object
) -> Response:
    context = {
        "columns": CASES.columns,
        "past": history_import.recent_imports(session, actor=actor),
        "max_mb": request.app.state.settings.max_import_mb,
        "error": None,
        "form": {"source": history_import.DEFAULT_SOURCE},
        **extra,
    }
    return page(request, "case_import.html", actor, status_code=status_code, **context)


@router.get("/case-import", response_class=HTMLResponse)
def import_page(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    authorize(actor, Action.IMPORT_CASES, area_code=actor.scope_code)
    return _page(request, session, actor)


@router.post("/case-import")
def start_import(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form(max_length=32)] = history_import.DEFAULT_SOURCE,
) -> Response:
    """Read the upload (bounded), then import it on a job; the page that follows shows its progress."""
    authorize(actor, Action.IMPORT_CASES, area_code=actor.scope_code)
    settings = request.app.state.settings
    data = read_upload(file, settings.max_import_mb * MB, "file")
    filename = (file.filename or "cases.xlsx")[:120]
    state = request.app.state
    limits = replace(history_import.LIMITS, max_bytes=settings.max_import_mb * MB)

    def work(job: Job) -> history_import.CasesImported:
        with state.session_factory() as own:
            return history_import.import_cases(
                own,
                actor=actor,
                rules=state.case_rules,
                locator=state.locator_cache,
                data=data,
                filename=filename,
                now=now,
                source=source.strip() or history_import.DEFAULT_SOURCE,
                progress=job.progress,
                limits=limits,
            )

    if not history_import.SOURCE_NAME.match(source.strip() or history_import.DEFAULT_SOURCE):
        error = "来源名须为小写字母开头的字母、数字、-、_（至多 32 个）"
        return _page(request, session, actor, status_code=422, error=error, form={"source": source[:32]})
    job = state.jobs.start(KIND, actor.username, now, work)
    return RedirectResponse(f"/case-import/jobs/{job.id}", status_code=303)


@router.get("/case-import/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, session: SessionDep, actor: LoggedInDep, job_id: str) -> Response:
    authorize(actor, Action.IMPORT_CASES, area_code=actor.scope_code)
    job = request.app.state.jobs.get(job_id[:64], actor.username)
    if job is None:
        raise NotFound("没有这个导入任务（任务只对发起人可见，服务重启后不再保留）")
    rejected = job.error if isinstance(job.error, history_import.CasesRejected) else None
    return page(
        request,
        "case_import_job.html",
        actor,
        job=job,
        running=job.state is JobState.RUNNING,
        rejected=rejected,
        status_code=200,
    )
