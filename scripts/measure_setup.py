"""Measure a cold set-up before and after in one run: one step at a time (the old order) against
the concurrent order, phase by phase; print the figures and ratios, write reports/setup_figures.json.

    sudo .venv/bin/python scripts/measure_setup.py      # as root; CPU-heavy, about 6 minutes

A cold machine, without touching this machine's engine or caches: for each of the two set-ups a
fresh second Docker daemon with its own data root, exec root, pidfile and socket under a
temporary directory, a bridge of its own and no iptables rules (so it cannot disturb the first
daemon's networks; the kit's builds use the host's network, ARENA_BUILD_NETWORK=host), reached
through DOCKER_HOST. Each set-up also gets an empty GOCACHE, an empty FerretDB binary cache,
empty pip and npm caches, its own venv and tools directory (ARENA_VENV, ARENA_TOOLS) and its own
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
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
MODES = {"serial": "1", "concurrent": "all"}  # ARENA_SETUP_JOBS (images.sh follows with ARENA_KIT_JOBS)

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
    ("venv", "venv (.venv, pip)"),
    ("fixtures", "fixtures"),
    ("allure", "Allure CLI (npm)"),
    ("schemathesis", "Schemathesis venv (pip)"),
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

    def run(self, cmd: list[str], env: dict[str, str], log_path: Path) -> float:
        """Run a command (its output shown indented and kept in log_path); its wall seconds."""
        started = time.monotonic()
        with open(log_path, "a") as keep:
            self.current = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
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


def measure_mode(mode: str, jobs: str, tmp: Path, runner: Runner) -> dict[str, object]:
    home = tmp / mode
    home.mkdir()
    daemon = SecondDaemon(home / "d")
    try:
        log(f"{mode}: starting a second dockerd (data root {daemon.home / 'data'})")
        engine_start = daemon.start()
        env = {
            **os.environ,
            "DOCKER_HOST": daemon.host,
            "ARENA_IMAGES": "kit",  # what this workplace's machines use (no registry answers)
            "ARENA_SETUP_JOBS": jobs,
            "ARENA_KIT_JOBS": "1" if jobs == "1" else "all",
            "ARENA_BUILD_NETWORK": "host",
            "ARENA_ENV_FILE": str(home / "compose.env"),
            "ARENA_CACHE_DIR": str(home / "arena-cache"),
            "ARENA_VENV": str(home / "venv"),
            "ARENA_TOOLS": str(home / "tools"),
            "ARENA_TIMINGS": str(home / "timings.tsv"),
            "GOCACHE": str(home / "go-build"),
            "PIP_CACHE_DIR": str(home / "pip-cache"),
            "npm_config_cache": str(home / "npm-cache"),
        }
        log(f"{mode}: cold set-up (ARENA_SETUP_JOBS={jobs})")
        origin = time.time()
        own0, (busy0, total0) = own_cpu(), machine_cpu()
        cold = runner.run(["bash", "scripts/setup.sh"], env, home / "setup.log")
        own1, (busy1, total1) = own_cpu(), machine_cpu()
        phases = read_timings(home / "timings.tsv", origin)
        log(f"{mode}: warm set-up")
        warm = runner.run(["bash", "scripts/setup.sh"], env, home / "setup.log")
        return {"engine_start_s": round(engine_start, 1), "setup_cold_s": round(cold, 1),
                "setup_warm_s": round(warm, 2), "phases": phases,
                # How busy the machine was meanwhile (every core; others' work included), and the
                # CPU the set-up's own host processes used (its container builds not included).
                "machine_busy_pct": round(100 * (busy1 - busy0) / (total1 - total0), 1),
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
    parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: it starts a Docker daemon and debootstraps the kit's base image")
    for tool in ("dockerd", "docker", "debootstrap", "go", "npm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"'{tool}' is missing: run scripts/setup.sh first (the measurement uses what it installs)")

    real_env = ROOT / "compose" / ".env"
    env_before = real_env.stat().st_mtime_ns if real_env.exists() else None
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGHUP, _raise_interrupted)
    # Short path: the daemon's unix sockets must fit in 108 bytes.
    tmp = Path(tempfile.mkdtemp(prefix="arena-ms-", dir="/tmp"))
    runner = Runner()
    results: dict[str, dict[str, object]] = {}
    try:
        for mode, jobs in MODES.items():
            results[mode] = measure_mode(mode, jobs, tmp, runner)
    except (KeyboardInterrupt, Interrupted):
        log("interrupted: stopping the set-up and the second daemon, removing its data")
        runner.stop()
        raise SystemExit(130) from None
    finally:
        runner.stop()
        unmount_under(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    env_after = real_env.stat().st_mtime_ns if real_env.exists() else None

    serial, concurrent = results["serial"], results["concurrent"]
    rows = []
    for key, label in PHASES:
        before = serial["phases"].get(key)  # type: ignore[union-attr]
        after = concurrent["phases"].get(key)  # type: ignore[union-attr]
        if before is None and after is None:
            continue
        rows.append((key, label, before, after))
    engine = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True)
    figures = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "sudo .venv/bin/python scripts/measure_setup.py",
        "machine": {"cores": os.cpu_count(), "engine": engine.stdout.strip()},
        "before": "ARENA_SETUP_JOBS=1 (one step at a time, the old order; images.sh with ARENA_KIT_JOBS=1)",
        "after": "the default: concurrent",
        "phases": {key: {"label": label, "before": before, "after": after,
                         "ratio": ratio(after and after["seconds"], before and before["seconds"])}
                   for key, label, before, after in rows},
        "setup_cold_s": {"before": serial["setup_cold_s"], "after": concurrent["setup_cold_s"],
                         "ratio": ratio(concurrent["setup_cold_s"], serial["setup_cold_s"])},  # type: ignore[arg-type]
        "setup_warm_s": {"before": serial["setup_warm_s"], "after": concurrent["setup_warm_s"]},
        "second_engine_start_s": {"before": serial["engine_start_s"], "after": concurrent["engine_start_s"]},
        "machine_busy_pct": {"before": serial["machine_busy_pct"], "after": concurrent["machine_busy_pct"]},
        "setup_host_cpu_s": {"before": serial["setup_host_cpu_s"], "after": concurrent["setup_host_cpu_s"]},
        "compose_env_untouched": env_before == env_after,
        "not_cold": [
            "Go's module cache is the real one: the go builds compile from nothing but download no module",
            "the engine is installed already: installing docker.io (14-22 s on a new machine) is not in the figures;"
            " the concurrent set-up runs the FerretDB go build during it, so there it costs less than its length",
            "chromium is installed already (a no-op in both)",
        ],
    }
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "setup_figures.json").write_text(json.dumps(figures, indent=2) + "\n")

    def cell(phase: dict[str, float] | None) -> str:
        return f"{phase['seconds']:7.1f} @{phase['start']:5.1f}" if phase else f"{'-':>14}"

    print(f"\n{'phase':34} {'before s @start':>15} {'after s @start':>15} {'after/before':>12}")
    for key, label, before, after in rows:
        r = figures["phases"][key]["ratio"]  # type: ignore[index]
        print(f"{label:34} {cell(before):>15} {cell(after):>15} {r if r is not None else '':>12}")
    for key, label in (("setup_warm_s", "set-up, warm (setup.sh again)"),
                       ("engine_start_s", "second dockerd start (empty root)"),
                       ("setup_host_cpu_s", "host CPU s of the cold set-up"),
                       ("machine_busy_pct", "machine busy % (others included)")):
        print(f"{label:34} {serial[key]:>15} {concurrent[key]:>15}")
    print(f"\ncold set-up: {serial['setup_cold_s']} s -> {concurrent['setup_cold_s']} s "
          f"({figures['setup_cold_s']['ratio']}x); add the engine's install (14-22 s, overlapped by the go build"
          f" after) on a machine without one. compose/.env untouched: {figures['compose_env_untouched']}."
          f" Written to {(REPORTS / 'setup_figures.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
