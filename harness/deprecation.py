"""Deprecated phrases: words the vocabulary offered once, kept working for a stated period.

The phrases in docs/WRITING_FEATURES.md are what people write features with (DESIGN.md,
"The step vocabulary"), so a phrase is never simply removed or given a stricter meaning: its old
words stay, as themselves or as an alias of the phrase that replaced them, until REMOVABLE_AFTER.
Used, a deprecated phrase says what to write instead, once per phrase per run on the console and
on every scenario that uses it in the Allure report.

    @deprecated("then", "their leaderboard is empty", instead='Then their leaderboard lists only "<models>"')
    def step_their_leaderboard_empty(context): ...

    alias("then", "MongoDB holds no battle of theirs", instead="Then MongoDB holds exactly 0 battles of theirs")

An alias runs its replacement (behave's `execute_steps`), so it means what the replacement means;
`deprecated` keeps a function of its own where the old words meant less than any phrase of today.
tests/harness/test_vocabulary.py keeps the promise: a phrase of the checked-in catalogue snapshot
that disappears or changes its words without a deprecation fails it.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from datetime import date

import allure
import behave
from allure_commons.types import AttachmentType

REMOVABLE_AFTER = date(2027, 3, 8)  # three months after the old phrases were restored (2026-12-08)

_REGISTER = {"given": behave.given, "when": behave.when, "then": behave.then, "step": behave.step}


@dataclass(frozen=True)
class Deprecation:
    keyword: str  # given / when / then / step, as behave registers it
    phrase: str  # the old words, as registered (placeholders and all)
    instead: str  # what to write instead: one or more Gherkin steps, placeholders as in `phrase`
    why: str = ""  # how the replacement differs, when it is not the same check in new words
    removable_after: date = REMOVABLE_AFTER

    def message(self, **values) -> str:
        """One line: the phrase, its end date and what to write instead (filled in with `values`)."""
        instead = " / ".join(line.strip() for line in self.instead.format(**values).splitlines() if line.strip())
        line = (f'deprecated step "{self.keyword.capitalize()} {self.phrase}" (removable after '
                f"{self.removable_after.isoformat()}): write instead: {instead}")
        return f"{line} ({self.why})" if self.why else line


_announced: set[tuple[str, str]] = set()


def announce(notice: Deprecation, **values) -> str:
    """Say that a deprecated phrase ran: on the console once per phrase per run, in the report for
    every scenario that uses it. Returns the message."""
    text = notice.message(**values)
    if (notice.keyword, notice.phrase) not in _announced:
        _announced.add((notice.keyword, notice.phrase))
        # behave captures a step's sys.stderr (shown only when the step fails): the process's own.
        print(f"[vocabulary] {text}", file=sys.__stderr__, flush=True)
    allure.dynamic.tag("deprecated-step")
    allure.attach(text, name="Deprecated step", attachment_type=AttachmentType.TEXT)
    return text


def deprecated(keyword: str, phrase: str, *, instead: str, why: str = ""):
    """Register `phrase` with behave as a deprecated step that runs the decorated function after
    announcing itself. The function is returned as it was, so several phrases can share it."""
    notice = Deprecation(keyword, phrase, instead, why)

    def register(func):
        @functools.wraps(func)
        def step_impl(context, *args, **kwargs):
            announce(notice, **kwargs)
            return func(context, *args, **kwargs)

        step_impl.deprecation = notice
        _REGISTER[keyword](phrase)(step_impl)
        return func

    return register


def alias(keyword: str, phrase: str, *, instead: str, why: str = "") -> None:
    """Register `phrase` as a deprecated alias: it runs `instead` (its placeholders filled in from
    the old phrase, the step's table passed on) as the steps it names."""

    def run_instead(context, **values):
        steps = instead.format(**values)
        if context.table is not None:
            steps += "\n" + gherkin_table(context.table)
        context.execute_steps(steps)

    run_instead.__name__ = run_instead.__qualname__ = f"alias of {instead.splitlines()[0]!r}"
    deprecated(keyword, phrase, instead=instead, why=why)(run_instead)


def gherkin_table(table) -> str:
    """A behave table written back as Gherkin, to pass on to the steps an alias runs."""
    rows = [table.headings, *(row.cells for row in table)]
    return "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows)


def cannot_pass(notice: str) -> None:
    """Fail a deprecated phrase that, where it is used, could pass only by checking nothing: the
    message says what to write instead (rather than passing, or failing as an undefined step)."""
    raise AssertionError("expected a step that can fail where it is used, saw a deprecated one that could only pass "
                         f"by checking nothing: {notice}")


def deprecation_of(definition) -> Deprecation | None:
    """The deprecation of a behave step definition, or None for a phrase in use."""
    return getattr(definition.func, "deprecation", None)
