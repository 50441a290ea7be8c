"""Steps about a run's live events (Server-Sent Events)."""

from behave import then, when

from harness import phrases  # noqa: F401 - registers the Text type used below
from harness.events import read_events, resume_events
from harness.runs import TERMINAL


def _received(context) -> list:
    """The events the scenario received; a Then about events fails when there are none."""
    events = getattr(context, "events", None) or []
    assert events, "no event was received (did the scenario follow the run's events?)"
    return events


@when("I follow the run's events until the server closes the stream")
def step_follow_events(context):
    # The client never hangs up: the server must close the stream after the terminal event. (The
    # older "... until it ends" stops reading at the terminal event: steps/deprecated.py.)
    context.events = read_events(context.me.api, context.run["id"], until_closed=True, timeout=30)
    context.first_connection = context.events


@when("I follow the run's events but disconnect after {count:d} events, while the run is still going")
@when("I follow the run's events but disconnect after {count:d} event, while the run is still going")
def step_follow_then_disconnect(context, count):
    context.first_connection = read_events(context.me.api, context.run["id"], stop_after=count, timeout=30)
    status = context.me.api.run(context.run["id"])["status"]
    assert status not in TERMINAL, f"the run had already ended ({status}) when the client disconnected"
    assert len(context.first_connection) == count, f"received {len(context.first_connection)} events, not {count}"


@when("I reconnect with the id of the last event I received and read until the server closes the stream")
def step_reconnect(context):
    context.second_connection = resume_events(context.me.api, context.run["id"], context.first_connection,
                                              until_closed=True)
    context.events = context.first_connection + context.second_connection


@then("the events are numbered 1, 2, 3 ... without a gap")
def step_events_numbered(context):
    ids = [event.id for event in _received(context)]
    assert ids == list(range(1, len(ids) + 1)), f"event ids should run 1..{len(ids)} once each, got {ids}"
    stored = context.me.rows.event_seqs(context.run["id"])
    assert ids == stored, f"received event ids {ids}, the database stores {stored}"


@then('the events are "{types:Text}" in that order')
def step_event_types(context, types):
    expected = [t.strip() for t in types.split(",")]
    seen = [event.type for event in _received(context)]
    assert seen == expected, f"expected events {expected}, got {seen}"


@then('the events include a "{kind:Text}" event whose "{field:Text}" is "{value:Text}"')
def step_event_with_field(context, kind, field, value):
    events = getattr(context, "events", None) or read_events(context.me.api, context.run["id"], timeout=20)
    of_kind = [event for event in events if event.type == kind]
    assert of_kind, f"no {kind!r} event among {[event.type for event in events]}"
    values = [_as_text(event.data.get(field)) for event in of_kind]
    assert value in values, f"expected a {kind!r} event with {field} = {value!r}; their {field}s are {values}"


def _as_text(value) -> str:
    """A JSON value as a feature writes it: true/false lower-case, numbers without quotes."""
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


@then("the last event agrees with the run as the API reports it")
def step_last_event_agrees(context):
    last, run = _received(context)[-1], context.me.api.run(context.run["id"])
    assert last.type == run["status"], f"the stream ended with {last.type!r}, the API says {run['status']!r}"
    assert last.data.get("score") == run["score"], f"score: stream {last.data.get('score')}, API {run['score']}"
    assert last.data.get("usage") == run["usage"], f"usage: stream {last.data.get('usage')}, API {run['usage']}"
    assert run["usage"]["total_tokens"] > 0, f"a completed run with no token usage: {run['usage']}"


@then("together the two connections received every stored event of the run exactly once")
def step_every_stored_event_once(context):
    stored = context.me.rows.event_seqs(context.run["id"])
    received = [event.id for event in _received(context)]
    assert context.second_connection, "the reconnection received no event"
    assert received == stored, f"stored events {stored}; received {received} over the two connections"


@when("I ask for the run's events after the event id {event_id:d}")
def step_events_after_id(context, event_id):
    context.response = context.me.api.request("GET", f"/runs/{context.run['id']}/events",
                                              headers={"Last-Event-ID": str(event_id)}, timeout=10)


@then("the second connection received no event")
def step_second_connection_empty(context):
    got = [f"{event.id}:{event.type}" for event in context.second_connection]
    assert got == [], f"resuming after the last event should receive nothing, it received {got}"


@then('the run\'s event stream ends with a "{kind:Text}" event that carries the run\'s error')
def step_stream_ends_with(context, kind):
    context.events = read_events(context.me.api, context.run["id"], until_closed=True, timeout=20)
    last = _received(context)[-1]
    assert last.type == kind, f"expected the stream to end with {kind!r}, it ended with {last.type!r}"
    assert context.run["error"], f"the run has no error to compare: {context.run}"
    assert last.data.get("error") == context.run["error"], (
        f"the {kind} event says {last.data.get('error')!r}, the run says {context.run['error']!r}")
