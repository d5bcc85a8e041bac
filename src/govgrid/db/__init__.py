"""Storage: SQLAlchemy 2 models, the engine/session factory and Alembic migrations."""

from govgrid.db import (  # noqa: F401  (every table registered on Base.metadata)
    case_models,
    connector_models,
    inspection_models,
    intelligence_models,
    ledger_models,
    models,
    push_models,
    register_models,
    rollup_models,
)
