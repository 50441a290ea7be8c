"""A lane: a work copy of services/ and a stack that runs it, where one mutant at a time is tried.

The stack is started once per session from the pristine image, with the lane's services/ mounted
over the image's (compose/mutation.yml). cosmic-ray writes a mutant into the work copy; the trial
restarts the services whose package changed since they last started (arena: api, worker, beat;
gateway: the gateway) and runs its scenarios. The lane remembers, in `running.json`, which code
each package's services were started with.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from harness.settings import REPO_ROOT, REPORTS_DIR

MUTATION_DIR = REPORTS_DIR / "mutation"
LANES_DIR = MUTATION_DIR / "lanes"
OVERRIDE = REPO_ROOT / "compose" / "mutation.yml"
PACKAGES = {"arena": ("api", "worker", "beat"), "gateway": ("gateway",)}
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def package_digest(services: Path, package: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((services / package).rglob("*.py")):
        digest.update(str(path.relative_to(services)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class Lane:
    def __init__(self, directory: Path, project: str | None = None) -> None:
        self.dir = directory
        self.services = directory / "services"
        self.state_file = directory / "lane.json"
        self.running_file = directory / "running.json"
        self.project = project or json.loads(self.state_file.read_text())["project"]

    @classmethod
    def create(cls, index: int) -> Lane:
        """A fresh work copy of the checkout's services/ (the stack is started by `start`)."""
        directory = LANES_DIR / f"lane-{index}"
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        shutil.copytree(REPO_ROOT / "services", directory / "services", ignore=IGNORED)
        lane = cls(directory, project=f"arena-mut{index}-{time.strftime('%H%M%S')}-{os.getpid()}")
        lane.state_file.write_text(json.dumps({"project": lane.project}))
        return lane

    def env(self) -> dict[str, str]:
        """What every compose command for this lane's stack needs, the trial's behave included:
        without it, compose would see changed services and recreate them on the image's code."""
        return {"ARENA_COMPOSE_OVERRIDE": str(OVERRIDE), "ARENA_MUTANT_SERVICES": str(self.services)}

    def start(self):
        """Bring the lane's stack up (with beat, as the features' stack of a run has it)."""
        from harness.settings import Settings
        from harness.stack import ComposeStack
        from harness.timing import PhaseTimer

        settings = Settings.load({"with_beat": "true"}, environ={k: v for k, v in os.environ.items()
                                                                 if not k.startswith("ARENA_COVERAGE")})
        stack = ComposeStack(settings, project_name=self.project)
        stack.project.env.update(self.env())
        stack.start(PhaseTimer(self.dir / "timings.json"))
        self.remember_running()
        return stack

    def changed_packages(self) -> list[str]:
        """Packages whose code differs from what their services were started with."""
        running = json.loads(self.running_file.read_text()) if self.running_file.exists() else {}
        return [package for package in PACKAGES if running.get(package) != package_digest(self.services, package)]

    def remember_running(self, packages: list[str] | None = None) -> None:
        running = json.loads(self.running_file.read_text()) if self.running_file.exists() else {}
        for package in packages or list(PACKAGES):
            running[package] = package_digest(self.services, package)
        self.running_file.write_text(json.dumps(running))

    def forget_running(self, packages: list[str]) -> None:
        """Their services may not have started: the next trial restarts them whatever the code."""
        running = json.loads(self.running_file.read_text()) if self.running_file.exists() else {}
        for package in packages:
            running.pop(package, None)
        self.running_file.write_text(json.dumps(running))
