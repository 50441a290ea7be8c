"""Steps about token usage and cost (the usage ledger)."""

from decimal import Decimal

from behave import given, then, when

from harness import (
    fixtures,
    phrases,  # noqa: F401 - registers the Text and Dec types used below
    report,
    tables,
)
from harness.api import expect
from harness.runs import wait_for_status
from harness.tenants import another_tenant
from harness.usage import same_cost, usage_matches_store


@then('every result is priced by the price table for "{model:Text}"')
def step_results_priced(context, model):
    results = context.me.api.results(context.run["id"])
    assert len(results) == len(context.dataset_samples), (
        f"expected {len(context.dataset_samples)} priced results, saw {len(results)} in the API")
    for result in results:
        usage = result["usage"]
        expected = fixtures.price_of(model, usage["prompt_tokens"], usage["completion_tokens"])
        assert expected > 0, (
            f"expected a price for {model!r} in the price table (and tokens on the result), saw {expected} for {usage}")
        assert same_cost(usage["cost"], expected), (
            f"{result['input']!r}: expected the price table's {expected} for {usage}, saw cost {usage['cost']}")
    run = context.me.api.run(context.run["id"])
    summed = sum(Decimal(str(r["usage"]["cost"])) for r in results)
    assert same_cost(run["usage"]["cost"], summed), (
        f"expected the run's cost to be its results' sum {summed}, saw {run['usage']['cost']}")


@then("the run used {prompt:d} prompt tokens and {completion:d} completion tokens, costing {cost:Dec}")
def step_run_used(context, prompt, completion, cost):
    usage = context.me.api.run(context.run["id"])["usage"]
    seen = (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"])
    assert seen == (prompt, completion, prompt + completion), (
        f"expected {prompt} prompt + {completion} completion tokens, saw the run report {usage}")
    assert same_cost(usage["cost"], cost), f"expected the run to cost {cost}, saw {usage['cost']}"


@then("my tenant's usage equals everything stored for my tenant, model by model")
def step_tenant_usage_matches_store(context):
    usage_matches_store(context.me)


@then("my tenant's usage is:")
def step_my_usage_is(context):
    _assert_usage_is(context.me, context.table)


@then("the other tenant's usage is:")
def step_other_usage_is(context):
    _assert_usage_is(context.other, context.table)


@then("my tenant's usage counts {count:d} run")
@then("my tenant's usage counts {count:d} runs")
def step_my_run_count(context, count):
    _assert_run_count(context.me, count)


@then("the other tenant's usage counts {count:d} run")
@then("the other tenant's usage counts {count:d} runs")
def step_other_run_count(context, count):
    _assert_run_count(context.other, count)


def _assert_run_count(session, count) -> None:
    usage = session.api.usage()
    stored = session.rows.count("runs")
    assert usage["runs"] == stored == count, (
        f"expected {count} run(s), saw {usage['runs']} in the usage report and {stored} in the database")


@given("another tenant has a dataset of the same questions")
def step_other_has_dataset(context):
    other = another_tenant(context)
    context.other_dataset = expect(other.api.create_dataset("same-questions", context.dataset_samples), 201)


@when('another tenant runs its dataset on model "{model:Text}"')
def step_other_tenant_runs(context, model):
    context.other_run = expect(context.other.api.start_run(context.other_dataset["id"], model), 202)


@then("the other tenant's run completes within {seconds:d} seconds")
def step_other_run_completes(context, seconds):
    context.other_run = wait_for_status(context.other.api, context.other_run["id"], "completed", timeout=seconds)


def _assert_usage_is(session, table) -> None:
    """The tenant's usage, model by model and in total, is exactly the table (no other model)."""
    usage = session.api.usage()
    expected = [row.as_dict() for row in table]
    # The API's fields by the table's headings ("prompt tokens" is prompt_tokens); rows paired by model.
    reported = [{field.replace("_", " "): value for field, value in m.items()} for m in usage["by_model"]]
    how = {"key": "model", "ordered": False, "columns": table.headings,
           "same": {"results": tables.same_number, "prompt tokens": tables.same_number,
                    "completion tokens": tables.same_number, "cost": same_cost}}
    diff = tables.differences(expected, reported, **how)
    if diff:
        report.attach_tables("The usage by model", tables.side_by_side(expected, reported, **how))
    assert not diff, f"expected the usage by model as in the table, saw {diff}"
    total = sum((Decimal(row["cost"]) for row in table), Decimal(0))
    assert same_cost(usage["cost"], total), f"expected a total cost of {total}, saw {usage['cost']} in the API"
    usage_matches_store(session)
