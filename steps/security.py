"""Steps about authentication and tenant isolation."""

import uuid

from behave import given, then, when

from harness import (
    fixtures,
    phrases,  # noqa: F401 - registers the Thing type used below
)
from harness.api import ArenaClient, expect
from harness.battles import wait_for_battle
from harness.footprint import footprint
from harness.runs import wait_for_status
from harness.tenants import another_tenant
from harness.uploads import wait_for_document

NOWHERE = str(uuid.UUID(int=0xBADC0DE))
PATHS = {"run": "/runs/{}", "dataset": "/datasets/{}", "document": "/documents/{}", "battle": "/battles/{}"}


@when("I call GET {path} {credentials}")
def step_call_with_credentials(context, path, credentials):
    path = path.replace("<id>", NOWHERE)
    if credentials == "without an API key":
        client = ArenaClient(context.endpoints.api_url, log=context.exchanges)
    else:
        client = ArenaClient(context.endpoints.api_url, api_key="ak_" + uuid.uuid4().hex, log=context.exchanges)
    context.response = client.request("GET", path)
    client.close()


@given("another tenant owns a {thing:Thing}")
def step_other_owns(context, thing):
    context.their_thing = _create_thing(context, thing)


@given("another tenant owns a run, a dataset, a document and a battle")
def step_other_owns_everything(context):
    for thing in ("run", "document", "battle"):  # a run comes with its dataset
        _create_thing(context, thing)
    held = footprint(context.other, context.mongo, context.stack).holdings()
    assert len(held) >= 7, (
        f"test defect: expected the other tenant to hold something in every store (7 or more), saw {held}")


def _create_thing(context, thing):
    api = another_tenant(context).api
    if thing in ("run", "dataset"):
        dataset = expect(api.create_dataset("theirs", fixtures.dataset_samples("arithmetic", 1)), 201)
        owned = dataset
        if thing == "run":
            owned = expect(api.start_run(dataset["id"], "gpt-3.5-turbo"), 202)
            wait_for_status(api, owned["id"], "completed", timeout=20)
    elif thing == "document":
        owned = expect(api.upload("/documents", "handbook.pdf", fixtures.document_file("handbook.pdf"),
                                  content_type="application/pdf"), 202)
        wait_for_document(api, owned["id"], timeout=20)
    else:
        owned = expect(api.start_battle("What is 2 + 3?", ["gpt-4o-mini", "gpt-3.5-turbo"], "gpt-4o-mini"), 202)
        wait_for_battle(api, owned["id"], "completed", timeout=20)
    return owned


@when("I ask for that {thing:Thing}")
def step_ask_for_theirs(context, thing):
    context.response = context.me.api.request("GET", PATHS[thing].format(context.their_thing["id"]))
    context.nowhere_response = context.me.api.request("GET", PATHS[thing].format(NOWHERE))


@then("I am told that the {thing:Thing} does not exist, in the same words as for an id that exists nowhere")
def step_not_found_like_nowhere(context, thing):
    theirs, nowhere = context.response, context.nowhere_response
    assert theirs.status_code == nowhere.status_code == 404, (
        f"expected HTTP 404 for their {thing} as for one nowhere, saw {theirs.status_code} and {nowhere.status_code}: "
        f"{theirs.text[:300]}")
    message = theirs.json()["error"]["message"].replace(context.their_thing["id"], "<id>")
    assert message == nowhere.json()["error"]["message"].replace(NOWHERE, "<id>"), (
        f"expected another tenant's {thing} answered as a missing one, {nowhere.text}, saw {theirs.text}")
    for field in ("name", "prompt", "model", "file_name", "status"):
        assert f'"{field}"' not in theirs.text, f"expected a 404 that does not reveal {field}, saw {theirs.text}"


@then("the other tenant still has its {thing:Thing}")
def step_other_still_has(context, thing):
    response = context.other.api.request("GET", PATHS[thing].format(context.their_thing["id"]))
    assert response.status_code == 200, (
        f"expected the owner of the {thing} to read it (HTTP 200), saw {response.status_code}")
    assert response.json()["id"] == context.their_thing["id"], (
        f"expected {context.their_thing['id']}, saw {response.text[:300]}")


@when("the other tenant is deleted")
def step_delete_other(context):
    context.admin.delete_tenant(context.other.id)  # its cleanup's second delete is refused, and reported only


@then("the other tenant's key is refused")
def step_other_key_refused(context):
    response = context.other.api.request("GET", "/usage")
    assert response.status_code == 401, (
        f"expected a deleted tenant's key refused (HTTP 401), saw {response.status_code}")


@then("nothing of the other tenant remains in PostgreSQL, MongoDB or the upload store")
def step_nothing_remains(context):
    held = footprint(context.other, context.mongo, context.stack).holdings()
    assert not held, f"expected nothing left of a deleted tenant, saw {held}"


@given("I own a run, a dataset, a document and a battle")
def step_i_own_things(context):
    api = context.me.api
    dataset = expect(api.create_dataset("mine", fixtures.dataset_samples("arithmetic", 1)), 201)
    run = expect(api.start_run(dataset["id"], "gpt-3.5-turbo"), 202)
    wait_for_status(api, run["id"], "completed", timeout=20)
    document = expect(api.upload("/documents", "handbook.pdf", fixtures.document_file("handbook.pdf"),
                                 content_type="application/pdf"), 202)
    wait_for_document(api, document["id"], timeout=20)
    battle = expect(api.start_battle("What is 2 + 3?", ["gpt-4o-mini", "gpt-3.5-turbo"], "gpt-4o-mini"), 202)
    wait_for_battle(api, battle["id"], "completed", timeout=20)
    context.footprint_before = footprint(context.me, context.mongo, context.stack)


@then("everything of mine is still there")
def step_mine_intact(context):
    after = footprint(context.me, context.mongo, context.stack)
    changes = after.changes_from(context.footprint_before)
    assert not changes, f"expected what I own unchanged by deleting another tenant, saw {changes}"


@when("I call the admin endpoint POST /admin/tenants {credentials}")
def step_call_admin(context, credentials):
    key = context.me.tenant["api_key"]
    context.intruder = f"intruder-{uuid.uuid4().hex[:8]}"
    if credentials == "with my API key":
        client = ArenaClient(context.endpoints.api_url, api_key=key, log=context.exchanges)
    else:
        client = ArenaClient(context.endpoints.api_url, admin_token=key, log=context.exchanges)
    context.response = client.request("POST", "/admin/tenants", json={"name": context.intruder})
    client.close()


@then("no tenant was created")
def step_no_tenant_created(context):
    assert context.db.tenants_named(context.intruder) == 0, (
        f"expected no tenant {context.intruder!r} created with a tenant's key, saw one in the database")
