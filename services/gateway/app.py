"""OpenAI-compatible HTTP surface of the test gateway, plus its inspection endpoints.

Run: `uvicorn gateway.app:app --port 8080` (one process: the call log lives in memory).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse

from gateway.answers import answer_for, count_tokens
from gateway.calllog import CallLog
from gateway.models import CATALOGUE, STREAM_CUT_MARKER, base_model, delay_for, failure_for, render_answer

log = logging.getLogger("gateway")
app = FastAPI(title="Arena test gateway", docs_url=None, redoc_url=None)
app.state.calls = CallLog()


def openai_error(status: int, message: str, type_: str, code: str | None = None,
                 retry_after_s: float | None = None) -> JSONResponse:
    headers = {"Retry-After": f"{retry_after_s:g}"} if retry_after_s is not None else None
    return JSONResponse(status_code=status, headers=headers,
                        content={"error": {"message": message, "type": type_, "param": None, "code": code}})


@app.get("/v1/models")
def list_models() -> dict:
    return {"object": "list",
            "data": [{"id": name, "object": "model", "created": 0, "owned_by": "arena-test-gateway"}
                     for name in CATALOGUE]}


@app.post("/v1/chat/completions")
async def chat_completions(request: Request):
    calls: CallLog = app.state.calls
    if not request.headers.get("authorization", "").startswith("Bearer "):
        return openai_error(401, "Missing bearer token in the Authorization header.",
                            "invalid_request_error", "invalid_api_key")
    try:
        body = await request.json()
    except ValueError:
        return openai_error(400, "The request body is not valid JSON.", "invalid_request_error")
    model, messages = body.get("model"), body.get("messages")
    if not isinstance(model, str) or not isinstance(messages, list) or not messages:
        return openai_error(400, "'model' (a string) and 'messages' (a non-empty list) are required.",
                            "invalid_request_error")
    user, stream = str(body.get("user") or ""), bool(body.get("stream"))

    def respond(status: int, response):
        retry_after = response.headers.get("retry-after") if hasattr(response, "headers") else None
        calls.record(model=model, user=user, stream=stream, status=status, messages=messages,
                     retry_after_s=float(retry_after) if retry_after else None)
        log.info("chat.completions model=%s user=%s stream=%s -> %s", model, user, stream, status)
        return response

    if base_model(model) is None:
        return respond(404, openai_error(404, f"The model '{model}' does not exist.",
                                         "invalid_request_error", "model_not_found"))
    failure = failure_for(model)
    earlier = calls.seen_before(model, user)
    if failure and (not failure.only_first or earlier == 0):
        error_type = "rate_limit_error" if failure.status == 429 else "server_error"
        return respond(failure.status, openai_error(failure.status, failure.message, error_type,
                                                    retry_after_s=failure.retry_after_s))
    if delay := delay_for(model):
        await asyncio.sleep(delay)

    prompt = str(messages[-1].get("content", "")) if isinstance(messages[-1], dict) else ""
    answer, styled = answer_for(prompt)
    answer = render_answer(model, answer) if styled else answer
    prompt_tokens = sum(count_tokens(str(m.get("content", ""))) for m in messages if isinstance(m, dict))
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": count_tokens(answer),
             "total_tokens": prompt_tokens + count_tokens(answer)}
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    if stream:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        events = stream_events(completion_id, created, model, answer, usage if include_usage else None,
                               cut=STREAM_CUT_MARKER in model)
        return respond(200, EventSourceResponse(events, ping=15))
    return respond(200, {
        "id": completion_id, "object": "chat.completion", "created": created, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": usage,
    })


async def stream_events(completion_id: str, created: int, model: str, answer: str, usage: dict | None,
                        cut: bool = False):
    def chunk(delta: dict, finish_reason: str | None = None, with_choices: bool = True, **extra) -> dict:
        choices = [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]
        payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                   "model": model, "choices": choices if with_choices else [], **extra}
        return {"data": json.dumps(payload)}

    yield chunk({"role": "assistant", "content": ""})
    words = answer.split(" ")
    for i, word in enumerate(words):
        if cut and i >= max(1, len(words) // 2):
            return  # the connection ends here: no final chunk, no usage, no [DONE]
        yield chunk({"content": word if i == 0 else " " + word})
    yield chunk({}, finish_reason="stop")
    if usage is not None:
        yield chunk({}, with_choices=False, usage=usage)
    yield {"data": "[DONE]"}


@app.get("/_gateway/requests")
def recorded_requests(user: str | None = None, model: str | None = None) -> dict:
    return {"requests": app.state.calls.calls(user=user, model=model)}


@app.post("/_gateway/reset")
def reset(user: str | None = None) -> dict:
    app.state.calls.reset(user=user)
    return {"reset": user or "all"}


@app.get("/_gateway/health")
def health() -> dict:
    return {"status": "ok"}
