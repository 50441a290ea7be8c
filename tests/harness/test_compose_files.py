"""ComposeProject.files_in: what `ls -A` in the service's container tells, through the shell
kept in that container (harness/container_shell.py), or one exec when that shell fails.

No engine: the project's container lookup is replaced by stand-in containers that answer as the
engine would (exit code, combined output), and the kept shell by one that passes its commands to
them. tests/harness/test_container_shell.py runs the real shell in a real container.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from harness import compose
from harness.compose import ComposeError, ComposeProject
from harness.container_shell import ShellError


@dataclass
class FakeContainer:
    name: str
    status: str = "running"
    answer: tuple[int, bytes] = (0, b"")
    commands: list[list[str]] = field(default_factory=list)
    execs: int = 0  # commands that came as execs of their own, not through the kept shell

    @property
    def id(self) -> str:
        return self.name

    def exec_run(self, command: list[str]) -> tuple[int, bytes]:
        self.execs += 1
        return self.answer_to(command)

    def answer_to(self, command: list[str]) -> tuple[int, bytes]:
        self.commands.append(command)
        return self.answer


class FakeShell:
    started: list[str] = []

    def __init__(self, container: FakeContainer) -> None:
        self.container = container
        FakeShell.started.append(container.name)

    def run(self, argv: list[str]) -> tuple[int, str]:
        code, output = self.container.answer_to(argv)
        return code, output.decode()

    def close(self) -> None:
        pass


def project_with(monkeypatch, *containers: FakeContainer) -> ComposeProject:
    project = ComposeProject("arena-test")
    monkeypatch.setattr(project, "_containers", lambda service=None: list(containers))
    monkeypatch.setattr(compose, "ContainerShell", FakeShell)
    FakeShell.started = []
    return project


def test_the_names_in_the_directory_sorted_hidden_ones_included(monkeypatch):
    api = FakeContainer("arena-test-api-1", answer=(0, b"b.jsonl\n.hidden\na.pdf\n"))
    assert project_with(monkeypatch, api).files_in("api", "/data/uploads/t1") == [".hidden", "a.pdf", "b.jsonl"]
    assert api.commands == [["ls", "-A", "--", "/data/uploads/t1"]]


def test_one_shell_a_container_serves_every_look(monkeypatch):
    api = FakeContainer("arena-test-api-1", answer=(0, b"a\n"))
    project = project_with(monkeypatch, api)
    for _ in range(3):
        assert project.files_in("api", "/d") == ["a"]
    assert FakeShell.started == ["arena-test-api-1"] and api.execs == 0


def test_a_shell_that_fails_is_dropped_and_that_look_is_an_exec_of_its_own(monkeypatch):
    api = FakeContainer("arena-test-api-1", answer=(0, b"a\n"))
    project = project_with(monkeypatch, api)
    project.files_in("api", "/d")

    def gone(argv):
        raise ShellError("the shell is gone (its container stopped or restarted)")

    monkeypatch.setattr(project._shells["arena-test-api-1"], "run", gone)
    assert project.files_in("api", "/d") == ["a"]
    assert api.execs == 1 and "arena-test-api-1" not in project._shells
    assert project.files_in("api", "/d") == ["a"]  # a new shell
    assert FakeShell.started == ["arena-test-api-1", "arena-test-api-1"] and api.execs == 1


def test_a_directory_that_does_not_exist_holds_nothing(monkeypatch):
    api = FakeContainer("arena-test-api-1", answer=(2, b"ls: cannot access '/x': No such file or directory\n"))
    assert project_with(monkeypatch, api).files_in("api", "/x") == []


def test_any_other_failure_is_an_error_naming_the_container(monkeypatch):
    api = FakeContainer("arena-test-api-1", answer=(2, b"ls: cannot open directory '/x': Permission denied\n"))
    with pytest.raises(ComposeError, match=r"arena-test-api-1 failed \(exit 2\): .*Permission denied"):
        project_with(monkeypatch, api).files_in("api", "/x")


def test_the_first_running_replica_is_asked(monkeypatch):
    stopped = FakeContainer("arena-test-api-1", status="exited")
    second = FakeContainer("arena-test-api-3", answer=(0, b"late\n"))
    first = FakeContainer("arena-test-api-2", answer=(0, b"early\n"))
    assert project_with(monkeypatch, stopped, second, first).files_in("api", "/d") == ["early"]
    assert not stopped.commands and not second.commands


def test_no_running_container_is_an_error_naming_the_service(monkeypatch):
    with pytest.raises(ComposeError, match="no running container of api in arena-test"):
        project_with(monkeypatch, FakeContainer("arena-test-api-1", status="exited")).files_in("api", "/d")


@dataclass
class FakeService:
    status: str
    exit_code: int = 0
    health: str | None = "healthy"
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def attrs(self) -> dict:
        state = {"Status": self.status, "ExitCode": self.exit_code}
        if self.health:
            state["Health"] = {"Status": self.health}
        return {"State": state}


WORKER_DEPENDS_ON = "redis:service_healthy:false,migrate:service_completed_successfully:false"


def project_of(monkeypatch, **services: FakeService) -> ComposeProject:
    project = ComposeProject("arena-test")
    monkeypatch.setattr(project, "_containers", lambda service=None: [services[service]] if service in services else [])
    return project


@pytest.mark.parametrize("redis, migrate, ready", [
    (FakeService("running"), FakeService("exited", health=None), True),
    (FakeService("running", health="starting"), FakeService("exited", health=None), False),
    (FakeService("running"), FakeService("exited", exit_code=1, health=None), False),
    (FakeService("running"), FakeService("running", health=None), False),  # the migration still runs
])
def test_dependencies_are_ready_by_their_condition(monkeypatch, redis, migrate, ready):
    project = project_of(monkeypatch, redis=redis, migrate=migrate)
    worker = FakeService("running", labels={"com.docker.compose.depends_on": WORKER_DEPENDS_ON})
    assert project._dependencies_ready(worker) is ready


def test_a_missing_dependency_is_not_ready(monkeypatch):
    worker = FakeService("running", labels={"com.docker.compose.depends_on": WORKER_DEPENDS_ON})
    assert project_of(monkeypatch, redis=FakeService("running"))._dependencies_ready(worker) is False
