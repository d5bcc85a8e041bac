"""Pure domain rules: no SQLAlchemy, FastAPI or I/O is imported here."""
