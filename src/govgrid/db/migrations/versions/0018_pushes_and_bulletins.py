"""pushes to group robots (destinations with their own cursors, attempts) and the bulletins issued

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _keys(table: str) -> list[sa.schema.SchemaItem]:
    """PostgreSQL: the key is (district_code, id); SQLite numbers only a one-column key, so a unique
    (district_code, id) stands in (as migration 0016 made them)."""
    if op.get_bind().dialect.name == "sqlite":
        return [
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("district_code", "id", name=f"uq_{table}_district_id"),
        ]
    return [sa.PrimaryKeyConstraint("district_code", "id", name=f"pk_{table}")]


def _id(table: str) -> sa.Column:
    """A serial id (its sequence is <table>_id_seq, the name the models give it), also inside a composite key."""
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "push_destination",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        _id("push_destination"),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=12), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("case_cursor", sa.Integer(), nullable=False),
        sa.Column("bulletin_cursor", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_keys("push_destination"),
    )
    op.create_table(
        "push_attempt",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        _id("push_attempt"),
        sa.Column("destination_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        *_keys("push_attempt"),
    )
    with op.batch_alter_table("push_attempt") as batch_op:
        batch_op.create_index(batch_op.f("ix_push_attempt_destination_id"), ["destination_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_push_attempt_at"), ["at"], unique=False)
    op.create_table(
        "bulletin_issue",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        _id("bulletin_issue"),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("issued_on", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.UniqueConstraint("district_code", "kind", "issued_on", name="uq_bulletin_issue_day"),
        *_keys("bulletin_issue"),
    )


def downgrade() -> None:
    for table in ("bulletin_issue", "push_attempt", "push_destination"):
        op.drop_table(table)
