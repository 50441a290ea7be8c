"""Deterministic seed data from fixtures/: datasets and the providers Arena is seeded with."""

from __future__ import annotations

import json
from decimal import Decimal

from harness.settings import FIXTURES_DIR


def dataset_samples(name: str, count: int | None = None) -> list[dict]:
    """The first `count` samples of fixtures/datasets/<name>.jsonl (all when count is None)."""
    path = FIXTURES_DIR / "datasets" / f"{name}.jsonl"
    samples = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if count is not None:
        if count > len(samples):
            raise ValueError(f"{path.name} has {len(samples)} samples; a scenario asked for {count}")
        samples = samples[:count]
    return samples


def providers() -> list[dict]:
    return json.loads((FIXTURES_DIR / "providers.json").read_text(encoding="utf-8"))


def price_of(model: str, prompt_tokens: int, completion_tokens: int) -> Decimal:
    """What fixtures/prices.json says these tokens cost (USD per 1,000 tokens, longest prefix)."""
    table = json.loads((FIXTURES_DIR / "prices.json").read_text(encoding="utf-8"))
    matches = [name for name in table if model == name or model.startswith(name + "-")]
    if not matches:
        return Decimal(0)
    prices = table[max(matches, key=len)]
    return ((Decimal(str(prices["prompt_per_1k"])) * prompt_tokens
             + Decimal(str(prices["completion_per_1k"])) * completion_tokens) / 1000)
