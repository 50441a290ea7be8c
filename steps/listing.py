"""Steps about listing what a tenant owns: GET /runs and GET /datasets, newest first, by pages."""

from behave import given, then, when

from harness import phrases  # noqa: F401 - registers the Text type used below
from harness.api import expect
from harness.tenants import another_tenant


def _ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


@given('I have created the datasets "{names:Text}"')
def step_create_datasets(context, names):
    samples = [{"input": "What is 2 + 3?", "expected": "5"}]
    context.datasets = [expect(context.me.api.create_dataset(name.strip(), samples), 201)
                        for name in names.split(",")]


@when("I list my {kind:Listing} {size:d} at a time")
def step_list_by_pages(context, kind, size):
    context.pages = context.me.api.list_all(kind, limit=size)


@then("the pages hold {sizes:Text} {kind:Listing}")
def step_page_sizes(context, sizes, kind):
    expected = [int(n) for n in sizes.replace(" and ", ", ").split(",")]
    seen = [len(page) for page in context.pages]
    assert seen == expected, f"expected pages of {expected} {kind}, saw pages of {seen}"


@then("together they are the {kind:Listing} I created, newest first, each once")
def step_pages_are_mine(context, kind):
    created = context.runs if kind == "runs" else context.datasets
    listed = [item_id for page in context.pages for item_id in _ids(page)]
    expected = list(reversed(_ids(created)))
    assert listed == expected, f"expected my {kind} newest first {expected}, saw the pages list {listed}"


@then('listing my runs in status "{status:Text}" gives exactly {which:Text}')
def step_runs_in_status(context, status, which):
    expected = {"those runs": _ids(context.runs), "that run": [context.run["id"]], "none": []}[which]
    listed = [item for page in context.me.api.list_all("runs", status=status) for item in page]
    assert sorted(_ids(listed)) == sorted(expected), (
        f"expected the runs in status {status!r} {expected}, saw {[(r['id'], r['status']) for r in listed]}")
    assert all(run["status"] == status for run in listed), (
        f"expected every listed run {status}, saw {[(r['id'], r['status']) for r in listed]}")


@then("my list of {kind:Listing} holds mine and none of theirs")
def step_lists_only_mine(context, kind):
    listed = _ids([item for page in context.me.api.list_all(kind) for item in page])
    theirs = context.their_thing["id"]
    mine = context.run["id"] if kind == "runs" else context.dataset["id"]
    assert theirs not in listed, f"expected my list of {kind} without the other tenant's {theirs}, saw it in {listed}"
    assert mine in listed, f"expected my list of {kind} to show my own {mine}, saw {listed}"
    their_list = _ids([item for page in another_tenant(context).api.list_all(kind) for item in page])
    assert theirs in their_list, f"expected the other tenant's own list of {kind} to show {theirs}, saw {their_list}"
