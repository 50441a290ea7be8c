"""Steps about documents: PDF upload, processing, and questions answered as a stream."""

from behave import then, when

from harness import (
    fixtures,
    phrases,  # noqa: F401 - registers the Text type used below
)
from harness.api import expect
from harness.events import ask_document
from harness.footprint import my_footprint
from harness.gateway import document_user, gateway_tokens
from harness.uploads import wait_for_document


@when('I upload the document "{name:Text}"')
def step_upload_document(context, name):
    context.document_bytes = fixtures.document_file(name)
    response = context.me.api.upload("/documents", name, context.document_bytes, content_type="application/pdf")
    context.document = expect(response, 202)


@then("the document is ready within {seconds:d} seconds with {pages:d} pages")
def step_document_ready(context, seconds, pages):
    document = wait_for_document(context.me.api, context.document["id"], timeout=seconds)
    assert document["status"] == "ready", f"expected the document ready, saw {document['status']!r}: {document}"
    assert document["page_count"] == pages, f"expected {pages} pages, saw {document['page_count']}"
    context.document = document


@then('the document is rejected within {seconds:d} seconds because "{reason:Text}"')
def step_document_rejected(context, seconds, reason):
    document = wait_for_document(context.me.api, context.document["id"], timeout=seconds)
    assert document["status"] == "rejected", f"expected the document rejected, saw {document['status']!r}: {document}"
    assert reason in (document["error"] or ""), f"expected the rejection to say {reason!r}, saw {document['error']!r}"
    assert document["page_count"] is None, (
        f"expected no page count for a rejected document, saw {document['page_count']} pages")
    context.document = document


@when('I ask the document "{question:Text}"')
def step_ask(context, question):
    context.question = question
    context.answer_events = ask_document(context.me.api, context.document["id"], question)


@when('I ask the document "{question:Text}" using the model "{model:Text}"')
def step_ask_with_model(context, question, model):
    context.question = question
    context.answer_events = ask_document(context.me.api, context.document["id"], question, model=model)


@then('the stream ends with an error that says "{text:Text}", keeping the partial answer')
def step_stream_error(context, text):
    events = context.answer_events
    assert events, "expected events on the answer stream, saw none"
    kinds = [event.type for event in events]
    assert "answer" not in kinds, f"expected no complete answer from a broken stream, saw the events {kinds}"
    last = events[-1]
    assert last.type == "error" and text in last.data.get("error", ""), (
        f"expected the stream to end with an error saying {text!r}, saw {last.type} {last.data}")
    chunks = "".join(event.data["text"] for event in events if event.type == "chunk")
    assert chunks and last.data.get("partial") == chunks, (
        f"expected the error to keep the partial answer {chunks!r}, saw {last.data.get('partial')!r}")


@then("the answer arrives in several chunks that join into the final answer")
def step_chunks_join(context):
    chunks = [e.data["text"] for e in context.answer_events if e.type == "chunk"]
    final = context.answer_events[-1]
    assert final.type == "answer", (
        f"expected the stream to end with the answer, saw it end with {final.type}: {final.data}")
    assert len(chunks) > 1, f"expected the answer in several chunks, saw {chunks}"
    assert "".join(chunks) == final.data["answer"], (
        f"expected the chunks to join into {final.data['answer']!r}, saw {chunks}")


@then('the final answer is "{answer:Text}"')
def step_final_answer(context, answer):
    final = context.answer_events[-1]
    assert final.type == "answer" and final.data.get("answer") == answer, (
        f"expected the answer {answer!r}, saw the stream end with {final.type}: {final.data}")


@then("the final event reports the answer's token usage")
def step_answer_usage(context):
    usage = context.answer_events[-1].data["usage"]
    words = len(context.answer_events[-1].data["answer"].split())
    assert usage["completion_tokens"] == words, (
        f"expected {words} completion tokens (the gateway counts words), saw {usage}")
    calls = _document_calls(context)
    assert len(calls) == 1, f"expected one provider call for the question, the gateway saw {len(calls)}"
    prompt_words = sum(gateway_tokens(message["content"]) for message in calls[0]["messages"])
    assert usage["prompt_tokens"] == prompt_words, (
        f"expected {prompt_words} prompt tokens (the words of the prompt sent), saw {usage['prompt_tokens']}")
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"], (
        f"expected total tokens to be prompt + completion, saw {usage}")


def _document_calls(context) -> list[dict]:
    return context.gateway.calls(document_user(context.me.id, context.document["id"]))


@then("the provider was asked once, with the document's text and the question")
def step_provider_saw_document(context):
    calls = _document_calls(context)
    assert len(calls) == 1 and calls[0]["stream"], f"expected one streamed provider call, saw {calls}"
    prompt = calls[0]["messages"][-1]["content"]
    assert "Employees get 25 vacation days per year." in prompt and context.question in prompt, (
        f"expected the prompt to carry the document's sentence and the question {context.question!r}, saw {prompt!r}")


@then("asking it a question is refused because it is not ready")
def step_ask_refused(context):
    context.footprint_before = my_footprint(context)
    response = context.me.api.request("POST", f"/documents/{context.document['id']}/ask",
                                      json={"question": "Anything?"})
    assert response.status_code == 409, f"expected HTTP 409, saw {response.status_code}: {response.text[:300]}"
    error = response.json()["error"]
    assert error["code"] == "document_not_ready", f"expected the code document_not_ready, saw {error}"
    message = error["message"]
    assert "not ready" in message and context.document["status"] in message, (
        f"expected the refusal to say the document is not ready, and why ({context.document['status']}), "
        f"saw {message!r}")


@then("the provider was not asked about the document")
def step_provider_not_asked(context):
    calls = _document_calls(context)
    assert calls == [], f"expected no provider call about a document that is not ready, saw {calls}"
