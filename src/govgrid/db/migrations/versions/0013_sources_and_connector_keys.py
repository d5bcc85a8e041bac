"""retry keys belong to their source; connector keys

Cases get `source` (the connector id, or user:<id>) and the unique (source, external_id) replaces
(channel, external_id): a retry is recognised only for the sender that made the number.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# the connectors shipped when this migration was written: channel → connector id
SHIPPED = {
    "hotline": "hotline12345",
    "video": "video",
    "task": "superior_task",
    "epidemic": "epidemic",
    "police": "police_screening",
}


def upgrade() -> None:
    op.create_table(
        "connector_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("connector_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_connector_key_key_hash")),
    )
    with op.batch_alter_table("connector_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connector_key_connector_id"), ["connector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_connector_key_district_code"), ["district_code"], unique=False)
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=40), server_default="", nullable=False))
    case = sa.table(
        "case",
        sa.column("source", sa.String),
        sa.column("channel", sa.String),
        sa.column("reporter_id", sa.Integer),
    )
    for channel, connector in SHIPPED.items():
        op.execute(case.update().where(case.c.channel == channel).values(source=connector))
    op.execute(
        case.update()
        .where(case.c.source == "", case.c.reporter_id.is_not(None))
        .values(source=sa.literal("user:") + sa.cast(case.c.reporter_id, sa.String))
    )
    op.execute(case.update().where(case.c.source == "").values(source=sa.literal("legacy:") + case.c.channel))
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_constraint("uq_case_channel_external_id", type_="unique")
        batch_op.create_unique_constraint("uq_case_source_external_id", ["source", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_constraint("uq_case_source_external_id", type_="unique")
        batch_op.create_unique_constraint("uq_case_channel_external_id", ["channel", "external_id"])
        batch_op.drop_column("source")
    op.drop_table("connector_key")
