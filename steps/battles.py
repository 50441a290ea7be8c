"""Steps about battles, the judge's verdicts and the leaderboard."""

from behave import given, then, when

from harness.battles import wait_for_battle
from harness.tenants import open_tenant


def _start(context, prompt, a, b, judge, key=None):
    context.battle_responses = getattr(context, "battle_responses", [])
    response = context.me.api.start_battle(prompt, [a, b], judge, idempotency_key=key)
    assert response.status_code in (200, 202), f"starting a battle answered {response.status_code}: {response.text}"
    context.battle_responses.append(response)
    context.battle = response.json()


@when('I start a battle on "{prompt}" between "{a}" and "{b}" judged by "{judge}" with idempotency key "{key}"')
def step_start_battle_with_key(context, prompt, a, b, judge, key):
    _start(context, prompt, a, b, judge, key)


# Registered after the longer phrase: "{judge}" would otherwise swallow it.
@when('I start a battle on "{prompt}" between "{a}" and "{b}" judged by "{judge}"')
def step_start_battle(context, prompt, a, b, judge):
    _start(context, prompt, a, b, judge)


@then("the battle completes within {seconds:d} seconds")
def step_battle_completes(context, seconds):
    context.battle = wait_for_battle(context.me.api, context.battle["id"], "completed", timeout=seconds)


@then("the battle fails within {seconds:d} seconds")
def step_battle_fails(context, seconds):
    context.battle = wait_for_battle(context.me.api, context.battle["id"], "failed", timeout=seconds)


@then('"{winner}" won and "{loser}" lost')
def step_winner_loser(context, winner, loser):
    battle = context.battle
    assert (battle["winner"], battle["loser"], battle["draw"]) == (winner, loser, False), (
        f"expected {winner} to beat {loser}; the battle says winner {battle['winner']}, loser {battle['loser']}, "
        f"draw {battle['draw']} ({battle['judge']['rationale']})")


@then("the battle's document in MongoDB records the prompt, both answers, the verdict, the winner and the loser")
def step_battle_document(context):
    doc = context.mongo.battle(context.me.id, context.battle["id"])
    assert doc is not None, f"no battle document {context.battle['id']} for my tenant in MongoDB"
    expected_answers = {"gpt-4o-mini": "The answer is 5.", "gpt-3.5-turbo": "5"}
    problems = []
    if doc["prompt"] != "What is 2 + 3?":
        problems.append(f"prompt {doc['prompt']!r}")
    for contender in doc["contenders"]:
        if contender["answer"] != expected_answers[contender["model"]]:
            problems.append(f"{contender['model']} answer {contender['answer']!r}")
        if contender["served_model"] != contender["model"] or not contender["usage"]["total_tokens"]:
            problems.append(f"{contender['model']} served/usage {contender['served_model']} {contender['usage']}")
    judge = doc["judge"]
    if judge["model"] != "gpt-4o-mini" or judge["verdict"] != "A" or not judge["rationale"]:
        problems.append(f"judge {judge}")
    outcome = (doc["winner"], doc["loser"], doc["draw"], doc["status"])
    if outcome != ("gpt-4o-mini", "gpt-3.5-turbo", False, "completed"):
        problems.append(f"outcome {doc['winner']}/{doc['loser']}/{doc['draw']}/{doc['status']}")
    if not (doc["created_at"] <= doc["started_at"] <= doc["finished_at"]):
        problems.append(f"timestamps {doc['created_at']} {doc['started_at']} {doc['finished_at']}")
    assert not problems, f"the battle document is wrong in: {problems}"


@when('these battles are fought on "{prompt}", judged by "{judge}":')
def step_fight_battles(context, prompt, judge):
    context.series = []
    for row in context.table:
        _start(context, prompt, row["contender a"], row["contender b"], judge)
        battle = wait_for_battle(context.me.api, context.battle["id"], "completed", timeout=20)
        outcome = "draw" if battle["draw"] else battle["winner"]
        assert outcome == row["winner"], (
            f"{row['contender a']} vs {row['contender b']}: expected {row['winner']}, got {outcome}")
        context.series.append(row)


@then('the leaderboard ranks them in the order "{order}"')
def step_leaderboard_order(context, order):
    expected = [name.strip() for name in order.split(",")]
    ranked = [m["model"] for m in context.me.api.leaderboard() if m["model"] in expected]
    assert ranked == expected, f"expected the ranking {expected}, the leaderboard has {ranked}"


@then("their wins, losses and draws on the leaderboard are those of these battles")
def step_leaderboard_records(context):
    expected: dict[str, list[int]] = {}
    for row in context.series:
        a, b, winner = row["contender a"], row["contender b"], row["winner"]
        for model in (a, b):
            record = expected.setdefault(model, [0, 0, 0])
            record[2 if winner == "draw" else (0 if winner == model else 1)] += 1
    board = {m["model"]: [m["wins"], m["losses"], m["draws"]] for m in context.me.api.leaderboard()}
    for model, record in expected.items():
        assert board.get(model) == record, (
            f"{model}: expected wins/losses/draws {record}, the leaderboard says {board.get(model)}")


@given("I note the leaderboard")
def step_note_leaderboard(context):
    context.noted_leaderboard = context.me.api.leaderboard()


@then("the leaderboard is as I noted it")
def step_leaderboard_unchanged(context):
    now = context.me.api.leaderboard()
    assert now == context.noted_leaderboard, f"the leaderboard changed from {context.noted_leaderboard} to {now}"


@then("the battle's document in MongoDB records the provider error and no winner")
def step_failed_document(context):
    doc = context.mongo.battle(context.me.id, context.battle["id"])
    error = doc["error"] or {}
    assert doc["status"] == "failed" and "returned 500" in error.get("message", ""), f"document: {doc}"
    assert error.get("retryable") is True and error.get("status") == 500, f"the error is not classified: {error}"
    assert (doc["winner"], doc["loser"], doc["judge"]["verdict"]) == (None, None, None), (
        f"a failed battle must not look decided: {doc['winner']}, {doc['loser']}, {doc['judge']}")


@then("both requests answered with the same battle")
def step_same_battle(context):
    first, second = context.battle_responses[-2:]
    assert (first.status_code, second.status_code) == (202, 200), (first.status_code, second.status_code)
    assert first.json()["id"] == second.json()["id"], "the same idempotency key made two battles"


@then('MongoDB holds exactly one battle of my tenant with idempotency key "{key}"')
def step_one_battle_for_key(context, key):
    docs = context.mongo.battles(context.me.id, idempotency_key=key)
    assert len(docs) == 1, f"expected one battle with key {key!r} in MongoDB, found {len(docs)}"


@when("another tenant looks up that battle")
def step_other_looks_up_battle(context):
    other = open_tenant(context.admin, context.endpoints.api_url, context.db, "other", context.exchanges)
    context.other_tenants.append(other)
    context.other = other
    context.response = other.api.request("GET", f"/battles/{context.battle['id']}")
    context.model = context.battle["contenders"][0]["model"]


@then("their leaderboard is empty")
def step_other_leaderboard_empty(context):
    assert context.other.api.leaderboard() == [], "another tenant's leaderboard shows my battles"


@then("MongoDB holds no battle of theirs")
def step_no_battle_of_theirs(context):
    assert context.mongo.battles(context.other.id) == [], "MongoDB has battles under the other tenant"
