"""The published OpenAPI document, fuzzed by schemathesis against the real app on its own database (as
an administrator, so every operation is reached): no answer is a 5xx, every answer matches its documented
schema and status codes. Bounded: a handful of examples per operation, no deadline per example."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from tests.databases import fresh_database
from tests.factories import NOW, build_district

EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.migrate import upgrade
    from govgrid.services.people.accounts import actor_for, issue_token
    from govgrid.settings import load_settings
    from govgrid.web.app import create_app
    from tests.factories import user_id

    with fresh_database(tmp_path_factory.mktemp("fuzz")) as url:
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            build_district(session)
            admin = session.get(__import__("govgrid.db.models").db.models.User, user_id(session, "admin"))
            token = issue_token(session, actor=actor_for(admin), name="fuzz", now=NOW)
        settings_ = load_settings(
            database_url=url,
            secret_key="fuzz-secret-key-long-enough-for-tests",
            media_dir=tmp_path_factory.mktemp("fuzz-media"),
            reports_per_minute=100_000,
            connector_posts_per_minute=100_000,
        )
        app = create_app(settings_, clock=lambda: NOW)
        with TestClient(app):  # runs the lifespan (the grid index) once
            yield app, token
        engine.dispose()


def _published_app():  # type: ignore[no-untyped-def]
    """An app built only to publish its OpenAPI document (it never touches a database)."""
    import tempfile

    from govgrid.settings import load_settings
    from govgrid.web.app import create_app

    folder = tempfile.mkdtemp(prefix="govgrid-openapi-")
    return create_app(
        load_settings(
            database_url=f"sqlite:///{folder}/unused.db",
            media_dir=folder,
            secret_key="schema-only-secret-key-long-enough",
        )
    )


schema = schemathesis.openapi.from_dict(_published_app().openapi())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_5xx_or_off_its_schema(case, fuzzed_app):  # type: ignore[no-untyped-def]
    app, token = fuzzed_app
    case.call_and_validate(
        app=app,
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
