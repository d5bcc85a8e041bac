"""JSON API under /api/v1: one router per resource."""

from fastapi import APIRouter

from govgrid.web.api import audit, geo, health, people

router = APIRouter(prefix="/api/v1")
for module in (health, geo, people, audit):
    router.include_router(module.router)
