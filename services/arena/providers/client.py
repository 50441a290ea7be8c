"""Calling a provider through the official OpenAI SDK, and classifying what went wrong."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import httpx
import openai

from arena.config import settings


@dataclass(frozen=True)
class Completion:
    text: str
    served_model: str
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ProviderFailure(Exception):
    """A provider call failed. `retryable` says whether trying again later may succeed."""

    retryable: bool
    status: int | None
    message: str
    retry_after_s: float | None = None

    def __str__(self) -> str:
        return self.message


@lru_cache(maxsize=64)
def make_client(base_url: str, api_key: str) -> openai.OpenAI:
    """One client per provider address and key, per process. Building one (an SSL context and a
    connection pool) costs ~50 ms of CPU: once per question before, most of a worker's CPU.
    Connections are not kept between calls: one the provider closes just as it is reused would
    fail an attempt that nothing went wrong with."""
    timeout = httpx.Timeout(settings().provider_timeout_s, connect=3.0)
    # max_retries=0: the SDK would silently retry 429/5xx twice, hiding Arena's own retry policy
    # (and the provider's call log would no longer show one call per attempt).
    return openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout,
                         http_client=openai.DefaultHttpxClient(
                             timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0)))


def make_async_client(base_url: str, api_key: str) -> openai.AsyncOpenAI:
    timeout = settings().provider_timeout_s
    return openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0,
                              timeout=httpx.Timeout(timeout, connect=3.0))


def complete(client: openai.OpenAI, *, provider: str, model: str, prompt: str, user: str) -> Completion:
    try:
        raw = client.chat.completions.with_raw_response.create(
            model=model, temperature=0, user=user, messages=[{"role": "user", "content": prompt}])
        response = raw.parse()
    except openai.APIError as exc:
        raise classify_provider_error(exc, provider=provider, model=model) from exc
    usage = response.usage
    return Completion(
        text=response.choices[0].message.content or "",
        served_model=served_model(raw.headers, response.model or model),
        prompt_tokens=usage.prompt_tokens if usage else 0,
        completion_tokens=usage.completion_tokens if usage else 0,
    )


# A LiteLLM router names the deployment that answered here ("openai/gpt-4o-mini"); the body's `model`
# is the model group asked for, except after a fallback, so it cannot tell which model served.
SERVED_MODEL_HEADER = "x-litellm-model-name"


def served_model(headers: httpx.Headers, reported: str) -> str:
    """The model that served: a router's header (without its provider prefix), else the body's."""
    named = headers.get(SERVED_MODEL_HEADER, "").strip()
    return named.split("/", 1)[-1] if named else reported


def classify_provider_error(exc: Exception, *, provider: str, model: str) -> ProviderFailure:
    """Retryable: rate limits, server errors, timeouts, connection errors. Anything else is final."""
    where = f"provider '{provider}'"
    if isinstance(exc, openai.APITimeoutError):
        return ProviderFailure(True, None, f"{where} did not answer for model '{model}' within the timeout")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderFailure(True, None, f"{where} could not be reached for model '{model}': {exc}")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        detail = _provider_message(exc)
        retry_after = _retry_after(exc.response)
        message = f"{where} returned {status} for model '{model}': {detail}"
        return ProviderFailure(status == 429 or status >= 500, status, message, retry_after)
    return ProviderFailure(False, None, f"{where} failed for model '{model}': {exc}")


def _provider_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(exc.message)


def _retry_after(response: httpx.Response | None) -> float | None:
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
