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


def _seconds(env, name: str, default: str) -> float:
    value = env.get(name, default)
    try:
        return float(value)
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, got {value!r}") from None


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
    )
