"""create_app(settings): the FastAPI application — API, pages, static assets (all bundled, no CDN)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from govgrid import __version__
from govgrid.catalog.bundle import load_catalogs
from govgrid.db.engine import make_engine, make_session_factory
from govgrid.domain.audit_labels import who_label
from govgrid.domain.worktime import CHINA
from govgrid.services.blobs import FileLimits
from govgrid.services.geo.locate import LocatorCache
from govgrid.services.intelligence.suggestions import Suggester
from govgrid.services.people.sessions import SessionPolicy
from govgrid.services.people.throttle import LoginPolicy
from govgrid.services.work_calendar import CalendarSync
from govgrid.settings import (
    Settings,
    load_settings,
    resolve_classifier_file,
    resolve_media_dir,
    resolve_secret_key,
)
from govgrid.uploads.limits import MB, ImageLimits, OfficeLimits, SheetLimits
from govgrid.web import errors
from govgrid.web.api import router as api_router
from govgrid.web.deps import trusted_networks
from govgrid.web.headers import BodyLimit, QueryGuard, SecurityHeaders
from govgrid.web.jobs import Jobs
from govgrid.web.logs import install_redaction
from govgrid.web.open311 import router as open311_router
from govgrid.web.pages import router as page_router
from govgrid.web.stream_hub import Hub

HERE = Path(__file__).parent


def utc_now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Build the point→grid index before the first request, so no report waits for it."""
    install_redaction()  # after the server has set up its loggers
    with app.state.session_factory() as session:
        app.state.locator_cache.get(session)
        app.state.calendar_sync.refresh(session, force=True)
    yield


def _taxonomy(settings: Settings, connectors: dict[str, Any]) -> set[str]:
    """The city's 12345 taxonomy when one is configured or found; the connector map is checked against it."""
    from govgrid.catalog.taxonomy import check_connector_categories, load_taxonomy
    from govgrid.services.demo.reference import candidate_dirs

    path = settings.taxonomy_file or next(
        (
            d / "data/messages/taxonomy_3level.csv"
            for d in candidate_dirs(settings.shared_dir)
            if (d / "data/messages/taxonomy_3level.csv").is_file()
        ),
        None,
    )
    if path is None:
        return set()
    paths = load_taxonomy(path)
    check_connector_categories(connectors, paths)
    return paths


def file_limits(settings: Settings) -> FileLimits:
    size = settings.max_photo_mb * MB
    return FileLimits(
        images=ImageLimits(max_bytes=size, max_pixels=settings.max_photo_megapixels * 1_000_000),
        office=OfficeLimits(max_bytes=size),
    )


def _beijing(moment: datetime, pattern: str) -> str:
    """A moment shown in Beijing time; one at the very edge of the calendar (which no input can store any
    more) is shown in UTC rather than breaking the page."""
    try:
        return f"{moment.astimezone(CHINA):{pattern}}"
    except OverflowError:
        return f"{moment:{pattern}} UTC"


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """Build the app. The database schema must already be migrated (`govgrid db upgrade` / `demo`)."""
    settings = settings or load_settings()
    app = FastAPI(
        title="govgrid 城市运行综合指挥平台",
        version=__version__,
        lifespan=lifespan,
        description="区级网格化管理、工单闭环与督办台账平台。坐标字段均为 GCJ-02，另有说明者除外。",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.read_session_factory = (
        make_session_factory(make_engine(settings.read_database_url), read_only=True)
        if settings.read_database_url
        else app.state.session_factory
    )  # dashboards, metrics and lists: a streaming replica when one is set
    app.state.clock = clock
    app.state.locator_cache = LocatorCache()
    app.state.jobs = Jobs()
    app.state.stream_hub = Hub(app.state.session_factory)
    app.state.media_dir = resolve_media_dir(settings)
    app.state.file_limits = file_limits(settings)
    app.state.sheet_limits = SheetLimits(max_bytes=settings.max_import_mb * MB)
    # validated here: a bad catalogue stops start-up with file/row/field. The app owns its calendar: the
    # years entered in its database are added to it (CalendarSync), never to another app's.
    app.state.catalogs = load_catalogs(settings.catalog_dir)
    app.state.case_rules = app.state.catalogs.case_rules
    app.state.ledger_rules = app.state.catalogs.ledger_rules
    app.state.calendar_sync = CalendarSync(app.state.case_rules.calendar)  # years entered by any process
    app.state.connectors = app.state.case_rules.connectors
    app.state.taxonomy = _taxonomy(settings, app.state.connectors)
    app.state.navigation = app.state.catalogs.navigation
    app.state.suggester = Suggester.from_file(
        resolve_classifier_file(settings),
        app.state.catalogs.dispatch_hints,
        app.state.case_rules.responsibility,
    )
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    # tojson keeps Chinese readable (a raw connector message); <, >, & and ' are still escaped
    app.state.templates.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    app.state.templates.env.filters["cst"] = lambda moment: _beijing(moment, "%Y-%m-%d %H:%M")
    app.state.templates.env.filters["cst_seconds"] = lambda moment: _beijing(moment, "%Y-%m-%d %H:%M:%S")
    app.state.templates.env.filters["cst_date"] = lambda moment: _beijing(moment, "%Y-%m-%d")
    connector_names = {cid: c.name for cid, c in app.state.connectors.items()}
    app.state.templates.env.filters["who"] = lambda name: who_label(name or "", connector_names)
    app.state.secret_key = resolve_secret_key(settings)
    app.state.session_policy = SessionPolicy(
        hours=settings.session_hours, idle_minutes=settings.session_idle_minutes
    )
    app.state.login_policy = LoginPolicy.from_settings(settings)
    app.state.trusted_proxies = trusted_networks(settings.trusted_proxies)
    app.add_middleware(
        BodyLimit,
        json_bytes=settings.max_request_mb * MB,
        upload_bytes=(max(settings.max_import_mb, settings.max_photo_mb) + 1) * MB,
        large={"/api/v1/geo/import": settings.max_geojson_mb * MB},
    )
    app.add_middleware(QueryGuard)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url, https=settings.https)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    errors.install(app)
    app.include_router(api_router)
    app.include_router(page_router)
    app.include_router(open311_router)
    return app
