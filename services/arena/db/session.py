"""Engine and sessions. One engine per process; `pool_pre_ping` survives a database restart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from arena.config import settings


@lru_cache(maxsize=1)
def engine() -> Engine:
    return create_engine(settings().database_url, pool_pre_ping=True, pool_size=5,
                         connect_args={"connect_timeout": 3})


@lru_cache(maxsize=1)
def _factory() -> sessionmaker[Session]:
    return sessionmaker(bind=engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session committed at the end of the block, rolled back on error."""
    session = _factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session() -> Iterator[Session]:
    """FastAPI dependency."""
    with session_scope() as session:
        yield session
