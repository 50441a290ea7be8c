"""Model-name conventions: how the gateway behaves for a model, decided by its name alone.

| model name                        | behaviour                                                    |
|-----------------------------------|--------------------------------------------------------------|
| `gpt-3.5-turbo...`                | answers tersely: the fixture answer as is ("5")              |
| `gpt-4o-mini...`                  | answers in a sentence: "The answer is 5."                    |
| contains `-fail-once-`            | the first request for (model, user) fails with 500, then OK  |
| contains `-always-fail-`          | every request fails with 500                                 |
| contains `-refused-`              | every request is refused with 400 (a request retrying cannot |
|                                   | fix)                                                         |
| contains `-rate-limited-`         | the first request for (model, user) gets 429 with a          |
|                                   | `Retry-After` of GATEWAY_RETRY_AFTER_S (2), then OK          |
| contains `-slow-`                 | answers after GATEWAY_SLOW_S (0.4 s): runs last long enough  |
|                                   | to be watched mid-way                                        |
| contains `-lagging-`              | answers after GATEWAY_LAGGING_S (2 s; 1.2 in the test stack):|
|                                   | within Arena's provider timeout, but five such answers       |
|                                   | outlast its stalled-run threshold (a long run must keep its  |
|                                   | worker)                                                      |
| contains `-hang-`                 | answers after GATEWAY_HANG_S (5 s; 4.5 in the test stack):   |
|                                   | longer than Arena's provider timeout in the test stack, so   |
|                                   | the call times out                                           |
| contains `-stream-cut-`           | a stream stops half-way, without a final chunk or `[DONE]`   |
| anything else                     | 404 `model_not_found`                                        |

"Once" is counted per (model, OpenAI `user` field): Arena fills `user` with tenant and run ids,
so two runs, or two features, never share that state. New conventions are one row in FAILURES.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CATALOGUE = {
    "gpt-3.5-turbo": "{answer}",
    "gpt-4o-mini": "The answer is {answer}.",
}


@dataclass(frozen=True)
class Failure:
    marker: str
    status: int
    message: str
    only_first: bool  # fail the first request per (model, user), succeed afterwards
    retry_after_s: float | None = None


RETRY_AFTER_S = float(os.environ.get("GATEWAY_RETRY_AFTER_S", "2"))
FAILURES = [
    Failure("-always-fail-", 500, "The test gateway fails every request for this model.", only_first=False),
    Failure("-fail-once-", 500, "The test gateway fails the first request for this model and user.",
            only_first=True),
    Failure("-refused-", 400, "The test gateway refuses this request as malformed.", only_first=False),
    Failure("-rate-limited-", 429, "Rate limit reached for this model and user; retry after the advertised delay.",
            only_first=True, retry_after_s=RETRY_AFTER_S),
]

# Markers that delay the answer (seconds). Bounded, so a forgotten request never hangs a test.
DELAYS = {
    "-slow-": float(os.environ.get("GATEWAY_SLOW_S", "0.4")),
    "-lagging-": float(os.environ.get("GATEWAY_LAGGING_S", "2")),
    "-hang-": float(os.environ.get("GATEWAY_HANG_S", "5")),
}
STREAM_CUT_MARKER = "-stream-cut-"


def base_model(model: str) -> str | None:
    """The catalogue model a name builds on, or None when the gateway does not serve it."""
    for name in sorted(CATALOGUE, key=len, reverse=True):
        if model == name or model.startswith(name + "-"):
            return name
    return None


def failure_for(model: str) -> Failure | None:
    return next((failure for failure in FAILURES if failure.marker in model), None)


def delay_for(model: str) -> float:
    return next((seconds for marker, seconds in DELAYS.items() if marker in model), 0.0)


def render_answer(model: str, answer: str) -> str:
    return CATALOGUE[base_model(model)].format(answer=answer)
