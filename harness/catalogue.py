"""The step vocabulary, read from the code: every step definition, grouped by domain (its module
in steps/), with one example of its use from the features, and the deprecated phrases apart
(harness/deprecation.py). docs/WRITING_FEATURES.md carries it (scripts/step_catalogue.py writes it;
tests/harness/test_steps.py keeps it in sync), and the same registry proves that every step in the
features matches exactly one definition.

The vocabulary is a public interface: features are written from it. Its snapshot
(tests/harness/step_catalogue.snapshot.json, written by the same script) records every phrase; a
phrase of the snapshot may leave, or change its words, only as a deprecation that has run its
course (`broken_promises`, tests/harness/test_vocabulary.py).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from harness.deprecation import deprecation_of
from harness.settings import REPO_ROOT

STEPS_DIR = REPO_ROOT / "steps"
FEATURES_DIR = REPO_ROOT / "features"
BEGIN, END = "<!-- catalogue:begin -->", "<!-- catalogue:end -->"
SNAPSHOT = REPO_ROOT / "tests" / "harness" / "step_catalogue.snapshot.json"
REFRESH = ".venv/bin/python scripts/step_catalogue.py"


@dataclass(frozen=True)
class FeatureStep:
    keyword: str  # given / when / then, as behave resolves And/But
    text: str
    where: str  # features/x.feature:12


@cache
def registry():
    """behave's step registry with every module of steps/ loaded (once per process)."""
    from behave import step_registry
    from behave.runner_util import exec_file

    for path in sorted(STEPS_DIR.glob("*.py")):
        exec_file(str(path), {"__file__": str(path)})
    return step_registry.registry


@cache
def feature_steps() -> tuple[FeatureStep, ...]:
    """Every step the features run, outlines expanded (placeholders filled in)."""
    from behave.parser import parse_file

    steps = []
    for path in sorted(FEATURES_DIR.glob("*.feature")):
        feature = parse_file(str(path))
        background = feature.background.steps if feature.background else []
        for scenario in feature.walk_scenarios():
            for step in [*background, *scenario.steps]:
                steps.append(FeatureStep(step.step_type, step.name, f"{path.relative_to(REPO_ROOT)}:{step.line}"))
    return tuple(steps)


def matching_definitions(step: FeatureStep) -> list:
    steps = registry().steps
    return [definition for definition in [*steps[step.keyword], *steps["step"]] if definition.match(step.text)]


def definitions() -> list:
    steps = registry().steps
    return [definition for kind in ("given", "when", "then", "step") for definition in steps[kind]]


def render() -> str:
    """The catalogue as Markdown: a section per domain, a row per phrase, with an example; then the
    deprecated phrases, each with what to write instead and the date after which it may go."""
    examples: dict[tuple[str, str], FeatureStep] = {}
    for step in feature_steps():
        for definition in matching_definitions(step):
            examples.setdefault((definition.step_type, definition.pattern), step)
    by_domain: dict[str, list] = {}
    retired = []
    for definition in definitions():
        if deprecation_of(definition):
            retired.append(definition)
            continue
        domain = Path(definition.location.filename).stem
        by_domain.setdefault(domain, []).append(definition)
    in_use = len(definitions()) - len(retired)
    lines = [BEGIN, "", f"{in_use} phrases in {len(by_domain)} domains (steps/*.py), and {len(retired)} deprecated.",
             ""]
    for domain in sorted(by_domain):
        lines += [f"### {domain} (`steps/{domain}.py`)", "", "| keyword | phrase | example |", "|---|---|---|"]
        for definition in sorted(by_domain[domain], key=lambda d: (d.step_type, d.pattern)):
            example = examples.get((definition.step_type, definition.pattern))
            shown = f"`{example.text}` ({example.where.split(':')[0]})" if example else "(not used yet)"
            lines.append(f"| {definition.step_type.capitalize()} | {_code(definition.pattern)} | {_cell(shown)} |")
        lines.append("")
    lines += ["### Deprecated phrases (`steps/deprecated.py`)", "",
              "Old words that still work, and say so on the console and in the report when used. Do not write new "
              "features with them; each may be removed after its date (`harness/deprecation.py`).", "",
              "| keyword | phrase | write instead | removable after |", "|---|---|---|---|"]
    for definition in sorted(retired, key=lambda d: (d.step_type, d.pattern)):
        notice = deprecation_of(definition)
        instead = "<br>".join(f"`{line.strip()}`" for line in notice.instead.splitlines() if line.strip())
        if notice.why:
            instead += f" ({notice.why})"
        lines.append(f"| {definition.step_type.capitalize()} | {_code(definition.pattern)} | {_cell(instead)} "
                     f"| {notice.removable_after.isoformat()} |")
    lines += ["", END]
    return "\n".join(lines)


