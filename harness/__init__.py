"""The library the steps and hooks use: stack control, clients, probes, waits.

Steps never speak HTTP, SQL or Docker themselves; they call functions from here.
Module map:
  settings   how the suite is configured (behave userdata and environment variables)
  compose    Docker Compose control of one stack: build, up, ports, logs, down
  cleanup    finding and removing stacks left behind by crashed runs (by label)
  stack      the stack the suite runs against: compose-managed or external, with its endpoints
  lifecycle  guaranteed teardown: signal handling and a shielded, idempotent `down`
  suite      the suite's shared connections to the stack, remade when a service moves port
  faults     faults injected into the running stack (kill, stop, pause, disconnect) and undone
  api        Arena HTTP client that records exchanges (secrets masked) for the report
  tenants    a fresh tenant per feature: its API client and its database rows
  runs, battles, uploads   waiting on runs, battles and uploads with telling failure messages
  router     the LiteLLM router: an OpenAI client for it, its routing headers, its ledger (from its logs)
  events     reading Server-Sent Events (run events, streamed answers) with sseclient-py
  gateway    the test gateway's inspection API (provider call log)
  probes     read-only checks of PostgreSQL and MongoDB, scoped to one tenant
  fixtures   deterministic seed data from fixtures/
  waits      poll-until (and hold-for) with a deadline and a message that says what was last seen
  secrets    masking of keys and tokens in everything the suite writes
  timing     phase timings printed and written to reports/timings.json
  cli        `arena-stack`: up/status/ports/logs/down for local debugging
"""
