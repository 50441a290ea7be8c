"""One human formatter on the console: each feature printed once, Allure and JUnit only in files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_piped_run_prints_each_feature_once_in_the_compact_form():
    # A dry run needs no stack; piped (as in CI) the console formatter is the compact one.
    proc = subprocess.run([sys.executable, "-m", "behave", "--dry-run", "--no-junit", "--tags=@smoke"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    title = "Feature: The platform reports the health of everything it depends on"
    assert out.count(title) == 1, out
    assert "  [features/platform_health.feature]" in out  # the compact form names the file
    assert "<?xml" not in out and '"uuid"' not in out  # JUnit and Allure stay in their files


def test_a_bad_setting_stops_the_run_with_one_line():
    proc = subprocess.run([sys.executable, "-m", "behave", "-D", "mode=kubernetes"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    lines = [line for line in proc.stdout.splitlines() if not line.startswith("USING RUNNER")]
    assert proc.returncode != 0
    assert lines == ["ConfigError: -D mode='kubernetes' is not allowed: mode must be compose or external"], proc.stdout
