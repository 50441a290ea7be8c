"""Cost of token usage from a price table: USD per 1,000 prompt and completion tokens per model.

The table is a JSON file (ARENA_PRICES_FILE, fixtures/prices.json in the test stack); a model is
priced by the longest table entry its name starts with; an unpriced model costs 0.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from arena.config import settings

log = logging.getLogger("arena.pricing")
MICRO = Decimal("0.000001")


@lru_cache(maxsize=1)
def price_table() -> dict[str, dict[str, Decimal]]:
    path = Path(settings().prices_file)
    if not path.is_file():
        log.warning("no price table at %s: every model costs 0", path)
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {model: {k: Decimal(str(v)) for k, v in prices.items()} for model, prices in raw.items()}


def cost(model: str, prompt_tokens: int, completion_tokens: int,
         table: dict[str, dict[str, Decimal]] | None = None) -> Decimal:
    table = price_table() if table is None else table
    matches = [name for name in table if model == name or model.startswith(name + "-")]
    if not matches:
        return Decimal(0)
    prices = table[max(matches, key=len)]
    total = (prices["prompt_per_1k"] * prompt_tokens + prices["completion_per_1k"] * completion_tokens) / 1000
    return total.quantize(MICRO)
