"""Steps about evaluation runs: starting them, following them, and checking what they stored."""

from collections import Counter
from datetime import datetime

from behave import given, then, when

from harness import phrases  # noqa: F401 - registers the Text type used below
from harness.api import expect
from harness.events import read_events
from harness.footprint import my_footprint
from harness.gateway import run_user
from harness.runs import describe_run, wait_for_status, wait_while_status
from harness.tenants import another_tenant


def _start(context, model, **options):
    context.run = expect(context.me.api.start_run(context.dataset["id"], model, **options), 202)
    context.model = model


@when('I start a run of that dataset on model "{model:Text}" scored by "{scorer:Text}"')
def step_start_scored_run(context, model, scorer):
    _start(context, model, scorer=scorer)


@when('I start a run of that dataset on model "{model:Text}" with at most {attempts:d} attempts '
      'and fallback "{fallback:Text}"')
def step_start_run_with_fallback(context, model, attempts, fallback):
    _start(context, model, max_attempts=attempts, fallback_models=[fallback])


@when('I start a run of that dataset on model "{model:Text}" with at most {attempts:d} attempts '
      'and fallbacks "{fallbacks:Text}"')
@when('I start a run of that dataset on model "{model:Text}" with at most {attempts:d} attempt '
      'and fallbacks "{fallbacks:Text}"')
def step_start_run_with_fallbacks(context, model, attempts, fallbacks):
    _start(context, model, max_attempts=attempts, fallback_models=[name.strip() for name in fallbacks.split(",")])


@when('I start a run of that dataset on model "{model:Text}" with at most {attempts:d} attempts')
@when('I start a run of that dataset on model "{model:Text}" with at most {attempts:d} attempt')
def step_start_run_with_attempts(context, model, attempts):
    _start(context, model, max_attempts=attempts)


@when('I start a run of that dataset on model "{model:Text}" of the provider "{provider:Text}" '
      'with at most {attempts:d} attempts')
def step_start_run_on_provider(context, model, provider, attempts):
    _start(context, model, provider=provider, max_attempts=attempts)


@when('I start a run of that dataset on model "{model:Text}"')
def step_start_run(context, model):
    _start(context, model)


@then("the run is accepted as queued")
def step_run_queued(context):
    assert context.run["status"] == "queued", f"expected a new run queued, saw {context.run['status']!r}"
    stored = context.me.rows.run(context.run["id"])
    assert stored is not None, f"expected run {context.run['id']} in the database for my tenant, saw none"
    assert stored["model"] == context.model and stored["progress_total"] == len(context.dataset_samples), (
        f"expected the stored run to say model {context.model!r}, {len(context.dataset_samples)} questions, "
        f"saw {stored['model']!r}, {stored['progress_total']}")


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
        f"expected {attempts} attempt(s), saw {context.run['attempts']} ({describe_run(context.run)})")
    stored = context.me.rows.run(context.run["id"])
    assert stored["attempts"] == attempts, f"expected {attempts} attempt(s) in the database, saw {stored['attempts']}"


@then('the run\'s error says "{text:Text}"')
def step_run_error_says(context, text):
    assert text in (context.run["error"] or ""), f"expected the error to say {text!r}, saw {context.run['error']!r}"


@then("the run's error names the provider, the model and the status {status:d}")
def step_run_error_names(context, status):
    error = context.run["error"] or ""
    for part in ("'gateway'", f"'{context.model}'", str(status)):
        assert part in error, f"expected the error to name {part}, so a person can act on it, saw {error!r}"


@then("no result is stored for that run")
def step_no_results(context):
    rows = context.me.rows.results_of_run(context.run["id"])
    assert rows == [], f"expected no stored result for a failed run, saw {len(rows)}"
    assert context.me.api.results(context.run["id"]) == [], (
        "expected the API to list no result for a failed run, saw some")
    usage = context.me.api.run(context.run["id"])["usage"]
    assert usage["total_tokens"] == 0 and usage["cost"] == 0, (
        f"expected no usage for a run without results, saw {usage}")


def _results(context) -> list[dict]:
    """The run's results from the API, after checking there is one per question."""
    results = context.me.api.results(context.run["id"])
    assert len(results) == len(context.dataset_samples), (
        f"expected {len(context.dataset_samples)} results, saw {len(results)} in the API")
    return results


@then('every result was served by "{model:Text}"')
def step_served_by(context, model):
    rows = context.me.rows.results_of_run(context.run["id"])
    assert len(rows) == len(context.dataset_samples), (
        f"expected {len(context.dataset_samples)} results, saw {len(rows)}")
    served = {row["served_model"] for row in rows}
    assert served == {model}, f"expected every result served by {model!r}, saw {served}"


@then('the run still names "{model:Text}" as its model with fallback "{fallback:Text}"')
def step_run_keeps_metadata(context, model, fallback):
    run = context.me.api.run(context.run["id"])
    assert (run["model"], run["fallback_models"]) == (model, [fallback]), (
        f"expected the run's model {model!r} and fallbacks {[fallback]} unchanged, saw {run['model']!r}, "
        f"{run['fallback_models']}")
    assert run["active_model"] == fallback, f"expected {fallback!r} to be serving, saw {run['active_model']!r}"


