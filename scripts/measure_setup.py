"""Measure cold set-ups in one run, phase by phase: a "before" (this checkout one step at a time, or
a commit's own set-up) against this checkout's; print the figures and ratios, write reports/setup_figures.json.

    sudo .venv/bin/python scripts/measure_setup.py                  # serial order against the default
    sudo .venv/bin/python scripts/measure_setup.py --before cda600b --cached-binary
                                          # a commit's set-up against this one's, and this one again
                                          # with the FerretDB binary already in its cache
    (as root; CPU-heavy, about 3 minutes of both cores a set-up)

A cold machine, without touching this machine's engine or caches: for each set-up a
fresh second Docker daemon with its own data root, exec root, pidfile and socket under a
temporary directory, a bridge of its own and no iptables rules (so it cannot disturb the first
daemon's networks; the kit's builds use the host's network, ARENA_BUILD_NETWORK=host), reached
through DOCKER_HOST. Each set-up also gets an empty GOCACHE, an empty FerretDB binary cache,
empty pip, uv and npm caches, its own venv and tools directory (ARENA_VENV, ARENA_TOOLS) and its own
env file (ARENA_ENV_FILE: compose/.env is never written). Then `scripts/setup.sh` runs cold, and
again warm. The daemon and everything under the temporary directory are removed at the end, also
on Ctrl-C or SIGTERM.

Not cold here, and said so in the figures: Go's module cache is the real one (an empty one would
fetch every module again through the Go module proxy), so the go builds compile everything but
download nothing; the engine is already installed (provision.sh is a no-op against the second
daemon; installing docker.io on a new machine took 14-22 s, and the concurrent set-up overlaps it
with the FerretDB go build, which this run cannot show); chromium is installed already.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"

# Phases as scripts/setup.sh and scripts/images.sh record them (ARENA_TIMINGS), in display order.
PHASES = [
    ("provision", "provision (engine answers: a no-op)"),
    ("ferretdb_binary", "FerretDB binary (go build)"),
    ("base", "base image (debootstrap)"),
    ("postgres", "postgres image"),
    ("redis", "redis image"),
    ("python", "python image"),
    ("ferretdb", "ferretdb image"),
    ("kit", "kit images, all (images.sh)"),
    ("images", "images.sh, whole"),
    ("uv", "uv (pip)"),
    ("venv", "venv (.venv)"),
    ("fixtures", "fixtures"),
    ("allure", "Allure CLI (npm)"),
    ("schemathesis", "Schemathesis venv"),
    ("actionlint", "actionlint (go install)"),
    ("chromium", "chromium (apt)"),
    ("setup", "set-up, cold (setup.sh)"),
]


def log(message: str) -> None:
    print(f"[measure-setup] {message}", file=sys.stderr, flush=True)


class Interrupted(Exception):
    pass


def _raise_interrupted(signum: int, _frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


class SecondDaemon:
    """A Docker daemon of our own beside the machine's, everything of it under `home`.

    Its default network is a bridge of its own (BRIDGE, made here, removed at stop), never
    `--bridge none`: a daemon started with that deletes the host's docker0, the first daemon's.
    """

    BRIDGE = "arena-ms0"
    BRIDGE_ADDRESS = "10.213.77.1/24"  # outside Docker's default address pools

    def __init__(self, home: Path) -> None:
        self.home = home
        self.socket = home / "docker.sock"
        self.host = f"unix://{self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        for sub in ("data", "exec"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        subprocess.run(["ip", "link", "del", self.BRIDGE], capture_output=True, check=False)  # a crashed run's
        for ip in (["link", "add", "name", self.BRIDGE, "type", "bridge"],
                   ["addr", "add", self.BRIDGE_ADDRESS, "dev", self.BRIDGE], ["link", "set", self.BRIDGE, "up"]):
            subprocess.run(["ip", *ip], check=True)
        config = self.home / "daemon.json"
        config.write_text("{}\n")  # not /etc/docker/daemon.json, whatever it says
        args = [
            "dockerd",
            "--data-root", str(self.home / "data"),
            "--exec-root", str(self.home / "exec"),
            "--pidfile", str(self.home / "docker.pid"),
            "--host", self.host,
            "--config-file", str(config),
            "--containerd-namespace", "arena-measure",
            "--containerd-plugins-namespace", "arena-measure-plugins",
            "--storage-driver", "overlay2",
            # Its own bridge and no iptables or forwarding changes: the first daemon's networks
            # stay as they are (the kit's builds use the host's network: ARENA_BUILD_NETWORK=host).
            "--bridge", self.BRIDGE, "--iptables=false", "--ip-masq=false", "--ip-forward=false",
            "--log-level", "warn",
        ]
        started = time.monotonic()
        with open(self.home / "dockerd.log", "wb") as out:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = started + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            probe = subprocess.run(["docker", "-H", self.host, "info"], capture_output=True)
            if probe.returncode == 0:
                return time.monotonic() - started
            time.sleep(0.2)
        tail = (self.home / "dockerd.log").read_text(errors="replace")[-2000:]
        raise SystemExit(f"the second dockerd did not answer within 60 s; its log ends:\n{tail}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        subprocess.run(["ip", "link", "del", self.BRIDGE], capture_output=True, check=False)


def unmount_under(path: Path) -> None:
    """Unmount whatever is still mounted below `path` (a daemon killed half-way leaves overlays)."""
    prefix = str(path).rstrip("/") + "/"
    with open("/proc/mounts") as mounts:
        points = [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]
    for point in sorted(points, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [float(v) for v in stat.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / hz, sum(fields[:8]) / hz


def own_cpu() -> float:
    """CPU seconds of our finished child processes (the set-up's host-side work, not its containers')."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def read_timings(path: Path, origin: float) -> dict[str, dict[str, float]]:
    phases: dict[str, dict[str, float]] = {}
    if not path.exists():
        return phases
    for line in path.read_text().splitlines():
        key, start, end = line.split("\t")
        # The warm run appends its own lines for the steps that always record: keep the cold run's.
        phases.setdefault(key, {"start": round(float(start) - origin, 1),
                                "seconds": round(float(end) - float(start), 1)})
    return phases


