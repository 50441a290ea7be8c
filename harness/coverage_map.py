"""The coverage map: which scenarios ran each line of services/ (reports/coverage-map.json).

How it is made (setting `coverage_map`, harness/parallel.py runs the features in one process):
the services run under coverage, and each process of the stack follows a context file that the
suite rewrites as every scenario starts (services/coverage_context.py). Coverage.py records the
scenario's id ("features/uploads.feature:42", behave's location: a Scenario Outline's row has its
own) as the dynamic context of every line run until the next scenario starts. Coverage's context is
one per process, so one behave process drives each stack: the features on theirs, the @fault
scenarios on their own. After the run the data is combined (harness/stack.py) and `build` turns
it into the map. Lines run before the first scenario (the services' start) carry the empty
context: the map lists them under STACK_START.

    .venv/bin/python -m harness.coverage_map services/arena/runs/pricing.py:14   # who covers a line
    .venv/bin/python -m harness.coverage_map services/arena/runs/pricing.py      # every line of a file
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path

from harness.settings import REPO_ROOT, REPORTS_DIR

MAP_FILE = REPORTS_DIR / "coverage-map.json"
# One file of scenario records per behave process (name, tags, seconds), read when the map is built.
RECORDS_DIR = REPORTS_DIR / "coverage-map.records"
STACK_START = "(stack start)"
CONTEXT_DIR = "/coverage"  # the stack's coverage volume, as every app container mounts it
APP_SERVICES = ("gateway", "api", "worker", "beat")  # any of them reaches the volume; the gateway is never stopped


def scenario_id(scenario) -> str:
    return f"{scenario.location.filename}:{scenario.location.line}"


class ScenarioContexts:
    """Tells one stack's services which scenario runs now, and keeps a record of each scenario."""

    def __init__(self, project: str) -> None:
        self.project = project
        self._container = None
        self._broken = False
        RECORDS_DIR.mkdir(parents=True, exist_ok=True)
        self._records = RECORDS_DIR / f"{project}-{int(time.time())}-{id(self)}.jsonl"

    def enter(self, scenario) -> None:
        """From now on, every line the stack runs counts as run by `scenario`. The map is a by-product
        of the run: a stack that cannot be written to (gone already) is said once, never a failure."""
        if self._broken:
            return
        try:
            self._write(scenario_id(scenario))
        except Exception as err:  # noqa: BLE001
            self._broken = True
            print(f"[coverage-map] cannot tell {self.project} which scenario runs ({err}); "
                  "this process's scenarios stay out of the map", file=sys.stderr, flush=True)

    def record(self, scenario) -> None:
        entry = {"id": scenario_id(scenario), "name": scenario.name, "feature": scenario.feature.name,
                 "tags": sorted(scenario.effective_tags), "seconds": round(scenario.duration, 2),
                 "status": scenario.status.name}
        with self._records.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")

    def _write(self, text: str) -> None:
        payload = (text + "\n").encode()
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            info = tarfile.TarInfo("context")
            info.size, info.mtime = len(payload), int(time.time())
            tar.addfile(info, io.BytesIO(payload))
        for attempt in range(2):  # a container recreated by a fault scenario has a new id
            try:
                self._target().put_archive(CONTEXT_DIR, archive.getvalue())
                return
            except Exception:  # noqa: BLE001 - docker.errors.NotFound / APIError: look it up again
                self._container = None
                if attempt:
                    raise

    def _target(self):
        if self._container is None:
            import docker

            client = docker.from_env()
            containers = client.containers.list(
                all=True, filters={"label": f"com.docker.compose.project={self.project}"})
            by_service = {c.labels.get("com.docker.compose.service"): c for c in containers}
            found = next((by_service[s] for s in APP_SERVICES if s in by_service), None)
            if found is None:
                raise RuntimeError(f"no app container of {self.project} to write the scenario's context into")
            self._container = found
        return self._container


