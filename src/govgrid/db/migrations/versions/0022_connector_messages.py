"""every inbound system's messages as received — taken, duplicate or rejected with why — and replays

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _keys(table: str) -> list[sa.schema.SchemaItem]:
    """PostgreSQL: the key is (district_code, id); SQLite numbers only a one-column key (as in 0016)."""
    if op.get_bind().dialect.name == "sqlite":
        return [
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("district_code", "id", name=f"uq_{table}_district_id"),
        ]
    return [sa.PrimaryKeyConstraint("district_code", "id", name=f"pk_{table}")]


def upgrade() -> None:
    op.create_table(
        "connector_message",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),  # serial: connector_message_id_seq
        sa.Column("connector_id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("millis", sa.Float(), nullable=False),
        sa.Column("replay_of", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        *_keys("connector_message"),
    )
    op.create_index("ix_connector_message_connector_at", "connector_message", ["connector_id", "received_at"])
    op.create_index("ix_connector_message_outcome", "connector_message", ["outcome"])
    op.create_index("ix_connector_message_replay_of", "connector_message", ["replay_of"])


def downgrade() -> None:
    op.drop_table("connector_message")
