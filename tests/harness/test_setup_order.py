"""scripts/images.sh builds the offline kit in the right order, concurrently, and stops on a failure.

No engine and no build: a copy of the scripts and of compose/kit runs with stand-ins for docker,
debootstrap and go on PATH that record when they start and end (the stand-in docker keeps each
image's label, so "up to date" works as with a real engine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_DOCKER = r"""#!/usr/bin/env bash
state="$FAKE_STATE"; mkdir -p "$state"
event() { printf '%s %s\n' "$EPOCHREALTIME" "$*" >>"$FAKE_EVENTS"; }
case "$1" in
  info) exit 0 ;;
  pull) event "pull ${*: -1}"; echo "dial tcp: lookup failed" >&2; exit 1 ;;
  image)
    [ "$2" = inspect ] || exit 1
    if [ "$3" = -f ]; then
      f="$state/$(printf '%s' "$5" | tr '/:' '__')"
      case "$4" in
        *Labels*) [ -e "$f" ] && cat "$f"; exit 0 ;;
        *Id*) [ -e "$f" ] || exit 1; echo "sha256:$(cat "$f")"; exit 0 ;;
        *) exit 0 ;;
      esac
    fi
    [ -e "$state/$(printf '%s' "$3" | tr '/:' '__')" ] && exit 0; exit 1 ;;
  build)
    shift; image=""; label=""
    while [ $# -gt 0 ]; do
      case "$1" in -t) image="$2"; shift ;; --label) label="${2#*=}"; shift ;; esac; shift
    done
    event "build-start $image"; sleep "${FAKE_BUILD_S:-0.3}"
    if [ "$image" = "${FAKE_FAIL_IMAGE:-}" ]; then echo "E: Unable to locate package (stand-in failure)"; exit 100; fi
    printf '%s' "$label" >"$state/$(printf '%s' "$image" | tr '/:' '__')"; event "build-end $image" ;;
  import)
    image="${*: -1}"; label=""
    for a in "$@"; do case "$a" in "LABEL org.arena.kit.inputs="*) label="${a#*=}" ;; esac; done
    cat >/dev/null
    printf '%s' "$label" >"$state/$(printf '%s' "$image" | tr '/:' '__')" ;;
