"""staged imports: import_batch, and the batch an imported ledger item is staged in

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batch_district_code"), ["district_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_batch_state"), ["state"], unique=False)
    with op.batch_alter_table("ledger_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_ledger_item_batch_id"), ["batch_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_ledger_item_batch_id_import_batch"), "import_batch", ["batch_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ledger_item_batch_id_import_batch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_ledger_item_batch_id"))
        batch_op.drop_column("batch_id")
    op.drop_table("import_batch")
