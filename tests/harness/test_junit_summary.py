import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "junit_summary.py"


def run_summary(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(directory)], capture_output=True, text=True)


def test_counts_passes_failures_errors_and_skips_across_files(tmp_path):
    (tmp_path / "a.xml").write_text(
        '<testsuite><testcase name="ok"/><testcase name="bad"><failure/></testcase></testsuite>')
    (tmp_path / "b.xml").write_text(
        '<testsuites><testsuite><testcase name="e"><error/></testcase>'
        '<testcase name="s"><skipped/></testcase><testcase name="ok2"/></testsuite></testsuites>')
    result = run_summary(tmp_path)
    assert result.stdout.strip() == "2 passed, 2 failed, 1 skipped"
    assert result.returncode == 1


def test_nothing_run_is_a_failure(tmp_path):
    result = run_summary(tmp_path)
    assert result.stdout.strip() == "0 passed, 0 failed"
    assert result.returncode == 1
