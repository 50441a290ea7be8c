"""How the suite is configured. One precedence, everywhere:

    behave `-D key=value`  beats  `ARENA_<KEY>` environment variable  beats  the default below.

Nothing sits in `[tool.behave.userdata]`: behave counts those values as userdata, so a default
there would silently beat the environment (a staging job configured by ARENA_* only would then
bring up a local stack and report green).

| key          | environment variable | allowed                 | default   | meaning                          |
|--------------|----------------------|-------------------------|-----------|----------------------------------|
| mode         | ARENA_MODE           | compose, external       | compose   | bring a stack up, or attach      |
| keep_stack   | ARENA_KEEP_STACK     | true/false (1/0, yes/no)| false     | reuse/keep the stack `arena-keep`|
| with_beat    | ARENA_WITH_BEAT      | true/false              | false     | start the beat scheduler too     |
| up_timeout   | ARENA_UP_TIMEOUT     | seconds, > 0            | 180       | time for the stack to be healthy |
| coverage     | ARENA_COVERAGE       | true/false              | false     | measure the services' coverage   |
| coverage_map | ARENA_COVERAGE_MAP   | true/false              | false     | coverage, by scenario (map)      |
| api_url      | ARENA_API_URL        | http(s) URL             | -         | external: Arena API              |
| gateway_url  | ARENA_GATEWAY_URL    | http(s) URL             | -         | external: test gateway           |
| database_url | ARENA_DATABASE_URL   | SQLAlchemy URL          | -         | external: PostgreSQL             |
| mongo_url    | ARENA_MONGO_URL      | mongodb:// URL          | -         | external: MongoDB                |
| admin_token  | ARENA_ADMIN_TOKEN    | text                    | dev token | admin token of the Arena API     |
| matrix_url   | ARENA_MATRIX_URL     | URL with `{}` for the id| MATRIX.md | link of a matrix id (`@INT-001`) |
| router_url   | ARENA_ROUTER_URL     | http(s) URL             | -         | external: the LiteLLM router     |
| project      | ARENA_PROJECT        | a compose project name  | -         | attach to this running stack     |
| addressing   | ARENA_ADDRESSING     | host, network           | host      | services by host port, or by name|

`addressing=network` is for a suite inside a container (scripts/in_container.sh): it joins the
stack's network and calls services by name (harness/network.py).

`project` is how the parallel runner (harness/parallel.py) shares one stack between behave
processes: each attaches to the stack the runner started, may stop and start its services (the
fault scenarios), and never tears it down; the runner does.

matrix_url defaults to docs/MATRIX.md: on GitHub at the run's commit in CI, else as served by
`scripts/report.sh --open` (127.0.0.1:4040).

A bad value stops the run before anything starts, with one line naming the key, where it came
from and what is allowed (`SettingsError`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "compose" / "docker-compose.yml"
REPORTS_DIR = REPO_ROOT / "reports"
# Where a run writes its results (Allure results, JUnit files, the rerun list, each process's
# output): reports/, unless ARENA_RESULTS_DIR names another directory. The benchmark's runs use
# one, so that they never mix with the suite's own results.
RESULTS_ROOT = Path(os.environ.get("ARENA_RESULTS_DIR") or REPORTS_DIR).resolve()
FIXTURES_DIR = REPO_ROOT / "fixtures"

DEFAULT_ADMIN_TOKEN = "arena-admin-dev-token"
KEPT_PROJECT_NAME = "arena-keep"
PROJECT_PREFIX = "arena-at-"

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
MODES = ("compose", "external")
EXTERNAL_URLS = ("api_url", "gateway_url", "database_url", "mongo_url")
KEYS = ("mode", "keep_stack", "with_beat", "up_timeout", "coverage", "coverage_map", *EXTERNAL_URLS, "admin_token",
        "matrix_url", "router_url", "project", "addressing")
ADDRESSINGS = ("host", "network")
PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # what compose accepts as a project name


class SettingsError(ValueError):
    """A configuration value the suite cannot use; the message is one line a person can act on."""


REPORT_PORT = 4040  # scripts/report.sh --open serves the report and docs/ here


def default_matrix_url(environ: Mapping[str, str]) -> str:
    """Where a scenario-matrix id links to: docs/MATRIX.md of this very commit on GitHub in CI;
    locally the same file as `scripts/report.sh --open` serves it. (Allure renders only http(s)
    links as links, so a file:// URL of the checkout would show as plain text.)"""
    server, repo, sha = (environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repo and sha:
        return f"{server}/{repo}/blob/{sha}/docs/MATRIX.md#{{}}"
    return f"http://127.0.0.1:{REPORT_PORT}/docs/MATRIX.md#{{}}"


@dataclass(frozen=True)
class Settings:
    mode: str = "compose"
    keep_stack: bool = False
    with_beat: bool = False
    up_timeout: float = 180.0
    coverage: bool = False
    coverage_map: bool = False  # implies coverage
    admin_token: str = DEFAULT_ADMIN_TOKEN
    api_url: str | None = None
    gateway_url: str | None = None
    database_url: str | None = None
    mongo_url: str | None = None
    matrix_url: str = ""
    router_url: str | None = None
    project: str | None = None
    addressing: str = "host"
    # Where each value came from ("-D mode", "ARENA_MODE", "default"), for messages and the report.
    sources: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, userdata: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None):
        userdata = userdata or {}
        environ = os.environ if environ is None else environ
        sources: dict[str, str] = {}

        def get(key: str, default: str | None = None) -> str | None:
            if userdata.get(key, "") != "":
                sources[key] = f"-D {key}"
                return str(userdata[key]).strip()
            env = f"ARENA_{key.upper()}"
            if environ.get(env, "") != "":
                sources[key] = env
                return environ[env].strip()
            sources[key] = "default"
            return default

        def bad(key: str, value: str, allowed: str) -> SettingsError:
            return SettingsError(f"{sources[key]}={value!r} is not allowed: {key} must be {allowed}")

        def boolean(key: str) -> bool:
            value = get(key, "false")
            if value.lower() in TRUE_WORDS:
                return True
            if value.lower() in FALSE_WORDS:
                return False
            raise bad(key, value, "true or false (also 1/0, yes/no, on/off)")

        mode = get("mode", "compose").lower()
        if mode not in MODES:
            raise bad("mode", mode, " or ".join(MODES))
        raw_timeout = get("up_timeout", "180")
        try:
            up_timeout = float(raw_timeout)
        except ValueError:
            up_timeout = -1.0
        if not up_timeout > 0 or up_timeout == float("inf"):
            raise bad("up_timeout", raw_timeout, "a number of seconds greater than 0, e.g. 180")
        matrix_url = get("matrix_url", default_matrix_url(environ))
        if "{}" not in matrix_url:
            raise bad("matrix_url", matrix_url, "a URL with {} where the matrix id goes")
        urls = {key: get(key) for key in EXTERNAL_URLS}
        for key, prefixes in (("api_url", ("http://", "https://")), ("gateway_url", ("http://", "https://")),
                              ("mongo_url", ("mongodb://", "mongodb+srv://")), ("database_url", ("postgresql",))):
            if urls[key] and not urls[key].startswith(prefixes):
                raise bad(key, urls[key], "a URL starting with " + " or ".join(prefixes))
        settings = cls(
            mode=mode,
            keep_stack=boolean("keep_stack"),
            with_beat=boolean("with_beat"),
            up_timeout=up_timeout,
            coverage=boolean("coverage") or boolean("coverage_map"),
            coverage_map=boolean("coverage_map"),
            admin_token=get("admin_token", DEFAULT_ADMIN_TOKEN),
            matrix_url=matrix_url,
            sources=sources,
            **urls,
            router_url=get("router_url"),
            project=get("project"),
            addressing=get("addressing", "host").lower(),
        )
        if settings.addressing not in ADDRESSINGS:
            raise bad("addressing", settings.addressing, " or ".join(ADDRESSINGS))
        if settings.project is not None:
            if not PROJECT_NAME.match(settings.project):
                raise bad("project", settings.project, "a compose project name (lower-case letters, digits, - and _)")
            if mode == "external" or settings.keep_stack:
                raise SettingsError(f"{sources['project']} attaches to a compose stack: it cannot be combined with "
                                    f"{'external mode' if mode == 'external' else 'keep_stack'}")
        if mode == "external":
            missing = [key for key in EXTERNAL_URLS if not urls[key]]
            if missing:
                raise SettingsError(
                    f"external mode ({sources['mode']}) needs " + ", ".join(missing)
                    + ": pass -D key=value or set ARENA_<KEY>")
        unknown = sorted(set(userdata) - set(KEYS) - {k for k in userdata if k.startswith("AllureFormatter.")})
        if unknown:
            raise SettingsError(f"-D {unknown[0]} is not a setting of the suite: known keys are {', '.join(KEYS)}")
        return settings

    def describe(self) -> str:
        """One line for the console: the mode and every value that is not a default."""
        def shown(key: str) -> str:  # credentials stay out of the console
            return key if key in ("admin_token", "database_url", "mongo_url") else f"{key}={getattr(self, key)}"

        chosen = [f"{shown(key)} ({source})" for key, source in self.sources.items() if source != "default"]
        return f"mode {self.mode}" + (f"; set: {', '.join(chosen)}" if chosen else "; all defaults")
