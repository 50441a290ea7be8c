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


def test_a_scenario_behave_never_ran_is_not_a_pass(tmp_path):
    # What behave writes for a feature whose run was interrupted before its scenarios.
    (tmp_path / "TESTS-features.r.xml").write_text(
        '<testsuite tests="2" errors="0" failures="0" skipped="0">'
        '<testcase name="ran" status="passed"/><testcase name="never ran" status="untested"/></testsuite>')
    result = run_summary(tmp_path)
    assert result.stdout.strip() == "1 passed, 1 failed"
    assert result.returncode == 1


def test_an_unreadable_file_counts_as_a_failure_and_is_named(tmp_path):
    (tmp_path / "ok.xml").write_text('<testsuite><testcase name="ok"/></testsuite>')
    (tmp_path / "half.xml").write_text("")
    result = run_summary(tmp_path)
    assert result.stdout.strip() == "1 passed, 1 failed"
    assert "half.xml is not readable JUnit" in result.stderr and result.returncode == 1
