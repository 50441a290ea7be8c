"""compose/probe/settled.sh: the first successful probe is immediate and leaves a mark; later ones
first wait their pause; a failing probe leaves no mark and fails."""

import os
import subprocess
import time
from pathlib import Path

PROBE = Path(__file__).resolve().parents[2] / "compose" / "probe" / "settled.sh"
PAUSE_S = 2.0


def probe(marks: Path, *command: str) -> tuple[int, float]:
    started = time.monotonic()
    done = subprocess.run(["sh", str(PROBE), str(PAUSE_S), *command],
                          env={**os.environ, "ARENA_PROBE_MARKS": str(marks)}, timeout=30)
    return done.returncode, time.monotonic() - started


def test_a_settled_service_is_probed_after_the_pause(tmp_path):
    code, first = probe(tmp_path, "true")
    assert code == 0 and first < PAUSE_S, f"the first probe should not wait: exit {code} after {first:.2f} s"
    assert len(list(tmp_path.iterdir())) == 1, "the first success should leave one mark"
    code, second = probe(tmp_path, "true")
    assert code == 0 and second >= PAUSE_S, f"a settled service's probe should wait {PAUSE_S} s: {second:.2f} s"


def test_a_failing_probe_fails_and_leaves_no_mark(tmp_path):
    code, took = probe(tmp_path, "sh", "-c", "exit 3")
    assert code == 1, f"a failing command should fail the probe: exit {code}"
    assert not list(tmp_path.iterdir()), "a failed probe should leave no mark"
    assert took < PAUSE_S, f"an unsettled service's probe should not wait: {took:.2f} s"


def test_the_command_gets_its_arguments(tmp_path):
    out = tmp_path / "out"
    code, _ = probe(tmp_path, "sh", "-c", 'printf "%s" "$1" > "$2"', "sh", "a b", str(out))
    assert code == 0 and out.read_text() == "a b", "the command should get its arguments as given"
