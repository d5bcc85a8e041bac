"""JSON API under /api/v1: one router per resource."""

from fastapi import APIRouter

from govgrid.web.api import (
    assessment,
    audit,
    case_map,
    cases,
    forwarding,
    geo,
    health,
    ledger_files,
    ledger_projects,
    ledgers,
    people,
    photos,
    stream,
)
from govgrid.web.api.responses import document_errors

router = APIRouter(prefix="/api/v1")
for module in (
    health,
    geo,
    people,
    audit,
    case_map,
    cases,
    forwarding,
    assessment,
    photos,
    ledgers,
    ledger_projects,
    ledger_files,
    stream,
):
    router.include_router(module.router)
router.include_router(cases.connectors_router)
router.include_router(cases.reminders_router)
document_errors(router)  # the 4xx each route can answer, in the OpenAPI document
