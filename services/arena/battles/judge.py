"""Asking a judge model which of two answers is better, and reading its verdict."""

from __future__ import annotations

import re

JUDGE_PROMPT = (
    "You are judging two answers to the same question.\n"
    "Question: {prompt}\n"
    "Answer A: {answer_a}\n"
    "Answer B: {answer_b}\n"
    "Reply with 'Winner: A', 'Winner: B' or 'Winner: draw', then 'Rationale: ' and one sentence."
)
VERDICT = re.compile(r"Winner:\s*(A|B|draw)\b", re.I)
RATIONALE = re.compile(r"Rationale:\s*(.+)", re.I | re.S)


def judge_prompt(prompt: str, answer_a: str, answer_b: str) -> str:
    return JUDGE_PROMPT.format(prompt=prompt, answer_a=answer_a, answer_b=answer_b)


def read_verdict(reply: str) -> tuple[str, str]:
    """("A" | "B" | "draw", rationale); ValueError when the judge did not answer in the format."""
    verdict = VERDICT.search(reply)
    if not verdict:
        raise ValueError(f"the judge's reply has no verdict: {reply[:200]!r}")
    rationale = RATIONALE.search(reply)
    value = verdict.group(1)
    return ("draw" if value.lower() == "draw" else value.upper()), (rationale.group(1).strip() if rationale else "")
