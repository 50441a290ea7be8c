"""Steps about token usage and cost (the usage ledger)."""

from decimal import Decimal

from behave import then, when

from harness import fixtures
from harness.api import expect
from harness.tenants import open_tenant

CENT_FRACTION = Decimal("0.000001")


def _close(a, b) -> bool:
    return abs(Decimal(str(a)) - Decimal(str(b))) <= CENT_FRACTION


@then('every result is priced by the price table for "{model}"')
def step_results_priced(context, model):
    for result in context.me.api.results(context.run["id"]):
        usage = result["usage"]
        expected = fixtures.price_of(model, usage["prompt_tokens"], usage["completion_tokens"])
        assert expected > 0, f"the price table has no price for {model!r}"
        assert _close(usage["cost"], expected), (
            f"{result['input']!r}: cost {usage['cost']}, the price table says {expected} for {usage}")
    run = context.me.api.run(context.run["id"])
    summed = sum(Decimal(str(r["usage"]["cost"])) for r in context.me.api.results(context.run["id"]))
    assert _close(run["usage"]["cost"], summed), f"run cost {run['usage']['cost']}, its results add up to {summed}"


@then("my tenant's usage equals everything stored for my tenant, model by model")
def step_tenant_usage_matches_store(context):
    _assert_usage_matches_store(context.me)


@when('another tenant runs the same questions on model "{model}"')
def step_other_tenant_runs(context, model):
    other = open_tenant(context.admin, context.endpoints.api_url, context.db, "other", context.exchanges)
    context.other_tenants.append(other)
    dataset = expect(other.api.create_dataset("same-questions", context.dataset_samples), 201)
    other_run = expect(other.api.start_run(dataset["id"], model), 202)
    context.other, context.other_run = other, other_run


@then('the other tenant\'s usage counts exactly its one run of {count:d} questions on "{model}"')
def step_other_usage(context, count, model):
    from harness.runs import wait_for_status

    wait_for_status(context.other.api, context.other_run["id"], "completed", timeout=30)
    usage = _assert_usage_matches_store(context.other)
    assert (usage["runs"], usage["results"]) == (1, count), f"expected 1 run and {count} results: {usage}"
    assert [m["model"] for m in usage["by_model"]] == [model], f"expected only {model!r}: {usage['by_model']}"


def _assert_usage_matches_store(session) -> dict:
    usage = session.api.usage()
    stored = session.rows.usage_by_model()
    reported = {m["model"]: m for m in usage["by_model"]}
    assert set(reported) == set(stored), f"the API reports models {sorted(reported)}, the store {sorted(stored)}"
    for model, row in stored.items():
        for field in ("results", "prompt_tokens", "completion_tokens", "total_tokens"):
            assert reported[model][field] == row[field], (
                f"{model} {field}: API {reported[model][field]}, store {row[field]}")
        assert _close(reported[model]["cost"], row["cost"]), (
            f"{model} cost: API {reported[model]['cost']}, store {row['cost']}")
    totals = {f: sum(row[f] for row in stored.values()) for f in ("results", "total_tokens")}
    assert (usage["results"], usage["total_tokens"]) == (totals["results"], totals["total_tokens"]), (
        f"tenant totals {usage} differ from the store {totals}")
    assert _close(usage["cost"], sum((row["cost"] for row in stored.values()), Decimal(0)))
    return usage
