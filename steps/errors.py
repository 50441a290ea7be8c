"""Steps about the error contract: raw requests and the shape of what comes back.

The subject of these scenarios is the HTTP contract itself, so methods, paths and bodies are
spelled out in the feature.
"""

import json
import uuid

from behave import then, when

from harness.api import error_of, expect
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


@when("I send {method} {path} with a JSON list nested {depth:d} levels deep")
def step_send_nested(context, method, path, depth):
    context.footprint_before = my_footprint(context)
    body = ("[" * depth + "]" * depth).encode()
    context.response = context.me.api.request(method, path, content=body, headers={"Content-Type": "application/json"})


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


@then('the answer lists the allowed methods as "{allowed}"')
def step_allowed_methods(context, allowed):
    # "-": none; only a 405 says what is allowed (RFC 9110), and only there is an Allow header.
    seen = context.response.headers.get("Allow")
    expected = None if allowed.strip() == "-" else allowed
    assert seen == expected, (f"expected {'no Allow header' if expected is None else f'Allow: {expected}'}, "
                              f"saw {'none' if seen is None else f'Allow: {seen}'}")


@when("I read the API's published document")
def step_read_openapi(context):
    context.openapi = expect(context.me.api.request("GET", "/openapi.json"), 200)


@then('it documents for {method} {path} exactly the answers "{answers}", every refusal in the error shape')
def step_documented_answers(context, method, path, answers):
    operation = context.openapi["paths"].get(path, {}).get(method.lower())
    assert operation is not None, f"expected the document to describe {method} {path}, saw no such operation"
    expected = [answer.strip() for answer in answers.split(",")]
    seen = sorted(operation["responses"])
    assert seen == expected, f"expected {method} {path} to document {expected}, saw {seen}"
    for status in (s for s in seen if s >= "400"):
        schema = operation["responses"][status].get("content", {}).get("application/json", {}).get("schema")
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (
            f"expected {method} {path}'s {status} in the error shape (ErrorBody), saw {schema}")
