"""Settings from the environment, read once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    mongo_url: str
    admin_token: str
    provider_timeout_s: float
    log_level: str
    retry_delay_s: float  # wait before a retryable failure is tried again (at least Retry-After)
    retry_poll_s: float  # how often beat looks for retries that are due
    scheduler_stale_s: float  # GET /health calls the scheduler stopped when its last tick is older
    max_attempts: int  # attempts per model before a run falls back or fails
    sse_heartbeat_s: float
    event_push: bool  # live run events wake streams by LISTEN/NOTIFY; false: streams poll the table
    prices_file: str
    stalled_run_s: float  # a running run without a heartbeat for this long lost its worker
    lost_message_s: float  # queued work no worker started this long after it was sent is sent again
    visibility_timeout_s: float  # an unacknowledged task is redelivered after this (worker crash)
    upload_dir: str  # the upload store: a named volume shared by api and worker
    upload_max_bytes: int


def _seconds(env, name: str, default: str) -> float:
    value = env.get(name, default)
    try:
        return float(value)
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, got {value!r}") from None


def _flag(env, name: str, default: str) -> bool:
    value = env.get(name, default).strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise SystemExit(f"{name} must be true or false, got {value!r}")


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    return Settings(
        database_url=env.get("ARENA_DATABASE_URL", "postgresql+psycopg://arena:arena@localhost:5432/arena"),
        redis_url=env.get("ARENA_REDIS_URL", "redis://localhost:6379/0"),
        mongo_url=env.get("ARENA_MONGO_URL", "mongodb://localhost:27017/arena"),
        admin_token=env.get("ARENA_ADMIN_TOKEN", ""),
        provider_timeout_s=_seconds(env, "ARENA_PROVIDER_TIMEOUT_S", "10"),
        log_level=env.get("ARENA_LOG_LEVEL", "INFO"),
        retry_delay_s=_seconds(env, "ARENA_RETRY_DELAY_S", "5"),
        retry_poll_s=_seconds(env, "ARENA_RETRY_POLL_S", "2"),
        scheduler_stale_s=_seconds(env, "ARENA_SCHEDULER_STALE_S", "20"),  # 10 ticks missed
        max_attempts=int(_seconds(env, "ARENA_MAX_ATTEMPTS", "3")),
        sse_heartbeat_s=_seconds(env, "ARENA_SSE_HEARTBEAT_S", "10"),
        event_push=_flag(env, "ARENA_EVENT_PUSH", "true"),
        prices_file=env.get("ARENA_PRICES_FILE", "/fixtures/prices.json"),
        stalled_run_s=_seconds(env, "ARENA_STALLED_RUN_S", "60"),
        lost_message_s=_seconds(env, "ARENA_LOST_MESSAGE_S", "60"),
        visibility_timeout_s=_seconds(env, "ARENA_VISIBILITY_TIMEOUT_S", "3600"),
        upload_dir=env.get("ARENA_UPLOAD_DIR", "/data/uploads"),
        upload_max_bytes=int(_seconds(env, "ARENA_UPLOAD_MAX_BYTES", "10000000")),
    )
