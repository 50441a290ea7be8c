"""Steps about the error contract: raw requests and the shape of what comes back.

The subject of these scenarios is the HTTP contract itself, so methods, paths and bodies are
spelled out in the feature.
"""

import json
import uuid

from behave import then, when

from harness.api import error_of
from harness.footprint import my_footprint

UNKNOWN_ID = str(uuid.UUID(int=0xA11CE))


def _fill(context, text: str) -> str:
    return text.replace("<my dataset>", context.dataset["id"]).replace("<unknown id>", UNKNOWN_ID)


@when("I send {method} {path} with the body {body}")
def step_send(context, method, path, body):
    context.footprint_before = my_footprint(context)
    content = None if body.strip() == "-" else _fill(context, body).encode()
    headers = {"Content-Type": "application/json"} if content is not None else {}
    context.response = context.me.api.request(method, _fill(context, path), content=content, headers=headers)


@when("I send {method} {path} with a JSON body of {megabytes:d} MB")
def step_send_big(context, method, path, megabytes):
    context.footprint_before = my_footprint(context)
    padding = "x" * (megabytes * 1_000_000)
    body = json.dumps({"name": "big", "samples": [{"input": padding, "expected": "x"}]}).encode()
    context.response = context.me.api.request(method, path, content=body, headers={"Content-Type": "application/json"})


@then('the answer is {status:d} with the error code "{code}" and a message naming "{names}"')
def step_error_answer(context, status, code, names):
    response = context.response
    assert response.status_code == status, f"expected HTTP {status}, saw {response.status_code}: {response.text[:400]}"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details", "request_id"}, (
        f"expected the documented error shape (error: code, message, details, request_id), saw {body}")
    # The id a person quotes when reporting this answer: in the body, the header and the API's log.
    request_id = body["error"]["request_id"]
    assert request_id and response.headers.get("X-Request-ID") == request_id, (
        f"expected the error's request id {request_id!r} in the X-Request-ID header, "
        f"saw {response.headers.get('X-Request-ID')!r}")
    error = error_of(response)
    assert error["code"] == code, f"expected the code {code!r}, saw {error['code']!r}"
    assert names.lower() in error["message"].lower(), (
        f"expected the message to name {names!r}, saw {error['message']!r}")
