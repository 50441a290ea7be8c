"""GET /health: each dependency with its status and latency; 503 when any is down. The beat
scheduler's last sign of life is reported beside them (optional, so never a cause of 503)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import redis
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pymongo import MongoClient
from sqlalchemy import text

from arena import scheduler
from arena.config import settings
from arena.db.session import engine

router = APIRouter()
CHECK_TIMEOUT_S = 1.5


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings().redis_url, socket_timeout=CHECK_TIMEOUT_S,
                                socket_connect_timeout=CHECK_TIMEOUT_S)


@lru_cache(maxsize=1)
def _mongo() -> MongoClient:
    timeout_ms = int(CHECK_TIMEOUT_S * 1000)
    return MongoClient(settings().mongo_url, serverSelectionTimeoutMS=timeout_ms,
                       connectTimeoutMS=timeout_ms, socketTimeoutMS=timeout_ms)


def _postgres() -> None:
    with engine().connect() as connection:
        connection.execute(text("SELECT 1"))


CHECKS = {
    "postgres": _postgres,
    "redis": lambda: _redis().ping(),
    "mongo": lambda: _mongo().admin.command("ping"),
}


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
        outcome = {"status": "ok"}
    except Exception as exc:  # any failure of a dependency is a "down" answer, never a crash
        outcome = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    outcome["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return outcome


@router.get("/health", responses={
    200: {"description": "Every dependency answers: `{\"status\": \"ok\", \"checks\": {name: {status, "
                         "latency_ms}}, \"scheduler\": {status, last_tick_s_ago}}`."},
    503: {"description": "A dependency is down: the same body with `\"status\": \"degraded\"` and the failing "
                         "check's error."}})
def health() -> JSONResponse:
    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        futures = {name: pool.submit(_timed, check) for name, check in CHECKS.items()}
        checks = {name: future.result() for name, future in futures.items()}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JSONResponse(status_code=200 if healthy else 503,
                        content={"status": "ok" if healthy else "degraded", "checks": checks,
                                 "scheduler": scheduler.status()})
