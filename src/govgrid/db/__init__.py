"""Storage: SQLAlchemy 2 models, the engine/session factory and Alembic migrations."""

from govgrid.db import case_models, inspection_models, ledger_models, models, push_models, rollup_models  # noqa: F401  (every table registered on Base.metadata)
