"""Runs of a tenant: start one (queued, then executed by the worker), follow it, read results."""

from __future__ import annotations

import asyncio
import json
import uuid

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sse_starlette.sse import EventSourceResponse

from arena.api import live_events
from arena.api.auth import current_tenant
from arena.api.contract import TENANT_READ, TENANT_WRITE, errors, event_stream, links
from arena.api.pages import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT, page
from arena.api.providers import find_provider
from arena.api.routes.datasets import tenant_dataset
from arena.api.schemas import Progress, ResultOut, RunCreate, RunOut, RunPage, RunStatus, Usage
from arena.config import settings
from arena.db.models import Provider, Result, Run, RunEvent, Tenant, utcnow
from arena.db.session import session_scope
from arena.errors import ApiError, invalid, not_found
from arena.runs.events import EVENT_TYPES, TERMINAL_EVENTS, append_event, events_after
from arena.runs.scoring import SCORERS
from arena.worker.send import enqueue

router = APIRouter(prefix="/runs")


def run_out(run: Run, provider_name: str) -> RunOut:
    return RunOut(
        id=run.id, dataset_id=run.dataset_id, provider=provider_name, model=run.model,
        fallback_models=run.fallback_models, active_model=run.active_model, scorer=run.scorer,
        status=run.status, attempts=run.attempts, max_attempts=run.max_attempts, next_attempt_at=run.next_attempt_at,
        progress=Progress(done=run.progress_done, total=run.progress_total), score=run.score, error=run.error,
        usage=Usage(prompt_tokens=run.prompt_tokens, completion_tokens=run.completion_tokens,
                    total_tokens=run.total_tokens, cost=float(run.cost or 0)),
        created_at=run.created_at, started_at=run.started_at, finished_at=run.finished_at,
    )


def tenant_run(session: Session, tenant: Tenant, run_id: uuid.UUID) -> Run:
    run = session.get(Run, run_id)
    if run is None or run.tenant_id != tenant.id:
        raise not_found("run", run_id)
    return run


RUN_ID = {"run_id": "$response.body#/id"}


@router.post("", status_code=202, response_model=RunOut, operation_id="startRun",
             responses={202: links(GetRun=("getRun", RUN_ID), GetResults=("getResults", RUN_ID),
                                   FollowEvents=("followRunEvents", RUN_ID)),
                        **TENANT_WRITE, **errors(404, 409)})
def start_run(body: RunCreate, tenant: Tenant = Depends(current_tenant)) -> JSONResponse:
    if body.scorer not in SCORERS:
        raise invalid("scorer", f"unknown scorer '{body.scorer}'; choose one of {', '.join(sorted(SCORERS))}")
    # The run row is committed before its task is sent, so the worker always finds it.
    with session_scope() as session:
        dataset = tenant_dataset(session, tenant, body.dataset_id)
        if dataset.status != "ready":
            raise ApiError(409, "dataset_not_ready", f"dataset '{dataset.id}' is not ready (it is "
                           f"{dataset.status}); start a run once it is ready")
        provider = find_provider(session, body.provider)
        run = Run(tenant_id=tenant.id, dataset_id=dataset.id, provider_id=provider.id, model=body.model,
                  fallback_models=body.fallback_models, active_model=body.model, scorer=body.scorer,
                  status="queued", attempts=0, model_attempts=0, heartbeat_at=utcnow(),
                  max_attempts=body.max_attempts or settings().max_attempts, progress_done=0,
                  progress_total=dataset.sample_count, prompt_tokens=0, completion_tokens=0, total_tokens=0)
        session.add(run)
        session.flush()
        append_event(session, run, "queued", model=run.model, fallback_models=run.fallback_models,
                     total=run.progress_total)
        # The 202 shows the run as accepted. Read back after the task is sent, a quick worker
        # could already have made it "running".
        accepted = run_out(run, provider.name).model_dump(mode="json")
        run_id = run.id
    enqueue("arena.execute_run", run_id)  # if the broker is down, the run waits queued for beat
    return JSONResponse(status_code=202, content=accepted)


@router.get("", response_model=RunPage, responses=TENANT_READ)
def list_runs(tenant: Tenant = Depends(current_tenant),
              status: RunStatus | None = Query(None, description="only runs in this status"),
              limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="runs per page"),
              cursor: str = Query("", pattern=CURSOR_PATTERN,
                                             description="next_cursor of the previous page")
              ) -> RunPage:
    """The tenant's runs, newest first."""
    with session_scope() as session:
        query = select(Run).where(Run.tenant_id == tenant.id)
        if status:
            query = query.where(Run.status == status)
        rows, next_cursor = page(session, query, Run, cursor, limit)
        names = dict(session.execute(select(Provider.id, Provider.name)).all())
        return RunPage(items=[run_out(run, names.get(run.provider_id, "?")) for run in rows], next_cursor=next_cursor)


