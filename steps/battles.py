"""Steps about battles, the judge's verdicts and the leaderboard."""

from behave import given, then, when

from harness import (
    phrases,  # noqa: F401 - registers the Text type used below
    report,
    tables,
)
from harness.battles import (
    battle_document_problems,
    list_battles,
    start_battle_keyed_by_header,
    wait_for_battle,
)
from harness.footprint import my_footprint
from harness.gateway import battle_user
from harness.tenants import another_tenant


def _start(context, session, prompt, a, b, judge, key=None):
    response = session.api.start_battle(prompt, [a, b], judge, idempotency_key=key)
    assert response.status_code in (200, 202), (
        f"expected HTTP 200 or 202 from starting a battle, saw {response.status_code}: {response.text[:300]}")
    return response


def _start_mine(context, prompt, a, b, judge, key=None):
    _remember(context, _start(context, context.me, prompt, a, b, judge, key), prompt, a, b, judge)


def _remember(context, response, prompt, a, b, judge):
    """My battle in play: the answer to starting it, and what it was started with."""
    assert response.status_code in (200, 202), (
        f"expected HTTP 200 or 202 from starting a battle, saw {response.status_code}: {response.text[:300]}")
    context.battle_responses = [*getattr(context, "battle_responses", []), response]
    context.battle = response.json()
    context.battle_request = {"prompt": prompt, "contenders": [a, b], "judge": judge}


@when('I start a battle on "{prompt:Text}" between "{a:Text}" and "{b:Text}" judged by "{judge:Text}" '
      'with idempotency key "{key:Text}"')
def step_start_battle_with_key(context, prompt, a, b, judge, key):
    _start_mine(context, prompt, a, b, judge, key)


@when('I try to start a battle on "{prompt:Text}" between "{a:Text}" and "{b:Text}" judged by "{judge:Text}" '
      'with idempotency key "{key:Text}"')
def step_try_battle_with_key(context, prompt, a, b, judge, key):
    context.footprint_before = my_footprint(context)
    context.response = context.me.api.start_battle(prompt, [a, b], judge, idempotency_key=key)


