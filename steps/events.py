"""Steps about a run's live events (Server-Sent Events)."""

from behave import then, when

from harness.events import read_events
from harness.runs import TERMINAL


@when("I follow the run's events until it ends")
def step_follow_events(context):
    context.events = read_events(context.me.api, context.run["id"], timeout=30)


@when("I follow the run's events but disconnect after {count:d} events, while the run is still going")
def step_follow_then_disconnect(context, count):
    context.first_connection = read_events(context.me.api, context.run["id"], stop_after=count, timeout=30)
    status = context.me.api.run(context.run["id"])["status"]
    assert status not in TERMINAL, f"the run had already ended ({status}) when the client disconnected"
    assert len(context.first_connection) == count, f"received {len(context.first_connection)} events, not {count}"


@when("I reconnect with the id of the last event I received")
def step_reconnect(context):
    last_id = context.first_connection[-1].id
    context.second_connection = read_events(context.me.api, context.run["id"], last_event_id=last_id, timeout=30)
    context.events = context.first_connection + context.second_connection


@then("the events are numbered 1, 2, 3 ... without a gap")
def step_events_numbered(context):
    ids = [event.id for event in context.events]
    assert ids == list(range(1, len(ids) + 1)), f"event ids should run 1..{len(ids)} once each, got {ids}"


@then('the events are "{types}" in that order')
def step_event_types(context, types):
    expected = [t.strip() for t in types.split(",")]
    seen = [event.type for event in context.events]
    assert seen == expected, f"expected events {expected}, got {seen}"


@then("the last event agrees with the run as the API reports it")
def step_last_event_agrees(context):
    last, run = context.events[-1], context.me.api.run(context.run["id"])
    assert last.type == run["status"], f"the stream ended with {last.type!r}, the API says {run['status']!r}"
    assert last.data.get("score") == run["score"], f"score: stream {last.data.get('score')}, API {run['score']}"
    assert last.data.get("usage") == run["usage"], f"usage: stream {last.data.get('usage')}, API {run['usage']}"


@then("together the two connections received every stored event of the run exactly once")
def step_every_stored_event_once(context):
    stored = context.me.rows.event_seqs(context.run["id"])
    received = [event.id for event in context.events]
    assert received == stored, f"stored events {stored}; received {received} over the two connections"


@then('the run\'s event stream ends with a "{kind}" event that carries the run\'s error')
def step_stream_ends_with(context, kind):
    events = read_events(context.me.api, context.run["id"], timeout=20)
    last = events[-1]
    assert last.type == kind, f"expected the stream to end with {kind!r}, it ended with {last.type!r}"
    assert last.data.get("error") == context.run["error"], (
        f"the {kind} event says {last.data.get('error')!r}, the run says {context.run['error']!r}")
