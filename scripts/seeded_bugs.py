#!/usr/bin/env python3
"""Seeded bugs: does the acceptance suite catch realistic one-line bugs in Arena?

Each bug below is a one-line change to services/ that cosmic-ray's operators cannot make (a wrong
price, a tenant filter dropped, a limit off by a chunk), with the feature(s) its author expected
to catch it. They run by the mutation machinery (harness/mutation/): each bug is written into a
lane's work copy of services/ mounted into a kept stack, the services it touches restart, and the
scenarios the coverage map says run its lines run against it (cosmic-ray's `run_tests` judges:
a failure kills it, a timeout kills it and is said). A bug no scenario runs has survived (not
covered). They are counted apart from cosmic-ray's mutants.

    .venv/bin/python scripts/seeded_bugs.py --list
    .venv/bin/python scripts/seeded_bugs.py [--only ID,ID] [--jobs N] [--json reports/seeded_bugs.json]

Exit status: 0 when every non-equivalent bug was killed, 1 when any survived (or timed out or
could not run), 2 on a bad bug list or a missing coverage map, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from harness.coverage_map import MAP_FILE  # noqa: E402
from harness.mutation import seeded as machinery  # noqa: E402

DEFAULT_TIMEOUT_S = 600


@dataclass(frozen=True)
class Bug:
    id: str
    what: str
    file: str  # relative to services/
    original: str  # occurs exactly once in the file
    replacement: str
    features: tuple[str, ...]  # feature file stems expected to catch it
    equivalent: str | None = None  # why no reachable input can expose it


def bug(id_: str, what: str, file: str, original: str, replacement: str, *features: str,
        equivalent: str | None = None) -> Bug:
    return Bug(id_, what, file, original, replacement, tuple(features), equivalent)


BUGS: list[Bug] = [
    # --- pricing --------------------------------------------------------------------------------
    bug("pricing-swap", "prompt and completion prices swapped", "arena/runs/pricing.py",
        'prices["prompt_per_1k"] * prompt_tokens + prices["completion_per_1k"] * completion_tokens',
        'prices["prompt_per_1k"] * completion_tokens + prices["completion_per_1k"] * prompt_tokens',
        "usage"),
    bug("pricing-rounding", "cost rounded to 3 decimals instead of 6", "arena/runs/pricing.py",
        "return total.quantize(MICRO)", 'return total.quantize(Decimal("0.001"))', "usage"),
    bug("pricing-requested-model", "a result is priced at the requested model, not the model that served it",
        "arena/runs/executor.py",
        "cost=cost(completion.served_model, completion.prompt_tokens, completion.completion_tokens),",
        "cost=cost(run.model, completion.prompt_tokens, completion.completion_tokens),",
        "usage", "retries"),
    bug("pricing-shortest-prefix", "the shortest matching price-table entry wins instead of the longest",
        "arena/runs/pricing.py", "prices = table[max(matches, key=len)]", "prices = table[min(matches, key=len)]",
        "usage",
        equivalent="the stack's price table (fixtures/prices.json: gpt-3.5-turbo, gpt-4o-mini) has no entry that "
                   "is a prefix of another, so no model name matches two entries; only another price table, "
                   "not an API input, could tell"),
    # --- scoring --------------------------------------------------------------------------------
    bug("scoring-case", "answers are compared case-sensitively", "arena/runs/scoring.py",
        'return " ".join(text.strip().lower().split())', 'return " ".join(text.strip().split())',
        "run_lifecycle"),
    bug("scoring-exact-whitespace", "exact_match no longer collapses inner whitespace or case",
        "arena/runs/scoring.py", "return 1.0 if _normalise(output) == _normalise(expected) else 0.0",
        "return 1.0 if output.strip() == expected.strip() else 0.0", "run_lifecycle"),
    bug("scoring-contains-exact", "contains behaves like exact_match", "arena/runs/scoring.py",
        "return 1.0 if _normalise(expected) in _normalise(output) else 0.0",
        "return 1.0 if _normalise(expected) == _normalise(output) else 0.0", "run_lifecycle"),
    bug("scoring-score-max", "a run's score is its best result, not the mean", "arena/runs/executor.py",
        "run.score = session.scalar(select(func.avg(Result.score))",
        "run.score = session.scalar(select(func.max(Result.score))", "run_lifecycle"),
    # --- retries --------------------------------------------------------------------------------
    bug("retry-max-off-by-one", "one attempt more than max_attempts", "arena/runs/executor.py",
        "if failure.retryable and run.model_attempts < run.max_attempts:",
        "if failure.retryable and run.model_attempts <= run.max_attempts:", "retries", "provider_failure"),
    bug("retry-4xx-retryable", "every 4xx (unknown model, refused request) is retried",
        "arena/providers/client.py", "status == 429 or status >= 500", "status == 429 or status >= 400",
        "provider_failure"),
    bug("retry-429-final", "a rate limit (429) is final, not retried", "arena/providers/client.py",
        "status == 429 or status >= 500", "status >= 500", "provider_failure"),
    bug("retry-timeout-final", "a provider timeout is final, not retried", "arena/providers/client.py",
        "return ProviderFailure(True, None, f\"{where} did not answer",
        "return ProviderFailure(False, None, f\"{where} did not answer", "provider_failure"),
    bug("retry-connection-final", "an unreachable provider is final, not retried", "arena/providers/client.py",
        "return ProviderFailure(True, None, f\"{where} could not be reached",
        "return ProviderFailure(False, None, f\"{where} could not be reached", "resilience"),
    bug("retry-after-ignored", "the provider's Retry-After is ignored", "arena/runs/executor.py",
        "delay = max(settings().retry_delay_s, failure.retry_after_s or 0.0)",
        "delay = settings().retry_delay_s", "provider_failure"),
    bug("retry-sdk-retries", "the OpenAI SDK's own retries left on (hides Arena's retry policy)",
        "arena/providers/client.py",
        "return openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0,",
        "return openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=2,", "retries"),
    bug("retry-not-due", "beat dispatches retries before they are due", "arena/runs/retries.py",
        "WHERE status = 'retrying' AND next_attempt_at <= now()", "WHERE status = 'retrying'",
        "provider_failure", "retries"),
    # --- fallbacks ------------------------------------------------------------------------------
    bug("fallback-attempt-uncounted", "the first attempt on a fallback model is not counted in attempts",
        "arena/runs/executor.py", "run.attempts, run.model_attempts = run.attempts + 1, 1",
        "run.attempts, run.model_attempts = run.attempts, 1", "retries"),
    bug("fallback-event-missing", "a fallback is recorded as a 'retrying' event, not 'fallback'",
        "arena/runs/executor.py", 'append_event(session, run, "fallback",',
        'append_event(session, run, "retrying",', "retries"),
    bug("fallback-last-first", "the last fallback model is tried first", "arena/runs/executor.py",
        "previous, run.active_model = run.active_model, remaining[0]",
        "previous, run.active_model = run.active_model, remaining[-1]", "retries"),
    bug("fallback-final-errors", "a final (non-retryable) failure does not fall back", "arena/runs/executor.py",
        "remaining = _fallbacks_after(run)", "remaining = _fallbacks_after(run) if failure.retryable else []",
        "retries", "provider_failure"),
    # --- events and streams ---------------------------------------------------------------------
    bug("events-seq-start", "event numbering starts at 2", "arena/runs/events.py",
        "RunEvent.run_id == run.id)) or 0", "RunEvent.run_id == run.id)) or 1", "run_events"),
    bug("events-resume-duplicate", "Last-Event-ID replays the event it names", "arena/runs/events.py",
        "RunEvent.seq > after_seq", "RunEvent.seq >= after_seq", "run_events"),
    bug("events-resume-skip", "Last-Event-ID skips the event after the one it names", "arena/api/routes/runs.py",
        "    return int(value)", "    return int(value) + 1", "run_events"),
    bug("events-failed-error", "the failed event carries the provider's words, not the run's error",
        "arena/runs/executor.py", 'attempts=run.attempts, error=run.error,',
        'attempts=run.attempts, error=failure.message,', "provider_failure"),
    bug("events-failed-not-terminal", "the stream of a failed run never ends", "arena/runs/events.py",
        'TERMINAL_EVENTS = {"completed", "failed"}', 'TERMINAL_EVENTS = {"completed"}',
        "provider_failure", "run_events"),
    bug("events-completed-attempts", "the completed event reports attempts on the last model only",
        "arena/runs/executor.py", 'score=run.score, attempts=run.attempts,',
        'score=run.score, attempts=run.model_attempts,', "run_events", "retries"),
    bug("events-tenant-leak", "another tenant can follow a run's events", "arena/api/routes/runs.py",
        "            tenant_run(session, tenant, run_id)", "            session.get(Run, run_id)",
        "security", "run_events", "run_lifecycle"),
    bug("events-batch-size", "the stream reads at most 1000 events per poll instead of 500",
        "arena/runs/events.py", "after_seq: int, limit: int = 500)", "after_seq: int, limit: int = 1000)",
        "run_events",
        equivalent="the stream keeps polling from the last id it sent until the terminal event, so the batch "
                   "size changes how many rows one poll reads, never which events are sent or in what order"),
    # --- tenancy on every path ------------------------------------------------------------------
    bug("tenancy-dataset", "GET /datasets/{id} (and runs of it) forget the tenant", "arena/api/routes/datasets.py",
        "if dataset is None or dataset.tenant_id != tenant.id:", "if dataset is None:",
        "security", "run_lifecycle"),
    bug("tenancy-document", "GET /documents/{id} forgets the tenant", "arena/api/routes/documents.py",
        "if document is None or document.tenant_id != tenant.id:", "if document is None:", "security"),
    bug("tenancy-run", "GET /runs/{id} forgets the tenant", "arena/api/routes/runs.py",
        "if run is None or run.tenant_id != tenant.id:", "if run is None:", "security", "run_lifecycle"),
    bug("tenancy-results", "GET /runs/{id}/results skips the ownership check", "arena/api/routes/runs.py",
        "        tenant_run(session, tenant, run_id)\n        results", "        results", "run_lifecycle"),
    bug("tenancy-usage", "GET /usage sums every tenant's results", "arena/api/routes/usage.py",
        "select(Result.served_model, *columns).where(Result.tenant_id == tenant.id)",
        "select(Result.served_model, *columns)", "usage"),
    bug("tenancy-usage-runs", "GET /usage counts every tenant's runs", "arena/api/routes/usage.py",
        ".select_from(Run).where(Run.tenant_id == tenant.id))", ".select_from(Run))", "usage",
        "run_lifecycle"),
    bug("tenancy-battle", "GET /battles/{id} forgets the tenant", "arena/battles/store.py",
        'return battles().find_one({"_id": battle_id, "tenant_id": tenant_id})',
        'return battles().find_one({"_id": battle_id})', "security", "battles"),
    bug("tenancy-leaderboard", "the leaderboard ranks every tenant's battles", "arena/battles/store.py",
        'battles().find({"tenant_id": tenant_id, "status": "completed"})', 'battles().find({"status": "completed"})',
        "battles"),
    bug("tenancy-battle-list", "GET /battles lists every tenant's battles", "arena/battles/store.py",
        'query: dict = {"tenant_id": tenant_id}', "query: dict = {}", "battles", "security"),
    bug("tenancy-idempotency-lookup", "a repeated idempotency key returns whichever tenant's battle has it",
        "arena/api/routes/battles.py",
        'store.battles().find_one({"tenant_id": str(tenant.id), "idempotency_key": key})',
        'store.battles().find_one({"idempotency_key": key})', "battles"),
    bug("tenancy-upload-reuse", "an upload reuses another tenant's dataset with the same content",
        "arena/api/routes/datasets.py", "Dataset.tenant_id == tenant.id, Dataset.checksum == received.sha256",
        "Dataset.checksum == received.sha256", "uploads", "security"),
    # --- uploads --------------------------------------------------------------------------------
    bug("upload-stream-limit", "a body without Content-Length may exceed the limit by the multipart allowance",
        "arena/uploads/receive.py", 'if self.size > self.max_bytes:',
        'if self.size > self.max_bytes + MULTIPART_OVERHEAD:', "uploads"),
    bug("upload-kept-no-rows", "a file refused for having no rows stays in the upload store",
        "arena/api/routes/datasets.py",
        "        received.path.unlink(missing_ok=True)\n        raise ApiError(422, \"validation_error\", "
        "f\"file: '{received.name}' has no rows",
        "        raise ApiError(422, \"validation_error\", f\"file: '{received.name}' has no rows", "uploads"),
    bug("upload-kept-refused", "a file refused while receiving (empty, too big) stays in the upload store",
        "arena/uploads/receive.py", "        self.temp_path.unlink(missing_ok=True)",
        "        pass", "uploads"),
    bug("upload-checksum-md5", "the checksum is MD5, not SHA-256", "arena/uploads/receive.py",
        "digest = hashlib.sha256()", "digest = hashlib.md5()", "uploads"),
    bug("upload-line-numbers", "bad JSONL rows are numbered from 0", "arena/uploads/parsing.py",
        "enumerate(text.splitlines(), start=1)", "enumerate(text.splitlines(), start=0)", "uploads"),
    bug("upload-csv-line-numbers", "bad CSV rows are named one line early", "arena/uploads/parsing.py",
        "_check_row({k.strip(): v for k, v in row.items()}, reader.line_num, parsed)",
        "_check_row({k.strip(): v for k, v in row.items()}, reader.line_num - 1, parsed)", "uploads"),
    bug("upload-bom", "a UTF-8 byte-order mark is kept, spoiling the first row", "arena/uploads/parsing.py",
        'return path.read_bytes().decode("utf-8-sig")', 'return path.read_bytes().decode("utf-8")', "uploads"),
    bug("upload-csv-header-only", "a CSV with only a header is accepted for processing", "arena/uploads/parsing.py",
        'return len(lines) > (1 if extension == ".csv" else 0)', "return len(lines) > 0", "uploads"),
    bug("upload-name-boundary", "a file name of exactly 255 characters is refused", "arena/uploads/receive.py",
        "if len(name) > MAX_NAME_CHARS:", "if len(name) >= MAX_NAME_CHARS:", "uploads"),
    bug("upload-partial-accept", "a file with some bad rows is accepted with its good rows",
        "arena/uploads/processing.py", "        if errors:\n            dataset.status, dataset.errors",
        "        if errors and not parsed.rows:\n            dataset.status, dataset.errors", "uploads"),
    # --- documents ------------------------------------------------------------------------------
    bug("doc-page-count", "pages without text are not counted", "arena/uploads/parsing.py",
        "return PdfText(page_count=len(pages), text=text)",
        "return PdfText(page_count=sum(1 for p in pages if p.strip()), text=text)", "documents"),
    bug("doc-ready-at-upload", "a document is ready before the worker processed it", "arena/api/routes/documents.py",
        'checksum=received.sha256, stored_path="", status="processing")',
        'checksum=received.sha256, stored_path="", status="ready")', "documents"),
    bug("doc-ask-rejected", "a rejected document can be asked", "arena/api/routes/documents.py",
        'if document.status != "ready":', 'if document.status == "processing":', "documents"),
    bug("doc-not-ready-code", "asking a document that is not ready answers the dataset's error code",
        "arena/api/routes/documents.py", 'raise ApiError(409, "document_not_ready",',
        'raise ApiError(409, "dataset_not_ready",', "documents"),
    bug("doc-stream-cut-answered", "a stream cut half-way is presented as a complete answer",
        "arena/api/routes/documents.py", "            if usage is None:", "            if usage is None and not parts:",
        "documents"),
    # --- battles and ratings --------------------------------------------------------------------
    bug("battle-verdict-inverted", "the judge's verdict is read the wrong way round", "arena/battles/runner.py",
        '{"A": (a, b), "B": (b, a), "draw": (None, None)}', '{"A": (b, a), "B": (a, b), "draw": (None, None)}',
        "battles"),
    bug("battle-judge-order", "the judge sees the answers in the other order", "arena/battles/runner.py",
        'judge_prompt(battle["prompt"], contenders[0]["answer"], contenders[1]["answer"])',
        'judge_prompt(battle["prompt"], contenders[1]["answer"], contenders[0]["answer"])', "battles"),
    bug("battle-draw-as-loss", "a draw counts as a loss for the first contender", "arena/battles/rating.py",
        'score_a = 0.5 if battle["draw"] else (1.0 if battle["winner"] == a.model else 0.0)',
        'score_a = 1.0 if battle["winner"] == a.model else 0.0', "battles"),
    bug("battle-elo-k", "Elo K factor 16 instead of 32", "arena/battles/rating.py",
        "START, K = 1000.0, 32.0", "START, K = 1000.0, 16.0", "battles"),
    bug("battle-elo-expected", "Elo expected score computed from the wrong side", "arena/battles/rating.py",
        "10 ** ((opponent - rating) / 400.0)", "10 ** ((rating - opponent) / 400.0)", "battles"),
    bug("battle-failed-rated", "failed battles count on the leaderboard", "arena/battles/store.py",
        '{"tenant_id": tenant_id, "status": "completed"}', '{"tenant_id": tenant_id, "status": {"$ne": "pending"}}',
        "battles"),
    bug("battle-judge-usage-lost", "the judge's token usage is not recorded", "arena/battles/runner.py",
        '"rationale": rationale, "usage": _usage(reply)}', '"rationale": rationale, "usage": None}', "battles"),
    bug("battle-error-unclassified", "a failed battle's error is never marked retryable", "arena/battles/runner.py",
        '"retryable": getattr(failure, "retryable", False)', '"retryable": False', "battles"),
    bug("battle-idempotency-header", "the Idempotency-Key header is ignored", "arena/api/routes/battles.py",
        "key = body.idempotency_key or idempotency_key", "key = body.idempotency_key", "battles"),
    # --- health ---------------------------------------------------------------------------------
    bug("health-mongo-always-ok", "MongoDB is reported up without being asked", "arena/api/routes/health.py",
        '"mongo": lambda: _mongo().admin.command("ping"),', '"mongo": lambda: None,', "platform_health", "resilience"),
    bug("health-postgres-always-ok", "PostgreSQL is reported up without being asked", "arena/api/routes/health.py",
        '"postgres": _postgres,', '"postgres": lambda: None,', "platform_health", "resilience"),
    bug("scheduler-clean-stop-ignored", "a beat that stopped cleanly reads as running until its ticks run out",
        "arena/scheduler.py", "if ago <= stale_after and stopped is None else", "if ago <= stale_after else",
        "retries"),
    # --- recovery -------------------------------------------------------------------------------
    bug("recovery-queued-lost", "beat never re-sends a queued run whose message was lost", "arena/runs/retries.py",
        "(SELECT id FROM runs WHERE status = 'queued'", "(SELECT id FROM runs WHERE status = 'lost'", "resilience"),
    bug("recovery-documents-forgotten", "beat never re-sends a document waiting to be processed",
        "arena/uploads/processing.py", 'for table in ("datasets", "documents")', 'for table in ("datasets",)',
        "resilience"),
    bug("recovery-battles-late", "beat waits minutes, not seconds, before re-sending a lost battle",
        "arena/battles/runner.py", "cutoff, resent = now() - timedelta(seconds=waited_s), 0",
        "cutoff, resent = now() - timedelta(minutes=waited_s), 0", "resilience"),
    bug("recovery-heartbeat-rare", "a worker beats for its run once every 4 stall windows, not 4 times in one",
        "arena/runs/executor.py", "while not stop.wait(window_s / 4):",
        "while not stop.wait(window_s * 4):", "resilience", "worker_pool"),
    bug("recovery-reask-answered", "a resumed run asks again the questions already answered",
        "arena/runs/executor.py", "Sample.dataset_id == attempt.dataset_id, Sample.id.not_in(answered))",
        "Sample.dataset_id == attempt.dataset_id)", "resilience", "retries"),
    bug("recovery-duplicate-message", "a second message for a run being executed starts it again",
        "arena/runs/executor.py", 'if run.status == "running" and _alive(run):',
        'if run.status == "running" and not _alive(run):', "resilience", "worker_pool"),
    # --- limits ---------------------------------------------------------------------------------
    bug("limit-json-body", "the JSON body limit is 10 MB instead of 1 MB", "arena/api/requests.py",
        "MAX_JSON_BYTES = 1_000_000", "MAX_JSON_BYTES = 10_000_000", "errors"),
    bug("limit-attempt-cap", "max_attempts accepts up to 100", "arena/api/schemas.py",
        "max_attempts: int | None = Field(default=None, ge=1, le=10)",
        "max_attempts: int | None = Field(default=None, ge=1, le=100)", "errors"),
    bug("limit-attempt-zero", "max_attempts 0 is accepted (and silently means the default)", "arena/api/schemas.py",
        "max_attempts: int | None = Field(default=None, ge=1, le=10)",
        "max_attempts: int | None = Field(default=None, ge=0, le=10)", "errors"),
    # --- the API's contract: listing, input it cannot store, request ids, concurrency ----------
    bug("listing-runs-tenancy", "GET /runs lists every tenant's runs", "arena/api/routes/runs.py",
        "query = select(Run).where(Run.tenant_id == tenant.id)", "query = select(Run)", "security", "listing"),
    bug("listing-datasets-tenancy", "GET /datasets lists every tenant's datasets", "arena/api/routes/datasets.py",
        "select(Dataset).where(Dataset.tenant_id == tenant.id), Dataset,", "select(Dataset), Dataset,",
        "security", "listing"),
    bug("listing-cursor-repeats", "the next page starts with the last item of the previous one", "arena/api/pages.py",
        "model.created_at == at, model.id < object_id", "model.created_at == at, model.id <= object_id", "listing"),
    bug("listing-oldest-first", "listings are oldest first", "arena/api/pages.py",
        "order_by(model.created_at.desc(), model.id.desc())", "order_by(model.created_at, model.id)", "listing"),
    bug("listing-status-ignored", "GET /runs?status= ignores the status", "arena/api/routes/runs.py",
        "            query = query.where(Run.status == status)", "            query = query", "listing"),
    bug("input-nul-stored", "text with NUL reaches the database", "arena/api/schemas.py",
        "json_schema_extra={\"pattern\": TEXT_PATTERN}), AfterValidator(_storable)]",
        "json_schema_extra={\"pattern\": TEXT_PATTERN})]", "errors"),
    bug("input-duplicate-keys", "a JSON body's repeated key silently keeps the last value", "arena/api/requests.py",
        "value = json.loads(body, object_pairs_hook=_no_duplicate_keys)", "value = json.loads(body)", "errors"),
    bug("errors-no-request-id", "error bodies leave out the request id", "arena/api/errors.py",
        "                                           \"request_id\": request_id}})",
        "                                           }})", "errors"),
    bug("idempotency-reuse-ignored", "a key reused for a different battle returns the first battle",
        "arena/api/routes/battles.py", "            if not _same_battle(existing, body):", "            if False:",
        "battles"),
    bug("events-past-the-end", "a Last-Event-ID past the end waits instead of saying so",
        "arena/api/routes/runs.py", "            if after > last:", "            if after > last + 1_000_000:",
        "run_events"),
    # --- deletion -------------------------------------------------------------------------------
    bug("deletion-files-left", "deleting a tenant leaves its uploaded files", "arena/api/routes/admin.py",
        "shutil.rmtree(Path(settings().upload_dir) / str(tenant_id), ignore_errors=True)",
        "shutil.rmtree(Path(settings().upload_dir) / tenant.name, ignore_errors=True)", "uploads", "security"),
    bug("deletion-all-uploads", "deleting a tenant deletes every tenant's uploaded files", "arena/api/routes/admin.py",
        "shutil.rmtree(Path(settings().upload_dir) / str(tenant_id), ignore_errors=True)",
        "shutil.rmtree(Path(settings().upload_dir), ignore_errors=True)", "uploads", "security"),
    bug("deletion-battles-left", "deleting a tenant leaves its battle documents", "arena/api/routes/admin.py",
        'delete_many({"tenant_id": str(tenant_id)})', 'delete_many({"tenant_id": tenant_id})',
        "battles", "security"),
    # --- usage totals ---------------------------------------------------------------------------
    bug("usage-total-recomputed", "a run's total tokens are recomputed as prompt + completion",
        "arena/runs/executor.py", "run.total_tokens, run.cost = total, spent",
        "run.total_tokens, run.cost = prompt + completion, spent", "usage",
        equivalent="every stored result's total_tokens is its prompt_tokens + completion_tokens "
                   "(arena.providers.client.Completion.total_tokens), so the sum of totals always equals "
                   "the sum of prompts plus the sum of completions"),
]


# --- checking the list ----------------------------------------------------------------------------

def check_bugs(bugs: list[Bug]) -> list[str]:
    """Everything wrong with the bug list; empty when every bug applies exactly once."""
    problems, seen = [], set()
    for b in bugs:
        if b.id in seen:
            problems.append(f"{b.id}: the id is used twice")
        seen.add(b.id)
        path = REPO / "services" / b.file
        if not path.is_file():
            problems.append(f"{b.id}: services/{b.file} does not exist")
            continue
        source = path.read_text(encoding="utf-8")
        count = source.count(b.original)
        if count != 1:
            problems.append(f"{b.id}: the original text occurs {count} times in services/{b.file}, not once: "
                            f"{b.original!r}")
            continue
        if b.original == b.replacement:
            problems.append(f"{b.id}: the replacement changes nothing")
        try:
            compile(source.replace(b.original, b.replacement), str(path), "exec")
        except SyntaxError as err:
            problems.append(f"{b.id}: the mutant of services/{b.file} does not compile: {err}")
        if not b.features:
            problems.append(f"{b.id}: names no feature expected to catch it")
        for feature in b.features:
            if not (REPO / "features" / f"{feature}.feature").is_file():
                problems.append(f"{b.id}: features/{feature}.feature does not exist")
    return problems


# --- outcomes --------------------------------------------------------------------------------------

@dataclass
class Outcome:
    id: str
    status: str  # killed | survived | equivalent | timeout | error
    seconds: float = 0.0
    features: list[str] = field(default_factory=list)
    what: str = ""
    first_failure: str | None = None
    failures: list[str] = field(default_factory=list)  # the failing scenario(s) (the trial stops at the first)
    detail: str | None = None
    log: str | None = None


def outcome_of(bug, word: str, output: str, seconds: float) -> Outcome:
    """The trial's verdict (its ARENA-TRIAL line) in the words of this script."""
    trial = next((json.loads(line.removeprefix("ARENA-TRIAL ")) for line in reversed(output.splitlines())
                  if line.startswith("ARENA-TRIAL ")), {})
    outcome = Outcome(bug.id, "error", round(seconds, 1), list(bug.features), bug.what, log=trial.get("log"))
    if output == "timeout":
        outcome.status, outcome.detail = "timeout", "cosmic-ray's timeout killed the trial"
    elif word == "killed" and trial:
        by = trial.get("by")
        outcome.failures = by if isinstance(by, list) else [str(by)]
        outcome.status, outcome.first_failure = "killed", outcome.failures[0]
    elif word == "survived" and trial.get("verdict") == "not covered":
        outcome.status, outcome.detail = "survived", f"not covered: no scenario runs {trial.get('lines')}"
    elif word == "survived" and trial:
        outcome.status, outcome.detail = "survived", f"{trial.get('ran')} scenario(s) ran it and passed"
    else:
        outcome.detail = output[-500:]
    return outcome


