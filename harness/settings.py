"""How the suite is configured: behave userdata (`-D key=value`) first, then environment variables.

| userdata key      | environment variable        | meaning                                        |
|-------------------|-----------------------------|------------------------------------------------|
| mode              | ARENA_MODE                  | `compose` (default) or `external`              |
| keep_stack        | ARENA_KEEP_STACK            | reuse/keep a stack named `arena-keep`          |
| with_beat         | ARENA_WITH_BEAT             | start the beat scheduler (compose profile)     |
| up_timeout        | ARENA_UP_TIMEOUT            | seconds for the stack to become healthy (180)  |
| coverage          | ARENA_COVERAGE              | measure the services' code coverage; report in |
|                   |                             | reports/coverage/ after teardown               |
| api_url           | ARENA_API_URL               | external mode: Arena API base URL              |
| gateway_url       | ARENA_GATEWAY_URL           | external mode: test gateway base URL           |
| database_url      | ARENA_DATABASE_URL          | external mode: SQLAlchemy URL of PostgreSQL    |
| mongo_url         | ARENA_MONGO_URL             | external mode: MongoDB URL                     |
| admin_token       | ARENA_ADMIN_TOKEN           | admin token of the Arena API                   |
| router_url        | ARENA_ROUTER_URL            | external mode: LiteLLM router base URL         |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "compose" / "docker-compose.yml"
REPORTS_DIR = REPO_ROOT / "reports"
FIXTURES_DIR = REPO_ROOT / "fixtures"

DEFAULT_ADMIN_TOKEN = "arena-admin-dev-token"
KEPT_PROJECT_NAME = "arena-keep"
PROJECT_PREFIX = "arena-at-"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    mode: str = "compose"
    keep_stack: bool = False
    with_beat: bool = False
    up_timeout: float = 180.0
    coverage: bool = False
    admin_token: str = DEFAULT_ADMIN_TOKEN
    api_url: str | None = None
    gateway_url: str | None = None
    database_url: str | None = None
    mongo_url: str | None = None
    router_url: str | None = None

    @classmethod
    def load(cls, userdata: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None):
        userdata = userdata or {}
        environ = os.environ if environ is None else environ

        def get(key: str, default: str | None = None) -> str | None:
            if key in userdata and userdata[key] != "":
                return userdata[key]
            return environ.get(f"ARENA_{key.upper()}", default)

        mode = (get("mode", "compose") or "compose").lower()
        if mode not in {"compose", "external"}:
            raise ValueError(f"mode must be 'compose' or 'external', not {mode!r}")
        settings = cls(
            mode=mode,
            keep_stack=_truthy(get("keep_stack")),
            with_beat=_truthy(get("with_beat")),
            up_timeout=float(get("up_timeout", "180")),
            coverage=_truthy(get("coverage")),
            admin_token=get("admin_token", DEFAULT_ADMIN_TOKEN),
            api_url=get("api_url"),
            gateway_url=get("gateway_url"),
            database_url=get("database_url"),
            mongo_url=get("mongo_url"),
            router_url=get("router_url"),
        )
        if mode == "external":
            missing = [k for k in ("api_url", "gateway_url", "database_url", "mongo_url")
                       if not getattr(settings, k)]
            if missing:
                raise ValueError(
                    "external mode needs " + ", ".join(missing)
                    + " (pass -D key=value or set ARENA_<KEY> environment variables)"
                )
        return settings
