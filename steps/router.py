"""Steps about the LiteLLM router: what it answers and claims, what reached the provider behind
it, what its ledger charged, and Arena runs that go through it."""

from decimal import Decimal

from behave import given, then, when

from harness import fixtures
from harness import router as rt
from harness.api import expect
from harness.gateway import run_user
from harness.tenants import open_tenant

ROUTER = "router"
COST_TOLERANCE = Decimal("0.000000001")  # the router's costs are floats; the table's are exact


def _same_cost(a, b) -> bool:
    return abs(Decimal(str(a)) - Decimal(str(b))) <= COST_TOLERANCE


@given("the router is running")
def step_router_running(context):
    if context.stack.managed:
        context.stack.start_service(ROUTER)
    elif not context.settings.router_url:
        # A shared stack need not run a router (it is an optional profile): say so, not an error.
        context.scenario.skip("external mode: no router given (-D router_url=... or ARENA_ROUTER_URL)")
        return
    context.router = rt.RouterClient(context.stack.url_of(ROUTER), rt.master_key())
    context.add_cleanup(context.router.close)
    context.router_user = rt.unique_user(context.me.id, "router")
    context.replies = []


def _ask(context, prompt, group, metadata=None, stream=False):
    if stream:
        reply = context.router.chat_stream(group, prompt, context.router_user)
    else:
        reply = context.router.chat(group, prompt, context.router_user, metadata=metadata)
    context.reply, context.prompt = reply, prompt
    context.replies.append((prompt, group, reply))


@when('I ask the router "{prompt}" on "{group}" with my tenant and run as metadata')
def step_ask_with_metadata(context, prompt, group):
    context.metadata = {"tenant": context.me.id, "run": context.router_user.rsplit("run:", 1)[-1]}
    _ask(context, prompt, group, metadata=context.metadata)


@when('I ask the router "{prompt}" on "{group}" as a stream')
def step_ask_stream(context, prompt, group):
    _ask(context, prompt, group, stream=True)


@when('I ask the router "{prompt}" on "{group}"')
def step_ask(context, prompt, group):
    _ask(context, prompt, group)


@when('another tenant asks the router "{prompt}" on "{group}"')
def step_other_tenant_asks(context, prompt, group):
    other = open_tenant(context.admin, context.endpoints.api_url, context.db, "other", context.exchanges)
    context.other_tenants.append(other)
    context.other_user = rt.unique_user(other.id, "router")
    context.other_reply = context.router.chat(group, prompt, context.other_user)
    assert context.other_reply.status == 200, (
        f"expected HTTP 200 for the other tenant's request, saw {context.other_reply.describe()}")


# --- what the router says ---------------------------------------------------------------------

@then("the router reports itself live and ready")
def step_router_live_and_ready(context):
    for path in ("/health/liveliness", "/health/readiness"):
        response = context.router.get(path)
        assert response.status_code == 200, (
            f"expected HTTP 200 from {path}, saw {response.status_code}: {response.text[:300]}")
    ready = context.router.get("/health/readiness").json()
    assert ready.get("status") == "healthy", f"expected readiness to say healthy, saw {ready}"


@then("the router lists every model group of its configuration")
def step_router_lists_groups(context):
    expected = rt.model_groups()
    assert len(expected) >= 2, f"expected the configuration to name 2 model groups or more, saw {expected}"
    listed = context.router.models()
    assert sorted(listed) == sorted(expected), (
        f"expected the model groups {sorted(expected)}, saw /v1/models list {listed}")


@then('the router answers "{answer}"')
def step_router_answers(context, answer):
    reply = context.reply
    assert reply.status == 200, f"expected an answer (HTTP 200), saw {reply.describe()}"
    assert reply.text == answer, f"expected the answer {answer!r}, saw {reply.text!r}"


@then("the answer has the shape of an OpenAI chat completion")
def step_openai_shape(context):
    body = context.reply.body
    assert body.get("object") == "chat.completion" and str(body.get("id", "")).startswith("chatcmpl-"), (
        f"expected a chat.completion with a chatcmpl- id, saw {body}")
    assert isinstance(body.get("created"), int) and body.get("model"), (
        f"expected a creation time and a model, saw {body}")
    choices = body.get("choices") or []
    assert len(choices) == 1, f"expected one choice, saw {choices}"
    assert choices[0]["message"]["role"] == "assistant" and choices[0]["finish_reason"] == "stop", (
        f"expected an assistant message that finished with 'stop', saw {choices[0]}")
    usage = body.get("usage") or {}
    assert all(isinstance(usage.get(k), int) for k in ("prompt_tokens", "completion_tokens", "total_tokens")), (
        f"expected whole-number prompt, completion and total tokens, saw {usage}")
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"], (
        f"expected total tokens to be prompt + completion, saw {usage}")


