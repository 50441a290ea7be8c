"""The beat scheduler's sign of life: each tick of `dispatch_due_retries` (sent by beat, run by a
worker) records its time in Redis; GET /health reports how long ago the last tick was.

A beat that stops cleanly (SIGTERM: a deploy, `docker stop`) says so as it exits, and is reported
stopped at once, not only when its ticks are overdue; until it starts again, since ticks it sent
just before may still be run after. A beat that dies (SIGKILL, out of memory) says nothing: its
ticks run out, and it is reported stopped after ARENA_SCHEDULER_STALE_S.

Beat is optional (a stack can run without it), so a stopped scheduler does not make the platform
unhealthy: it is reported beside the dependency checks, not among them.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import redis

from arena.config import settings

log = logging.getLogger("arena.scheduler")
TICK_KEY = "arena:scheduler:last_tick"
STOPPED_KEY = "arena:scheduler:stopped_at"  # set by a beat that stops cleanly, removed by one that starts


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings().redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)


def _best_effort(what: str, command) -> None:
    """A sign of life is best effort: the retries matter, not this. Without it, the ticks running
    out tell the scheduler's state."""
    try:
        command(_redis())
    except redis.RedisError as exc:
        log.warning("could not record the scheduler's %s: %s", what, exc)


def record_tick() -> None:
    _best_effort("tick", lambda r: r.set(TICK_KEY, repr(time.time()), ex=3600))


def record_start() -> None:
    _best_effort("start", lambda r: r.delete(STOPPED_KEY))


def record_stop() -> None:
    _best_effort("stop", lambda r: r.set(STOPPED_KEY, repr(time.time()), ex=3600))


def status() -> dict:
    """{"status": "running" | "stopped" | "unknown", "last_tick_s_ago": seconds or None}."""
    stale_after = settings().scheduler_stale_s
    try:
        raw, stopped = _redis().mget(TICK_KEY, STOPPED_KEY)
    except redis.RedisError:
        return {"status": "unknown", "last_tick_s_ago": None}
    if raw is None:
        return {"status": "stopped", "last_tick_s_ago": None}
    ago = round(time.time() - float(raw), 1)
    return {"status": "running" if ago <= stale_after and stopped is None else "stopped", "last_tick_s_ago": ago}
