"""The few phrases every domain shares: refusals and "nothing was stored"."""

from behave import then

from harness.api import error_of


@then('it is refused with status {status:d} and a message naming "{names}"')
def step_refused(context, status, names):
    response = context.response
    assert response.status_code == status, (
        f"expected status {status}, got {response.status_code}: {response.text[:500]}")
    error = error_of(response)
    assert error.get("code") and error.get("message"), f"not the documented error shape: {response.text[:500]}"
    assert names.lower() in error["message"].lower(), (
        f"the message should name {names!r} so a person can act on it; it says {error['message']!r}")


@then("nothing new is stored for my tenant")
def step_nothing_stored(context):
    after = context.me.rows.counts()
    assert after == context.stored_before, f"stored rows changed from {context.stored_before} to {after}"
