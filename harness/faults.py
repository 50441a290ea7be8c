"""Faults injected into a running compose stack, through the Docker SDK by compose labels.

Every fault is recorded and undone by `undo_all` (the steps register it as a scenario cleanup,
so it runs also when the scenario fails), which then waits until every service is healthy again.
"""

from __future__ import annotations

import docker
from docker.models.containers import Container

from harness.cleanup import PROJECT_LABEL
from harness.compose import healthy
from harness.waits import poll_until

SERVICE_LABEL = "com.docker.compose.service"


class FaultInjector:
    def __init__(self, project_name: str) -> None:
        self.project = project_name
        self.client = docker.from_env()
        self.undo: list[tuple[str, str]] = []  # (action that reverts, service), newest last
        self.restarted: set[str] = set()  # restarted services: their "start" undo is only a safety net

    def container(self, service: str) -> Container:
        found = self.client.containers.list(all=True, filters={
            "label": [f"{PROJECT_LABEL}={self.project}", f"{SERVICE_LABEL}={service}"]})
        if not found:
            raise LookupError(f"no container for service {service!r} in {self.project}")
        return found[0]

    def kill(self, service: str) -> None:
        """SIGKILL: no shutdown, no acknowledgement, what a crash or an OOM kill looks like."""
        self.container(service).kill(signal="SIGKILL")
        self.undo.append(("start", service))

    def stop(self, service: str) -> None:
        self.container(service).stop(timeout=5)
        self.undo.append(("start", service))

    def restart(self, service: str) -> None:
        """Stop (SIGTERM, then SIGKILL after 5 s) and start again: whatever it kept in memory is gone."""
        self.undo.append(("start", service))  # in case it does not come back by itself
        self.restarted.add(service)
        self.container(service).restart(timeout=5)

    def pause(self, service: str) -> None:
        self.container(service).pause()
        self.undo.append(("unpause", service))

    def disconnect(self, service: str) -> None:
        """Cut the service off the stack's network: its name no longer resolves for the others."""
        container = self.container(service)
        for network in container.attrs["NetworkSettings"]["Networks"]:
            self.client.networks.get(network).disconnect(container)
            self.undo.append((f"connect:{network}", service))

    def start(self, service: str) -> None:
        self.container(service).start()
        self.undo = [(action, s) for action, s in self.undo if not (s == service and action == "start")]

    def reconnect(self, service: str) -> None:
        for action, s in list(self.undo):
            if s == service and action.startswith("connect:"):
                self.client.networks.get(action.split(":", 1)[1]).connect(self.container(service),
                                                                         aliases=[service])
                self.undo.remove((action, s))

    def undo_all(self, timeout: float = 90) -> None:
        while self.undo:
            action, service = self.undo.pop()
            container = self.container(service)
            container.reload()
            if action == "start" and container.status != "running":
                container.start()
            elif action == "unpause" and container.status == "paused":
                container.unpause()
            elif action.startswith("connect:"):
                self.client.networks.get(action.split(":", 1)[1]).connect(container, aliases=[service])
        self.wait_healthy(timeout)

    def kept_down(self) -> set[str]:
        """Services a fault stopped or killed on purpose and that are still meant to be down (the
        scenario starts them again later): not a broken stack."""
        restarted = {s for a, s in self.undo if a == "start"} & self.restarted
        return {s for a, s in self.undo if a == "start"} - restarted

    def wait_healthy(self, timeout: float = 90) -> None:
        """Every service healthy again, except those a fault keeps down on purpose (a worker
        stopped for the scenario may exit non-zero when its shutdown outlasts the stop timeout)."""
        def unhealthy() -> list[str]:
            bad = []
            ours = {"label": f"{PROJECT_LABEL}={self.project}"}
            down_on_purpose = self.kept_down()
            for container in self.client.containers.list(all=True, filters=ours):
                state = container.attrs["State"]
                if state.get("Status") == "exited" and state.get("ExitCode") == 0:
                    continue  # one-shot services (migrate)
                if container.labels.get(SERVICE_LABEL) in down_on_purpose and state.get("Status") == "exited":
                    continue
                if not healthy(container):
                    health = state.get("Health", {}).get("Status", "-")
                    bad.append(f"{container.labels.get(SERVICE_LABEL)}={state.get('Status')}/{health}")
            return bad

        poll_until(unhealthy, lambda bad: not bad, timeout=timeout, interval=0.2,
                   what="every service of the stack to be healthy again", describe=lambda bad: ", ".join(bad))
