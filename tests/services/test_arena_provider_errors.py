"""Provider failures are classified: retryable (429, 5xx, timeouts, connection) or final."""

import httpx
import openai
import pytest

from arena.providers.client import classify_provider_error

REQUEST = httpx.Request("POST", "http://gateway:8080/v1/chat/completions")


def status_error(status: int, headers: dict | None = None) -> openai.APIStatusError:
    response = httpx.Response(status, request=REQUEST, headers=headers or {},
                              json={"error": {"message": "boom from provider"}})
    return openai.APIStatusError("boom", response=response, body={"error": {"message": "boom from provider"}})


@pytest.mark.parametrize(("status", "retryable"), [(429, True), (500, True), (503, True),
                                                   (400, False), (401, False), (404, False)])
def test_status_errors_are_retryable_only_for_rate_limits_and_server_errors(status, retryable):
    failure = classify_provider_error(status_error(status), provider="gateway", model="m")
    assert (failure.retryable, failure.status) == (retryable, status)


def test_the_message_names_provider_model_status_and_the_providers_words():
    failure = classify_provider_error(status_error(500), provider="gateway", model="gpt-x")
    assert failure.message == "provider 'gateway' returned 500 for model 'gpt-x': boom from provider"


def test_retry_after_is_read_from_the_response():
    failure = classify_provider_error(status_error(429, {"Retry-After": "2"}), provider="g", model="m")
    assert failure.retry_after_s == 2.0


def test_timeouts_and_connection_errors_are_retryable():
    timeout = classify_provider_error(openai.APITimeoutError(request=REQUEST), provider="g", model="m")
    refused = classify_provider_error(openai.APIConnectionError(request=REQUEST), provider="g", model="m")
    assert timeout.retryable and "within the timeout" in timeout.message
    assert refused.retryable and "could not be reached" in refused.message


def test_the_served_model_is_the_routers_deployment_when_a_router_names_it():
    from arena.providers.client import served_model

    assert served_model(httpx.Headers({"x-litellm-model-name": "openai/gpt-4o-mini"}), "router-broken") == "gpt-4o-mini"
    assert served_model(httpx.Headers({}), "gpt-3.5-turbo") == "gpt-3.5-turbo"


def test_a_provider_client_is_built_once_per_address_and_key():
    from arena.providers.client import make_client

    first = make_client("http://gateway:8080/v1", "key-a")
    assert make_client("http://gateway:8080/v1", "key-a") is first, "the same provider should reuse its client"
    assert make_client("http://gateway:8080/v1", "key-b") is not first, "a new key should get its own client"
    assert first.max_retries == 0, "the SDK must not retry on its own: Arena's policy decides"
    pool = first._client._transport._pool
    assert pool._max_keepalive_connections == 0, "connections should not be kept between calls"
