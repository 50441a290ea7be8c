"""The step vocabulary, read from the code: every step definition, grouped by domain (its module
in steps/), with one example of its use from the features, and the deprecated phrases apart
(harness/deprecation.py). docs/WRITING_FEATURES.md carries it (scripts/step_catalogue.py writes it;
tests/harness/test_steps.py keeps it in sync), and the same registry proves that every step in the
features matches exactly one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.deprecation import deprecation_of
from harness.settings import REPO_ROOT

STEPS_DIR = REPO_ROOT / "steps"
FEATURES_DIR = REPO_ROOT / "features"
BEGIN, END = "<!-- catalogue:begin -->", "<!-- catalogue:end -->"


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

