"""A push destination's cursor on the case history as a position in commit order (txid, id), as the live
stream reads it (services.cases.feed): on PostgreSQL a smaller id can commit after a larger one, and a
cursor of ids alone would pass it over. Existing cursors keep their id, with txid 0 (SQLite's txid).

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("push_destination") as batch:
        batch.add_column(sa.Column("case_txid", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("push_destination") as batch:
        batch.drop_column("case_txid")