def _code(pattern: str) -> str:
    return f"`{pattern.replace('|', chr(92) + '|')}`"


def _cell(text: str) -> str:
    return text.replace("|", chr(92) + "|")


def splice(document: str, catalogue: str) -> str:
    """`document` with the text between the catalogue markers replaced by `catalogue`."""
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + catalogue + tail


def words(pattern: str) -> str:
    """A phrase's words: its pattern with the placeholders' types left out (`{model:Text}` and
    `{model}` accept the same quoted name as a feature writes it)."""
    return re.sub(r"\{(\w*)(:[^}]*)?\}", r"{\1}", pattern)


def snapshot() -> list[dict]:
    """Every phrase as the snapshot records it: keyword, phrase, and for a deprecated one what to
    write instead and the date after which it may go."""
    entries = []
    for definition in definitions():
        entry = {"keyword": definition.step_type, "phrase": definition.pattern, "deprecated": False}
        notice = deprecation_of(definition)
        if notice:
            entry |= {"deprecated": True, "instead": notice.instead,
                      "removable_after": notice.removable_after.isoformat()}
        entries.append(entry)
    return sorted(entries, key=lambda e: (e["keyword"], e["phrase"]))


def render_snapshot() -> str:
    """The snapshot as JSON, one phrase a line (a diff shows which phrase changed)."""
    head = {
        "about": "Every phrase of steps/ (docs/WRITING_FEATURES.md). tests/harness/test_vocabulary.py fails when one "
                 "of these disappears or changes its words without a deprecation that has run its course.",
        "refresh": REFRESH,
    }
    lines = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in head.items()]
    entries = [f"  {json.dumps(entry, ensure_ascii=False)}" for entry in snapshot()]
    return "{\n" + "\n".join(lines) + '\n "phrases": [\n' + ",\n".join(entries) + "\n ]\n}\n"


def recorded_snapshot() -> list[dict]:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))["phrases"]


def broken_promises(recorded: list[dict], today: date | None = None) -> list[str]:
    """The phrases of the snapshot `recorded` that today's steps no longer offer with the same words
    and keyword (a `step` definition serves every keyword), unless they were deprecated and their
    date has passed. One "expected ..., saw ..." line each."""
    today = today or date.today()
    offered: dict[str, set[str]] = {}
    for definition in definitions():
        offered.setdefault(words(definition.pattern), set()).add(definition.step_type)
    problems = []
    for entry in recorded:
        keyword, phrase = entry["keyword"], entry["phrase"]
        kinds = offered.get(words(phrase), set())
        if keyword in kinds or "step" in kinds or (keyword == "step" and {"given", "when", "then"} <= kinds):
            continue
        if entry.get("deprecated") and date.fromisoformat(entry["removable_after"]) < today:
            continue  # its deprecation has run its course
        if kinds:
            saw = " and ".join(f"{kind.capitalize()} {phrase!r}" for kind in sorted(kinds))
        else:
            close = difflib.get_close_matches(words(phrase), list(offered), n=1, cutoff=0.6)
            saw = f"the closest {close[0]!r}" if close else "nothing like it"
        promise = (f"deprecated until {entry['removable_after']}" if entry.get("deprecated")
                   else "not deprecated")
        problems.append(f"expected {keyword.capitalize()} {phrase!r} ({promise}), saw {saw}: keep the old words "
                        "working, as themselves or as a deprecated alias naming the replacement "
                        "(harness/deprecation.py, steps/deprecated.py)")
    return problems
