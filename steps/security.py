"""Steps about authentication and tenant isolation."""

import uuid

from behave import given, then, when

from harness import fixtures
from harness.api import ArenaClient, expect
from harness.battles import wait_for_battle
from harness.runs import wait_for_status
from harness.tenants import open_tenant

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


@given("another tenant owns a {thing}")
def step_other_owns(context, thing):
    other = open_tenant(context.admin, context.endpoints.api_url, context.db, "other", context.exchanges)
    context.other_tenants.append(other)
    api = other.api
    if thing in ("run", "dataset"):
        dataset = expect(api.create_dataset("theirs", fixtures.dataset_samples("arithmetic", 1)), 201)
        owned = dataset
        if thing == "run":
            owned = expect(api.start_run(dataset["id"], "gpt-3.5-turbo"), 202)
            wait_for_status(api, owned["id"], "completed", timeout=20)
    elif thing == "document":
        owned = expect(api.upload("/documents", "handbook.pdf", fixtures.document_file("handbook.pdf"),
                                  content_type="application/pdf"), 202)
    else:
        owned = expect(api.start_battle("What is 2 + 3?", ["gpt-4o-mini", "gpt-3.5-turbo"], "gpt-4o-mini"), 202)
        wait_for_battle(api, owned["id"], "completed", timeout=20)
    context.their_thing = owned


@when("I ask for that {thing}")
def step_ask_for_theirs(context, thing):
    context.response = context.me.api.request("GET", PATHS[thing].format(context.their_thing["id"]))
    context.nowhere_response = context.me.api.request("GET", PATHS[thing].format(NOWHERE))


@then("I am told that the {thing} does not exist, in the same words as for an id that exists nowhere")
def step_not_found_like_nowhere(context, thing):
    theirs, nowhere = context.response, context.nowhere_response
    assert theirs.status_code == nowhere.status_code == 404, (theirs.status_code, nowhere.status_code, theirs.text)
    message = theirs.json()["error"]["message"].replace(context.their_thing["id"], "<id>")
    assert message == nowhere.json()["error"]["message"].replace(NOWHERE, "<id>"), (
        f"another tenant's {thing} is answered differently from a missing one: {theirs.text} vs {nowhere.text}")
    for field in ("name", "prompt", "model", "file_name", "status"):
        assert f'"{field}"' not in theirs.text, f"the 404 reveals {field}: {theirs.text}"


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
    assert context.db.tenants_named(context.intruder) == 0, "a tenant was created with a tenant's key"