class Runner:
    def __init__(self) -> None:
        self.current: subprocess.Popen[str] | None = None

    def run(self, cmd: list[str], env: dict[str, str], log_path: Path, cwd: Path) -> float:
        """Run a command (its output shown indented and kept in log_path); its wall seconds."""
        started = time.monotonic()
        with open(log_path, "a") as keep:
            self.current = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
            assert self.current.stdout is not None
            for line in self.current.stdout:
                keep.write(line)
                print(f"    {line}", end="", file=sys.stderr, flush=True)
            code = self.current.wait()
        self.current = None
        if code != 0:
            raise SystemExit(f"{' '.join(cmd)} failed (exit {code}); its output is above and in {log_path}")
        return time.monotonic() - started

    def stop(self) -> None:
        """Stop a command still running, with everything it started (its own session)."""
        if self.current is not None and self.current.poll() is None:
            os.killpg(self.current.pid, signal.SIGTERM)
            try:
                self.current.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.current.pid, signal.SIGKILL)


@dataclass
class Case:
    """One cold set-up: whose scripts/setup.sh, in which order, from which FerretDB binary cache."""

    key: str
    label: str
    source: Path  # the checkout whose scripts/setup.sh runs
    jobs: str  # ARENA_SETUP_JOBS
    binary_cache: Path | None = None  # copied in as the FerretDB binary cache (None: empty)
    keep_binary_cache: Path | None = None  # where to keep this set-up's binary cache for a later case


