"""The project store: the single source of truth for sources, segments and codings."""
from .sqlite import SCHEMA_VERSION, SQLiteStore

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]
