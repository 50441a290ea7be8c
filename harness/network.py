"""In-network addressing: the suite inside a container, on the stack's own network.

A stack publishes its ports on the host's 127.0.0.1, which inside a container is the container's
own loopback. With setting `addressing=network` (scripts/in_container.sh and compose/suite.yml
set ARENA_ADDRESSING=network) the harness connects its own container to the project's default
network after `up` and reaches each service by its container's name at its container port
(http://<project>-api-1:8000, <project>-postgres-1:5432, ...: unlike the compose name `api`,
unique when the suite joins two stacks' networks). It leaves that network before `down`: compose cannot
remove a network that still has an endpoint.

Its stacks are labelled with the container as owner, `container:<id>:<pid>`: a pid of the
container's pid namespace means nothing to the host, while "is container <id> running" can be
answered wherever the engine answers. So a stack whose suite container died (Ctrl-C, SIGKILL,
`docker rm -f`) is stale for the next run, on the host or in any container (harness/cleanup.py).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from harness.endpoints import Endpoints

CONTAINER_OWNER = "container:"
_ID = re.compile(r"[0-9a-f]{64}")
# /proc/self/mountinfo: Docker bind-mounts /var/lib/docker/containers/<id>/hostname on /etc/hostname.
# (The host's own mountinfo lists containers' shm mounts, never an /etc/hostname of theirs.)
_HOSTNAME_MOUNT = re.compile(r"/containers/([0-9a-f]{64})/hostname /etc/hostname ")
# /proc/self/cgroup under cgroup v1 (and v2 with the host's cgroup namespace): .../docker/<id>
_CGROUP = re.compile(r"(?:/docker[/-]|/libpod-)([0-9a-f]{64})")


class NetworkAddressingError(RuntimeError):
    """The suite cannot join the stack's network (not in a container of this engine)."""


def host(project: str, service: str) -> str:
    """A service's name on its stack's network that no other stack's service shares: its
    container's name. The suite's container joins the networks of both stacks of a parallel run
    (the features', the fault scenarios'), where a bare `api` would name two containers."""
    return f"{project}-{service}-1"


def service_url(project: str, service: str, ports: Mapping[str, int], scheme: str = "http") -> str:
    """A service's address on the stack's network: its container's name and its container port."""
    return f"{scheme}://{host(project, service)}:{ports[service]}"


def endpoints(project: str, ports: Mapping[str, int]) -> Endpoints:
    """The stack's Endpoints as seen from a container on its network. They never move: a restarted
    service keeps its name, whatever address it gets."""
    return Endpoints(
        api_url=service_url(project, "api", ports),
        gateway_url=service_url(project, "gateway", ports),
        database_url=f"postgresql+psycopg://arena:arena@{host(project, 'postgres')}:{ports['postgres']}/arena",
        mongo_url=f"mongodb://{host(project, 'mongo')}:{ports['mongo']}/arena",
        redis_url=service_url(project, "redis", ports, "redis") + "/0",
    )


def network_name(project: str) -> str:
    return f"{project}_default"


def own_container_id(mountinfo: str | None = None, cgroup: str | None = None) -> str | None:
    """The id of the container this process runs in, or None outside a container.

    From the /etc/hostname bind mount (every Docker container has one, cgroup v1 or v2), else from
    the cgroup path. Not from HOSTNAME: `--hostname` changes it, and a host has one too."""
    if mountinfo is None:
        mountinfo = _read("/proc/self/mountinfo")
    if match := _HOSTNAME_MOUNT.search(mountinfo):
        return match.group(1)
    if cgroup is None:
        cgroup = _read("/proc/self/cgroup")
    if match := _CGROUP.search(cgroup):
        return match.group(1)
    return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def owner_id(container_id: str | None = None, pid: int | None = None) -> str:
    """The owner label of a stack started from inside a container."""
    container_id = container_id or own_container_id()
    if not container_id:
        raise NetworkAddressingError(
            "addressing=network: this process does not run in a Docker container (no container id in "
            "/proc/self/mountinfo or /proc/self/cgroup); use the default addressing=host on a host")
    return f"{CONTAINER_OWNER}{container_id}:{pid or os.getpid()}"


def parse_owner(owner: str) -> tuple[str, int] | None:
    """(container id, pid) of a `container:<id>:<pid>` owner label; None for any other owner."""
    if not owner.startswith(CONTAINER_OWNER):
        return None
    container_id, _, pid = owner[len(CONTAINER_OWNER):].rpartition(":")
    if not _ID.fullmatch(container_id) or not pid.isdigit():
        return None
    return container_id, int(pid)


def owner_alive(owner: str, client=None, own_id: str | None = None) -> bool:
    """Is the suite that owns a stack still there? Its container must run; inside that very
    container, its process too. Anything unreadable is alive: never remove a stack on a doubt."""
    parsed = parse_owner(owner)
    if parsed is None:
        return True
    container_id, pid = parsed
    own_id = own_container_id() if own_id is None else own_id
    if container_id == own_id:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    from docker.errors import DockerException, NotFound

    try:
        import docker

        container = (client or docker.from_env()).containers.get(container_id)
    except NotFound:
        return False  # the container is gone (`docker run --rm` removes it when it ends)
    except DockerException:
        return True
    return container.status in ("running", "paused", "restarting")


def join(project: str, client=None) -> None:
    """Connect this process's container to the project's default network (once: it stays
    connected while compose restarts services)."""
    import docker
    from docker.errors import NotFound

    client = client or docker.from_env()
    container_id = own_container_id()
    try:
        me = client.containers.get(container_id or "")
    except NotFound:
        raise NetworkAddressingError(
            f"addressing=network: the engine knows no container {container_id or '(none found)'}; the suite "
            f"must run in a container of the engine that runs the stack (scripts/in_container.sh)") from None
    name = network_name(project)
    if name in (me.attrs.get("NetworkSettings", {}).get("Networks") or {}):
        return
    client.networks.get(name).connect(me)
    print(f"[stack] joined network {name}: services are addressed by name", file=sys.stderr, flush=True)


def leave(project: str, client=None) -> None:
    """Disconnect this process's container from the project's network (before `down`); quiet
    when it is not connected or the network is already gone."""
    import docker
    from docker.errors import APIError, NotFound

    container_id = own_container_id()
    if not container_id:
        return
    client = client or docker.from_env()
    try:
        client.networks.get(network_name(project)).disconnect(container_id, force=True)
    except NotFound:
        pass
    except APIError as err:
        if "is not connected" not in str(err):
            print(f"[stack] could not leave network {network_name(project)}: {err}", file=sys.stderr)