def _repo_path(measured: str) -> str | None:
    """services/arena/... for a file the containers measured (/app/services/arena/...) or a
    checkout did (services/arena/..., arena/...)."""
    parts = Path(measured).parts
    for package in ("arena", "gateway"):
        if package in parts:
            index = parts.index(package)
            return str(Path("services", *parts[index:]))
    return None


def _records() -> dict[str, dict]:
    found: dict[str, dict] = {}
    files = sorted(RECORDS_DIR.glob("*.jsonl"), key=lambda p: p.stat().st_mtime) if RECORDS_DIR.exists() else []
    for path in files:  # oldest first: this run's records win
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                found[entry["id"]] = entry
    return found


def build(data_file: Path, out: Path = MAP_FILE) -> dict:
    """Write the map from combined coverage data with scenario contexts."""
    from coverage import CoverageData

    data = CoverageData(basename=str(data_file))
    data.read()
    records = _records()
    ids: dict[str, int] = {}
    files: dict[str, dict[str, list[int]]] = {}
    for measured in sorted(data.measured_files()):
        path = _repo_path(measured)
        if path is None:
            continue
        lines: dict[str, list[int]] = {}
        for number, contexts in sorted(data.contexts_by_lineno(measured).items()):
            who = {ids.setdefault(context or STACK_START, len(ids)) for context in contexts}
            lines[str(number)] = sorted(who)
        files[path] = lines
    scenarios = []
    for context, _ in sorted(ids.items(), key=lambda item: item[1]):
        record = records.get(context, {})
        scenarios.append({"id": context, "name": record.get("name", "services starting, before any scenario"
                                                             if context == STACK_START else "?"),
                          "feature": record.get("feature", ""), "tags": record.get("tags", []),
                          "seconds": record.get("seconds"), "status": record.get("status")})
    document = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "commit": _commit(),
                "how": "coverage.py dynamic contexts, one per scenario (harness/coverage_map.py)",
                "scenarios": scenarios, "files": files}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    return document


def _commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    return proc.stdout.strip()


class CoverageMap:
    """The map as read back: which scenarios cover a line."""

    def __init__(self, document: dict) -> None:
        self.document = document
        self.scenarios: list[dict] = document["scenarios"]
        self.files: dict[str, dict[str, list[int]]] = document["files"]

    @classmethod
    def load(cls, path: Path = MAP_FILE) -> CoverageMap:
        if not path.exists():
            raise FileNotFoundError(f"no coverage map at {path}: make one with "
                                    "`.venv/bin/python -m harness.parallel -D coverage_map=true --tags=@integration "
                                    "--tags='not @known_defect'`")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def covering(self, path: str, lines: list[int] | range) -> list[dict]:
        """The scenarios that ran any of `lines` of `path` (services/...), each once."""
        by_line = self.files.get(path, {})
        found = sorted({index for line in lines for index in by_line.get(str(line), [])})
        return [self.scenarios[index] for index in found]

    def measured(self, path: str) -> bool:
        return path in self.files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.coverage_map",
                                     description="Which scenarios ran a line of services/ (reports/coverage-map.json).")
    parser.add_argument("where", help="services/<file>.py:<line>, or a file for each of its lines")
    parser.add_argument("--map", type=Path, default=MAP_FILE)
    args = parser.parse_args(argv)
    try:
        cover = CoverageMap.load(args.map)
    except FileNotFoundError as err:
        print(f"[coverage-map] {err}", file=sys.stderr)
        return 2
    path, _, line = args.where.partition(":")
    path = str(Path(path).resolve().relative_to(REPO_ROOT)) if Path(path).exists() else path
    if not cover.measured(path):
        print(f"[coverage-map] {path}: no line of it ran in the map's run (map of {cover.document['commit'][:8]}, "
              f"{cover.document['created']})", file=sys.stderr)
        return 1
    numbers = [int(line)] if line else sorted(int(n) for n in cover.files[path])
    for number in numbers:
        who = cover.covering(path, [number])
        print(f"{path}:{number}: {len(who)} scenario(s)" if who else f"{path}:{number}: no scenario ran it")
        if line:
            for scenario in who:
                print(f"  {scenario['id']:<40} {scenario['name']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