def measure_case(case: Case, tmp: Path, runner: Runner) -> dict[str, object]:
    home = tmp / case.key
    home.mkdir()
    daemon = SecondDaemon(home / "d")
    try:
        log(f"{case.key}: starting a second dockerd (data root {daemon.home / 'data'})")
        engine_start = daemon.start()
        cache = home / "arena-cache"
        if case.binary_cache is not None:
            shutil.copytree(case.binary_cache, cache, symlinks=True)
        env = {
            **os.environ,
            "DOCKER_HOST": daemon.host,
            "ARENA_IMAGES": "kit",  # what this workplace's machines use (no registry answers)
            "ARENA_SETUP_JOBS": case.jobs,
            "ARENA_KIT_JOBS": "1" if case.jobs == "1" else "all",
            "ARENA_BUILD_NETWORK": "host",
            "ARENA_ENV_FILE": str(home / "compose.env"),
            "ARENA_CACHE_DIR": str(cache),
            "ARENA_VENV": str(home / "venv"),
            "ARENA_TOOLS": str(home / "tools"),
            "ARENA_TIMINGS": str(home / "timings.tsv"),
            "GOCACHE": str(home / "go-build"),
            "PIP_CACHE_DIR": str(home / "pip-cache"),
            "UV_CACHE_DIR": str(home / "uv-cache"),
            "npm_config_cache": str(home / "npm-cache"),
        }
        log(f"{case.key}: cold set-up ({case.label})")
        origin = time.time()
        own0, (busy0, total0) = own_cpu(), machine_cpu()
        cold = runner.run(["bash", "scripts/setup.sh"], env, home / "setup.log", case.source)
        own1, (busy1, total1) = own_cpu(), machine_cpu()
        phases = read_timings(home / "timings.tsv", origin)
        log(f"{case.key}: warm set-up")
        warm = runner.run(["bash", "scripts/setup.sh"], env, home / "setup.log", case.source)
        if case.keep_binary_cache is not None and (cache / "ferretdb").is_dir():
            shutil.copytree(cache, case.keep_binary_cache, symlinks=True)
        return {"engine_start_s": round(engine_start, 1), "setup_cold_s": round(cold, 1),
                "setup_warm_s": round(warm, 2), "phases": phases,
                # How busy the machine was meanwhile (every core; others' work included), its busy
                # CPU-seconds, and the CPU the set-up's own host processes used (its container
                # builds not included).
                "machine_busy_pct": round(100 * (busy1 - busy0) / (total1 - total0), 1),
                "machine_busy_cpu_s": round(busy1 - busy0, 1),
                "setup_host_cpu_s": round(own1 - own0, 1)}
    finally:
        runner.stop()  # a set-up still running (Ctrl-C) goes before its engine does
        daemon.stop()
        unmount_under(home)
        shutil.rmtree(home, ignore_errors=True)


