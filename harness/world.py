"""What steps may remember on behave's `context`: every attribute steps and hooks share, in one
place, with its owner. tests/harness/test_world.py fails when a step uses one not listed here.

Set by hooks (environment.py), never by steps:

| attribute      | layer    | what it is                                                            |
|----------------|----------|-----------------------------------------------------------------------|
| settings       | run      | harness.settings.Settings                                             |
| stack          | run      | the stack under test (harness.stack): services, logs, faults          |
| endpoints      | run      | its addresses (harness.stack.Endpoints)                               |
| admin          | run      | ArenaClient with the admin token                                      |
| gateway        | run      | GatewayClient: the provider's call log                                |
| db, mongo      | run      | PostgresProbe and MongoProbe: the stores, read directly               |
| timer          | run      | phase timings                                                         |
| features_started | run    | when the first feature started (for the phase timings)                |
| teardown       | run      | the guarded teardown                                                  |
| exchanges      | feature  | the API exchanges attached to a failed scenario's report              |
| scenario_contexts | run   | with coverage_map: tells the stack which scenario runs (coverage_map) |
| me             | scenario | a fresh tenant (TenantSession) for this scenario                      |
| other          | scenario | "another tenant" (harness.tenants.another_tenant), None until asked   |
| other_tenants  | scenario | every extra tenant opened in the scenario, deleted with it            |

Set by steps, read by later steps of the same scenario:

| attribute          | set by                              | what it is                                     |
|--------------------|-------------------------------------|------------------------------------------------|
| dataset            | datasets, uploads                   | the dataset in play (API JSON)                 |
| dataset_samples    | datasets, uploads                   | its questions, as the scenario knows them      |
| datasets           | listing                             | several datasets created in turn               |
| pages              | listing                             | the pages of a listing, as fetched             |
| previous_dataset   | uploads                             | the dataset before the last upload             |
| battle_series      | battles                             | the battles of "these battles are fought ..."  |
| uploaded_bytes     | uploads                             | the content of the last upload                 |
| upload_name        | uploads                             | its file name                                  |
| run                | runs                                | the run in play (API JSON, refreshed by waits) |
| runs               | workers, faults                     | several runs started together                  |
| model              | runs, battles                       | the model the run or battle was started on     |
| other_dataset      | usage, uploads                      | the other tenant's dataset                     |
| other_run          | usage, runs                         | the other tenant's run                         |
| events             | events                              | the events received (both connections)         |
| first_connection   | events                              | events of the first connection                 |
| second_connection  | events                              | events of the reconnection                     |
| document           | documents                           | the document in play (API JSON)                |
| document_bytes     | documents                           | its PDF                                        |
| question           | documents                           | the question asked of it                       |
| answer_events      | documents                           | the streamed answer's events                   |
| battle             | battles                             | the battle in play (API JSON)                  |
| battle_request     | battles                             | what it was started with                       |
| battle_responses   | battles                             | the HTTP answers to starting battles           |
| other_battle       | battles                             | the other tenant's battle                      |
| their_first_battle | battles                             | the other tenant's first battle with a key     |
| noted_leaderboard  | battles                             | the leaderboard as noted                       |
| response           | common, errors, security, uploads,  | the last HTTP answer a Then looks at           |
|                    | battles, events                     |                                                |
| nowhere_response   | security                            | the answer for an id that exists nowhere       |
| footprint_before   | common                              | the tenant's footprint before a refused call   |
| their_thing        | security                            | another tenant's object                        |
| intruder           | security                            | the tenant name a refused admin call tried     |
| faults             | faults                              | the fault injector of this scenario            |
| router             | router                              | the router's client (harness/router.py)        |
| prompt             | router                              | the prompt sent through the router             |
| reply              | router                              | the router's answer to it                      |
| replies            | router                              | the router's answers to several requests       |
| other_reply        | router                              | the router's answer to another tenant          |
| metadata           | router                              | the metadata sent with a request               |
| calls              | router                              | the gateway calls behind the router's answer   |
| router_cost        | router                              | the cost the router announced                  |
| router_user        | router                              | the OpenAI `user` sent through the router      |
| other_user         | router                              | another tenant's `user`                        |
| run_response       | router                              | the HTTP answer to starting a run              |
| openapi            | errors                              | the API's published document (OpenAPI)         |
"""

from __future__ import annotations

import re

HOOK_ATTRIBUTES = frozenset({
    "settings", "stack", "endpoints", "admin", "gateway", "db", "mongo", "timer", "features_started", "teardown",
    "exchanges", "scenario_contexts",
    "me", "other", "other_tenants",
})


def step_attributes() -> frozenset[str]:
    """The step-set attributes of the table above (parsed from it, so the table is the one list)."""
    section = __doc__.split("Set by steps", 1)[1]
    return frozenset(re.findall(r"^\| (\w+)\s+\|", section, flags=re.M)) - {"attribute"}


# behave's own context attributes that steps may read (execute_steps: a deprecated alias runs its
# replacement, harness/deprecation.py).
BEHAVE_ATTRIBUTES = frozenset({"table", "text", "scenario", "feature", "config", "add_cleanup", "tags",
                               "execute_steps"})


def declared() -> frozenset[str]:
    return HOOK_ATTRIBUTES | step_attributes() | BEHAVE_ATTRIBUTES