@then("the run's score is {score:f}")
def step_run_score(context, score):
    assert context.run["score"] is not None, f"expected a score on the run, saw none: {context.run}"
    assert abs(context.run["score"] - score) < 1e-9, f"expected score {score}, saw {context.run['score']}"
    stored = context.me.rows.run(context.run["id"])
    assert stored["score"] is not None and abs(stored["score"] - score) < 1e-9, (
        f"expected score {score} in the database, saw {stored['score']}")


@then('the stored scores of the questions are "{scores:Text}"')
def step_stored_scores(context, scores):
    expected = [float(s) for s in scores.split(",")]
    rows = context.me.rows.results_of_run(context.run["id"])
    stored = [row["score"] for row in rows]
    assert stored == expected, f"expected the questions scored {expected} in order, saw {stored} in the database"


@then("every question has exactly one stored result")
def step_one_result_per_question(context):
    rows = context.me.rows.results_of_run(context.run["id"])
    inputs = [row["input"] for row in rows]
    expected = [sample["input"] for sample in context.dataset_samples]
    assert sorted(inputs) == sorted(expected), (
        f"expected one stored result for each of {len(expected)} questions, saw {len(rows)}: {inputs}")
    assert len({row["sample_id"] for row in rows}) == len(rows), (
        f"expected one result per sample, saw {len(rows)} results of {len({row['sample_id'] for row in rows})} samples")


@then("every stored result belongs to my tenant")
def step_results_belong_to_me(context):
    rows = context.me.rows.results_of_run(context.run["id"])
    assert len(rows) == len(context.dataset_samples), (
        f"expected {len(context.dataset_samples)} results, saw {len(rows)}")
    owners = {str(row["tenant_id"]) for row in rows}
    assert owners == {context.me.id}, f"expected the results of my run owned by me only, saw owners {owners}"


@then("every result records the model that served it and its token usage")
def step_results_record_model_and_usage(context):
    for result in _results(context):
        usage = result["usage"]
        assert result["served_model"] == context.model, (
            f"expected the result for {result['input']!r} served by {context.model!r}, saw {result['served_model']!r}")
        assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0, (
            f"expected prompt and completion tokens on every result, saw {result}")
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"], (
            f"expected total tokens to be prompt + completion, saw {usage}")


@then("the run's token usage is the sum of its results' usage")
def step_run_usage_adds_up(context):
    results = _results(context)
    for field in ("prompt_tokens", "completion_tokens", "total_tokens"):
        summed = sum(result["usage"][field] for result in results)
        assert summed > 0, f"expected the results to report {field}, saw {summed}"
        assert context.run["usage"][field] == summed, (
            f"expected the run's {field} to be its results' sum {summed}, saw {context.run['usage'][field]}")
    stored = context.me.rows.run(context.run["id"])
    assert stored["total_tokens"] == context.run["usage"]["total_tokens"], (
        f"expected {context.run['usage']['total_tokens']} total tokens in the database as in the API, "
        f"saw {stored['total_tokens']}")


def _calls(context, at_least: int = 0) -> list[dict]:
    """The provider calls of the run; with `at_least`, waits (briefly) for calls still in flight:
    the gateway logs a call when it answers, and a timed-out call answers after Arena gave up."""
    return context.gateway.calls(run_user(context.me.id, context.run["id"]), at_least=at_least)


@then("the provider was called {count:d} times for that run")
@then("the provider was called {count:d} time for that run")
def step_provider_call_count(context, count):
    calls = _calls(context, at_least=count)
    assert len(calls) == count, (
        f"expected {count} provider call(s) for the run, the gateway saw {len(calls)}: "
        f"{[(c['model'], c['status']) for c in calls]}")


@then('the provider was called {count:d} times for model "{model:Text}" for that run')
@then('the provider was called {count:d} time for model "{model:Text}" for that run')
def step_provider_call_count_for_model(context, count, model):
    calls = _calls(context, at_least=count)
    of_model = [c for c in calls if c["model"] == model]
    assert len(of_model) == count, (
        f"expected {count} call(s) for {model!r}, the gateway saw {len(of_model)}; all calls of the run: "
        f"{[(c['model'], c['status']) for c in calls]}")


@then('the provider was asked, model by model, in this order: "{calls:Text}"')
def step_provider_call_order(context, calls):
    expected = [name.strip() for name in calls.split(",")]
    seen = [call["model"] for call in _calls(context, at_least=len(expected))]
    assert seen == expected, f"expected the provider asked for {expected}, in that order, saw {seen}"


