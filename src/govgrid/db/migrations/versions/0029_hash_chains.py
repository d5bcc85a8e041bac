"""Hash chains over the append-only histories (issue 15): chain_seq, prev_hash and row_hash on case_transition,
ledger_event, audit_event, form_event (and its chain_key) and register_change, rows already there linked in
id order, one row per place in a chain; chain_anchor for the daily anchors.

Revision ID: 0029
Revises: 0028
"""

import sqlalchemy as sa
from alembic import op

from govgrid.domain.chain import GENESIS, row_hash

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

# the chains as this revision made them (services.chains.SPECS then): table, chain key, hashed columns
CHAINS = {
    "case_transition": (
        ("case_id",),
        ("district_code", "case_id", "at", "actor_id", "actor_name", "step", "from_status", "to_status")
        + ("note", "public_note", "detail"),
    ),
    "ledger_event": (
        ("item_id",),
        ("district_code", "item_id", "at", "actor_name", "action", "note", "detail"),
    ),
    "audit_event": (
        ("entity_type", "entity_id"),
        ("district_code", "at", "actor_id", "actor_name", "action", "entity_type", "entity_id")
        + ("scope_code", "detail"),
    ),
    "form_event": (
        ("chain_key",),
        ("district_code", "chain_key", "task_id", "return_id", "request_id", "at", "actor_id")
        + ("actor_name", "action", "detail"),
    ),
    "register_change": (
        ("entry_id",),
        ("district_code", "entry_id", "at", "actor_id", "actor_name", "action", "field_code")
        + ("old_digest", "new_digest"),
    ),
}


def _keys(table: str) -> list[sa.schema.SchemaItem]:
    if op.get_bind().dialect.name == "sqlite":
        return [
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("district_code", "id", name=f"uq_{table}_district_id"),
        ]
    return [sa.PrimaryKeyConstraint("district_code", "id", name=f"pk_{table}")]


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column(
        "form_event", sa.Column("chain_key", sa.String(length=24), server_default="", nullable=False)
    )
    op.execute(
        "UPDATE form_event SET chain_key = CASE WHEN task_id IS NOT NULL THEN 't' || CAST(task_id AS VARCHAR(12))"
        " ELSE 'r' || CAST(request_id AS VARCHAR(12)) END"
    )
    for table in CHAINS:
        op.add_column(table, sa.Column("chain_seq", sa.Integer(), server_default="1", nullable=False))
        op.add_column(table, sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False))
        op.add_column(table, sa.Column("row_hash", sa.String(length=64), server_default="", nullable=False))
    for table, (key, hashed) in CHAINS.items():
        _link_existing(bind, table, key, hashed)
        op.create_index(f"uq_{table}_chain", table, ["district_code", *key, "chain_seq"], unique=True)
    op.create_table(
        "chain_anchor",
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("upto_id", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        *_keys("chain_anchor"),
    )
    op.create_index(
        "ix_chain_anchor_table", "chain_anchor", ["district_code", "table_name", "upto_id"], unique=True
    )


def _link_existing(
    bind: sa.engine.Connection, name: str, key: tuple[str, ...], hashed: tuple[str, ...]
) -> None:
    """Rows written before this revision, linked in id order within each chain."""
    table = sa.Table(name, sa.MetaData(), autoload_with=bind)
    chain_of = [table.c.district_code, *(table.c[k] for k in key)]
    query = sa.select(table.c.id, *chain_of, *(table.c[h] for h in hashed)).order_by(*chain_of, table.c.id)
    updates, chain, prev, seq = [], None, GENESIS, 0
    for row in bind.execute(query):
        here = tuple(row[1 : 1 + len(chain_of)])
        if here != chain:
            chain, prev, seq = here, GENESIS, 0
        seq += 1
        digest = row_hash(prev, seq, list(row[1 + len(chain_of) :]))
        updates.append({"rid": row[0], "s": seq, "p": prev, "h": digest})
        prev = digest
    if updates:
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("rid"))
            .values(chain_seq=sa.bindparam("s"), prev_hash=sa.bindparam("p"), row_hash=sa.bindparam("h"))
        )
        bind.execute(statement, updates)


def downgrade() -> None:
    op.drop_index("ix_chain_anchor_table", table_name="chain_anchor")
    op.drop_table("chain_anchor")
    for table in CHAINS:
        op.drop_index(f"uq_{table}_chain", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("row_hash")
            batch.drop_column("prev_hash")
            batch.drop_column("chain_seq")
    with op.batch_alter_table("form_event") as batch:
        batch.drop_column("chain_key")
