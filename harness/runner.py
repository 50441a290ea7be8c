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


class ArenaRunner(Runner):
    def run(self):
        try:
            Settings.load(self.config.userdata)
        except SettingsError as err:
            raise ConfigError(str(err)) from None
        return super().run()
