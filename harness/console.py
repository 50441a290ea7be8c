"""What a person sees on the console: one human formatter, and a closing block.

`ConsoleFormatter` is the suite's only formatter on stdout (pyproject's `default_format`): behave's
coloured `pretty` on a terminal, `CompactFormatter` in CI or when piped (one line per scenario,
the failing step and its error under a failed one). Allure and JUnit write only to files.

`ClosingReporter` prints after behave's own summary: the phase timings and where the report is.
"""

from __future__ import annotations

import os
import sys

from behave.formatter.base import Formatter
from behave.formatter.pretty import PrettyFormatter
from behave.model_core import Status
from behave.reporter.base import Reporter

MARKS = {"passed": "ok  ", "failed": "FAIL", "error": "ERR ", "skipped": "skip", "undefined": "UNDF",
         "untested": "----"}


def interactive(stream=None) -> bool:
    """A person at a terminal (and not CI, whose log viewers mangle pretty's cursor moves)."""
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("CI", "") not in ("true", "1")


class ConsoleFormatter(Formatter):
    """Chooses at start-up: `pretty` for a terminal, `CompactFormatter` otherwise.

    behave instantiates the class it is configured with; returning an instance of another
    formatter class from `__new__` makes that the formatter, with nothing wrapped or forwarded.
    """

    name = "arena"
    description = "pretty on a terminal, compact (one line per scenario) in CI or when piped"

    def __new__(cls, stream_opener, config):
        chosen = PrettyFormatter if interactive(stream_opener.stream) else CompactFormatter
        return chosen(stream_opener, config)


class CompactFormatter(Formatter):
    """One line per feature and per scenario, with status and duration; a failure's step and error."""

    name = "arena.compact"
    description = "one line per scenario; the failing step and its error below a failure"

    def __init__(self, stream_opener, config):
        super().__init__(stream_opener, config)
        self.stream = self.open()
        self.scenario_ = None
        self.reported = True

    def feature(self, feature):
        self.stream.write(f"\nFeature: {feature.name}  [{feature.location.filename}]\n")
        self.stream.flush()

    def scenario(self, scenario):
        self._finish()
        self.scenario_ = scenario
        self.reported = False

    def result(self, step):
        # The scenario is over after its last step or its first step that did not pass.
        steps = self.scenario_.all_steps if self.scenario_ else []
        steps = list(steps)
        if step.status != Status.passed or (steps and step is steps[-1]):
            self._finish()

    def eof(self):
        self._finish()
        self.scenario_ = None

    def _finish(self):
        scenario = self.scenario_
        if scenario is None or self.reported:
            return
        self.reported = True
        status = scenario.status.name
        if status in ("skipped", "untested") and not self.config.show_skipped:
            return
        self.stream.write(f"  {MARKS.get(status, status)}  {scenario.duration:5.1f} s  {scenario.name}\n")
        if status in ("failed", "error", "undefined"):
            for step in scenario.all_steps:
                if step.status.name in ("failed", "error", "undefined"):
                    self.stream.write(f"        at {step.keyword} {step.name}  ({step.location})\n")
                    message = (step.error_message or f"step is {step.status.name}").rstrip()
                    for line in message.splitlines()[:25]:
                        self.stream.write(f"        | {line}\n")
                    break
            else:
                if scenario.error_message:  # a hook failed, not a step
                    for line in scenario.error_message.rstrip().splitlines()[:25]:
                        self.stream.write(f"        | {line}\n")
        self.stream.flush()


class ClosingReporter(Reporter):
    """Printed after behave's summary: the phase timings and where the report is."""

    def __init__(self, config, lines) -> None:
        super().__init__(config)
        self.lines = lines  # a callable: the lines are known only at the end

    def feature(self, feature):
        pass

    def end(self):
        sys.stdout.flush()
        for line in self.lines():
            print(line, file=sys.stdout, flush=True)
