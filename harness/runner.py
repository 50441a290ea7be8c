"""behave's runner with one addition: the suite's configuration is checked before anything runs.

A bad value (an unknown mode, a timeout that is not a number, an unknown `-D` key) must stop the
run with one line, before a stack is built. Raised from a hook, behave would print a hook error,
an abort "by user" and a summary of untested features; raised here as behave's ConfigError, it
prints `ConfigError: <the line>` and exits 1.
"""

from __future__ import annotations

import os
from pathlib import Path

from behave.exception import ConfigError
from behave.formatter.base import StreamOpener
from behave.runner import Runner

from harness.settings import REPORTS_DIR, RESULTS_ROOT, Settings, SettingsError

FILE_WRITERS = {"allure_behave.formatter:AllureFormatter", "rerun"}
# Set by the parallel runner (harness/parallel.py): each behave process writes its failed
# scenarios to a file of its own, which the runner merges into reports/rerun.txt.
RERUN_FILE_ENV = "ARENA_RERUN_FILE"
# Also set by the parallel runner, when two behave processes on two stacks share the @fault
# scenarios: each runs in whichever process gets to it first, and the other leaves it out.
CLAIMS_ENV = "ARENA_SCENARIO_CLAIMS"


class ArenaRunner(Runner):
    def run(self):
        try:
            Settings.load(self.config.userdata)
        except SettingsError as err:
            raise ConfigError(str(err)) from None
        if self.config.dry_run:
            self._without_file_writers()
        else:
            if REPORTS_DIR.resolve() != RESULTS_ROOT:
                self._results_under(RESULTS_ROOT)
            if os.environ.get(RERUN_FILE_ENV):
                self._write_to("rerun", os.environ[RERUN_FILE_ENV])
        return super().run()

    def run_model(self, features=None):
        if (claims := os.environ.get(CLAIMS_ENV)) and not self.config.dry_run:
            share_by_claims(self.features if features is None else features, Path(claims))
        return super().run_model(features)

    def _results_under(self, root) -> None:
        """ARENA_RESULTS_DIR: the file writers pyproject points at reports/ write under `root`."""
        self._write_to("allure_behave.formatter:AllureFormatter", str(root / "allure-results"))
        self._write_to("rerun", str(root / "rerun.txt"))
        if Path(self.config.junit_directory).resolve() == (REPORTS_DIR / "junit").resolve():
            self.config.junit_directory = str(root / "junit")

    def _write_to(self, formatter: str, path: str) -> None:
        config = self.config
        for i, name in enumerate(config.format):
            if name == formatter and i < len(config.outputs):
                config.outputs[i] = StreamOpener(path)

    def _without_file_writers(self) -> None:
        """A dry run executes nothing: it must leave no Allure results and no rerun list behind
        (it would overwrite the last real run's). Formatters and their outputs are paired by
        position; formatters past the outputs write to stdout."""
        config = self.config
        pairs = [(name, config.outputs[i] if i < len(config.outputs) else None)
                 for i, name in enumerate(config.format)]
        kept = [(name, output) for name, output in pairs if name not in FILE_WRITERS]
        config.format = [name for name, _ in kept]
        config.outputs = [output for _, output in kept if output is not None]


def share_by_claims(features, directory: Path) -> None:
    """Each selected scenario runs only if this process claims it first, when it comes to it: a
    file per scenario in `directory`, created or not in one step (O_EXCL), so two processes never
    both get one. One the other process has is left out as the tags leave one out: marked
    skipped before any formatter or hook sees it (with show_skipped off, no report shows it)."""
    for feature in features:
        for scenario in feature.walk_scenarios():
            scenario.run = _claiming_run(scenario, scenario.run, directory)


def _claiming_run(scenario, run, directory: Path):
    def claiming_run(runner):
        if scenario.should_run(runner.config) and not claim(directory, scenario):
            scenario.mark_skipped()
            return False  # not failed
        return run(runner)
    return claiming_run


def claim(directory: Path, scenario) -> bool:
    name = f"{scenario.location.filename}:{scenario.location.line}".replace("/", "_")
    try:
        os.close(os.open(directory / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True
