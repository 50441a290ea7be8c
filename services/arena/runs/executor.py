"""Executing a run: ask the provider each question that has no result yet, score, store once.

Independent of Celery (the worker calls `execute_run`) and of HTTP. Results are written with
INSERT ... ON CONFLICT DO NOTHING on (run_id, sample_id): a re-delivered task never stores a
second result for a sample, and it skips samples already answered.

When the provider fails (arena.providers.client.classify_provider_error):
  retryable, attempts left on this model  -> `retrying`, with the time of the next attempt
                                             (beat dispatches it: arena.runs.retries)
  otherwise, a fallback model is left     -> switch to it and go on at once
  otherwise                               -> `failed`, with the provider's error
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from arena.config import settings
from arena.db.models import Provider, Result, Run, Sample, utcnow
from arena.providers.client import Completion, ProviderFailure, complete, make_client
from arena.runs.events import append_event
from arena.runs.pricing import cost
from arena.runs.scoring import SCORERS

log = logging.getLogger("arena.runs")

TERMINAL = {"completed", "failed"}
RUNNABLE = {"queued", "running"}  # "running": a task re-delivered after its worker died

# (provider, model, prompt, user) -> Completion; injectable so the logic is testable alone.
Ask = Callable[[Provider, str, str, str], Completion]


def ask_provider(provider: Provider, model: str, prompt: str, user: str) -> Completion:
    client = make_client(provider.base_url, provider.api_key)
    return complete(client, provider=provider.name, model=model, prompt=prompt, user=user)


def run_user(run: Run) -> str:
    """The OpenAI `user` field for a run's calls: lets the provider tell runs and tenants apart."""
    return f"tenant:{run.tenant_id}/run:{run.id}"


@dataclass(frozen=True)
class Attempt:
    """What one attempt needs, read once under the run's lock."""

    run_id: uuid.UUID
    tenant_id: uuid.UUID
    dataset_id: uuid.UUID
    model: str
    scorer: str
    user: str
    provider: Provider


def execute_run(session_scope, run_id: uuid.UUID, ask: Ask = ask_provider) -> str:
    """Execute one attempt of a run (going on with fallbacks); return its status afterwards."""
    attempt = _start_attempt(session_scope, run_id)
    if not isinstance(attempt, Attempt):
        return attempt
    with _heartbeat(session_scope, run_id) as alive:
        while True:
            try:
                for sample in _unanswered_samples(session_scope, attempt):
                    alive()
                    _answer(session_scope, attempt, sample, ask)
                return _complete(session_scope, run_id)
            except ProviderFailure as failure:
                outcome = _after_failure(session_scope, run_id, failure)
                if not isinstance(outcome, Attempt):
                    return outcome
                attempt = outcome


BEAT = text("UPDATE runs SET heartbeat_at = now() WHERE id = :id AND status = 'running'")


