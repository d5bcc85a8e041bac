"""district keys: every large table carries its district code, in its primary key (PostgreSQL), its unique
constraints and its foreign keys (govgrid.db.keys explains the SQLite stand-in)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

DISTRICT = "CASE WHEN length({0}) >= 6 AND substr({0}, 5, 2) <> '00' THEN substr({0}, 1, 6) ELSE '000000' END"
# table → how its rows learn their district (the parents first)
BACKFILL = {
    "case": DISTRICT.format("scope_code"),
    "case_transition": 'SELECT c.district_code FROM "case" c WHERE c.id = case_transition.case_id',
    "case_link": 'SELECT c.district_code FROM "case" c WHERE c.id = case_link.case_id',
    "attachment": 'SELECT c.district_code FROM "case" c WHERE c.id = attachment.case_id',
    "ledger_item": DISTRICT.format("area_code"),
    "ledger_milestone": "SELECT i.district_code FROM ledger_item i WHERE i.id = ledger_milestone.item_id",
    "ledger_investment": "SELECT i.district_code FROM ledger_item i WHERE i.id = ledger_investment.item_id",
    "progress_report": "SELECT i.district_code FROM ledger_item i WHERE i.id = progress_report.item_id",
    "report_evidence": "SELECT r.district_code FROM progress_report r WHERE r.id = report_evidence.report_id",
    "ledger_event": "SELECT i.district_code FROM ledger_item i WHERE i.id = ledger_event.item_id",
    "audit_event": DISTRICT.format("scope_code"),
}
TABLES = ["import_batch", *BACKFILL]
# (table, column, referred table, name)
FOREIGN_KEYS = [
    ("case_transition", "case_id", "case", "fk_case_transition_case_id_case"),
    ("case_link", "case_id", "case", "fk_case_link_case_id_case"),
    ("case_link", "similar_case_id", "case", "fk_case_link_similar_case_id_case"),
    ("attachment", "case_id", "case", "fk_attachment_case_id_case"),
    ("ledger_item", "parent_id", "ledger_item", "fk_ledger_item_parent_id_ledger_item"),
    ("ledger_item", "batch_id", "import_batch", "fk_ledger_item_batch_id_import_batch"),
    ("ledger_milestone", "item_id", "ledger_item", "fk_ledger_milestone_item_id_ledger_item"),
    ("ledger_investment", "item_id", "ledger_item", "fk_ledger_investment_item_id_ledger_item"),
    ("progress_report", "item_id", "ledger_item", "fk_progress_report_item_id_ledger_item"),
    (
        "progress_report",
        "milestone_id",
        "ledger_milestone",
        "fk_progress_report_milestone_id_ledger_milestone",
    ),
    ("report_evidence", "report_id", "progress_report", "fk_report_evidence_report_id_progress_report"),
    ("ledger_event", "item_id", "ledger_item", "fk_ledger_event_item_id_ledger_item"),
]
# (table, name, old columns, new columns)
UNIQUES = [
    ("case", "uq_case_source_external_id", ["source", "external_id"]),
    ("case_link", "uq_case_link_pair", ["case_id", "similar_case_id"]),
    ("ledger_investment", "uq_ledger_investment_item_id", ["item_id", "month"]),
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in BACKFILL:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("district_code", sa.String(length=6), nullable=True))
    for table, source in BACKFILL.items():
        value = source if source.startswith("CASE") else f"COALESCE(({source}), '000000')"
        op.execute(f'UPDATE "{table}" SET district_code = {value}')
    with op.batch_alter_table("import_batch") as batch_op:
        batch_op.drop_index("ix_import_batch_district_code")
    with op.batch_alter_table("attachment") as batch_op:  # one StoredFile shape for photos and evidence
        batch_op.alter_column("content_type", existing_type=sa.String(length=32), type_=sa.String(length=80))
    if sqlite:
        _sqlite_keys()
    else:
        _postgresql_keys()


def _postgresql_keys() -> None:
    """The primary keys become (district_code, id); ids keep their sequences."""
    for table, _, _, name in FOREIGN_KEYS:
        op.drop_constraint(name, table, type_="foreignkey")
    for table, name, _ in UNIQUES:
        op.drop_constraint(name, table, type_="unique")
    for table in TABLES:
        op.alter_column(table, "district_code", nullable=False)
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["district_code", "id"])
    for table, name, columns in UNIQUES:
        op.create_unique_constraint(name, table, ["district_code", *columns])
    for table, column, target, name in FOREIGN_KEYS:
        op.create_foreign_key(name, table, target, ["district_code", column], ["district_code", "id"])


def _sqlite_keys() -> None:
    """The key stays the row id (SQLite numbers only a single-column key); a unique (district_code, id)
    is what the composite foreign keys point at."""
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.alter_column("district_code", existing_type=sa.String(length=6), nullable=False)
            batch_op.create_unique_constraint(f"uq_{table}_district_id", ["district_code", "id"])
            for t, column, target, name in FOREIGN_KEYS:
                if t == table:
                    batch_op.drop_constraint(name, type_="foreignkey")
                    batch_op.create_foreign_key(
                        name, target, ["district_code", column], ["district_code", "id"]
                    )
            for t, name, columns in UNIQUES:
                if t == table:
                    batch_op.drop_constraint(name, type_="unique")
                    batch_op.create_unique_constraint(name, ["district_code", *columns])


def downgrade() -> None:
    raise NotImplementedError("district keys are not taken out again: restore the backup taken before")
