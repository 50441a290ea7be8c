"""Steps about evaluation runs: starting them, following them, and checking what they stored."""

from datetime import datetime

from behave import then, when

from harness.api import expect
from harness.gateway import run_user
from harness.runs import describe_run, wait_for_status, wait_while_status
from harness.tenants import open_tenant


@when('I start a run of that dataset on model "{model}" scored by "{scorer}"')
def step_start_scored_run(context, model, scorer):
    context.run_response = context.me.api.start_run(context.dataset["id"], model, scorer=scorer)
    context.run = expect(context.run_response, 202)
    context.model = model


@when('I start a run of that dataset on model "{model}" with at most {attempts:d} attempts and fallback "{fallback}"')
def step_start_run_with_fallback(context, model, attempts, fallback):
    context.run_response = context.me.api.start_run(context.dataset["id"], model, max_attempts=attempts,
                                                    fallback_models=[fallback])
    context.run = expect(context.run_response, 202)
    context.model = model


@when('I start a run of that dataset on model "{model}" with at most {attempts:d} attempts')
@when('I start a run of that dataset on model "{model}" with at most {attempts:d} attempt')
def step_start_run_with_attempts(context, model, attempts):
    context.run_response = context.me.api.start_run(context.dataset["id"], model, max_attempts=attempts)
    context.run = expect(context.run_response, 202)
    context.model = model


# Registered after the longer phrases: "{model}" would otherwise swallow what follows it.
@when('I start a run of that dataset on model "{model}"')
def step_start_run(context, model):
    step_start_scored_run(context, model, "exact_match")


@then("the run is accepted as queued")
def step_run_queued(context):
    assert context.run["status"] == "queued", f"a new run should be queued, got {context.run['status']!r}"
    stored = context.me.rows.run(context.run["id"])
    assert stored is not None, f"run {context.run['id']} is not in the database for my tenant"


@then("the run completes within {seconds:d} seconds")
@when("the run completes within {seconds:d} seconds")
def step_run_completes(context, seconds):
    context.run = wait_for_status(context.me.api, context.run["id"], "completed", timeout=seconds)


@then("the run fails within {seconds:d} seconds")
def step_run_fails(context, seconds):
    context.run = wait_for_status(context.me.api, context.run["id"], "failed", timeout=seconds)


@then("the run is retrying within {seconds:d} seconds")
def step_run_retrying(context, seconds):
    context.run = wait_for_status(context.me.api, context.run["id"], "retrying", timeout=seconds)


@then("the run is still retrying {seconds:d} seconds later")
def step_run_still_retrying(context, seconds):
    context.run = wait_while_status(context.me.api, context.run["id"], "retrying", duration=seconds)


@then("the run took {attempts:d} attempts")
@then("the run took {attempts:d} attempt")
def step_run_attempts(context, attempts):
    assert context.run["attempts"] == attempts, (
        f"expected {attempts} attempt(s), the run reports {context.run['attempts']} ({describe_run(context.run)})")


@then('the run\'s error says "{text}"')
def step_run_error_says(context, text):
    assert text in (context.run["error"] or ""), f"expected the error to say {text!r}: {context.run['error']!r}"


@then("the run's error names the provider, the model and the status {status:d}")
def step_run_error_names(context, status):
    error = context.run["error"] or ""
    for part in ("'gateway'", f"'{context.model}'", str(status)):
        assert part in error, f"the error should name {part}, so a person can act on it: {error!r}"


@then("no result is stored for that run")
def step_no_results(context):
    rows = context.me.rows.results_of_run(context.run["id"])
    assert rows == [], f"a failed run should store no result, found {len(rows)}"
    assert context.me.api.results(context.run["id"]) == [], "the API lists results for a failed run"


@then('every result was served by "{model}"')
def step_served_by(context, model):
    served = {row["served_model"] for row in context.me.rows.results_of_run(context.run["id"])}
    assert served == {model}, f"expected every result served by {model!r}, found {served}"


@then('the run still names "{model}" as its model with fallback "{fallback}"')
def step_run_keeps_metadata(context, model, fallback):
    run = context.me.api.run(context.run["id"])
    assert (run["model"], run["fallback_models"]) == (model, [fallback]), (
        f"the run's metadata changed: model {run['model']!r}, fallbacks {run['fallback_models']}")
    assert run["active_model"] == fallback, f"expected {fallback!r} to be serving, not {run['active_model']!r}"


@then("the run's score is {score:f}")
def step_run_score(context, score):
    assert context.run["score"] is not None, "the run has no score"
    assert abs(context.run["score"] - score) < 1e-9, f"expected score {score}, got {context.run['score']}"


@then("every question has exactly one stored result")
def step_one_result_per_question(context):
    rows = context.me.rows.results_of_run(context.run["id"])
    inputs = [row["input"] for row in rows]
    expected = [sample["input"] for sample in context.dataset_samples]
    assert sorted(inputs) == sorted(expected), (
        f"expected one stored result for each of {len(expected)} questions, "
        f"found {len(rows)}: {inputs}")
    assert len({row["sample_id"] for row in rows}) == len(rows), "a sample has more than one result"


