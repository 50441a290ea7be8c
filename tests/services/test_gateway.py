"""The test gateway, driven by the official openai SDK over real HTTP on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import openai
import pytest
import uvicorn

from gateway.app import app


@pytest.fixture(scope="module")
def base_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the gateway did not start within 10 s"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture()
def client(base_url):
    return openai.OpenAI(base_url=base_url + "/v1", api_key="sk-test", max_retries=0, timeout=5)


def ask(client, model: str, prompt: str = "What is 2 + 3?", user: str = "u1"):
    return client.chat.completions.create(model=model, user=user,
                                          messages=[{"role": "user", "content": prompt}])


def test_terse_model_answers_with_the_fixture_answer_and_counts_words_as_tokens(client):
    completion = ask(client, "gpt-3.5-turbo")  # "What is 2 + 3?" is five words
    assert completion.choices[0].message.content == "5"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (5, 1)


def test_verbose_model_answers_in_a_sentence(client):
    assert ask(client, "gpt-4o-mini").choices[0].message.content == "The answer is 5."


def test_unknown_prompt_gets_a_fixed_answer(client):
    assert ask(client, "gpt-3.5-turbo", prompt="Who are you?").choices[0].message.content == "I don't know."


def test_fail_once_fails_the_first_request_of_each_user_then_succeeds(client):
    model = "gpt-3.5-turbo-fail-once-t1"
    for user in ("alice", "bob"):
        with pytest.raises(openai.InternalServerError):
            ask(client, model, user=user)
        assert ask(client, model, user=user).choices[0].message.content == "5"


def test_always_fail_fails_every_time(client):
    for _ in range(3):
        with pytest.raises(openai.InternalServerError):
            ask(client, "gpt-3.5-turbo-always-fail-t2")


def test_unknown_model_is_404_model_not_found(client):
    with pytest.raises(openai.NotFoundError) as err:
        ask(client, "llama-9000")
    assert err.value.code == "model_not_found"


def test_missing_bearer_token_is_401(base_url):
    response = httpx.post(base_url + "/v1/chat/completions", json={"model": "gpt-3.5-turbo", "messages": []})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_malformed_body_is_400_in_the_openai_error_shape(base_url):
    response = httpx.post(base_url + "/v1/chat/completions", json={"model": "gpt-3.5-turbo"},
                          headers={"Authorization": "Bearer x"})
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}


def test_a_stream_joins_into_the_full_answer_with_usage_and_done(client):
    stream = client.chat.completions.create(
        model="gpt-4o-mini", user="streamer", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "What is 7 * 6?"}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "The answer is 42."
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 1, "expected several chunks"
    assert chunks[-1].usage.total_tokens == 5 + 4


def test_the_call_log_filters_by_user_and_resets_per_user(client, base_url):
    ask(client, "gpt-3.5-turbo", user="log-a")
    ask(client, "gpt-3.5-turbo", user="log-a")
    with pytest.raises(openai.NotFoundError):
        ask(client, "nope", user="log-b")
    calls = httpx.get(base_url + "/_gateway/requests", params={"user": "log-a"}).json()["requests"]
    assert [(c["model"], c["status"]) for c in calls] == [("gpt-3.5-turbo", 200)] * 2
    assert calls[0]["seq"] < calls[1]["seq"]
    httpx.post(base_url + "/_gateway/reset", params={"user": "log-a"})
    assert httpx.get(base_url + "/_gateway/requests", params={"user": "log-a"}).json()["requests"] == []
    remaining = httpx.get(base_url + "/_gateway/requests", params={"user": "log-b"}).json()["requests"]
    assert [c["status"] for c in remaining] == [404]


def test_rate_limited_answers_429_with_retry_after_once_per_user(client, base_url):
    response = httpx.post(base_url + "/v1/chat/completions", headers={"Authorization": "Bearer x"},
                          json={"model": "gpt-3.5-turbo-rate-limited-r", "user": "rl",
                                "messages": [{"role": "user", "content": "What is 2 + 3?"}]})
    assert response.status_code == 429
    assert float(response.headers["Retry-After"]) > 0
    assert ask(client, "gpt-3.5-turbo-rate-limited-r", user="rl").choices[0].message.content == "5"


def test_a_cut_stream_ends_half_way_without_done(base_url):
    with httpx.stream("POST", base_url + "/v1/chat/completions", headers={"Authorization": "Bearer x"},
                      json={"model": "gpt-4o-mini-stream-cut-s", "stream": True,
                            "messages": [{"role": "user", "content": "What is 7 * 6?"}]}) as response:
        body = "".join(response.iter_text())
    assert "[DONE]" not in body and '"finish_reason": "stop"' not in body
    assert '"content": "The"' in body


def test_a_question_about_a_document_is_answered_with_its_best_matching_sentence(client):
    document = "Welcome to Arena. Employees get 25 vacation days per year. Offices open at 9."
    prompt = f"Document:\n{document}\n\nQuestion: How many vacation days do employees get?"
    answer = ask(client, "gpt-3.5-turbo", prompt=prompt).choices[0].message.content
    assert answer == "Employees get 25 vacation days per year."


@pytest.mark.parametrize(("a", "b", "verdict"), [
    ("The answer is 5.", "5", "Winner: A"),  # both correct: the more complete wins
    ("7", "The answer is 5.", "Winner: B"),  # only B is correct
    ("5", "5", "Winner: draw"),
])
def test_the_judge_decides_by_a_documented_rule(client, a, b, verdict):
    prompt = (f"You are judging two answers to the same question.\nQuestion: What is 2 + 3?\n"
              f"Answer A: {a}\nAnswer B: {b}\nReply with ...")
    assert ask(client, "gpt-4o-mini", prompt=prompt).choices[0].message.content.startswith(verdict)
