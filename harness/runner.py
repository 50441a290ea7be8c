"""behave's runner with one addition: the suite's configuration is checked before anything runs.

A bad value (an unknown mode, a timeout that is not a number, an unknown `-D` key) must stop the
run with one line, before a stack is built. Raised from a hook, behave would print a hook error,
an abort "by user" and a summary of untested features; raised here as behave's ConfigError, it
prints `ConfigError: <the line>` and exits 1.
"""

from __future__ import annotations

from behave.exception import ConfigError
from behave.runner import Runner

from harness.settings import Settings, SettingsError

FILE_WRITERS = {"allure_behave.formatter:AllureFormatter", "rerun"}


class ArenaRunner(Runner):
    def run(self):
        try:
            Settings.load(self.config.userdata)
        except SettingsError as err:
            raise ConfigError(str(err)) from None
        if self.config.dry_run:
            self._without_file_writers()
        return super().run()

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
