"""Deterministic answers: a prompt-to-answer table from fixtures, and word-count token usage."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

UNKNOWN_ANSWER = "I don't know."
_CANDIDATES = (
    os.environ.get("GATEWAY_ANSWERS_FILE", ""),
    "/fixtures/gateway/answers.json",  # mounted in the compose stack
    str(Path(__file__).resolve().parents[2] / "fixtures" / "gateway" / "answers.json"),  # a checkout
)


@lru_cache(maxsize=1)
def answer_table() -> dict[str, str]:
    for candidate in _CANDIDATES:
        if candidate and Path(candidate).is_file():
            return json.loads(Path(candidate).read_text(encoding="utf-8"))
    return {}


def answer_for(prompt: str) -> str:
    return answer_table().get(prompt.strip(), UNKNOWN_ANSWER)


def count_tokens(text: str) -> int:
    """Tokens are whitespace-separated words: crude, but deterministic and easy to check by hand."""
    return len(text.split())