@router.get("/{run_id}", response_model=RunOut, operation_id="getRun",
            responses={**TENANT_READ, **errors(404)})
def get_run(run_id: uuid.UUID, tenant: Tenant = Depends(current_tenant)) -> RunOut:
    with session_scope() as session:
        run = tenant_run(session, tenant, run_id)
        return run_out(run, session.get(Provider, run.provider_id).name)


@router.get("/{run_id}/results", response_model=list[ResultOut], operation_id="getResults",
            responses={**TENANT_READ, **errors(404)})
def get_results(run_id: uuid.UUID, tenant: Tenant = Depends(current_tenant)) -> list[ResultOut]:
    with session_scope() as session:
        tenant_run(session, tenant, run_id)
        results = session.scalars(select(Result).where(Result.run_id == run_id).order_by(Result.position))
        return [ResultOut(sample_id=r.sample_id, position=r.position, input=r.input, expected=r.expected,
                          output=r.output, score=r.score, served_model=r.served_model,
                          usage=Usage(prompt_tokens=r.prompt_tokens, completion_tokens=r.completion_tokens,
                                      total_tokens=r.total_tokens, cost=float(r.cost)), created_at=r.created_at)
                for r in results]


def _parse_last_event_id(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise ApiError(422, "validation_error", f"Last-Event-ID: expected an event id (a number), got {value[:40]!r}")
    return int(value)


def _has_ended(run_id: uuid.UUID) -> bool:
    """Whether the run is over. Its terminal event is committed with its status, so a read of
    the events made after this answer is True holds the end (the stream reads once more)."""
    with session_scope() as session:
        return session.get(Run, run_id).status in TERMINAL_EVENTS


def _read_events(run_id: uuid.UUID, after: int) -> list[dict]:
    with session_scope() as session:
        return [{"id": str(e.seq), "event": e.type, "data": json.dumps(e.data)}
                for e in events_after(session, run_id, after)]


@router.get("/{run_id}/events", response_class=EventSourceResponse, operation_id="followRunEvents",
            responses={**event_stream("The run's events: `id` is the event's number in the run, `event` its "
                                      "type (queued, started, progress, retrying, fallback, completed, "
                                      "failed), `data` a JSON object.", sorted(EVENT_TYPES)),
                       **TENANT_READ, **errors(404, 409)})
async def run_events(run_id: uuid.UUID, request: Request, tenant: Tenant = Depends(current_tenant),
                     last_event_id: str = Header(default="", pattern=r"^[0-9]{0,18}$",
                                                        description="resume after this event (an id the "
                                                                    "stream sent)")):
    """Server-Sent Events of a run: its whole history (or what follows Last-Event-ID), then live
    events until the terminal one; comment heartbeats while nothing happens."""
    after = _parse_last_event_id(last_event_id)

    def check_access() -> None:
        with session_scope() as session:
            tenant_run(session, tenant, run_id)
            last = session.scalar(select(func.max(RunEvent.seq)).where(RunEvent.run_id == run_id)) or 0
            if after > last:
                # Event ids come from this API only: one past the last stored is a client's mistake.
                raise ApiError(409, "last_event_id_unknown", f"Last-Event-ID: {after} is past the last event of "
                               f"this run ({last}); resume from an id this stream sent")

    await asyncio.to_thread(check_access)

    async def stream():
        nonlocal after
        # Subscribed before the first read; cleared before each read: a notification of an event
        # committed after a read ends the wait after it at once (arena.api.live_events). The wait
        # also ends after a safety-net interval, or the poll interval when push is off or down.
        with live_events.subscribe(run_id) as notified:
            while not await request.is_disconnected():
                notified.clear()
                events = await asyncio.to_thread(_read_events, run_id, after)
                if not events and await asyncio.to_thread(_has_ended, run_id):
                    # The run ended after the read above, or before this stream was resumed. Its
                    # terminal event was committed with its status, so a second read sees it (and
                    # whatever came just before); nothing after it means the client saw the end.
                    events = await asyncio.to_thread(_read_events, run_id, after)
                    if not events:
                        return
                for event in events:
                    yield event
                    after = int(event["id"])
                    if event["event"] in TERMINAL_EVENTS:
                        return
                await notified.wait()

    return EventSourceResponse(stream(), ping=settings().sse_heartbeat_s)
