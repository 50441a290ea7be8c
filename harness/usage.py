"""Token usage and cost: the tenant's usage report against what the store holds."""

from __future__ import annotations

from decimal import Decimal

CENT_FRACTION = Decimal("0.000001")


def same_cost(a, b) -> bool:
    """Two costs are the same to a millionth of the currency (the ledger's precision)."""
    return abs(Decimal(str(a)) - Decimal(str(b))) <= CENT_FRACTION


def usage_matches_store(session) -> dict:
    """The tenant's usage report agrees with its stored results, model by model and in total, and
    there are stored results to account for. Returns the report."""
    usage = session.api.usage()
    stored = session.rows.usage_by_model()
    assert stored, "expected stored results of the tenant to account for, saw none"
    reported = {m["model"]: m for m in usage["by_model"]}
    assert set(reported) == set(stored), (
        f"expected the API to report the models of the store {sorted(stored)}, saw {sorted(reported)}")
    for model, row in stored.items():
        for field in ("results", "prompt_tokens", "completion_tokens", "total_tokens"):
            assert reported[model][field] == row[field], (
                f"expected {model}'s {field} to be the store's {row[field]}, saw {reported[model][field]} in the API")
        assert same_cost(reported[model]["cost"], row["cost"]), (
            f"expected {model}'s cost to be the store's {row['cost']}, saw {reported[model]['cost']} in the API")
    totals = {f: sum(row[f] for row in stored.values()) for f in ("results", "total_tokens")}
    assert (usage["results"], usage["total_tokens"]) == (totals["results"], totals["total_tokens"]), (
        f"expected the tenant's totals to be the store's {totals}, saw {usage} in the API")
    stored_cost = sum((row["cost"] for row in stored.values()), Decimal(0))
    assert same_cost(usage["cost"], stored_cost), (
        f"expected the tenant's cost to be the store's {stored_cost}, saw {usage['cost']} in the API")
    return usage