@then("the provider's second call came no sooner than the delay its first answer asked for")
def step_retry_after_honoured(context):
    calls = _calls(context)
    assert len(calls) >= 2, f"expected a rate-limited call and its retry, the gateway saw {len(calls)} call(s)"
    first, second = calls[:2]
    asked = first["retry_after_s"]
    assert first["status"] == 429 and asked, (
        f"expected the first call to be a rate limit (429) with Retry-After, saw {first}")
    gap = (datetime.fromisoformat(second["at"]) - datetime.fromisoformat(first["at"])).total_seconds()
    assert gap >= asked, (
        f"expected the retry {asked:g} s or more after the rate limit (as the provider asked), saw {gap:.2f} s")
    # What Arena planned, not only what happened: on a slow machine a retry scheduled too early can
    # still arrive late enough, so the `retrying` event's own schedule is checked as well.
    retrying = [e for e in read_events(context.me.api, context.run["id"], timeout=20) if e.type == "retrying"]
    assert retrying, "expected a retrying event recorded for the run, saw none"
    # Measured from the 429 as the provider logged it: Arena planned the retry after receiving it.
    planned = (datetime.fromisoformat(retrying[0].data["next_attempt_at"])
               - datetime.fromisoformat(first["at"])).total_seconds()
    assert planned >= asked - 0.05, (
        f"expected Arena to schedule the retry {asked:g} s or more after the rate limit (as the provider asked), "
        f"saw {planned:.2f} s")


@then("the provider was called exactly once per question for that run")
def step_provider_called_once_per_question(context):
    prompts = sorted(call["messages"][-1]["content"] for call in _calls(context, len(context.dataset_samples)))
    expected = sorted(sample["input"] for sample in context.dataset_samples)
    assert prompts == expected, f"expected one provider call per question {expected}, the gateway saw {prompts}"


@then("the provider was asked every question once, and again at most the one in flight when the worker died")
def step_provider_called_once_but_the_question_in_flight(context):
    # A worker killed while waiting for an answer cannot know whether the provider answered, so
    # that one question is asked again; every question answered before the crash must not be.
    prompts = Counter(call["messages"][-1]["content"] for call in _calls(context, len(context.dataset_samples)))
    expected = Counter(sample["input"] for sample in context.dataset_samples)
    missing = sorted((expected - prompts).elements())
    repeated = sorted((prompts - expected).elements())
    assert not missing, f"expected the provider asked {missing} too, saw only {sorted(prompts.elements())}"
    assert len(repeated) <= 1, (
        f"expected at most the question in flight at the crash to be asked again, saw {repeated} asked again")


@given("another tenant has completed a run of its own")
def step_other_has_run(context):
    other = another_tenant(context)
    dataset = expect(other.api.create_dataset("theirs", context.dataset_samples), 201)
    run = expect(other.api.start_run(dataset["id"], "gpt-4o-mini"), 202)
    context.other_run = wait_for_status(other.api, run["id"], "completed", timeout=30)


@when("another tenant looks up that run")
def step_other_tenant_looks_up_run(context):
    context.response = another_tenant(context).api.get_run(context.run["id"])


@then("they are told that it does not exist")
def step_told_not_found(context):
    body = context.response.text
    assert context.response.status_code == 404, f"expected HTTP 404, saw {context.response.status_code}: {body}"
    for secret_field in ("score", "dataset_id", context.model):
        assert secret_field not in body, f"expected a 404 answer without {secret_field!r}, saw {body}"


@then("they cannot list its results")
def step_results_hidden(context):
    response = context.other.api.request("GET", f"/runs/{context.run['id']}/results")
    assert response.status_code == 404, f"expected HTTP 404 for another tenant's results, saw {response.status_code}"
    assert context.dataset_samples[0]["input"] not in response.text and '"output"' not in response.text, (
        f"expected a refusal that reveals none of my results, saw {response.text[:300]}")


@then("they cannot follow its events")
def step_events_hidden(context):
    response = context.other.api.request("GET", f"/runs/{context.run['id']}/events")
    assert response.status_code == 404, f"expected HTTP 404 for another tenant's events, saw {response.status_code}"


@then("their usage counts only their own run")
def step_their_usage_only_theirs(context):
    usage = context.other.api.usage()
    by_model = {m["model"]: m["results"] for m in usage["by_model"]}
    assert usage["runs"] == 1 and by_model == {"gpt-4o-mini": len(context.dataset_samples)}, (
        f"expected the other tenant's usage to be its one gpt-4o-mini run, saw {usage}")


@when('I try to start a run with the scorer "{scorer:Text}"')
def step_try_run_bad_scorer(context, scorer):
    context.footprint_before = my_footprint(context)
    context.response = context.me.api.start_run(context.dataset["id"], "gpt-3.5-turbo", scorer=scorer)


@when('I try to start a run on the provider "{provider:Text}"')
def step_try_run_bad_provider(context, provider):
    context.footprint_before = my_footprint(context)
    context.response = context.me.api.start_run(context.dataset["id"], "gpt-3.5-turbo", provider=provider)


@when("I try to start a run of a dataset that is not mine")
def step_try_run_foreign_dataset(context):
    other = another_tenant(context)
    foreign = expect(other.api.create_dataset("foreign", [{"input": "What is 2 + 3?", "expected": "5"}]), 201)
    context.footprint_before = my_footprint(context)
    context.response = context.me.api.start_run(foreign["id"], "gpt-3.5-turbo")
