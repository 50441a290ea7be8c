"""Steps about a run's live events (Server-Sent Events)."""

from behave import then, when

from harness import phrases  # noqa: F401 - registers the Text type used below
from harness.events import read_events, resume_events
from harness.runs import TERMINAL


def _received(context) -> list:
    """The events the scenario received; a Then about events fails when there are none."""
    events = getattr(context, "events", None) or []
    assert events, "expected events received (did the scenario follow the run's events?), saw none"
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
    assert status not in TERMINAL, f"expected the run still going when the client disconnected, saw it already {status}"
    assert len(context.first_connection) == count, (
        f"expected {count} events before the disconnection, saw {len(context.first_connection)}")


@when("I reconnect with the id of the last event I received and read until the server closes the stream")
def step_reconnect(context):
    context.second_connection = resume_events(context.me.api, context.run["id"], context.first_connection,
                                              until_closed=True)
    context.events = context.first_connection + context.second_connection


@then("the events are numbered 1, 2, 3 ... without a gap")
def step_events_numbered(context):
    ids = [event.id for event in _received(context)]
    assert ids == list(range(1, len(ids) + 1)), f"expected event ids 1..{len(ids)} once each, saw {ids}"
    stored = context.me.rows.event_seqs(context.run["id"])
    assert ids == stored, f"expected the event ids the database stores {stored}, saw {ids}"


@then('the events are "{types:Text}" in that order')
def step_event_types(context, types):
    expected = [t.strip() for t in types.split(",")]
    seen = [event.type for event in _received(context)]
    assert seen == expected, f"expected events {expected}, saw {seen}"


@then('the events include a "{kind:Text}" event whose "{field:Text}" is "{value:Text}"')
def step_event_with_field(context, kind, field, value):
    events = getattr(context, "events", None) or read_events(context.me.api, context.run["id"], timeout=20)
    of_kind = [event for event in events if event.type == kind]
    assert of_kind, f"expected a {kind!r} event, saw only {[event.type for event in events]}"
    values = [_as_text(event.data.get(field)) for event in of_kind]
    assert value in values, f"expected a {kind!r} event with {field} = {value!r}, saw {field}s {values}"


def _as_text(value) -> str:
    """A JSON value as a feature writes it: true/false lower-case, numbers without quotes."""
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


@then("the last event agrees with the run as the API reports it")
def step_last_event_agrees(context):
    last, run = _received(context)[-1], context.me.api.run(context.run["id"])
    assert last.type == run["status"], (
        f"expected the stream to end with the API's status {run['status']!r}, saw {last.type!r}")
    assert last.data.get("score") == run["score"], (
        f"expected the stream's score to be the API's {run['score']}, saw {last.data.get('score')}")
    assert last.data.get("usage") == run["usage"], (
        f"expected the stream's usage to be the API's {run['usage']}, saw {last.data.get('usage')}")
    assert run["usage"]["total_tokens"] > 0, f"expected token usage on a completed run, saw {run['usage']}"


@then("together the two connections received every stored event of the run exactly once")
def step_every_stored_event_once(context):
    stored = context.me.rows.event_seqs(context.run["id"])
    received = [event.id for event in _received(context)]
    assert context.second_connection, "expected events on the reconnection, saw none"
    assert received == stored, f"expected the stored events {stored} over the two connections, saw {received}"


@when("I ask for the run's events after the event id {event_id:d}")
def step_events_after_id(context, event_id):
    context.response = context.me.api.request("GET", f"/runs/{context.run['id']}/events",
                                              headers={"Last-Event-ID": str(event_id)}, timeout=10)


@then("the second connection received no event")
def step_second_connection_empty(context):
    got = [f"{event.id}:{event.type}" for event in context.second_connection]
    assert got == [], f"expected nothing after resuming from the last event, saw {got}"


@then('the run\'s event stream ends with a "{kind:Text}" event that carries the run\'s error')
def step_stream_ends_with(context, kind):
    context.events = read_events(context.me.api, context.run["id"], until_closed=True, timeout=20)
    last = _received(context)[-1]
    assert last.type == kind, f"expected the stream to end with {kind!r}, saw {last.type!r}"
    assert context.run["error"], f"expected an error on the run to compare with, saw none: {context.run}"
    assert last.data.get("error") == context.run["error"], (
        f"expected the {kind} event to say the run's error {context.run['error']!r}, saw {last.data.get('error')!r}")
