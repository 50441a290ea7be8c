"""compose/probe/settled.sh: until a first success, a probe retries its command and succeeds as it
does, leaving a mark; later probes first wait their pause; a probe whose command keeps failing
fails after its wait and leaves no mark."""

import os
import subprocess
import time
from pathlib import Path

PROBE = Path(__file__).resolve().parents[2] / "compose" / "probe" / "settled.sh"
PAUSE_S = 2.0
RETRY_S = 0.1
WAIT_S = 1  # how long an unsettled probe retries (12 s in the stack)


def probe(marks: Path, *command: str) -> tuple[int, float]:
    started = time.monotonic()
    done = subprocess.run(["sh", str(PROBE), str(PAUSE_S), str(RETRY_S), *command],
                          env={**os.environ, "ARENA_PROBE_MARKS": str(marks), "ARENA_PROBE_WAIT_S": str(WAIT_S)},
                          timeout=30)
    return done.returncode, time.monotonic() - started


def test_a_settled_service_is_probed_after_the_pause(tmp_path):
    code, first = probe(tmp_path, "true")
    assert code == 0 and first < PAUSE_S, f"the first probe should not wait: exit {code} after {first:.2f} s"
    assert len(list(tmp_path.iterdir())) == 1, "the first success should leave one mark"
    code, second = probe(tmp_path, "true")
    assert code == 0 and second >= PAUSE_S, f"a settled service's probe should wait {PAUSE_S} s: {second:.2f} s"


def test_a_failing_probe_retries_for_its_wait_then_fails_and_leaves_no_mark(tmp_path):
    tries = tmp_path / "tries"
    code, took = probe(tmp_path / "marks", "sh", "-c", f'echo x >> "{tries}"; exit 3')
    assert code == 1, f"a failing command should fail the probe: exit {code}"
    assert not (tmp_path / "marks").exists() or not list((tmp_path / "marks").iterdir()), \
        "a failed probe should leave no mark"
    # Whole seconds of /proc/uptime: between WAIT_S - 1 and WAIT_S of retrying, never the pause.
    assert took < PAUSE_S, f"an unsettled service's probe should give up after ~{WAIT_S} s: {took:.2f} s"
    assert len(tries.read_text().split()) >= 2, "an unsettled service's probe should retry its command"


def test_an_unsettled_probe_succeeds_as_soon_as_its_command_does(tmp_path):
    ready = tmp_path / "ready"
    marks = tmp_path / "marks"
    marks.mkdir()
    # The command succeeds from its third try on: one probe, well inside its wait.
    counter = tmp_path / "count"
    code, took = probe(marks, "sh", "-c", f'echo x >> "{counter}"; [ "$(wc -l < "{counter}")" -ge 3 ] && : > "{ready}"')
    assert code == 0 and ready.exists(), f"the probe should succeed once the command does: exit {code}"
    assert took < 3 * RETRY_S + 0.5, f"it should succeed within a retry of the command: {took:.2f} s"
    assert len(list(marks.iterdir())) == 1, "its success should leave one mark"


def test_the_command_gets_its_arguments(tmp_path):
    out = tmp_path / "out"
    code, _ = probe(tmp_path, "sh", "-c", 'printf "%s" "$1" > "$2"', "sh", "a b", str(out))
    assert code == 0 and out.read_text() == "a b", "the command should get its arguments as given"