@then('the router says model group "{group}" answered after {retries:d} retries and {fallbacks:d} fallbacks')
@then('the router says model group "{group}" answered after {retries:d} retry and {fallbacks:d} fallbacks')
@then('the router says model group "{group}" answered after {retries:d} retries and {fallbacks:d} fallback')
@then('the router says model group "{group}" answered after {retries:d} retry and {fallbacks:d} fallback')
def step_router_routing_headers(context, group, retries, fallbacks):
    reply = context.reply
    seen = (reply.header("x-litellm-model-group"), reply.header_number("x-litellm-attempted-retries"),
            reply.header_number("x-litellm-attempted-fallbacks"))
    assert seen == (group, retries, fallbacks), (
        f"expected model group {group!r} after {retries} retries and {fallbacks} fallbacks, "
        f"saw the router's headers say group {seen[0]!r}, retries {seen[1]}, fallbacks {seen[2]}")


@then('the router says model group "{group}" answered after a fallback')
def step_router_fell_back(context, group):
    reply = context.reply
    seen = (reply.header("x-litellm-model-group"), reply.header_number("x-litellm-attempted-fallbacks"))
    assert seen == (group, 1), f"expected group {group!r} after 1 fallback, saw the headers say {seen}"


@then("the answer took at least {low:d} second and less than {high:d} seconds")
def step_answer_took(context, low, high):
    took = context.reply.elapsed_s
    assert low <= took < high, f"expected the answer within [{low}, {high}) s, saw it take {took:.2f} s"


@then('the router refuses with a server error naming "{first}" and "{second}"')
def step_router_refuses(context, first, second):
    reply = context.reply
    message = str((reply.body.get("error") or {}).get("message", ""))
    assert reply.status >= 500, f"expected a server error, saw {reply.describe()}"
    for name in (first, second):
        assert name in message, f"expected the error to name {name!r}, saw {message[:500]!r}"


# --- what reached the provider ------------------------------------------------------------------

def _my_calls(context, model=None):
    return context.gateway.calls(context.router_user, model)


@then('the gateway received my request exactly once, on "{model}", with my user')
def step_gateway_once(context, model):
    calls = _my_calls(context)
    everyone = calls if calls else context.gateway.calls(None, model)
    assert [(c["model"], c["status"]) for c in calls] == [(model, 200)], (
        f"expected one call on {model!r} with user {context.router_user!r}; the gateway saw for that user "
        f"{[(c['model'], c['status']) for c in calls]}, and on {model!r} from users "
        f"{sorted({c['user'] for c in everyone})}")
    assert calls[0]["messages"][-1]["content"] == context.prompt, (
        f"expected my prompt {context.prompt!r} as the last message, saw {calls[0]['messages']}")


@then('the gateway saw my request {count:d} times on "{model}", first failing with {status:d}')
def step_gateway_count(context, count, model, status):
    calls = _my_calls(context, model)
    assert len(calls) == count, (
        f"expected {count} calls on {model!r} for my user; the gateway saw {[(c['model'], c['status']) for c in calls]}"
        f" (every call of my user: {[(c['model'], c['status']) for c in _my_calls(context)]})")
    assert calls[0]["status"] == status, f"expected the first call to fail with {status}, saw {calls[0]['status']}"
    context.calls = calls


@then('the gateway then served my request once on "{model}"')
def step_gateway_served_once(context, model):
    calls = _my_calls(context)
    served = [c for c in calls if c["status"] == 200]
    assert [c["model"] for c in served] == [model], (
        f"expected exactly one successful call, on {model!r}; "
        f"the gateway saw {[(c['model'], c['status']) for c in calls]}")
    assert calls[-1] is served[0] or calls[-1]["seq"] == served[0]["seq"], (
        f"expected the successful call last, saw {[(c['model'], c['status']) for c in calls]}")


@then("the gateway's second call came no sooner than the Retry-After of the first")
def step_retry_after(context):
    from datetime import datetime

    first, second = context.calls[:2]
    asked = first["retry_after_s"]
    assert asked, f"expected a Retry-After on the first call, saw {first}"
    gap = (datetime.fromisoformat(second["at"]) - datetime.fromisoformat(first["at"])).total_seconds()
    assert gap >= asked, (
        f"expected the retry {asked:g} s or more after the rate limit (as the provider asked), saw {gap:.2f} s")


