"""Alembic environment: the engine is handed in by govgrid.db.migrate (config.attributes["engine"])."""

from alembic import context

from govgrid.db.models import Base
from govgrid.db.types import UtcDateTime

config = context.config


def render_item(kind, obj, autogen_context):
    """Migrations use plain SQLAlchemy types: UtcDateTime is a timestamp with time zone in the database."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False

engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