def report_line(o: Outcome) -> str:
    tail = o.first_failure or o.detail or ""
    return f"{o.status:<10} {o.id:<30} {o.seconds:>6.1f} s  [{', '.join(o.features)}]  {tail}".rstrip()


def summarise(outcomes: list[Outcome]) -> tuple[str, bool]:
    by = {s: [o for o in outcomes if o.status == s] for s in
          ("killed", "survived", "stillborn", "equivalent", "timeout", "error")}
    counted = [o for o in outcomes if o.status != "equivalent"]
    rate = 100.0 * len(by["killed"]) / len(counted) if counted else 100.0
    lines = [f"killed {len(by['killed'])} of {len(counted)} ({rate:.1f} %)"
             f"; {len(by['equivalent'])} equivalent not counted"
             + "".join(f"; {len(by[s])} {s}" for s in ("stillborn", "timeout", "error") if by[s])]
    for status in ("survived", "stillborn", "timeout", "error"):
        for o in by[status]:
            lines.append(f"  {status.upper()} {o.id}: {o.what} [features: {', '.join(o.features)}]"
                         + (f" — {o.detail}" if o.detail else ""))
    for o in by["equivalent"]:
        lines.append(f"  EQUIVALENT {o.id}: {o.what} — {o.detail}")
    clean = not (by["survived"] or by["stillborn"] or by["timeout"] or by["error"])
    return "\n".join(lines), clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="check and list the bugs, run nothing")
    parser.add_argument("--only", help="comma-separated bug ids")
    parser.add_argument("--jobs", type=int, default=1, help="lanes (stacks with a work copy each) trying bugs at once")
    parser.add_argument("--json", type=Path, help="write the outcomes to this file (e.g. reports/seeded_bugs.json)")
    parser.add_argument("--run-equivalent", action="store_true", help="run the bugs marked equivalent too")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per bug (cosmic-ray's rule)")
    args = parser.parse_args(argv)

    problems = check_bugs(BUGS)
    if problems:
        print("the bug list is broken:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    bugs = BUGS
    if args.only:
        wanted = [i.strip() for i in args.only.split(",") if i.strip()]
        unknown = sorted(set(wanted) - {b.id for b in BUGS})
        if unknown:
            print(f"unknown bug id(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        bugs = [b for b in BUGS if b.id in wanted]
    if args.list:
        for b in bugs:
            print(f"{b.id:<30} services/{b.file:<32} [{', '.join(b.features)}] {b.what}"
                  + (f"  (equivalent: {b.equivalent})" if b.equivalent else ""))
        print(f"{len(bugs)} bugs, each applies exactly once "
              f"({sum(1 for b in bugs if b.equivalent)} marked equivalent)")
        return 0
    if args.jobs < 1:
        print(f"[config] --jobs={args.jobs} is not allowed: it must be 1 or more", file=sys.stderr)
        return 2
    if not MAP_FILE.exists():
        print(f"[seeded] no coverage map ({MAP_FILE}): run the suite with -D coverage_map=true first", file=sys.stderr)
        return 2

    # A script started in the background by a non-interactive shell inherits SIGINT ignored; a
    # `kill -INT` must still stop it. SIGTERM stops the run like Ctrl-C does.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started_at = datetime.now(UTC)
    outcomes = [Outcome(b.id, "equivalent", features=list(b.features), what=b.what, detail=b.equivalent)
                for b in bugs if b.equivalent and not args.run_equivalent]
    to_run = [b for b in bugs if args.run_equivalent or not b.equivalent]
    lock, stop, interrupted = threading.Lock(), threading.Event(), False
    clock = {"last": time.monotonic()}

    def on_result(bug, word: str, output: str) -> None:
        with lock:
            now = time.monotonic()
            outcome = outcome_of(bug, word, output, now - clock["last"])
            clock["last"] = now
            outcomes.append(outcome)
            print(report_line(outcome), flush=True)

    try:
        machinery.try_all(to_run, args.jobs, args.timeout, on_result, stop)
    except KeyboardInterrupt:
        stop.set()
        interrupted = True
        print("\n[seeded] interrupted: the lanes' stacks are taken down", file=sys.stderr, flush=True)
    order = {b.id: i for i, b in enumerate(BUGS)}
    outcomes = sorted(outcomes, key=lambda o: order.get(o.id, -1))
    summary, clean = summarise(outcomes)
    print(("[seeded] interrupted; the bugs that finished:\n" if interrupted else "") + summary, flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "started_at": started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "interrupted": interrupted,
            "summary": summary.splitlines()[0],
            "outcomes": [asdict(o) for o in outcomes],
        }, indent=2) + "\n")
    if interrupted:
        return 130
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