@then("the answer's token usage is the gateway's count of words")
def step_usage_is_words(context):
    usage = context.reply.usage
    expected = (len(context.prompt.split()), len(context.reply.text.split()))
    assert (usage.get("prompt_tokens"), usage.get("completion_tokens")) == expected, (
        f"expected the gateway's count of words {expected} (prompt, completion), saw the router report {usage}")


# --- what it costs ------------------------------------------------------------------------------

def _table_cost(model, usage) -> Decimal:
    expected = fixtures.price_of(model, usage["prompt_tokens"], usage["completion_tokens"])
    assert expected > 0, f"expected a price for {model!r} in the price table, saw {expected}"
    return expected


@then('the router\'s cost of the answer is the price table\'s for "{model}"')
def step_router_cost(context, model):
    reply = context.reply
    assert reply.status == 200, f"expected an answer (HTTP 200), saw {reply.describe()}"
    expected = _table_cost(model, reply.usage)
    cost = reply.header_number("x-litellm-response-cost")
    assert cost is not None and _same_cost(cost, expected), (
        f"expected the price table's {expected} for {reply.usage}, saw x-litellm-response-cost {cost}")
    context.router_cost = cost


@then("the router's input and output costs add up to its cost")
def step_router_cost_parts(context):
    reply = context.reply
    parts = [reply.header_number(f"x-litellm-response-cost-{part}") for part in ("input", "output")]
    assert None not in parts, f"expected input and output cost headers from the router, saw {reply.describe()}"
    assert _same_cost(sum(parts), context.router_cost), (
        f"expected input + output cost to be {context.router_cost}, saw {parts[0]} + {parts[1]}")


@then("the stream's last chunk carries the usage and the price table's cost for \"{model}\"")
def step_stream_cost(context, model):
    reply = context.reply
    usage = reply.usage
    assert usage, f"expected a chunk of the stream to carry usage, saw {reply.chunks[-2:]}"
    assert reply.chunks[-1].get("usage"), f"expected the usage in the last chunk, saw {reply.chunks[-1]}"
    expected = _table_cost(model, usage)
    assert "cost" in usage and _same_cost(usage["cost"], expected), (
        f"expected the price table's {expected} for {usage}, saw the stream's usage say cost {usage.get('cost')}")
    context.router_cost = usage["cost"]


@then('the streamed chunks join into "{answer}"')
def step_stream_joins(context, answer):
    reply = context.reply
    assert reply.status == 200 and reply.body.get("done"), (
        f"expected the stream to end with [DONE], saw {reply.describe()}")
    assert len(reply.chunks) > 2, f"expected the answer in several chunks, saw {len(reply.chunks)}"
    assert reply.text == answer, f"expected the chunks to join into {answer!r}, saw {reply.text!r}"


# --- the ledger ---------------------------------------------------------------------------------

@then('the router\'s ledger charges my user that same cost on "{group}"')
def step_ledger_same_cost(context, group):
    lines = rt.wait_for_ledger(context.stack, context.router_user, successes=1)
    done = [line for line in lines if line["outcome"] == "success"]
    assert len(done) == 1, f"expected one charged call for my user, saw the ledger hold {done}"
    assert done[0]["model_group"] == group, f"expected the charge on {group!r}, saw it on {done[0]['model_group']!r}"
    assert _same_cost(done[0]["response_cost"], context.router_cost), (
        f"expected the ledger to charge what the router announced, {context.router_cost}, "
        f"saw {done[0]['response_cost']}")
    assert (done[0]["prompt_tokens"], done[0]["completion_tokens"]) == (
        context.reply.usage["prompt_tokens"], context.reply.usage["completion_tokens"]), (
        f"expected the ledger's tokens to be the answer's {context.reply.usage}, saw {done[0]}")


@then("the router's ledger records my tenant and run for that request")
def step_ledger_metadata(context):
    lines = rt.wait_for_ledger(context.stack, context.router_user, successes=1)
    line = lines[-1]
    seen = (line["tenant"], line["run"], line["end_user"])
    assert seen == (context.metadata["tenant"], context.metadata["run"], context.router_user), (
        f"expected tenant {context.metadata['tenant']!r}, run {context.metadata['run']!r} and user "
        f"{context.router_user!r} in the ledger, saw {seen}")


@then("the router's ledger charges my user nothing")
def step_ledger_nothing(context):
    lines = rt.wait_for_ledger(context.stack, context.router_user, successes=0, failures=1)
    assert not [line for line in lines if line["outcome"] == "success"], (
        f"expected no call charged as served, saw {lines}")
    charged = sum(Decimal(str(line["response_cost"] or 0)) for line in lines)
    assert charged == 0, f"expected a failed chain to cost nothing, saw {charged}: {lines}"


