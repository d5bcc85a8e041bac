from fastapi import APIRouter

from govgrid import __version__
from govgrid.services.geo.geography import geo_revision
from govgrid.web.deps import SessionDep
from govgrid.web.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="服务健康检查（公开）")
def health(session: SessionDep) -> Health:
    dialect = session.get_bind().dialect.name
    return Health(status="ok", version=__version__, database=dialect, geo_revision=geo_revision(session))
