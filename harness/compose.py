"""Docker Compose control of one stack (one compose project), through the `docker compose` CLI.

Compose v2 has no Python API; the CLI is its stable interface, and creates and removes what
the compose file describes. Everything Docker-level (labels, health states, stopping and starting
again a container compose made, removing extra replicas) goes through the Docker SDK: one call of
it takes milliseconds where a `docker compose` process takes a second or more.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness import secrets
from harness.container_shell import ContainerShell, ShellError
from harness.settings import COMPOSE_FILE
from harness.waits import WaitTimeout, poll_until


class ComposeError(RuntimeError):
    """A compose command failed; the message names the command and what it printed."""


@dataclass
class ComposeProject:
    name: str
    compose_file: Path = COMPOSE_FILE
    profiles: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    # A shell kept running in each container looked into (harness/container_shell.py), by id.
    _shells: dict[str, ContainerShell] = field(default_factory=dict, repr=False, compare=False)

    def _base(self, all_profiles: bool = False) -> list[str]:
        cmd = ["docker", "compose", "-p", self.name, "-f", str(self.compose_file)]
        # Extra files layered on top (os.pathsep between them): CI's build cache (compose/ci.yml), set
        # for the whole run; the mutation runner's mounted code (compose/mutation.yml), set for a project.
        overrides = [*os.environ.get("ARENA_COMPOSE_OVERRIDE", "").split(os.pathsep),
                     *self.env.get("ARENA_COMPOSE_OVERRIDE", "").split(os.pathsep)]
        for override in dict.fromkeys(o for o in overrides if o):
            cmd += ["-f", override]
        for profile in ["*"] if all_profiles else self.profiles:
            cmd += ["--profile", profile]
        return cmd

    def run(self, *args: str, timeout: float | None = None, capture: bool = True,
            check: bool = True, shielded: bool = False, all_profiles: bool = False,
            ) -> subprocess.CompletedProcess[str]:
        """Run `docker compose <args>` for this project.

        `shielded` starts it in its own session so that a Ctrl-C at the terminal does not reach
        it: teardown must finish even when the user interrupts again.
        """
        cmd = self._base(all_profiles) + list(args)
        try:
            proc = subprocess.run(
                cmd, env={**os.environ, **self.env}, text=True, timeout=timeout,
                stdout=subprocess.PIPE if capture else None,
                stderr=subprocess.STDOUT if capture else None,
                stdin=subprocess.DEVNULL, start_new_session=shielded,
            )
        except subprocess.TimeoutExpired as err:
            output = err.output.decode() if isinstance(err.output, bytes) else (err.output or "")
            raise ComposeError(
                f"`{' '.join(cmd[3:])}` did not finish within {timeout:g} s\n{_tail(output)}"
            ) from None
        if check and proc.returncode != 0:
            raise ComposeError(
                f"`docker compose {' '.join(args)}` failed with exit code {proc.returncode}\n"
                f"{_tail(proc.stdout or '')}"
            )
        return proc

    def build(self, no_cache: bool = False) -> None:
        """Build the app image; `no_cache` rebuilds every layer (the cold figure of the benchmark)."""
        self.run("build", *(["--no-cache"] if no_cache else []), capture=not sys.stderr.isatty(), timeout=1800)

    def up(self, wait_timeout: float) -> None:
        self.run("up", "--detach", "--wait", "--wait-timeout", str(int(wait_timeout)),
                 "--remove-orphans", timeout=wait_timeout + 60)

    def down(self) -> None:
        """Remove containers, networks and volumes. The stack is thrown away, so nothing needs
        a graceful stop: killing first saves the worker's ~2 s warm shutdown."""
        # All profiles: a service started on demand (beat) is otherwise left behind.
        self.run("kill", timeout=60, check=False, shielded=True, all_profiles=True)
        self.run("down", "--volumes", "--remove-orphans", "--timeout", "5",
                 timeout=180, shielded=True, all_profiles=True)

    def port(self, service: str, container_port: int) -> tuple[str, int]:
        return self.ports({service: container_port})[service]

    def ports(self, wanted: dict[str, int]) -> dict[str, tuple[str, int]]:
        """The host address of each service's published port, in one Docker API call (what
        `docker compose port` tells, without a compose process per service: every behave process
        of a parallel run asks on attaching, and again after each fault)."""
        import docker

        client = docker.from_env()
        try:
            containers = client.containers.list(filters={"label": f"com.docker.compose.project={self.name}"})
        finally:
            client.close()
        found: dict[str, tuple[str, int]] = {}
        for container in sorted(containers, key=lambda c: c.name):  # replica 1 first
            service = container.labels.get("com.docker.compose.service", "")
            if service not in wanted or service in found:
                continue
            bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{wanted[service]}/tcp") or []
            for binding in bindings:
                if binding.get("HostPort", "").isdigit() and ":" not in binding.get("HostIp", ""):  # IPv4
                    host = binding.get("HostIp") or "127.0.0.1"
                    found[service] = ("127.0.0.1" if host == "0.0.0.0" else host, int(binding["HostPort"]))
                    break
        missing = [f"{service}:{port}" for service, port in wanted.items() if service not in found]
        if missing:
            raise ComposeError(f"no published port in {self.name} for {', '.join(missing)} (is the service running?)")
        return found

    def ps(self) -> list[dict]:
        out = self.run("ps", "--all", "--format", "json", timeout=30).stdout.strip()
        if not out:
            return []
        if out.startswith("["):
            return json.loads(out)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def logs(self, services: list[str] | None = None, tail: int = 80) -> str:
        proc = self.run("logs", "--no-color", "--timestamps", "--tail", str(tail),
                        *(services or []), timeout=60, check=False)
        return secrets.mask(proc.stdout or "")

    def _containers(self, service: str | None = None) -> list:
        """This project's containers (of one service), running or not, through the Docker SDK."""
        import docker

        labels = [f"com.docker.compose.project={self.name}"]
        if service:
            labels.append(f"com.docker.compose.service={service}")
        client = docker.from_env()
        try:
            return client.containers.list(all=True, filters={"label": labels})
        finally:
            client.close()

    def network_exists(self) -> bool:
        """Whether compose has created this project's network (the first thing `up` creates)."""
        import docker

        client = docker.from_env()
        try:
            return bool(client.networks.list(filters={"label": f"com.docker.compose.project={self.name}"}))
        finally:
            client.close()

    def is_healthy(self, service: str) -> bool:
        """Every container of the service runs, and is healthy where it has a health check."""
        containers = self._containers(service)
        return bool(containers) and all(healthy(c) for c in containers)

    def exec(self, service: str, *command: str) -> str:
        return self.run("exec", "-T", service, *command, timeout=30).stdout

    def files_in(self, service: str, directory: str) -> list[str]:
        """The names in a directory of the service's (first running) container, as `ls -A` tells
        them; none when it does not exist. Every scenario that checks nothing was stored looks
        twice (~105 looks a run): a `compose exec` cost ~0.19 machine CPU-seconds a look, an SDK
        exec ~0.065, a command line to the shell kept in the container far less."""
        running = sorted((c for c in self._containers(service) if c.status == "running"), key=lambda c: c.name)
        if not running:
            raise ComposeError(f"no running container of {service} in {self.name}: cannot list {directory}")
        code, text = self._run_in(running[0], ["ls", "-A", "--", directory])
        if code == 0:
            return sorted(line for line in text.splitlines() if line)
        if "No such file" in text:
            return []
        raise ComposeError(f"`ls -A {directory}` in {running[0].name} failed (exit {code}): {text.strip()}")

    def _run_in(self, container, argv: list[str]) -> tuple[int, str]:
        """Through the container's kept shell; a shell that fails (its container restarted, say)
        is dropped, and that command is one exec of its own."""
        import docker

        try:
            shell = self._shells.get(container.id)
            if shell is None:
                shell = self._shells[container.id] = ContainerShell(container)
            return shell.run(argv)
        except (ShellError, OSError, docker.errors.DockerException):
            if (broken := self._shells.pop(container.id, None)) is not None:
                broken.close()
        code, output = container.exec_run(argv)
        return code, output.decode(errors="replace")

    def start_service(self, service: str, wait_timeout: float = 60) -> None:
        """Start one service (and what it depends on), whatever its profile; wait until healthy."""
        if self.is_healthy(service):
            return  # `up` would re-check every dependency's health: seconds for nothing
        if self._restart_stopped(service, wait_timeout):
            return
        # --no-recreate: starting one service never replaces a running one it depends on.
        self.run("up", "--detach", "--wait", "--no-recreate", "--wait-timeout", str(int(wait_timeout)), service,
                 timeout=wait_timeout + 30, all_profiles=True)

    def _restart_stopped(self, service: str, wait_timeout: float) -> bool:
        """Start the service's stopped containers again through the Docker SDK, when compose would
        do nothing more: they exist, and every service they depend on is ready (its condition).
        Saves the ~2-3 s a `compose up --wait` costs (the fault scenarios stop and start
        beat, and stop or kill the worker). False when it does not apply: then compose does it."""
        containers = self._containers(service)
        if not containers or any(c.status == "running" for c in containers):
            return False
        if not self._dependencies_ready(containers[0]):
            return False
        for container in containers:
            container.start()

        def states() -> list[str]:
            return [f"{c.name}={c.attrs['State']['Status']}/{c.attrs['State'].get('Health', {}).get('Status', '-')}"
                    for c in self._containers(service) if not healthy(c)]

        try:
            poll_until(states, lambda bad: not bad, timeout=wait_timeout, interval=0.2,
                       what=f"{service} to be healthy again", describe=", ".join)
        except WaitTimeout as err:
            raise ComposeError(f"{service} did not become healthy after a start: {err}") from None
        return True

    def _dependencies_ready(self, container) -> bool:
        """Every service the container's service depends on (its compose label, entries
        `service:condition:restart`) is as its condition asks: healthy, or for a one-off like
        `migrate`, exited with 0."""
        for entry in filter(None, container.labels.get("com.docker.compose.depends_on", "").split(",")):
            dependency, _, rest = entry.partition(":")
            if rest.startswith("service_completed_successfully"):
                done = self._containers(dependency)
                if not done or any(c.status != "exited" or c.attrs["State"]["ExitCode"] != 0 for c in done):
                    return False
            elif not self.is_healthy(dependency):
                return False
        return True

    def scale(self, service: str, replicas: int, wait_timeout: float = 150) -> None:
        """`replicas` containers of the service, all healthy (compose adds the missing ones). With
        `--no-deps` when every service it depends on is healthy already: compose then skips
        checking them, 4.9 -> 3.1 s for 2 more workers on a quiet machine."""
        running = [c for c in self._containers(service) if c.status == "running"]
        no_deps = ["--no-deps"] if running and self._dependencies_ready(running[0]) else []
        self.run("up", "--detach", "--wait", "--no-recreate", *no_deps, "--wait-timeout", str(int(wait_timeout)),
                 "--scale", f"{service}={replicas}", service, timeout=wait_timeout + 30, all_profiles=True)

    def remove_replicas(self, service: str, keep: int) -> bool:
        """Remove the service's containers numbered above `keep` (compose's container-number
        label), killing them; False when there are none, so nothing was done."""
        extra = [c for c in self._containers(service)
                 if int(c.labels.get("com.docker.compose.container-number", "1")) > keep]
        for container in extra:
            container.remove(force=True)
        return bool(extra)

    def stop_service(self, service: str) -> None:
        """Stop (SIGTERM, then SIGKILL after 5 s) the service's containers, what `compose stop
        --timeout 5` does, without a compose process."""
        for container in self._containers(service):
            container.stop(timeout=5)


def healthy(container) -> bool:
    """A container runs, and is healthy where it has a health check."""
    state = container.attrs["State"]
    return state["Status"] == "running" and state.get("Health", {}).get("Status", "healthy") == "healthy"


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(secrets.mask(text).rstrip().splitlines()[-lines:])