@then("every stored result belongs to my tenant")
def step_results_belong_to_me(context):
    rows = context.me.rows.results_of_run(context.run["id"])
    owners = {str(row["tenant_id"]) for row in rows}
    assert rows and owners == {context.me.id}, f"results of my run are owned by {owners}, not only me"


@then("every result records the model that served it and its token usage")
def step_results_record_model_and_usage(context):
    for result in context.me.api.results(context.run["id"]):
        usage = result["usage"]
        assert result["served_model"] == context.model, (
            f"result for {result['input']!r} was served by {result['served_model']!r}, expected {context.model!r}")
        assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0, f"no token usage: {result}"
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"], usage


@then("the run's token usage is the sum of its results' usage")
def step_run_usage_adds_up(context):
    results = context.me.api.results(context.run["id"])
    for field in ("prompt_tokens", "completion_tokens", "total_tokens"):
        summed = sum(result["usage"][field] for result in results)
        assert context.run["usage"][field] == summed, (
            f"run {field} is {context.run['usage'][field]}, its results add up to {summed}")
    stored = context.me.rows.run(context.run["id"])
    assert stored["total_tokens"] == context.run["usage"]["total_tokens"], (
        f"database says {stored['total_tokens']} total tokens, the API {context.run['usage']['total_tokens']}")


@then("the provider was called {count:d} times for that run")
@then("the provider was called {count:d} time for that run")
def step_provider_call_count(context, count):
    calls = context.gateway.calls(run_user(context.me.id, context.run["id"]))
    assert len(calls) == count, (
        f"expected {count} provider call(s) for the run, the gateway saw {len(calls)}: "
        f"{[(c['model'], c['status']) for c in calls]}")


@then("the provider's second call came no sooner than the delay its first answer asked for")
def step_retry_after_honoured(context):
    first, second = context.gateway.calls(run_user(context.me.id, context.run["id"]))[:2]
    asked = first["retry_after_s"]
    assert first["status"] == 429 and asked, f"the first call should be a rate limit with Retry-After: {first}"
    gap = (datetime.fromisoformat(second["at"]) - datetime.fromisoformat(first["at"])).total_seconds()
    assert gap >= asked, f"the retry came {gap:.2f} s after the rate limit; the provider asked for {asked:g} s"


@then("the provider was called exactly once per question for that run")
def step_provider_called_once_per_question(context):
    calls = context.gateway.calls(run_user(context.me.id, context.run["id"]))
    prompts = sorted(call["messages"][-1]["content"] for call in calls)
    expected = sorted(sample["input"] for sample in context.dataset_samples)
    assert prompts == expected, f"expected one provider call per question {expected}, the gateway saw {prompts}"


@when("another tenant looks up that run")
def step_other_tenant_looks_up_run(context):
    other = open_tenant(context.admin, context.endpoints.api_url, context.db, "other", context.exchanges)
    context.other_tenants.append(other)
    context.other = other
    context.response = other.api.get_run(context.run["id"])


@then("they are told that it does not exist")
def step_told_not_found(context):
    body = context.response.text
    assert context.response.status_code == 404, f"expected 404, got {context.response.status_code}: {body}"
    for secret_field in ("score", "dataset_id", context.model):
        assert secret_field not in body, f"the 404 answer reveals {secret_field!r}: {body}"


@then("they do not see its results")
def step_results_hidden(context):
    response = context.other.api.request("GET", f"/runs/{context.run['id']}/results")
    assert response.status_code == 404, f"expected 404 for another tenant's results, got {response.status_code}"
    assert context.other.rows.count("results") == 0, "the other tenant owns result rows it never created"


@when('I try to start a run with the scorer "{scorer}"')
def step_try_run_bad_scorer(context, scorer):
    context.stored_before = context.me.rows.counts()
    context.response = context.me.api.start_run(context.dataset["id"], "gpt-3.5-turbo", scorer=scorer)


@when('I try to start a run on the provider "{provider}"')
def step_try_run_bad_provider(context, provider):
    context.stored_before = context.me.rows.counts()
    context.response = context.me.api.start_run(context.dataset["id"], "gpt-3.5-turbo", provider=provider)


@when("I try to start a run of a dataset that is not mine")
def step_try_run_foreign_dataset(context):
    other = open_tenant(context.admin, context.endpoints.api_url, context.db, "other", context.exchanges)
    context.other_tenants.append(other)
    foreign = expect(other.api.create_dataset("foreign", [{"input": "What is 2 + 3?", "expected": "5"}]), 201)
    context.stored_before = context.me.rows.counts()
    context.response = context.me.api.start_run(foreign["id"], "gpt-3.5-turbo")
