"""Engine and sessions. One engine per process; `pool_pre_ping` survives a database restart.

Connections and threads are sized together: a request holds at most one pooled connection, and
only while it runs in one of the API's worker threads (sessions are opened inside route bodies,
never as dependencies that outlive the thread). With as many threads as connections
(API_THREADS, set in arena.api.app), no request ever waits on the pool while holding a
connection, so twenty clients at once queue for a thread instead of exhausting the pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from arena.config import settings

POOL_SIZE = 10      # kept open
POOL_OVERFLOW = 10  # opened under load, closed afterwards
POOL_CONNECTIONS = POOL_SIZE + POOL_OVERFLOW  # per process; PostgreSQL allows 100 in all


@lru_cache(maxsize=1)
def engine() -> Engine:
    return create_engine(settings().database_url, pool_pre_ping=True, pool_size=POOL_SIZE,
                         max_overflow=POOL_OVERFLOW, pool_timeout=10, connect_args={"connect_timeout": 3})


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