def ratio(after: float | None, before: float | None) -> float | None:
    return round(after / before, 2) if after is not None and before else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="serial", metavar="REF|serial",
                        help="the set-up to compare against: a git commit's scripts/setup.sh (its default order, from"
                             " a temporary worktree), or 'serial', this checkout's one step at a time (default)")
    parser.add_argument("--cached-binary", action="store_true",
                        help="a third set-up, this checkout's, starting with the FerretDB binary the second one built"
                             " in its version-keyed cache: a machine that has built this FerretDB version once")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: it starts a Docker daemon and debootstraps the kit's base image")
    for tool in ("dockerd", "docker", "debootstrap", "go", "npm", "git"):
        if shutil.which(tool) is None:
            raise SystemExit(f"'{tool}' is missing: run scripts/setup.sh first (the measurement uses what it installs)")

    real_env = ROOT / "compose" / ".env"
    env_before = real_env.stat().st_mtime_ns if real_env.exists() else None
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGHUP, _raise_interrupted)
    # Short path: the daemon's unix sockets must fit in 108 bytes.
    tmp = Path(tempfile.mkdtemp(prefix="arena-ms-", dir="/tmp"))
    worktree: Path | None = None
    if args.before == "serial":
        before = Case("before", "this checkout, one step at a time (ARENA_SETUP_JOBS=1)", ROOT, "1")
    else:
        commit = subprocess.run(["git", "rev-parse", "--short", f"{args.before}^{{commit}}"], cwd=ROOT,
                                capture_output=True, text=True)
        if commit.returncode != 0:
            raise SystemExit(f"--before {args.before}: not a commit of this repository ({commit.stderr.strip()})")
        worktree = tmp / "before-src"
        subprocess.run(["git", "worktree", "add", "--quiet", "--detach", str(worktree), commit.stdout.strip()],
                       cwd=ROOT, check=True)
        before = Case("before", f"commit {commit.stdout.strip()}, its default order", worktree, "all")
    after = Case("after", "this checkout, the default order", ROOT, "all")
    cases = [before, after]
    if args.cached_binary:
        after.keep_binary_cache = tmp / "binary-cache"
        cases.append(Case("after_cached_binary", "this checkout, the FerretDB binary in its cache", ROOT, "all",
                          binary_cache=after.keep_binary_cache))
    runner = Runner()
    results: dict[str, dict[str, object]] = {}
    try:
        for case in cases:
            if case.binary_cache is not None and not case.binary_cache.is_dir():
                raise SystemExit(f"{case.key}: the previous set-up left no FerretDB binary in its cache")
            results[case.key] = measure_case(case, tmp, runner)
    except (KeyboardInterrupt, Interrupted):
        log("interrupted: stopping the set-up and the second daemon, removing its data")
        runner.stop()
        raise SystemExit(130) from None
    finally:
        runner.stop()
        unmount_under(tmp)
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    env_after = real_env.stat().st_mtime_ns if real_env.exists() else None

    rows = []
    for key, label in PHASES:
        cells = {case.key: results[case.key]["phases"].get(key) for case in cases}  # type: ignore[union-attr]
        if any(cells.values()):
            rows.append((key, label, cells))
    engine = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True)
    totals = ("setup_cold_s", "setup_warm_s", "engine_start_s", "setup_host_cpu_s", "machine_busy_cpu_s",
              "machine_busy_pct")
    figures = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "sudo .venv/bin/python scripts/measure_setup.py " + " ".join(sys.argv[1:]),
        "machine": {"cores": os.cpu_count(), "engine": engine.stdout.strip()},
        "cases": {case.key: case.label for case in cases},
        "phases": {key: {"label": label, **cells} for key, label, cells in rows},
        **{total: {case.key: results[case.key][total] for case in cases} for total in totals},
        "ratio_cold_after_before": ratio(results["after"]["setup_cold_s"],  # type: ignore[arg-type]
                                         results["before"]["setup_cold_s"]),  # type: ignore[arg-type]
        "compose_env_untouched": env_before == env_after,
        "not_cold": [
            "Go's module cache is the real one: the go builds compile from nothing but download no module",
            "the engine is installed already: installing docker.io (14-22 s on a new machine) is not in the figures;"
            " the default order runs the FerretDB go build during it, so there it costs less than its length",
            "chromium is installed already (a no-op in all)",
        ],
    }
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "setup_figures.json").write_text(json.dumps(figures, indent=2) + "\n")

    def cell(phase: dict[str, float] | None) -> str:
        return f"{phase['seconds']:7.1f} @{phase['start']:5.1f}" if phase else f"{'-':>14}"

    for case in cases:
        print(f"{case.key}: {case.label}")
    print(f"\n{'phase (seconds @ start)':34}" + "".join(f" {case.key:>20}" for case in cases))
    for _key, label, cells in rows:
        print(f"{label:34}" + "".join(f" {cell(cells[case.key]):>20}" for case in cases))
    for total, label in (("setup_warm_s", "set-up, warm (setup.sh again)"),
                         ("engine_start_s", "second dockerd start (empty root)"),
                         ("setup_host_cpu_s", "host CPU s of the cold set-up"),
                         ("machine_busy_cpu_s", "machine busy CPU s (others incl.)"),
                         ("machine_busy_pct", "machine busy % (others included)")):
        print(f"{label:34}" + "".join(f" {results[case.key][total]:>20}" for case in cases))
    print("\ncold set-up: " + ", ".join(f"{case.key} {results[case.key]['setup_cold_s']} s" for case in cases)
          + f" (after/before {figures['ratio_cold_after_before']}x); add the engine's install (14-22 s, overlapped"
          f" by the go build) on a machine without one. compose/.env untouched: {figures['compose_env_untouched']}."
          f" Written to {(REPORTS / 'setup_figures.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
