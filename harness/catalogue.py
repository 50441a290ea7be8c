"""The step vocabulary, read from the code: every step definition, grouped by domain (its module
in steps/), with one example of its use from the features. docs/WRITING_FEATURES.md carries it
(scripts/step_catalogue.py writes it; tests/harness/test_steps.py keeps it in sync), and the same
registry proves that every step in the features matches exactly one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
    """The catalogue as Markdown: a section per domain, a row per phrase, with an example."""
    examples: dict[tuple[str, str], FeatureStep] = {}
    for step in feature_steps():
        for definition in matching_definitions(step):
            examples.setdefault((definition.step_type, definition.pattern), step)
    by_domain: dict[str, list] = {}
    for definition in definitions():
        domain = Path(definition.location.filename).stem
        by_domain.setdefault(domain, []).append(definition)
    lines = [BEGIN, "", f"{len(definitions())} phrases in {len(by_domain)} domains (steps/*.py).", ""]
    for domain in sorted(by_domain):
        lines += [f"### {domain} (`steps/{domain}.py`)", "", "| keyword | phrase | example |", "|---|---|---|"]
        for definition in sorted(by_domain[domain], key=lambda d: (d.step_type, d.pattern)):
            example = examples.get((definition.step_type, definition.pattern))
            shown = f"`{example.text}` ({example.where.split(':')[0]})" if example else "(not used yet)"
            pattern = definition.pattern.replace("|", "\\|")
            lines.append(f"| {definition.step_type.capitalize()} | `{pattern}` | {shown.replace('|', chr(92) + '|')} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def splice(document: str, catalogue: str) -> str:
    """`document` with the text between the catalogue markers replaced by `catalogue`."""
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + catalogue + tail
