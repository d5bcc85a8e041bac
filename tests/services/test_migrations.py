"""Migrations: upgrade from empty works on this engine, and the models and migrations agree."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from govgrid.db.engine import make_engine
from govgrid.db.migrate import current_revision, upgrade
from govgrid.db.models import Base
from tests.databases import fresh_database


def test_an_empty_database_upgrades_to_the_newest_revision_and_matches_the_models(tmp_path):
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        assert current_revision(engine) is not None
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                           Base.metadata)  # fmt: skip
        assert differences == [], f"models and migrations disagree: {differences}"
        upgrade(engine)  # a second upgrade is a no-op
        engine.dispose()


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_the_suite_runs_on_the_engine_it_was_asked_for(district_url):
    from tests.databases import postgres_base

    engine = make_engine(district_url)
    expected = "postgresql" if postgres_base() else "sqlite"
    assert engine.dialect.name == expected
    engine.dispose()
