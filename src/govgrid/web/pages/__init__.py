"""Server-rendered pages in Chinese: adapters that call services and render templates."""

from fastapi import APIRouter, Depends

from govgrid.web.deps import page_csrf  # noqa: E402
from govgrid.web.pages import (
    account,
    admin,
    assessment,
    auth,
    bulletins,
    calendar,
    case_import,
    case_list,
    cases,
    form_requests,
    forms,
    hotspots,
    inspections,
    ledger_drafts,
    ledger_projects,
    ledgers,
    people,
    public,
    register,
    replies,
    report,
    screen,
    workspace,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_csrf)])  # CSRF on every page POST
for module in (
    auth,
    account,
    people,
    admin,
    case_import,
    workspace,
    case_list,
    cases,
    report,
    ledgers,
    ledger_drafts,
    ledger_projects,
    hotspots,
    replies,
    register,
    form_requests,
    forms,
    assessment,
    bulletins,
    inspections,
    screen,
    calendar,
    public,
):
    router.include_router(module.router)