@then('the router\'s ledger charges my user the sum of the {count:d} costs it announced, all on "{group}"')
def step_ledger_sum(context, count, group):
    mine = [reply for _, _, reply in context.replies]
    assert len(mine) == count and all(r.status == 200 for r in mine), (
        f"expected {count} answers (HTTP 200), saw {[r.describe() for r in mine]}")
    announced = sum(Decimal(str(r.header_number("x-litellm-response-cost"))) for r in mine)
    lines = rt.wait_for_ledger(context.stack, context.router_user, successes=count)
    done = [line for line in lines if line["outcome"] == "success"]
    assert len(done) == count, f"expected {count} charged calls for my user, saw {len(done)} in the ledger: {done}"
    assert {line["model_group"] for line in done} == {group}, f"expected my calls charged on {group!r} only, saw {done}"
    charged = sum(Decimal(str(line["response_cost"])) for line in done)
    assert announced > 0 and _same_cost(charged, announced), (
        f"expected the ledger to charge what the router announced, {announced}, saw {charged}")


@then('the router\'s ledger charges the other tenant\'s user exactly {count:d} request, on "{group}"')
def step_ledger_other(context, count, group):
    lines = rt.wait_for_ledger(context.stack, context.other_user, successes=count)
    assert [(line["outcome"], line["model_group"]) for line in lines] == [("success", group)] * count, (
        f"expected {count} successful call(s) on {group!r}, saw {lines}")
    cost = context.other_reply.header_number("x-litellm-response-cost")
    assert _same_cost(lines[0]["response_cost"], cost), (
        f"expected the ledger to charge what the router announced, {cost}, saw {lines[0]['response_cost']}")
    mine = rt.ledger_of(context.stack, context.router_user)
    assert all(line["model_group"] != group for line in mine), (
        f"expected no charge to my user on the other's model {group!r}, saw {mine}")


@then("the same question costs the same each time")
def step_same_question_same_cost(context):
    first = [r for p, _, r in context.replies if p == "What is 2 + 3?"]
    other = context.other_reply
    assert first, "test defect: expected a request that asked 'What is 2 + 3?', saw none"
    again = context.router.chat("router-terse", "What is 2 + 3?", context.router_user)
    costs = [r.header_number("x-litellm-response-cost") for r in (first[0], again)]
    assert costs[0] == costs[1], f"expected the same question to cost the same, saw {costs[0]} and then {costs[1]}"
    assert other.header_number("x-litellm-response-cost") != costs[0], (
        f"expected two models at different prices to cost differently, saw both cost {costs[0]}")


# --- nothing outside the stack ------------------------------------------------------------------

@then("the router cannot resolve a name outside the stack")
def step_router_no_outside_names(context):
    answer = rt.resolves(context.stack, "example.com")
    assert answer.startswith("unresolved"), (
        f"expected example.com unresolved inside the stack, saw it resolved to {answer}: "
        "the router could reach outside")


@then("the router resolves the gateway inside the stack")
def step_router_resolves_gateway(context):
    answer = rt.resolves(context.stack, "gateway")
    assert not answer.startswith("unresolved"), f"expected the router to resolve the gateway, saw {answer}"


# --- Arena through the router -------------------------------------------------------------------

@when('I start a run of that dataset on model "{model}" through the router')
def step_start_run_through_router(context, model):
    context.run_response = context.me.api.start_run(context.dataset["id"], model, provider=ROUTER)
    context.run = expect(context.run_response, 202)
    context.model = model


@then("the router's ledger charged that run what Arena stored, result by result")
def step_ledger_matches_arena(context):
    results = context.me.api.results(context.run["id"])
    assert len(results) == len(context.dataset_samples), (
        f"expected {len(context.dataset_samples)} results, saw {len(results)}: {results}")
    user = run_user(context.me.id, context.run["id"])
    lines = rt.wait_for_ledger(context.stack, user, successes=len(results))
    done = [line for line in lines if line["outcome"] == "success"]
    assert len(done) == len(results), f"expected {len(results)} charged calls for the run, saw the ledger hold {done}"
    charged = sorted((line["prompt_tokens"], line["completion_tokens"], Decimal(str(line["response_cost"])))
                     for line in done)
    stored = sorted((r["usage"]["prompt_tokens"], r["usage"]["completion_tokens"], Decimal(str(r["usage"]["cost"])))
                    for r in results)
    for (lp, lc, lcost), (sp, sc, scost) in zip(charged, stored, strict=True):
        assert (lp, lc) == (sp, sc) and abs(lcost - scost) <= Decimal("0.000001"), (
            f"expected the router to charge what Arena stored, (prompt, completion, cost) {(sp, sc, scost)}, "
            f"saw {(lp, lc, lcost)}")
