"""Server-rendered pages in Chinese: adapters that call services and render templates."""

from fastapi import APIRouter

from govgrid.web.pages import auth, calendar, cases, ledgers, public, workspace

router = APIRouter(include_in_schema=False)
for module in (auth, workspace, cases, ledgers, calendar, public):
    router.include_router(module.router)
