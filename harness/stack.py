"""The stack the suite runs against, and how to reach it.

`ComposeStack` owns a stack's whole life (stale cleanup, build, up to healthy, port discovery,
diagnosis of a failed start, teardown), or, given a running project's name (setting `project`),
attaches to it: it controls the services as the owner would, and leaves the stack's start and
teardown to the owner. `ExternalStack` attaches to URLs and owns nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from harness import cleanup, network
from harness.compose import ComposeError, ComposeProject
from harness.endpoints import Endpoints
from harness.settings import KEPT_PROJECT_NAME, PROJECT_PREFIX, REPO_ROOT, Settings
from harness.timing import PhaseTimer
from harness.waits import poll_until

COVERAGE_ENV = {"ARENA_COVERAGE_RC": "/app/services/.coveragerc"}
COVERAGE_DIR = REPO_ROOT / "reports" / "coverage"
# Set by the parallel runner for a behave process it starts while the stack that process attaches
# to is still coming up (its ~2 s of imports and step loading then overlap the stack's start): a
# file the runner writes once the stack is up ("ready") or did not come up (why).
ATTACH_WHEN_ENV = "ARENA_ATTACH_WHEN"
# Set by harness/parallel.py for a process it started at a lower priority while it waits for the
# stack: the niceness it takes once the stack is up (0, or 10 for the features' processes).
RENICE_ENV = "ARENA_RENICE_WHEN_UP"
SERVICE_PORTS = {"api": 8000, "gateway": 8080, "postgres": 5432, "mongo": 27017, "redis": 6379, "router": 4000}
LOG_SERVICES = ["api", "worker", "beat", "gateway", "migrate", "router"]
# Services with an image of their own that only an on-demand start builds (not the default bring-up):
# service -> seconds its build may take.
BUILT_ON_DEMAND = {"router": 1800.0}
# How long teardown retries a network the engine says still has endpoints (cleanup._remove_network).
STUCK_NETWORK_WAIT_S = 10.0


class StackError(RuntimeError):
    """The stack could not be brought up; the message names the service and its log tail."""


class StackNotUpForAttach(StackError):
    """The owner of the stack this process was to attach to says it did not come up: the owner
    reports that failure (with the services' logs); this process only stops."""


class StackControlUnavailable(RuntimeError):
    """The suite does not own the stack (external mode): services cannot be started or stopped."""


class ExternalStack:
    """A stack somebody else runs (a shared staging stack): no lifecycle, no faults."""

    managed = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.endpoints = Endpoints(settings.api_url, settings.gateway_url,
                                   settings.database_url, settings.mongo_url)

    def start(self, timer: PhaseTimer) -> Endpoints:
        print(f"[stack] external mode: using {self.endpoints.api_url}", file=sys.stderr)
        return self.endpoints

    def stop(self, timer: PhaseTimer) -> None:
        pass

    def files_in(self, service: str, directory: str) -> list[str]:
        raise StackControlUnavailable(f"external mode: the suite cannot look inside {service}")

    def start_service(self, service: str) -> None:
        raise StackControlUnavailable(f"external mode: the suite cannot start {service}")

    def scale(self, service: str, replicas: int) -> None:
        raise StackControlUnavailable(f"external mode: the suite cannot scale {service}")

    def stop_service(self, service: str) -> None:
        raise StackControlUnavailable(f"external mode: the suite cannot stop {service}")

    def logs(self, services: list[str] | None = None, tail: int = 80) -> str:
        return "(external mode: service logs are not collected by the suite)"

    def url_of(self, service: str) -> str:
        url = {"router": self.settings.router_url}.get(service)
        if not url:
            raise StackControlUnavailable(f"external mode: no URL for {service} (set -D {service}_url=...)")
        return url

    def exec_in(self, service: str, *command: str) -> str:
        raise StackControlUnavailable(f"external mode: the suite cannot run commands in {service}")


class ComposeStack:
    managed = True

    def __init__(self, settings: Settings, project_name: str | None = None, merges_coverage: bool = False) -> None:
        self.settings = settings
        # A second stack of the same run (the parallel runner's, for the fault scenarios): its
        # coverage joins what the first stack's teardown left in reports/coverage/.
        self.merges_coverage = merges_coverage
        keep = settings.keep_stack
        # Attached: somebody else (harness/parallel.py) started the stack and will take it down.
        self.attached = settings.project is not None and project_name is None
        name = project_name or settings.project or (
            KEPT_PROJECT_NAME if keep else f"{PROJECT_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}")
        self.app_tag = app_image_tag()
        self.router_tag = router_image_tag()
        self.project = ComposeProject(
            name=name,
            profiles=["beat"] if settings.with_beat else [],
            env={
                "ARENA_STACK_OWNER": "keep" if keep else (
                    network.owner_id() if settings.addressing == "network" else cleanup.owner_id()),
                "ARENA_ADMIN_TOKEN": settings.admin_token,
                # Content-addressed: concurrent runs of different code never swap each other's image.
                "ARENA_APP_TAG": self.app_tag,
                "ARENA_ROUTER_TAG": self.router_tag,
                **(COVERAGE_ENV if settings.coverage else {}),
            },
        )
        self.endpoints: Endpoints | None = None
        self.failure: str | None = None  # the diagnosis of a failed start, for the report
        self.failing_services: list[str] = []  # whose logs the report attaches to that diagnosis

    def start(self, timer: PhaseTimer) -> Endpoints:
        if self.attached:
            return self.attach()
        self.prepare(timer)
        return self.bring_up(timer)

    def prepare(self, timer: PhaseTimer) -> None:
        """The images, and no stale stacks: what any stack of this checkout needs first."""
        ensure_images()
        cleanup.remove_stale_stacks()
        with timer.phase("build"):
            self.project.build()

    def bring_up(self, timer: PhaseTimer, progress: bool = True) -> Endpoints:
        """Start this project on images `prepare` made, and wait until every service is healthy
        (printing each as it gets there, unless a second stack's lines would only confuse)."""
        print(f"[stack] starting compose project {self.project.name}", file=sys.stderr, flush=True)
        with timer.phase("up_to_healthy"), (HealthWatcher(self.project.name) if progress else contextlib.nullcontext()):
            try:
                self.project.up(self.settings.up_timeout)
            except ComposeError as err:
                self.failure = self.diagnose(str(err))
                raise StackError(self.failure) from None
        self.endpoints = self.discover()
        return self.endpoints

    def attach(self) -> Endpoints:
        """Use the running stack of this project. Services this process starts must carry the
        owner's label and images: compose would otherwise see a changed service and recreate it
        (a gateway that forgets its state in the middle of another process's scenario)."""
        if signal_file := os.environ.get(ATTACH_WHEN_ENV):
            self._wait_for_owner(Path(signal_file))
        running = cleanup.running_stack(self.project.name)
        if running is None:
            raise StackError(f"no running stack named {self.project.name} to attach to (setting project)")
        owner, images = running
        self.project.env["ARENA_STACK_OWNER"] = owner
        # The owner's build, not this checkout's: code edited since the stack started must not
        # make compose build a new image and recreate the services on it.
        for service, variable in (("api", "ARENA_APP_TAG"), ("router", "ARENA_ROUTER_TAG")):
            if service in images and ":" in images[service]:
                self.project.env[variable] = images[service].rpartition(":")[2]
        self.app_tag, self.router_tag = self.project.env["ARENA_APP_TAG"], self.project.env["ARENA_ROUTER_TAG"]
        print(f"[stack] attached to {self.project.name} (started by {owner})", file=sys.stderr, flush=True)
        self.endpoints = self.discover()
        return self.endpoints

    def _wait_for_owner(self, signal_file: Path, timeout: float = 900) -> None:
        said = poll_until(lambda: signal_file.read_text() if signal_file.exists() else "", bool, timeout=timeout,
                          interval=0.1, what=f"the stack {self.project.name} up (its owner writes {signal_file})")
        if said.strip() != "ready":
            raise StackNotUpForAttach(f"the stack {self.project.name} did not come up: {said.strip()}")
        if nice := os.environ.get(RENICE_ENV):
            os.setpriority(os.PRIO_PROCESS, 0, int(nice))  # this thread: behave's, the one that runs the scenarios

    def discover(self) -> Endpoints:
        if self.settings.addressing == "network":  # the suite in a container: by service name
            network.join(self.project.name)
            return network.endpoints(self.project.name, SERVICE_PORTS)
        ports = self.project.ports({s: SERVICE_PORTS[s] for s in ("api", "gateway", "postgres", "mongo", "redis")})

        def url(service: str, scheme: str = "http") -> str:
            host, port = ports[service]
            return f"{scheme}://{host}:{port}"

        pg_host, pg_port = ports["postgres"]
        mongo_host, mongo_port = ports["mongo"]
        return Endpoints(
            api_url=url("api"),
            gateway_url=url("gateway"),
            database_url=f"postgresql+psycopg://arena:arena@{pg_host}:{pg_port}/arena",
            mongo_url=f"mongodb://{mongo_host}:{mongo_port}/arena",
            redis_url=url("redis", "redis") + "/0",
        )

    def diagnose(self, failure: str) -> str:
        """Name the services that are not healthy and show their log tails."""
        try:
            states = self.project.ps()
        except ComposeError:
            states = []
        bad = [s for s in states
               if s.get("Health") not in ("", "healthy", None)
               or (s.get("State") == "exited" and s.get("ExitCode", 0) != 0)]
        lines = [f"the stack {self.project.name} did not become healthy: {failure.splitlines()[0]}"]
        for state in bad:
            service = state.get("Service", "?")
            lines.append(f"--- {service}: state {state.get('State')}, health {state.get('Health') or '-'}, "
                         f"exit code {state.get('ExitCode')}; last log lines:")
            lines.append(self.project.logs([service], tail=30))
        if not bad:
            # Healthy by the time we looked: slow rather than broken. Every service's log then
            # says where the time went.
            lines.append("every service was healthy moments after the deadline: the stack is slow, not broken "
                         "(a longer up_timeout would have waited for it)")
            lines.append(failure)
        self.failing_services = [s.get("Service", "?") for s in (bad or states)]
        return "\n".join(lines)

    def stop(self, timer: PhaseTimer) -> None:
        if self.attached:
            return  # its owner takes it down
        if self.settings.keep_stack:
            print(f"[stack] keeping {self.project.name} up (keep_stack); "
                  f"`arena-stack down` removes it", file=sys.stderr)
            return
        if self.settings.coverage:
            with timer.phase("coverage"):
                self.collect_coverage()
        failed: ComposeError | None = None
        with timer.phase("teardown"):
            if self.settings.addressing == "network":
                network.leave(self.project.name)  # compose cannot remove a network still in use
            try:
                self.project.down()
            except ComposeError as err:
                failed = err  # judged by what is left once the rest is removed
        left = cleanup.leftovers(self.project.name)
        if any(left.values()):
            removed = cleanup.remove_project(self.project.name, network_wait_s=STUCK_NETWORK_WAIT_S)
            print(f"[stack] removed {removed} resources compose left behind: {left}", file=sys.stderr)
            left = cleanup.leftovers(self.project.name)
        if failed is not None and (left.get("containers") or left.get("volumes")):
            raise failed
        if failed is not None:
            print(f"[stack] {str(failed).splitlines()[0]}; what it left was removed after it",
                  file=sys.stderr, flush=True)
        if left.get("networks"):
            # Nothing of the stack runs or keeps data; the engine's count is wrong (cleanup.py).
            # The next run's stale-stack removal tries again (it succeeds once dockerd restarted).
            print(f"[stack] warning: the engine refuses to remove {', '.join(left['networks'])}: it "
                  f"counts endpoints on it though no container is left (a Docker 20.10 bug, "
                  f"moby/moby#43286; restarting dockerd clears it)", file=sys.stderr, flush=True)
        cleanup.remove_old_app_images(keep=self.app_tag)
        cleanup.remove_old_app_images(keep=self.router_tag, repository="arena-router")

    def collect_coverage(self) -> None:
        """Stop the services gracefully (each process saves its data), combine, and write the
        report to reports/coverage/ (html/, summary.txt, coverage.json, and coverage.data — the
        combined data, which CI merges across shards)."""
        self.project.run("stop", "--timeout", "20", timeout=120, all_profiles=True)
        COVERAGE_DIR.mkdir(parents=True, exist_ok=True)
        earlier = COVERAGE_DIR / "coverage.data"
        if not self.merges_coverage:
            earlier.unlink(missing_ok=True)  # a previous run's, never to be mixed in
        script = ("{ [ ! -f /out/coverage.data ] || cp /out/coverage.data /coverage/.coverage.earlier-stack; }"
                  " && coverage combine --rcfile=.coveragerc -q && cp /coverage/.coverage /out/coverage.data"
                  " && coverage html --rcfile=.coveragerc -d /out/html -q"
                  " && coverage json --rcfile=.coveragerc -o /out/coverage.json -q"
                  " && coverage report --rcfile=.coveragerc > /out/summary.txt")
        proc = self.project.run("run", "--rm", "--no-deps", "-T", "-e", "COVERAGE_PROCESS_START=",
                                "-v", f"{COVERAGE_DIR}:/out", "--entrypoint", "sh", "api", "-c", script,
                                timeout=300, check=False, all_profiles=True)
        if proc.returncode != 0:
            print(f"[coverage] could not combine the coverage data:\n{proc.stdout[-2000:]}", file=sys.stderr)
            return
        lines = (COVERAGE_DIR / "summary.txt").read_text().splitlines()
        total = next((line for line in lines if line.startswith("TOTAL")), "no total")
        print(f"[coverage] services: {' '.join(total.split())} -> {COVERAGE_DIR / 'html' / 'index.html'}",
              file=sys.stderr)
        if self.settings.coverage_map:
            from harness import coverage_map

            document = coverage_map.build(COVERAGE_DIR / "coverage.data")
            lines = sum(len(by_line) for by_line in document["files"].values())
            print(f"[coverage-map] {len(document['scenarios'])} scenarios over {lines} lines of services/ "
                  f"-> {coverage_map.MAP_FILE}", file=sys.stderr)

    def start_service(self, service: str) -> None:
        try:
            if self._unbuilt(service):
                # Built here, not by the default bring-up, and only when no image has its tag
                # (the tag is a hash of its inputs: it exists unless they changed).
                self.project.run("build", service, capture=not sys.stderr.isatty(),
                                 timeout=BUILT_ON_DEMAND[service], all_profiles=True)
            self.project.start_service(service, wait_timeout=300 if service in BUILT_ON_DEMAND else 60)
        except ComposeError as err:
            raise StackError(f"{service} did not start: {err}\n{self.project.logs([service], tail=30)}") from None
        self.follow()

    def start_early(self, service: str, timeout: float = 60) -> None:
        """Start a service on demand while the stack is still coming up (its start overlaps the
        others'), without waiting for it: the step that needs it waits (start_service). Once the
        project's network exists, so that this `compose up` and the bring-up's never both create
        it; not at all when its image would first have to be built (start_service builds it)."""
        if self._unbuilt(service):
            return
        poll_until(self.project.network_exists, bool, timeout=timeout, interval=0.1,
                   what=f"the network of {self.project.name}")
        self.project.run("up", "--detach", "--no-deps", "--no-recreate", service, timeout=timeout, all_profiles=True)

    def _unbuilt(self, service: str) -> bool:
        """A service only an on-demand start builds (the router), whose image is not built yet."""
        return service in BUILT_ON_DEMAND and not image_exists(f"arena-router:{self.router_tag}")

    def follow(self) -> None:
        """After compose (re)started services: a dependency it recreated has a new host port, and
        the Endpoints every client reads must say so."""
        if self.endpoints is not None:
            self.endpoints.move_to(self.discover())

    def stop_service(self, service: str) -> None:
        self.project.stop_service(service)

    def faults(self):
        from harness.faults import FaultInjector

        return FaultInjector(self.project.name)

    def scale(self, service: str, replicas: int) -> None:
        """Run `replicas` containers of a service (e.g. a bigger worker pool), all healthy. Fewer
        than now: the extra replicas are removed at once (the scenario that added them is over;
        a task they held is re-delivered, `task_acks_late`), ~4 s sooner than compose's stop."""
        if self.project.remove_replicas(service, keep=replicas):
            return
        self.project.scale(service, replicas)
        self.follow()

    def files_in(self, service: str, directory: str) -> list[str]:
        """Names of the files in a directory inside a running service (none if it does not exist)."""
        return self.project.files_in(service, directory)

    def logs(self, services: list[str] | None = None, tail: int = 80) -> str:
        return self.project.logs(services, tail)

    def url_of(self, service: str) -> str:
        """The host URL of a service started on demand (not part of `Endpoints`)."""
        if self.settings.addressing == "network":
            return network.service_url(self.project.name, service, SERVICE_PORTS)
        host, port = self.project.port(service, SERVICE_PORTS[service])
        return f"http://{host}:{port}"

    def exec_in(self, service: str, *command: str) -> str:
        return self.project.exec(service, *command)


def app_image_tag() -> str:
    """A tag for the app image derived from everything that goes into it."""
    digest = hashlib.sha256()
    inputs = [REPO_ROOT / "compose" / "app.Dockerfile", *sorted((REPO_ROOT / "services").rglob("*")),
              *sorted((REPO_ROOT / "compose" / "certs").glob("*.crt"))]
    for path in inputs:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    return "src-" + digest.hexdigest()[:16]


def image_exists(reference: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", reference], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def router_image_tag() -> str:
    """A tag for the router image (compose/router/: Dockerfile, pinned requirements) and the
    certificates it trusts: the image is rebuilt only when one of them changes. Its config and
    callback (fixtures/router/) are mounted, not built in."""
    digest = hashlib.sha256()
    inputs = [*sorted((REPO_ROOT / "compose" / "router").glob("*")),
              *sorted((REPO_ROOT / "compose" / "certs").glob("*.crt"))]
    for path in inputs:
        if path.is_file():
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    return "src-" + digest.hexdigest()[:16]


def make_stack(settings: Settings):
    return ExternalStack(settings) if settings.mode == "external" else ComposeStack(settings)


def ensure_images() -> None:
    """Make sure the base images compose will use exist: official, or the offline kit's builds.

    scripts/images.sh decides, writes compose/.env, and is a sub-second no-op when all is there.
    """
    if os.environ.get("ARENA_IMAGES_READY") == "1":
        return  # scripts/in_container.sh ran it on the host: in a container it would see no host certs
    subprocess.run(["bash", str(REPO_ROOT / "scripts" / "images.sh")], check=True,
                   stdin=subprocess.DEVNULL)


class HealthWatcher:
    """While `up --wait` runs (silent for up to its timeout), print each service as it becomes
    healthy, or finishes (one-shots), or turns unhealthy. Reads container states through the
    Docker API twice a second: one cheap call, no compose process per poll."""

    def __init__(self, project: str, interval: float = 0.5) -> None:
        self.project = project
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="health-watcher", daemon=True)

    def __enter__(self) -> HealthWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @staticmethod
    def describe(state: str, status: str) -> str:
        """What a container's list entry says, in the words of the progress line."""
        if "(healthy)" in status:
            return "healthy"
        if "(unhealthy)" in status:
            return "unhealthy"
        if "health: starting" in status:
            return "starting"
        if state == "exited":
            return "finished" if "Exited (0)" in status else f"failed ({status})"
        return "running" if state == "running" else state

    def _watch(self) -> None:
        try:
            import docker

            client = docker.from_env()
        except Exception:  # noqa: BLE001 - progress is a nicety; up --wait still decides
            return
        started = time.monotonic()
        seen: dict[str, str] = {}
        while not self._stop.wait(self.interval):
            self._poll(client, seen, started)
        self._poll(client, seen, started)  # the last services turn healthy just as `up` returns

    def _poll(self, client, seen: dict[str, str], started: float) -> None:
        try:
            containers = client.containers.list(all=True, filters={"label": f"{cleanup.PROJECT_LABEL}={self.project}"},
                                                sparse=True)
        except Exception:  # noqa: BLE001
            return
        for container in containers:
            attrs = container.attrs
            service = (attrs.get("Labels") or {}).get("com.docker.compose.service", "?")
            word = self.describe(attrs.get("State", ""), attrs.get("Status", ""))
            if seen.get(service) != word and word not in ("created", "starting"):
                seen[service] = word
                print(f"[stack]   {service:<9} {word} after {time.monotonic() - started:.1f} s",
                      file=sys.stderr, flush=True)