esac
exit 0
"""

FAKE_DEBOOTSTRAP = r"""#!/usr/bin/env bash
printf '%s %s\n' "$EPOCHREALTIME" "debootstrap-start" >>"$FAKE_EVENTS"
mkdir -p "$3/var/cache/apt/archives" "$3/var/lib/apt/lists"; sleep "${FAKE_DEBOOTSTRAP_S:-0.5}"
printf '%s %s\n' "$EPOCHREALTIME" "debootstrap-end" >>"$FAKE_EVENTS"
"""

FAKE_GO = r"""#!/usr/bin/env bash
[ "$1" = version ] && { echo "go version go1.99.0 linux/amd64"; exit 0; }
out=""; while [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done
printf '%s %s\n' "$EPOCHREALTIME" "go-build-start" >>"$FAKE_EVENTS"
sleep "${FAKE_GO_S:-1}"
echo "a FerretDB binary" >"$out"; chmod +x "$out"
printf '%s %s\n' "$EPOCHREALTIME" "go-build-end" >>"$FAKE_EVENTS"
"""

pytestmark = pytest.mark.skipif(shutil.which("flock") is None, reason="flock (util-linux) is not installed")


@pytest.fixture
def kit(tmp_path):
    """A copy of the scripts and the kit, stand-ins on PATH, and an env for images.sh."""
    repo = tmp_path / "repo"
    (repo / "compose").mkdir(parents=True)
    shutil.copytree(ROOT / "scripts", repo / "scripts")
    shutil.copytree(ROOT / "compose" / "kit", repo / "compose" / "kit", ignore=shutil.ignore_patterns("build"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("docker", FAKE_DOCKER), ("debootstrap", FAKE_DEBOOTSTRAP), ("go", FAKE_GO)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_STATE": str(tmp_path / "images"),
        "FAKE_EVENTS": str(tmp_path / "events"),
        "ARENA_IMAGES": "kit",
        "ARENA_CACHE_DIR": str(tmp_path / "cache"),
        "ARENA_ENV_FILE": str(tmp_path / "compose.env"),
    }
    for name in ("ARENA_KIT_JOBS", "ARENA_TIMINGS", "ARENA_BUILD_NETWORK", "DOCKER_HOST"):
        env.pop(name, None)
    return repo, env, tmp_path


def images_sh(repo: Path, env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(repo / "scripts" / "images.sh")], env={**env, **extra},
                          capture_output=True, text=True, timeout=60)


def events(tmp_path: Path) -> dict[str, float]:
    path = tmp_path / "events"
    lines = path.read_text().splitlines() if path.exists() else []
    return {" ".join(line.split()[1:]): float(line.split()[0]) for line in lines}


def test_independent_builds_overlap_and_the_ferretdb_image_waits_for_its_binary(kit):
    repo, env, tmp = kit
    done = images_sh(repo, env)
    assert done.returncode == 0, done.stderr
    e = events(tmp)
    assert e["go-build-start"] < e["debootstrap-end"], "the go build waits for nothing"
    images = ("arena-kit/postgres:15", "arena-kit/redis:7", "arena-kit/python:3.11")
    starts = [e[f"build-start {image}"] for image in images]
    assert min(starts) >= e["debootstrap-end"]
    assert max(starts) < min(e[f"build-end {image}"] for image in images), "the three images build together"
    assert e["build-start arena-kit/ferretdb:1.24"] >= e["go-build-end"]
    assert "ARENA_IMAGE_SOURCE=kit" in (tmp / "compose.env").read_text()
    assert list((tmp / "cache" / "ferretdb").glob("*/arena-ferretdb")), "the binary is kept in the cache"


def test_serial_mode_keeps_the_old_order(kit):
    repo, env, tmp = kit
    done = images_sh(repo, env, ARENA_KIT_JOBS="1", FAKE_GO_S="0.3")
    assert done.returncode == 0, done.stderr
    order = [name for name, _ in sorted(events(tmp).items(), key=lambda item: item[1])]
    assert order == [
        "debootstrap-start", "debootstrap-end",
        "build-start arena-kit/postgres:15", "build-end arena-kit/postgres:15",
        "build-start arena-kit/redis:7", "build-end arena-kit/redis:7",
        "go-build-start", "go-build-end",
        "build-start arena-kit/ferretdb:1.24", "build-end arena-kit/ferretdb:1.24",
        "build-start arena-kit/python:3.11", "build-end arena-kit/python:3.11",
    ]


def test_a_second_run_and_a_fresh_clone_build_nothing_again(kit):
    repo, env, tmp = kit
    assert images_sh(repo, env, FAKE_GO_S="0.3").returncode == 0
    (tmp / "events").unlink()
    again = images_sh(repo, env)
    assert again.returncode == 0, again.stderr
    assert events(tmp) == {}, "an up-to-date kit builds nothing"
    # A fresh clone on the same machine: the FerretDB image is gone, its binary is not rebuilt.
    clone = tmp / "clone"
    (clone / "compose").mkdir(parents=True)
    shutil.copytree(repo / "scripts", clone / "scripts")
    shutil.copytree(repo / "compose" / "kit", clone / "compose" / "kit", ignore=shutil.ignore_patterns("build"))
    (tmp / "images" / "arena-kit_ferretdb_1.24").unlink()
    fresh = images_sh(clone, env)
    assert fresh.returncode == 0, fresh.stderr
    assert list(events(tmp)) == ["build-start arena-kit/ferretdb:1.24", "build-end arena-kit/ferretdb:1.24"]
    assert (clone / "compose" / "kit" / "build" / "ferretdb" / "arena-ferretdb").read_text() == "a FerretDB binary\n"


def test_a_failing_build_stops_the_others_with_its_output(kit):
    repo, env, tmp = kit
    failed = images_sh(repo, env, FAKE_FAIL_IMAGE="arena-kit/postgres:15", FAKE_GO_S="20")
    assert failed.returncode != 0
    assert "E: Unable to locate package (stand-in failure)" in failed.stderr
    assert "building arena-kit/postgres:15 failed" in failed.stderr
    assert "go-build-end" not in events(tmp), "the go build was stopped, not waited for"
    assert not (tmp / "compose.env").exists()


def test_auto_asks_a_registry_once_and_keeps_the_kit_it_then_chose(kit):
    repo, env, tmp = kit
    first = images_sh(repo, env, ARENA_IMAGES="auto", FAKE_GO_S="0.3")
    assert first.returncode == 0, first.stderr
    pulls = [name for name in events(tmp) if name.startswith("pull ")]
    assert pulls == ["pull postgres:15.10-bookworm"], "the first run asks once, and stops at the first refusal"
    assert "ARENA_IMAGE_SOURCE=kit" in (tmp / "compose.env").read_text()
    (tmp / "events").unlink()
    second = images_sh(repo, env, ARENA_IMAGES="auto")
    assert second.returncode == 0, second.stderr
    assert not [name for name in events(tmp) if name.startswith("pull ")], "a later run asked a registry again"
    assert "chosen before on this machine" in second.stderr


def test_auto_on_a_machine_that_built_the_kit_before_asks_no_registry(kit):
    repo, env, tmp = kit
    assert images_sh(repo, env, FAKE_GO_S="0.3").returncode == 0  # the kit, built by another clone
    (tmp / "compose.env").unlink()
    (tmp / "events").unlink()
    fresh = images_sh(repo, env, ARENA_IMAGES="auto")
    assert fresh.returncode == 0, fresh.stderr
    assert not [name for name in events(tmp) if name.startswith("pull ")], "a fresh clone asked a registry"
    assert "ARENA_IMAGE_SOURCE=kit" in (tmp / "compose.env").read_text()
