"""Steps about the worker pool."""

from behave import given, then, when

from harness import phrases  # noqa: F401 - registers the Text type used below
from harness.api import expect
from harness.gateway import run_user
from harness.runs import send_run_again, start_runs_at_once, wait_for_status


@given("the worker pool has {count:d} workers")
def step_scale_workers(context, count):
    context.stack.scale("worker", count)
    context.add_cleanup(context.stack.scale, "worker", 1)  # the next scenario gets the usual pool


@when('I start {count:d} runs of that dataset on model "{model:Text}"')
def step_start_runs(context, count, model):
    context.runs = [expect(context.me.api.start_run(context.dataset["id"], model), 202) for _ in range(count)]


@when('{count:d} clients each start a run of that dataset on model "{model:Text}" at the same moment')
def step_burst_of_runs(context, count, model):
    responses = start_runs_at_once(context.endpoints, context.me.tenant["api_key"], context.dataset["id"], model,
                                   count, context.exchanges)
    statuses = [response.status_code for response in responses]
    assert statuses == [202] * count, f"expected {count} answers 202, saw {statuses}"
    context.runs = [response.json() for response in responses]


@when("the run's message is delivered a second time")
def step_second_message(context):
    send_run_again(context.stack, context.run["id"])


@then("all those runs complete within {seconds:d} seconds")
def step_all_complete(context, seconds):
    context.runs = [wait_for_status(context.me.api, run["id"], "completed", timeout=seconds) for run in context.runs]


@then("at least {least:d} of the {count:d} workers took part")
def step_several_workers(context, least, count):
    workers = context.me.rows.workers_of_runs([run["id"] for run in context.runs])
    assert least <= len(workers) <= count, (
        f"expected the runs spread over {least} to {count} workers, saw their results stored by {sorted(workers)}")


@then("every one of those runs has exactly one stored result per question")
def step_each_run_once(context):
    expected = sorted(sample["input"] for sample in context.dataset_samples)
    assert context.runs, "test defect: expected runs started, saw none"
    for run in context.runs:
        rows = context.me.rows.results_of_run(run["id"])
        assert sorted(row["input"] for row in rows) == expected, (
            f"expected run {run['id']} to store the questions {expected}, saw {len(rows)} results: "
            f"{sorted(row['input'] for row in rows)}")


@then("the provider was called exactly once per question for each of those runs")
def step_each_run_called_once(context):
    assert context.runs, "test defect: expected runs started, saw none"
    for run in context.runs:
        calls = context.gateway.calls(run_user(context.me.id, run["id"]))
        assert len(calls) == len(context.dataset_samples), (
            f"run {run['id']}: expected {len(context.dataset_samples)} provider calls, saw {len(calls)}")
