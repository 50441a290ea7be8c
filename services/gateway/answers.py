"""Deterministic answers: a prompt-to-answer table from fixtures, and word-count token usage."""

from __future__ import annotations

import json
import os
import re
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


DOCUMENT_PROMPT = re.compile(r"\ADocument:\n(?P<document>.*)\n\nQuestion: (?P<question>.*)\Z", re.S)
WORD = re.compile(r"[a-z0-9]+")


JUDGE_PROMPT = re.compile(r"\AYou are judging two answers to the same question\.\nQuestion: (?P<question>.*?)\n"
                          r"Answer A: (?P<a>.*?)\nAnswer B: (?P<b>.*?)\n", re.S)


def answer_for(prompt: str) -> tuple[str, bool]:
    """(answer, whether the model's answering style applies).

    A known prompt gets its fixture answer (styled by the model: terse or a sentence); a question
    about a document ("Document: ... Question: ...") the document's sentence sharing the most
    words with the question; a judging prompt a verdict by `judge` (both as they are)."""
    judging = JUDGE_PROMPT.match(prompt.strip())
    if judging:
        return judge(judging["question"], judging["a"], judging["b"]), False
    document_question = DOCUMENT_PROMPT.match(prompt.strip())
    if document_question:
        return answer_from_document(document_question["document"], document_question["question"]), False
    return answer_table().get(prompt.strip(), UNKNOWN_ANSWER), True


def answer_from_document(document: str, question: str) -> str:
    asked = set(WORD.findall(question.lower()))
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(document.split())) if s.strip()]
    scored = [(len(asked & set(WORD.findall(sentence.lower()))), -i, sentence) for i, sentence in enumerate(sentences)]
    best = max(scored, default=(0, 0, UNKNOWN_ANSWER))
    return best[2] if best[0] > 0 else UNKNOWN_ANSWER


def count_tokens(text: str) -> int:
    """Tokens are whitespace-separated words: crude, but deterministic and easy to check by hand."""
    return len(text.split())


def judge(question: str, answer_a: str, answer_b: str) -> str:
    """The deterministic judge: an answer that contains the fixture answer beats one that does
    not; between two such (or two without it), the longer, more complete answer wins; answers of
    equal length draw."""
    expected = answer_table().get(question.strip())
    correct = [bool(expected) and expected.lower() in answer.lower() for answer in (answer_a, answer_b)]
    if correct[0] != correct[1]:
        winner, why = ("A" if correct[0] else "B"), "it contains the correct answer and the other does not"
    elif len(answer_a) != len(answer_b):
        winner, why = ("A" if len(answer_a) > len(answer_b) else "B"), "it is the more complete answer"
    else:
        return "Winner: draw\nRationale: both answers are equally good."
    return f"Winner: {winner}\nRationale: answer {winner} wins because {why}."
