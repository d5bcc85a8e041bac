"""报表准入 pages (/forms/requests): a department proposes a new form by uploading its sheet and sees each
column checked against the registry; the 准入 office (supervisors, admins) reads the check and the overlap
with existing forms, and approves or refuses with a reason. All through services.forms.admission."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from govgrid.domain.errors import InvalidInput
from govgrid.domain.forms import FREQUENCY_LABEL, FormCatalog
from govgrid.domain.permissions import Action, Reach, reach
from govgrid.services.forms import admission
from govgrid.uploads.limits import MB
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.pages.render import page
from govgrid.web.params import IdPath
from govgrid.web.uploads import read_upload

router = APIRouter()
MAX_SHEET = 5 * MB


def _catalog(request: Request) -> FormCatalog:
    found: FormCatalog = request.app.state.catalogs.forms
    return found


@router.get("/forms/requests", response_class=HTMLResponse)
def requests_page(request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    return page(
        request,
        "form_requests.html",
        actor,
        requests=admission.list_requests(session, actor=actor),
        months=admission.monthly(session, actor=actor),
        may_request=reach(actor, Action.ISSUE_FORMS) is not Reach.NONE,
        frequencies=FREQUENCY_LABEL,
        refusals=_catalog(request).refusals,
        client_id=str(uuid.uuid4()),
    )


class RequestForm(BaseModel):
    name: str = Field(max_length=64)
    frequency: str = Field(max_length=12)
    basis: str = Field("", max_length=200)
    client_id: str = Field("", max_length=36)


@router.post("/forms/requests")
def request_new(
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[RequestForm, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    """The proposed sheet read (bounded, in the thread pool) and checked; the request page follows."""
    admission.may_request(actor)  # before the upload is read
    if not file.filename:
        raise InvalidInput("请上传拟下发报表的 Excel 或 CSV 表格", field="file")
    data = read_upload(file, MAX_SHEET, "file")
    found = admission.request_form(
        session,
        actor=actor,
        catalog=_catalog(request),
        name=form.name,
        frequency=form.frequency,
        basis=form.basis,
        headers=admission.headers_of(data, file.filename),
        now=now,
        client_id=form.client_id or None,
    )
    return RedirectResponse(f"/forms/requests/{found.id}", status_code=303)


@router.get("/forms/requests/{request_id}", response_class=HTMLResponse)
def request_page(request_id: IdPath, request: Request, session: SessionDep, actor: LoggedInDep) -> Response:
    catalog = _catalog(request)
    return page(
        request,
        "form_request.html",
        actor,
        found=admission.view(session, actor=actor, catalog=catalog, request_id=request_id),
        frequencies=FREQUENCY_LABEL,
        refusals=catalog.refusals,
    )


class DecisionForm(BaseModel):
    decision: str = Field(pattern="^(approve|refuse)$")
    refusal: str = Field("", max_length=24)
    reason: str = Field("", max_length=200)


@router.post("/forms/requests/{request_id}/decision")
def request_decide(
    request_id: IdPath,
    request: Request,
    session: SessionDep,
    actor: LoggedInDep,
    now: NowDep,
    form: Annotated[DecisionForm, Form()],
) -> Response:
    admission.decide(
        session,
        actor=actor,
        catalog=_catalog(request),
        request_id=request_id,
        approve=form.decision == "approve",
        refusal=form.refusal,
        reason=form.reason,
        now=now,
    )
    return RedirectResponse(f"/forms/requests/{request_id}", status_code=303)
