"""Persistence: models, migrations, the unit of work and the queries. The only package that knows SQL."""

from storage.db import Database, UnitOfWork, create_engine
from storage.migrate import downgrade, upgrade
from storage.optimistic import NeedsLock

__all__ = ["Database", "NeedsLock", "UnitOfWork", "create_engine", "downgrade", "upgrade"]
