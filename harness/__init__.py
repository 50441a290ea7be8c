"""The library the steps and hooks use: stack control, clients, probes, waits.

Steps never speak HTTP, SQL or Docker themselves; they call functions from here.
Module map:
  settings   how the suite is configured: -D beats ARENA_* beats defaults; bad values are one line
  runner     behave's runner, checking the settings before anything runs
  console    the one human formatter (pretty / compact) and the closing lines
  compose    Docker Compose control of one stack: build, up, ports, logs, down
  cleanup    finding and removing stacks left behind by crashed runs (by label)
  stack      the stack the suite runs against: compose-managed or external, with its endpoints
  lifecycle  guaranteed teardown: signal handling and a shielded, idempotent `down`
  endpoints  the one owner of the stack's address, which clients read at every call
  suite      the suite's shared connections to the stack, repointed when a service moves port
  faults     faults injected into the running stack (kill, stop, pause, disconnect) and undone
  api        Arena HTTP client on requests: a Session each, timeouts, exchanges recorded (masked)
  tenants    a fresh tenant per scenario (and "another tenant"): its API client and its rows
  world      the context attributes steps and hooks share, each with its owner (one list)
  phrases    parse types for step phrases (quoted text, decimals, things a tenant owns)
  runs, battles, uploads   waiting on runs, battles and uploads with telling failure messages
  usage      a tenant's usage report against its stored results
  tables     a Then's table against what was seen: only the cells that differ, by row and column
  router     the LiteLLM router: an OpenAI client for it, its routing headers, its ledger (from its logs)
  events     reading Server-Sent Events (run events, streamed answers): sseclient-py over requests
  report     what the Allure report carries: matrix links, environment, executor, failed start
  gateway    the test gateway's inspection API (provider call log)
  probes     read-only checks of PostgreSQL and MongoDB, scoped to one tenant
  footprint  everything a tenant owns in every store, to prove "nothing new is stored"
  scheduler  the beat scheduler's sign of life, as GET /health reports it
  catalogue  the step vocabulary read from the code (docs/WRITING_FEATURES.md), and its snapshot
  deprecation  old phrases kept working for a stated period, saying what to write instead
  fixtures   deterministic seed data from fixtures/
  waits      poll-until (and hold-for) with a deadline and a message that says what was last seen
  secrets    masking of keys and tokens in everything the suite writes
  timing     phase timings printed and written to reports/timings.json
  coverage_map  which scenario ran each line of services/ (coverage.py contexts): made and read back
  mutation/  mutation testing with cosmic-ray: lanes, trials, its distributor, sessions (not for steps)
  cli        `arena-stack`: up (providers, a tenant)/status/ports/logs/down for local debugging
"""
