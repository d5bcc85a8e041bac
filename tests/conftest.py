"""Shared fixtures: one populated test district per test session, fresh empty databases on demand,
an app client per persona. Set GOVGRID_TEST_DATABASE_URL=postgresql://… to run everything on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from govgrid.db.engine import make_engine, make_session_factory
from govgrid.db.migrate import upgrade
from govgrid.settings import load_settings
from govgrid.web.app import create_app
from tests.databases import fresh_database
from tests.factories import NOW, PASSWORD, District, add_second_district, build_district

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def district_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("district")) as url:
        yield url


@pytest.fixture(scope="session")
def district_sessions(district_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(district_url)
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def district(district_sessions: sessionmaker[Session]) -> District:
    with district_sessions() as session:
        return build_district(session)


@pytest.fixture
def session(district_sessions: sessionmaker[Session], district: District) -> Iterator[Session]:
    """A session on the shared test district (tests that change it use unique names)."""
    with district_sessions() as s:
        yield s


@pytest.fixture
def empty_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated, empty database of its own."""
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        yield make_session_factory(engine)
        engine.dispose()


@pytest.fixture(scope="session")
def app(district_url: str, district: District, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    # the test district's clock stands still, so per-minute limits would never reset: the tests that check a
    # limit lower it for themselves
    settings = load_settings(
        database_url=district_url,
        secret_key="test-secret-key-that-is-long-enough",
        media_dir=tmp_path_factory.mktemp("media"),
        reports_per_minute=100_000,
        signups_per_hour=100_000,
    )
    return create_app(settings, clock=lambda: NOW)


@pytest.fixture
def anonymous(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as client:
        yield client


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Log in through the real login form (CSRF token included) and keep the cookie."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    workspace = client.get("/")
    client.headers["X-CSRF-Token"] = workspace.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client


@pytest.fixture
def as_user(app) -> Callable[[str], TestClient]:  # type: ignore[no-untyped-def]
    """A logged-in client for a persona: as_user("street_officer")."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        return login(client, username)

    yield make  # type: ignore[misc]
    for client in clients:
        client.close()


@pytest.fixture
def new_account(district_sessions, district):  # type: ignore[no-untyped-def]
    """Makes a fresh account of its own (for tests that end its sessions or lock it): new_account(role, scope)."""
    import uuid

    from govgrid.services.people.accounts import add_user

    def make(role, scope: str) -> str:  # type: ignore[no-untyped-def]
        name = f"p_{uuid.uuid4().hex[:8]}"
        with district_sessions() as session:
            add_user(
                session,
                username=name,
                display_name="测试账号",
                role=role,
                unit_code=None,
                scope_code=scope,
                phone="",
                password=PASSWORD,
                now=NOW,
            )
            session.commit()
        return name

    return make


@pytest.fixture
def connector_client(app, district_sessions):  # type: ignore[no-untyped-def]
    """A client pushing as an inbound system with a real connector key: connector_client("hotline12345")."""
    from govgrid.domain.permissions import SYSTEM
    from govgrid.services.cases.connector_keys import issue_key

    clients: list[TestClient] = []

    def make(connector_id: str = "hotline12345") -> TestClient:
        with district_sessions() as session:
            _, secret = issue_key(
                session,
                actor=SYSTEM,
                connectors=app.state.case_rules.connectors,
                connector_id=connector_id,
                name="test",
                now=NOW,
            )
        client = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
        clients.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in clients:
        client.close()


@pytest.fixture
def shared_dir() -> Path:
    """The reference data folder beside the project; tests needing it skip with a message if absent."""
    if not (SHARED / "data" / "geo" / "370102.geojson").is_file():
        pytest.skip(f"参考数据目录 {SHARED} 不存在：需要 shared/data/geo/370102.geojson")
    return SHARED


@pytest.fixture(scope="session")
def demo_ledger(district_sessions: sessionmaker[Session], district: District) -> None:
    """The demo's ledgers (the three seed plans) in the shared test district, entered once."""
    from govgrid.services.demo.ledger import build_demo_ledger
    from tests.catalogs import CATALOGS
    from tests.factories import add_demo_ledger_units

    with district_sessions() as session:
        add_demo_ledger_units(session)
        build_demo_ledger(
            session, rules=CATALOGS.ledger_rules, source=CATALOGS.source, area_code="370102", now=NOW
        )


@pytest.fixture(scope="session")
def may_cases(district_sessions, district):  # type: ignore[no-untyped-def]
    """A month (May 2025) of cases with known outcomes in the shared district, entered once."""
    from tests.services.test_assessment_metrics import build_may_cases

    return build_may_cases(district_sessions, district)


@pytest.fixture
def own(empty_sessions):  # type: ignore[no-untyped-def]
    """The test district in a database of its own (its rows may be tampered with, backed up, restored)."""
    with empty_sessions() as session:
        district = build_district(session)
    return empty_sessions, district


@pytest.fixture
def fresh(empty_sessions):  # type: ignore[no-untyped-def]
    """A district of its own (the test district, with no cases), and a grid point in it."""
    with empty_sessions() as session:
        district = build_district(session)
    point = district.grid(district.features[1].code).geometry.representative_point()
    return empty_sessions, (round(point.x, 6), round(point.y, 6))


@pytest.fixture
def with_model(app, tmp_path):  # type: ignore[no-untyped-def]
    """The app with a message model trained on the hand-written messages (tests.nlp_samples)."""
    from govgrid.services.intelligence.suggestions import Suggester
    from tests import nlp_samples

    before = app.state.suggester
    app.state.suggester = Suggester(nlp_samples.small_model(tmp_path), before.hints, before.responsibility)
    yield app.state.suggester
    app.state.suggester = before


@pytest.fixture(scope="module")
def city_sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    """The test district and 市中区 beside it in one database of their own (a city's deployment), with the
    city's people (tests.factories.CITY_PERSONAS)."""
    with fresh_database(tmp_path_factory.mktemp("city")) as url:
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            build_district(session)
            add_second_district(session)
        yield sessions
        engine.dispose()


@pytest.fixture(scope="module")
def city_app(city_sessions, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The app over the city's deployment (its clock stands at the test district's NOW)."""
    url = city_sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = load_settings(
        database_url=url,
        secret_key="test-secret-key-that-is-long-enough",
        media_dir=tmp_path_factory.mktemp("city-media"),
        reports_per_minute=100_000,
        signups_per_hour=100_000,
    )
    return create_app(settings, clock=lambda: NOW)


@pytest.fixture(scope="module")
def in_city(city_app):  # type: ignore[no-untyped-def]
    """A logged-in client of the city's deployment for a persona: in_city("sz_dispatcher")."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(city_app)
        clients.append(client)
        return login(client, username)

    yield make
    for client in clients:
        client.close()
