"""The suite inside a container: services by name on the stack's network, stacks owned by the
container (harness/network.py), and the image's requirements covering what the suite imports."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest
import yaml
from docker.errors import APIError, NotFound
from packaging.requirements import Requirement

from harness import cleanup, network
from harness.settings import REPO_ROOT, Settings, SettingsError
from harness.stack import SERVICE_PORTS, ComposeStack

CID = "f047b3e70cc62afe16c685c7afe95ceb33592e6417717666abc13629ffececb2"
OTHER = "a" * 64
# /proc/self/mountinfo lines as Docker 20.10 writes them inside a container ...
CONTAINER_MOUNTINFO = (
    f"706 582 254:0 /var/lib/docker/containers/{CID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw\n"
    f"707 582 254:0 /var/lib/docker/containers/{CID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw\n"
)
# ... and on a host running containers: their shm mounts, never an /etc/hostname of theirs.
HOST_MOUNTINFO = (
    f"120 29 0:52 / /var/lib/docker/containers/{OTHER}/mounts/shm rw,nosuid,nodev - tmpfs shm rw\n"
    "121 29 0:53 / /var/lib/docker/overlay2/abc/merged rw,relatime - overlay overlay rw\n"
)


# --- endpoints ----------------------------------------------------------------------------------

def test_in_network_endpoints_name_each_service_by_its_container_at_its_container_port():
    # The container's name, not the compose name: the suite joins both stacks of a parallel run.
    endpoints = network.endpoints("arena-at-x-1", SERVICE_PORTS)
    assert (endpoints.api_url, endpoints.gateway_url, endpoints.database_url, endpoints.mongo_url,
            endpoints.redis_url) == (
        "http://arena-at-x-1-api-1:8000", "http://arena-at-x-1-gateway-1:8080",
        "postgresql+psycopg://arena:arena@arena-at-x-1-postgres-1:5432/arena",
        "mongodb://arena-at-x-1-mongo-1:27017/arena", "redis://arena-at-x-1-redis-1:6379/0")
    assert network.service_url("arena-at-x-1", "router", SERVICE_PORTS) == "http://arena-at-x-1-router-1:4000"
    assert network.endpoints("arena-at-x-1-faults", SERVICE_PORTS).api_url == "http://arena-at-x-1-faults-api-1:8000"
    assert network.network_name("arena-at-20260101-7") == "arena-at-20260101-7_default"


@pytest.fixture
def in_container(monkeypatch):
    """This process seen as running in container CID; joining and leaving networks recorded."""
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(network, "own_container_id", lambda *a, **k: CID)
    monkeypatch.setattr(network, "join", lambda project, client=None: calls.append(("join", project)))
    monkeypatch.setattr(network, "leave", lambda project, client=None: calls.append(("leave", project)))
    return calls


def test_a_stack_in_network_mode_joins_its_network_and_addresses_services_by_name(in_container):
    stack = ComposeStack(Settings.load({"addressing": "network"}, environ={}), project_name="arena-at-x-1")
    endpoints = stack.discover()
    assert in_container == [("join", "arena-at-x-1")]
    assert endpoints == network.endpoints("arena-at-x-1", SERVICE_PORTS)
    assert stack.url_of("router") == "http://arena-at-x-1-router-1:4000"
    # The owner label is the container: its pid means nothing outside the container.
    assert stack.project.env["ARENA_STACK_OWNER"] == f"container:{CID}:{os.getpid()}"


def test_a_stack_in_network_mode_leaves_the_network_before_down(in_container, monkeypatch):
    stack = ComposeStack(Settings.load({}, environ={"ARENA_ADDRESSING": "network"}), project_name="arena-at-x-2")
    monkeypatch.setattr(stack.project, "down", lambda: in_container.append(("down", stack.project.name)))
    monkeypatch.setattr(cleanup, "leftovers", lambda project: {})
    monkeypatch.setattr(cleanup, "remove_old_app_images", lambda **kwargs: None)

    class Timer:
        def phase(self, name):
            import contextlib
            return contextlib.nullcontext()

    stack.stop(Timer())
    assert in_container == [("leave", "arena-at-x-2"), ("down", "arena-at-x-2")]


def test_host_addressing_stays_the_default_and_keeps_host_owners(monkeypatch):
    monkeypatch.setattr(network, "join", lambda *a, **k: pytest.fail("host addressing joined a network"))
    stack = ComposeStack(Settings.load({}, environ={}), project_name="arena-at-x-3")
    assert stack.settings.addressing == "host"
    assert stack.project.env["ARENA_STACK_OWNER"] == cleanup.owner_id()


# --- the setting --------------------------------------------------------------------------------

def test_addressing_follows_the_one_precedence():
    assert Settings.load({}, environ={}).addressing == "host"
    assert Settings.load({}, environ={"ARENA_ADDRESSING": "Network"}).addressing == "network"
    settings = Settings.load({"addressing": "host"}, environ={"ARENA_ADDRESSING": "network"})
    assert (settings.addressing, settings.sources["addressing"]) == ("host", "-D addressing")


def test_a_bad_addressing_is_one_line_naming_the_key():
    with pytest.raises(SettingsError, match=r"^ARENA_ADDRESSING='bridge' is not allowed: addressing must be host "
                                            r"or network$"):
        Settings.load({}, environ={"ARENA_ADDRESSING": "bridge"})


# --- which container am I -----------------------------------------------------------------------

def test_the_own_container_id_comes_from_the_hostname_mount():
    assert network.own_container_id(mountinfo=CONTAINER_MOUNTINFO, cgroup="0::/\n") == CID


def test_the_own_container_id_falls_back_to_the_cgroup_path():
    cgroup = f"9:name=systemd:/docker/{CID}\n8:pids:/docker/{CID}\n"
    assert network.own_container_id(mountinfo="", cgroup=cgroup) == CID


def test_a_host_is_no_container_even_with_containers_running():
    assert network.own_container_id(mountinfo=HOST_MOUNTINFO, cgroup="9:name=systemd:/\n0::/init.scope\n") is None


def test_network_mode_outside_a_container_says_so(monkeypatch):
    monkeypatch.setattr(network, "own_container_id", lambda *a, **k: None)
    with pytest.raises(network.NetworkAddressingError, match="does not run in a Docker container"):
        network.owner_id()


# --- owners -------------------------------------------------------------------------------------

def test_owner_labels_name_the_container_and_the_process():
    owner = network.owner_id(CID, 42)
    assert owner == f"container:{CID}:42"
    assert network.parse_owner(owner) == (CID, 42)
    for other in ("keep", "manual", "ci-host:123", f"container:{CID}", "container:short:1"):
        assert network.parse_owner(other) is None


class FakeContainers:
    def __init__(self, outcome):
        self.outcome = outcome

    def get(self, container_id):
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return type("Container", (), {"status": self.outcome})()


class FakeClient:
    def __init__(self, outcome):
        self.containers = FakeContainers(outcome)


@pytest.mark.parametrize(("outcome", "alive"), [
    ("running", True),
    ("paused", True),
    ("exited", False),  # ended without --rm: its suite is gone
    (NotFound("no such container"), False),  # `docker run --rm` removed it
    (APIError("engine hiccup"), True),  # never remove a stack on a doubt
])
def test_a_stack_of_another_container_is_alive_while_that_container_runs(outcome, alive):
    assert network.owner_alive(network.owner_id(OTHER, 7), client=FakeClient(outcome), own_id=CID) is alive


def test_in_its_own_container_the_owner_process_must_live_too():
    finished = subprocess.Popen(["true"])
    finished.wait()
    client = FakeClient(AssertionError("no engine call for our own container"))
    assert network.owner_alive(network.owner_id(CID, os.getpid()), client=client, own_id=CID)
    assert not network.owner_alive(network.owner_id(CID, finished.pid), client=client, own_id=CID)


def test_cleanup_judges_container_owners_by_their_container(monkeypatch):
    judged = []
    monkeypatch.setattr(network, "owner_alive", lambda owner: judged.append(owner) or False)
    assert not cleanup._owner_alive(f"container:{OTHER}:1")
    assert judged == [f"container:{OTHER}:1"]
    assert cleanup._owner_alive("keep")  # the host's rules are unchanged


# --- the image and the compose service ----------------------------------------------------------

def _image_requirements() -> list[str]:
    """What compose/suite.Dockerfile installs: pyproject.toml's dependencies and services' httpx pin."""
    deps = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    extra = [line.strip() for line in (REPO_ROOT / "services" / "requirements.txt").read_text().splitlines()
             if line.startswith("httpx==")]
    return deps + extra


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]).lower()


def test_the_image_installs_pinned_requirements():
    requirements = _image_requirements()
    assert any(_name(r) == "httpx" for r in requirements)
    assert all("==" in r for r in requirements), requirements


def test_the_image_requirements_cover_every_package_the_suite_imports():
    """The host venv has services/requirements.txt too; the image only what is listed: an import
    of anything else would fail only in the container."""
    closure, todo = set(), [_name(r) for r in _image_requirements()]
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        for requirement in map(Requirement, metadata.requires(name) or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(_name(requirement.name))
    distributions = metadata.packages_distributions()
    sources = [REPO_ROOT / "environment.py", *(REPO_ROOT / "harness").glob("*.py"), *(REPO_ROOT / "steps").glob("*.py")]
    missing = set()
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in (m.split(".")[0] for m in modules):
                if module in sys.stdlib_module_names or module in ("harness", "steps", "__future__"):
                    continue
                if not {_name(d) for d in distributions.get(module, [module])} & closure:
                    missing.add(f"{module} ({path.relative_to(REPO_ROOT)})")
    assert not missing, f"imported but not installed in the suite image: {sorted(missing)}"


def test_the_compose_service_mounts_the_socket_and_the_repository_at_its_host_path():
    suite = yaml.safe_load((REPO_ROOT / "compose" / "suite.yml").read_text())["services"]["suite"]
    assert suite["profiles"] == ["suite"] and suite["init"] is True
    assert "/var/run/docker.sock:/var/run/docker.sock" in suite["volumes"]
    assert "${ARENA_REPO_DIR}:${ARENA_REPO_DIR}" in suite["volumes"]
    assert suite["environment"]["ARENA_ADDRESSING"] == "network"
    assert suite["network_mode"] == "bridge"  # `run --rm` leaves no network of its own


def test_the_run_forwards_signals_and_runs_as_the_host_user():
    script = (REPO_ROOT / "scripts" / "in_container.sh").read_text()
    run = script[script.index("docker run --rm"):]
    for flag in ("--init", "--sig-proxy=true", "--cidfile", '--user "$(id -u):$(id -g)"', "--group-add",
                 '-v "$REPO:$REPO" -w "$REPO"', "ARENA_ADDRESSING=network"):
        assert flag in run, flag
    assert "trap 'on_signal INT 130' INT" in script and "trap 'on_signal TERM 143' TERM" in script
