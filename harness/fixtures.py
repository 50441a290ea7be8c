"""Deterministic seed data from fixtures/: datasets and the providers Arena is seeded with."""

from __future__ import annotations

import json

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