@contextmanager
def _heartbeat(session_scope, run_id: uuid.UUID) -> Iterator[Callable[[], None]]:
    """While the body executes the run, a thread refreshes its heartbeat every quarter of the
    stall window, so a dead worker shows within one window (beat then resumes the run elsewhere)
    however long a provider call takes. The body calls `alive()` before each question; if it
    makes no progress for longer than a question can take (a hung worker), the beats stop too."""
    window_s = settings().stalled_run_s
    longest_question_s = 2 * settings().provider_timeout_s + window_s
    last_progress = [time.monotonic()]
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(window_s / 4):
            if time.monotonic() - last_progress[0] > longest_question_s:
                log.warning("run %s made no progress for %.0f s: no more heartbeats", run_id, longest_question_s)
                return
            try:
                with session_scope() as session:
                    session.execute(BEAT, {"id": run_id})
            except Exception as exc:  # noqa: BLE001 - the database may be down: the next beat tries again
                log.warning("could not record run %s's heartbeat: %s", run_id, exc)

    thread = threading.Thread(target=beat, name=f"heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield lambda: last_progress.__setitem__(0, time.monotonic())
    finally:
        stop.set()
        thread.join(timeout=5)  # a beat stuck on an unreachable database must not hold the task


def _start_attempt(session_scope, run_id: uuid.UUID) -> Attempt | str:
    with session_scope() as session:
        run = session.get(Run, run_id, with_for_update=True)
        if run is None:
            return "missing"
        if run.status not in RUNNABLE:
            log.info("run %s is %s: nothing to execute", run_id, run.status)
            return run.status
        if run.status == "running" and _alive(run):
            # A second message for a run another worker is executing (sent again by the recovery
            # of lost messages, or re-delivered by the broker): that worker finishes it.
            log.info("run %s is being executed by another worker: ignoring this message", run_id)
            return run.status
        run.status, run.attempts, run.model_attempts = "running", run.attempts + 1, run.model_attempts + 1
        run.started_at, run.next_attempt_at, run.heartbeat_at = run.started_at or utcnow(), None, utcnow()
        append_event(session, run, "started", attempt=run.attempts, model=run.active_model)
        log.info("run %s attempt %d started (model %s)", run.id, run.attempts, run.active_model)
        return _attempt_of(session, run)


def _alive(run: Run) -> bool:
    """Whether the run's worker gave a sign of life recently enough to be still at work."""
    return run.heartbeat_at is not None and utcnow() - run.heartbeat_at < timedelta(seconds=settings().stalled_run_s)


def _attempt_of(session: Session, run: Run) -> Attempt:
    provider = session.get(Provider, run.provider_id)
    session.expunge(provider)
    return Attempt(run_id=run.id, tenant_id=run.tenant_id, dataset_id=run.dataset_id, model=run.active_model,
                   scorer=run.scorer, user=run_user(run), provider=provider)


def _unanswered_samples(session_scope, attempt: Attempt) -> list[Sample]:
    with session_scope() as session:
        answered = select(Result.sample_id).where(Result.run_id == attempt.run_id)
        samples = list(session.scalars(
            select(Sample).where(Sample.dataset_id == attempt.dataset_id, Sample.id.not_in(answered))
            .order_by(Sample.position)))
        for sample in samples:
            session.expunge(sample)
        return samples


def _answer(session_scope, attempt: Attempt, sample: Sample, ask: Ask) -> None:
    completion = ask(attempt.provider, attempt.model, sample.input, attempt.user)
    score = SCORERS[attempt.scorer](completion.text, sample.expected)
    with session_scope() as session:
        run = session.get(Run, attempt.run_id, with_for_update=True)
        inserted = session.execute(
            insert(Result).values(
                id=uuid.uuid4(), tenant_id=attempt.tenant_id, run_id=attempt.run_id, sample_id=sample.id,
                position=sample.position, input=sample.input, expected=sample.expected,
                output=completion.text, score=score, served_model=completion.served_model,
                prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens,
                total_tokens=completion.total_tokens,
                cost=cost(completion.served_model, completion.prompt_tokens, completion.completion_tokens),
                worker=socket.gethostname(), created_at=utcnow(),
            ).on_conflict_do_nothing(constraint="uq_results_run_sample").returning(Result.id)
        ).first()
        if inserted is None:
            log.info("run %s sample %s already had a result; kept the first", run.id, sample.id)
            return
        _refresh_totals(session, run)
        append_event(session, run, "progress", done=run.progress_done, total=run.progress_total,
                     position=sample.position, score=score, served_model=completion.served_model)


def _refresh_totals(session: Session, run: Run) -> None:
    """Progress, tokens and cost derived from stored results, so they can never double-count."""
    done, prompt, completion, total, spent = session.execute(
        select(func.count(), func.coalesce(func.sum(Result.prompt_tokens), 0),
               func.coalesce(func.sum(Result.completion_tokens), 0),
               func.coalesce(func.sum(Result.total_tokens), 0),
               func.coalesce(func.sum(Result.cost), 0)).where(Result.run_id == run.id)).one()
    run.progress_done, run.prompt_tokens, run.completion_tokens = done, prompt, completion
    run.total_tokens, run.cost = total, spent


def _complete(session_scope, run_id: uuid.UUID) -> str:
    with session_scope() as session:
        run = session.get(Run, run_id, with_for_update=True)
        _refresh_totals(session, run)
        run.score = session.scalar(select(func.avg(Result.score)).where(Result.run_id == run_id))
        run.status, run.error, run.finished_at = "completed", None, utcnow()
        append_event(session, run, "completed", status="completed", score=run.score, attempts=run.attempts,
                     usage=usage_of(run))
        log.info("run %s completed: score %s over %d samples", run.id, run.score, run.progress_done)
        return run.status


def _after_failure(session_scope, run_id: uuid.UUID, failure: ProviderFailure) -> Attempt | str:
    with session_scope() as session:
        run = session.get(Run, run_id, with_for_update=True)
        run.error = failure.message
        if failure.retryable and run.model_attempts < run.max_attempts:
            delay = max(settings().retry_delay_s, failure.retry_after_s or 0.0)
            run.status, run.next_attempt_at = "retrying", utcnow() + timedelta(seconds=delay)
            append_event(session, run, "retrying", attempt=run.attempts, model=run.active_model,
                         error=failure.message, retryable=True, next_attempt_at=run.next_attempt_at.isoformat())
            log.warning("run %s attempt %d failed, retry in %.1f s: %s", run.id, run.attempts, delay, failure)
            return run.status
        remaining = _fallbacks_after(run)
        if remaining:
            previous, run.active_model = run.active_model, remaining[0]
            run.attempts, run.model_attempts = run.attempts + 1, 1
            append_event(session, run, "fallback", attempt=run.attempts, model=run.active_model,
                         replaces=previous, error=failure.message)
            log.warning("run %s falls back from %s to %s: %s", run.id, previous, run.active_model, failure)
            return _attempt_of(session, run)
        run.status, run.finished_at = "failed", utcnow()
        why = "not retryable" if not failure.retryable else f"{run.model_attempts} attempt(s) on this model"
        run.error = f"{failure.message} ({why})"
        append_event(session, run, "failed", status="failed", attempts=run.attempts, error=run.error,
                     usage=usage_of(run))
        log.warning("run %s failed after %d attempt(s): %s", run.id, run.attempts, run.error)
        return run.status


def _fallbacks_after(run: Run) -> list[str]:
    chain = [run.model, *run.fallback_models]
    return chain[chain.index(run.active_model) + 1:] if run.active_model in chain else []


def usage_of(run: Run) -> dict:
    return {"prompt_tokens": run.prompt_tokens, "completion_tokens": run.completion_tokens,
            "total_tokens": run.total_tokens, "cost": float(run.cost or 0)}
