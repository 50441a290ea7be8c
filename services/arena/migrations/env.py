"""Alembic environment: online migrations against ARENA_DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine

from arena.config import settings
from arena.db.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = create_engine(settings().database_url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