def _prompt_of(length: int) -> str:
    return ("What is 2 + 3? " * (length // 15 + 1))[:length]


@when('I try to start a battle on a prompt of {length:d} characters between "{a:Text}" and "{b:Text}" '
      'judged by "{judge:Text}"')
def step_try_battle_prompt_of_length(context, length, a, b, judge):
    context.footprint_before = my_footprint(context)
    context.response = context.me.api.start_battle(_prompt_of(length), [a, b], judge)


@when('I start a battle on a prompt of {length:d} characters between "{a:Text}" and "{b:Text}" '
      'judged by "{judge:Text}"')
def step_start_battle_prompt_of_length(context, length, a, b, judge):
    _start_mine(context, _prompt_of(length), a, b, judge)


@when('I start a battle on "{prompt:Text}" between "{a:Text}" and "{b:Text}" judged by "{judge:Text}"')
def step_start_battle(context, prompt, a, b, judge):
    _start_mine(context, prompt, a, b, judge)


@when('I start a battle on "{prompt:Text}" between "{a:Text}" and "{b:Text}" judged by "{judge:Text}" '
      'with the idempotency key header "{key:Text}"')
def step_start_battle_with_key_header(context, prompt, a, b, judge, key):
    _remember(context, start_battle_keyed_by_header(context.me.api, prompt, [a, b], judge, key), prompt, a, b, judge)


@when('another tenant starts a battle on "{prompt:Text}" between "{a:Text}" and "{b:Text}" judged by '
      '"{judge:Text}" with idempotency key "{key:Text}"')
def step_other_starts_battle_with_key(context, prompt, a, b, judge, key):
    context.response = _start(context, another_tenant(context), prompt, a, b, judge, key)
    context.other_battle = context.response.json()


@then("the battle completes within {seconds:d} seconds")
def step_battle_completes(context, seconds):
    context.battle = wait_for_battle(context.me.api, context.battle["id"], "completed", timeout=seconds)


@then("the battle fails within {seconds:d} seconds")
def step_battle_fails(context, seconds):
    context.battle = wait_for_battle(context.me.api, context.battle["id"], "failed", timeout=seconds)


@then('"{winner:Text}" won and "{loser:Text}" lost')
def step_winner_loser(context, winner, loser):
    battle = context.battle
    assert (battle["winner"], battle["loser"], battle["draw"]) == (winner, loser, False), (
        f"expected {winner} to beat {loser}, saw winner {battle['winner']}, loser {battle['loser']}, "
        f"draw {battle['draw']} ({battle['judge']['rationale']})")


@then('the battle\'s document in MongoDB records the prompt, the judge\'s verdict "{verdict:Text}" and its usage, '
      'the winner, the loser and these answers:')
def step_battle_document(context, verdict):
    answers = [(row["model"], row["answer"]) for row in context.table]
    problems = battle_document_problems(context.mongo.battle(context.me.id, context.battle["id"]),
                                        context.battle_request, context.battle, verdict, answers)
    assert not problems, (
        f"expected the battle document to record the battle, saw {len(problems)} difference(s): {'; '.join(problems)}")


@then("the provider was called {count:d} times for that battle")
def step_battle_calls(context, count):
    calls = context.gateway.calls(battle_user(context.me.id, context.battle["id"]))
    assert len(calls) == count, (
        f"expected {count} provider calls for the battle (two contenders and the judge), the gateway saw "
        f"{len(calls)}: {[c['model'] for c in calls]}")


@given('these battles are fought on "{prompt:Text}", judged by "{judge:Text}":')
@when('these battles are fought on "{prompt:Text}", judged by "{judge:Text}":')
def step_fight_battles(context, prompt, judge):
    assert context.table.rows, "test defect: expected a table of battles to fight, saw no rows"
    context.battle_series = [dict(zip(context.table.headings, row.cells, strict=True)) for row in context.table]
    for row in context.table:
        _start_mine(context, prompt, row["contender a"], row["contender b"], judge)
        battle = wait_for_battle(context.me.api, context.battle["id"], "completed", timeout=20)
        outcome = "draw" if battle["draw"] else battle["winner"]
        assert outcome == row["winner"], (
            f"{row['contender a']} vs {row['contender b']}: expected {row['winner']}, saw {outcome}")


@then("the leaderboard is:")
def step_leaderboard_is(context):
    board = context.me.api.leaderboard()
    expected = [row.as_dict() for row in context.table]
    # Row by row in rank order; ratings compared as numbers: "984" and "984.0" are the same rating.
    how = {"key": "model", "columns": context.table.headings, "same": {"rating": tables.same_number}}
    diff = tables.differences(expected, board, **how)
    if diff:
        report.attach_tables("The leaderboard", tables.side_by_side(expected, board, **how))
    assert not diff, f"expected the leaderboard as in the table, saw {diff}"


@given("I note the leaderboard")
def step_note_leaderboard(context):
    context.noted_leaderboard = context.me.api.leaderboard()
    assert context.noted_leaderboard, (
        "test defect: expected a leaderboard with rows to note (an empty one proves nothing about changes), saw none")


@then("the leaderboard is as I noted it")
def step_leaderboard_unchanged(context):
    now = context.me.api.leaderboard()
    assert now == context.noted_leaderboard, f"expected the leaderboard as noted {context.noted_leaderboard}, saw {now}"


@then('the leaderboard does not list "{model:Text}"')
def step_leaderboard_lacks(context, model):
    listed = [m["model"] for m in context.me.api.leaderboard()]
    assert model not in listed, f"expected a leaderboard without {model!r}, saw it listed: {listed}"


@then("the battle's document in MongoDB records the provider error and no winner")
def step_failed_document(context):
    doc = context.mongo.battle(context.me.id, context.battle["id"])
    assert doc is not None, f"expected a battle document {context.battle['id']} for my tenant in MongoDB, saw none"
    error = doc["error"] or {}
    assert doc["status"] == "failed" and "returned 500" in error.get("message", ""), (
        f"expected a failed document with the provider's 'returned 500', saw status {doc['status']!r}, "
        f"error {error.get('message')!r}")
    assert error.get("retryable") is True and error.get("status") == 500, (
        f"expected the error classified retryable with status 500, saw {error}")
    assert (doc["winner"], doc["loser"], doc["judge"]["verdict"]) == (None, None, None), (
        f"expected no winner, loser or verdict on a failed battle, saw {doc['winner']}, {doc['loser']}, {doc['judge']}")


@then("both requests answered with the same battle")
def step_same_battle(context):
    first, second = context.battle_responses[-2:]
    assert (first.status_code, second.status_code) == (202, 200), (
        f"expected HTTP 202 then 200 for the same key, saw {first.status_code} then {second.status_code}")
    assert first.json()["id"] == second.json()["id"], (
        f"expected one battle for the same idempotency key, saw two: {first.json()['id']} and {second.json()['id']}")


@then('MongoDB holds exactly {count:d} battle of my tenant with idempotency key "{key:Text}"')
@then('MongoDB holds exactly {count:d} battles of my tenant with idempotency key "{key:Text}"')
def step_battles_for_key(context, count, key):
    docs = context.mongo.battles(context.me.id, idempotency_key=key)
    assert len(docs) == count, f"expected {count} battle(s) with key {key!r} in MongoDB, saw {len(docs)}"


@then("the other tenant's battle is a new one")
def step_other_battle_new(context):
    assert context.response.status_code == 202, (
        f"expected HTTP 202 (a new battle) for another tenant's first use of a key, saw {context.response.status_code}")
    assert context.other_battle["id"] != context.battle["id"], (
        f"expected another tenant's battle to be a new one, saw my battle {context.battle['id']}")
    context.their_first_battle = context.other_battle


@then("the other tenant is answered with its own battle again")
def step_other_battle_again(context):
    assert context.response.status_code == 200, (
        f"expected HTTP 200 (the existing battle) for a repeated key, saw {context.response.status_code}")
    got, theirs = context.other_battle["id"], context.their_first_battle["id"]
    assert got == theirs, (
        f"expected another tenant repeating its key to get its own battle {theirs}, saw battle {got}"
        + (" (mine!)" if got == context.battle["id"] else ""))


@given('another tenant has fought a battle between "{a:Text}" and "{b:Text}"')
def step_other_fought(context, a, b):
    other = another_tenant(context)
    response = _start(context, other, "What is 2 + 3?", a, b, "gpt-4o-mini")
    context.other_battle = wait_for_battle(other.api, response.json()["id"], "completed", timeout=20)


@when("another tenant looks up that battle")
def step_other_looks_up_battle(context):
    context.response = another_tenant(context).api.request("GET", f"/battles/{context.battle['id']}")
    context.model = context.battle["contenders"][0]["model"]


@then('their leaderboard lists only "{models:Text}"')
def step_other_leaderboard_only(context, models):
    expected = [name.strip() for name in models.split(",")]
    listed = [m["model"] for m in context.other.api.leaderboard()]
    assert listed == expected, f"expected another tenant's leaderboard to list only {expected}, saw {listed}"


@then("their list of battles holds only their own battle")
def step_their_list_only_theirs(context):
    listed = [battle["id"] for battle in list_battles(context.other.api)]
    assert listed == [context.other_battle["id"]], (
        f"expected another tenant's list of battles to hold only {context.other_battle['id']}, saw {listed}")


@then("MongoDB holds exactly {count:d} battle of theirs")
@then("MongoDB holds exactly {count:d} battles of theirs")
def step_battles_of_theirs(context, count):
    docs = context.mongo.battles(context.other.id)
    assert len(docs) == count, f"expected {count} battle(s) of the other tenant in MongoDB, saw {len(docs)}"
    assert context.battle["id"] not in {doc["_id"] for doc in docs}, (
        f"expected only the other tenant's battles under the other tenant, saw my battle {context.battle['id']}")
