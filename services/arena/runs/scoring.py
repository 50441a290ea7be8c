"""Scorers: how one model output is judged against the expected answer (1.0 right, 0.0 wrong)."""

from __future__ import annotations

from collections.abc import Callable


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().split())


def exact_match(output: str, expected: str) -> float:
    """The whole output is the expected answer (ignoring case and surrounding/extra whitespace)."""
    return 1.0 if _normalise(output) == _normalise(expected) else 0.0


def contains(output: str, expected: str) -> float:
    """The expected answer appears somewhere in the output (ignoring case)."""
    return 1.0 if _normalise(expected) in _normalise(output) else 0.0


SCORERS: dict[str, Callable[[str, str], float]] = {
    "exact_match": exact_match,
    "contains": contains,
}
