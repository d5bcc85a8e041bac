"""SQLite: the rollup tables keyed by their primary key alone (WITHOUT ROWID), so a period's rows are read,
and a roll's rows updated, in one B-tree instead of an index and a table; the rows are copied over. On
PostgreSQL nothing changes.

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = ("assessment_rollup", "assessment_rollup_month", "assessment_rolled_case")


def upgrade() -> None:
    _rebuild(rowid=False)


def downgrade() -> None:
    _rebuild(rowid=True)


def _rebuild(rowid: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in TABLES:
        create = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
        body = create.rstrip().removesuffix("WITHOUT ROWID").rstrip()
        body = body.replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_new", 1)
        op.execute(body if rowid else f"{body} WITHOUT ROWID")
        op.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")
        op.execute(f"DROP TABLE {table}")
        op.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
