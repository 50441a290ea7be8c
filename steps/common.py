"""The few phrases every domain shares: refusals, "nothing was stored", the upload store."""

from behave import then

from harness.api import error_of
from harness.footprint import my_footprint, upload_store_inspectable


@then('it is refused with status {status:d} and a message naming "{names}"')
def step_refused(context, status, names):
    response = context.response
    assert response.status_code == status, (
        f"expected HTTP {status}, saw {response.status_code}: {response.text[:500]}")
    error = error_of(response)
    assert error.get("code") and error.get("message"), (
        f"expected the documented error shape (a code and a message), saw {response.text[:500]}")
    assert names.lower() in error["message"].lower(), (
        f"expected the message to name {names!r} so a person can act on it, saw {error['message']!r}")


@then("nothing new is stored for my tenant")
def step_nothing_stored(context):
    """PostgreSQL (every table a tenant owns rows in), MongoDB and, where the suite can look, the
    upload store: the same as just before the refused request."""
    assert getattr(context, "footprint_before", None) is not None, (
        "test defect: expected a footprint taken before the request (the When step must take it), saw none")
    changes = my_footprint(context).changes_from(context.footprint_before)
    assert not changes, f"expected a refused request to store nothing, saw: {'; '.join(changes)}"


@then("the upload store holds exactly {count:d} file for my tenant")
@then("the upload store holds exactly {count:d} files for my tenant")
def step_store_holds(context, count):
    if not upload_store_inspectable(context.stack):
        context.scenario.skip("external mode: the upload store is inside the stack and cannot be inspected")
        return
    files = my_footprint(context).files
    assert len(files) == count, f"expected {count} file(s) in my tenant's upload store, saw {list(files)}"
