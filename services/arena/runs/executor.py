"""Executing a run: ask the provider each question that has no result yet, score, store once.

Independent of Celery (the worker calls `execute_run`) and of HTTP. Results are written with
INSERT ... ON CONFLICT DO NOTHING on (run_id, sample_id): a re-delivered task never stores a
second result for a sample, and it skips samples already answered.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from arena.db.models import Dataset, Provider, Result, Run, Sample, utcnow
from arena.providers.client import Completion, ProviderFailure, complete, make_client
from arena.runs.scoring import SCORERS

log = logging.getLogger("arena.runs")

TERMINAL = {"completed", "failed"}

# (provider, model, prompt, user) -> Completion; injectable so the logic is testable alone.
Ask = Callable[[Provider, str, str, str], Completion]


def ask_provider(provider: Provider, model: str, prompt: str, user: str) -> Completion:
    client = make_client(provider.base_url, provider.api_key)
    return complete(client, provider=provider.name, model=model, prompt=prompt, user=user)


def run_user(run: Run) -> str:
    """The OpenAI `user` field for a run's calls: lets the provider tell runs and tenants apart."""
    return f"tenant:{run.tenant_id}/run:{run.id}"


def execute_run(session_scope, run_id: uuid.UUID, ask: Ask = ask_provider) -> str:
    """Execute one attempt of a run; return its status afterwards."""
    with session_scope() as session:
        run = session.get(Run, run_id, with_for_update=True)
        if run is None or run.status in TERMINAL:
            return run.status if run else "missing"
        run.status, run.attempts = "running", run.attempts + 1
        run.started_at = run.started_at or utcnow()
        provider = session.get(Provider, run.provider_id)
        session.expunge(provider)
        log.info("run %s attempt %d started (model %s)", run.id, run.attempts, run.model)

    try:
        for sample in _unanswered_samples(session_scope, run_id):
            _answer(session_scope, run_id, sample, provider, ask)
    except ProviderFailure as failure:
        return _fail(session_scope, run_id, failure)
    return _complete(session_scope, run_id)


def _unanswered_samples(session_scope, run_id: uuid.UUID) -> list[Sample]:
    with session_scope() as session:
        run = session.get(Run, run_id)
        answered = select(Result.sample_id).where(Result.run_id == run_id)
        samples = session.scalars(
            select(Sample).join(Dataset, Dataset.id == Sample.dataset_id)
            .where(Dataset.id == run.dataset_id, Sample.id.not_in(answered))
            .order_by(Sample.position)).all()
        for sample in samples:
            session.expunge(sample)
        return list(samples)


def _answer(session_scope, run_id: uuid.UUID, sample: Sample, provider: Provider, ask: Ask) -> None:
    with session_scope() as session:
        run = session.get(Run, run_id)
        model, scorer, user, tenant_id = run.model, run.scorer, run_user(run), run.tenant_id
    completion = ask(provider, model, sample.input, user)
    score = SCORERS[scorer](completion.text, sample.expected)
    with session_scope() as session:
        inserted = session.execute(
            insert(Result).values(
                id=uuid.uuid4(), tenant_id=tenant_id, run_id=run_id, sample_id=sample.id,
                position=sample.position, input=sample.input, expected=sample.expected,
                output=completion.text, score=score, served_model=completion.served_model,
                prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens,
                total_tokens=completion.total_tokens, created_at=utcnow(),
            ).on_conflict_do_nothing(constraint="uq_results_run_sample").returning(Result.id)
        ).first()
        if inserted is None:
            log.info("run %s sample %s already had a result; kept the first", run_id, sample.id)
        _refresh_totals(session, run_id)


def _refresh_totals(session: Session, run_id: uuid.UUID) -> None:
    """Progress and token totals derived from stored results, so they can never double-count."""
    done, prompt, completion, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Result.prompt_tokens), 0),
               func.coalesce(func.sum(Result.completion_tokens), 0),
               func.coalesce(func.sum(Result.total_tokens), 0)).where(Result.run_id == run_id)).one()
    run = session.get(Run, run_id)
    run.progress_done, run.prompt_tokens, run.completion_tokens, run.total_tokens = done, prompt, completion, total


def _complete(session_scope, run_id: uuid.UUID) -> str:
    with session_scope() as session:
        run = session.get(Run, run_id)
        _refresh_totals(session, run_id)
        run.score = session.scalar(select(func.avg(Result.score)).where(Result.run_id == run_id))
        run.status, run.error, run.finished_at = "completed", None, utcnow()
        log.info("run %s completed: score %s over %d samples", run.id, run.score, run.progress_done)
        return run.status


def _fail(session_scope, run_id: uuid.UUID, failure: ProviderFailure) -> str:
    with session_scope() as session:
        run = session.get(Run, run_id)
        run.status, run.error, run.finished_at = "failed", failure.message, utcnow()
        log.warning("run %s failed on attempt %d: %s", run.id, run.attempts, failure.message)
        return run.status
