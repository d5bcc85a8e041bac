"""Alembic environment: the engine is handed in by govgrid.db.migrate (config.attributes["engine"])."""

from alembic import context

from govgrid.db.keys import include_object_on
from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime

config = context.config


def render_item(kind, obj, autogen_context):
    """Migrations use plain SQLAlchemy types: UtcDateTime is a timestamp with time zone in the database."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


engine = config.attributes["engine"]
with engine.connect() as connection:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        # SQLite alters a table by copying it ("batch" mode): the old table is dropped while other tables
        # still reference it, so foreign keys are off during the migration and checked after it.
        # On the driver connection, before SQLAlchemy's BEGIN: the pragma is ignored inside a transaction.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
        render_item=render_item,
        include_object=include_object_on(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if is_sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.commit()
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
        if broken:
            raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
