"""What the Allure report carries besides the scenarios: matrix links, the environment and the
executor of the run, a failed stack start as a global error, a failed run's stored events.

The report's shape (single file, history, categories, navigation) is in allurerc.mjs; the
results written here are read by it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess

import allure
from allure_commons.types import AttachmentType, LinkType
from sqlalchemy import text

from harness import secrets
from harness.settings import REPO_ROOT, RESULTS_ROOT, Settings

RESULTS_DIR = RESULTS_ROOT / "allure-results"
MATRIX_ID = re.compile(r"^[A-Z]+-\d{3}$")  # a scenario-matrix id tag: @INT-001


def link_matrix_ids(tags: list[str], pattern: str) -> list[str]:
    """Make each scenario-matrix id tag a working link of the current Allure test (type tms,
    named by the id); return the ids linked."""
    ids = [tag for tag in dict.fromkeys(tags) if MATRIX_ID.match(tag)]
    for matrix_id in ids:
        allure.dynamic.link(pattern.replace("{}", matrix_id), link_type=LinkType.TEST_CASE, name=matrix_id)
    return ids


def label_story(scenario_name: str) -> str | None:
    """The rows of a Scenario Outline share a story, the outline's name, so they sit together
    under their feature (behave names a row "<outline> -- @1.2 <examples>"). A plain scenario
    needs none: it sits under its feature itself."""
    if " -- @" not in scenario_name:
        return None
    story = scenario_name.split(" -- @", 1)[0]
    allure.dynamic.story(story)
    return story


def _output(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=20, cwd=REPO_ROOT,
                              stdin=subprocess.DEVNULL).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _compose_env() -> dict[str, str]:
    path = REPO_ROOT / "compose" / ".env"
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip().strip('"') for key, value in pairs}


def environment(settings: Settings, project: str | None = None) -> dict[str, str]:
    """The facts a reader of a red report asks first: which code, on which engine, which images."""
    facts = {
        "commit": _output("git", "rev-parse", "--short=12", "HEAD") or os.environ.get("GITHUB_SHA", "?")[:12],
        "branch": (os.environ.get("GITHUB_HEAD_REF") or os.environ.get("GITHUB_REF_NAME")
                   or _output("git", "rev-parse", "--abbrev-ref", "HEAD")),
        "mode": settings.mode,
    }
    if settings.mode == "external":
        facts["arena.api"] = settings.api_url or "?"
        return facts
    env = _compose_env()
    facts |= {
        "docker.engine": _output("docker", "version", "--format", "{{.Server.Version}}"),
        "docker.compose": _output("docker", "compose", "version", "--short"),
        "images.source": env.get("ARENA_IMAGE_SOURCE", "official"),
        "with_beat": str(settings.with_beat).lower(),
    }
    if project:
        # image id per service, from the running containers: what actually ran
        lines = _output("docker", "ps", "-a", "--filter", f"label=com.docker.compose.project={project}",
                        "--format", '{{.Label "com.docker.compose.service"}} {{.Image}}')
        for line in sorted(set(lines.splitlines())):
            service, _, image = line.partition(" ")
            image_id = _output("docker", "image", "inspect", "--format", "{{.Id}}", image)
            facts[f"image.{service}"] = f"{image} ({image_id.removeprefix('sha256:')[:12]})"
    return facts


def executor() -> dict:
    """Who ran the suite: a GitHub Actions run (with its link) or a person's machine."""
    server, repo, run_id = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    if server and repo and run_id:
        attempt = os.environ.get("GITHUB_RUN_ATTEMPT", "1")
        workflow, number = os.environ.get("GITHUB_WORKFLOW", "acceptance"), os.environ.get("GITHUB_RUN_NUMBER", run_id)
        return {"name": "GitHub Actions", "type": "github",
                "buildName": f"{workflow} #{number} ({os.environ.get('GITHUB_JOB', '')})",
                "buildOrder": int(os.environ.get("GITHUB_RUN_NUMBER", "0") or 0),
                "buildUrl": f"{server}/{repo}/actions/runs/{run_id}/attempts/{attempt}",
                "reportName": "Arena acceptance"}
    return {"name": f"local run on {socket.gethostname()}", "type": "local",
            "buildName": f"behave on {socket.gethostname()}", "reportName": "Arena acceptance"}


def write_run_metadata(settings: Settings, project: str | None = None) -> None:
    """environment.properties and executor.json beside the results (Allure reads both)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    facts = environment(settings, project)
    lines = [f"{key}={secrets.mask(value)}".replace("\n", " ") for key, value in facts.items()]
    (RESULTS_DIR / "environment.properties").write_text("\n".join(lines) + "\n")
    (RESULTS_DIR / "executor.json").write_text(json.dumps(executor(), indent=2) + "\n")


def report_failed_start(diagnosis: str, service_logs: dict[str, str]) -> None:
    """A stack that did not start is not a scenario: it shows as a global error of the report,
    with each failing service's log attached."""
    first_line = secrets.mask(diagnosis.splitlines()[0])
    allure.global_error(f"Stack did not start: {first_line}", trace=secrets.mask(diagnosis))
    for service, log in service_logs.items():
        allure.global_attach(secrets.mask(log) or "(no log lines)", name=f"{service} log (secrets masked)",
                             attachment_type=AttachmentType.TEXT)


def attach_run_events(db, run_ids: list[str]) -> None:
    """The stored events of each run a failed scenario made: what the worker recorded, in order."""
    for run_id in run_ids:
        try:
            with db.engine.connect() as conn:
                rows = conn.execute(text("SELECT seq, type, data, created_at FROM run_events "
                                         "WHERE run_id = CAST(:run AS uuid) ORDER BY seq"), {"run": run_id}).all()
            body = "\n".join(f"{row.seq:>3}  {row.created_at:%H:%M:%S.%f}  {row.type:<12} {json.dumps(row.data)}"
                             for row in rows) or "(no stored events)"
        except Exception as err:  # noqa: BLE001 - the store may be what failed; say so instead
            body = f"(could not read the stored events: {type(err).__name__}: {str(err).splitlines()[0]})"
        allure.attach(secrets.mask(body), name=f"Stored events of run {run_id}", attachment_type=AttachmentType.TEXT)


def attach_tables(what: str, side_by_side: str) -> None:
    """The step's table and what was seen, side by side (harness.tables.side_by_side), for a Then
    whose table did not match: the failure message names only the differences."""
    allure.attach(side_by_side, name=f"{what}: expected and seen", attachment_type=AttachmentType.TEXT)
