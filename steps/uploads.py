"""Steps about uploading dataset files: processing, rejection, reuse and the bad-input matrix."""

import csv
import hashlib
import io
import json

from behave import then, when

from harness import fixtures
from harness.api import expect
from harness.uploads import oversized_dataset, tenant_upload_dir, wait_for_dataset

CONTENT_TYPES = {".jsonl": "application/x-ndjson", ".csv": "text/csv", ".txt": "text/plain"}


def _content_type(name: str) -> str:
    return next((t for ext, t in CONTENT_TYPES.items() if name.endswith(ext)), "application/octet-stream")


def _upload(context, file_name: str, content: bytes, raw: bool = False, **kwargs):
    context.stored_before = context.me.rows.counts()
    context.files_before = _stored_files(context)
    context.uploaded_bytes = content
    if raw:
        context.response = context.me.api.upload_raw("/datasets/upload", file_name.encode(), content)
    else:
        context.response = context.me.api.upload("/datasets/upload", file_name, content,
                                                 content_type=_content_type(file_name), **kwargs)
    return context.response


def _stored_files(context) -> list[str] | None:
    if not context.stack.managed:
        return None  # external mode: the upload store is not ours to look into
    return context.stack.files_in("api", tenant_upload_dir(context.me.id))


@when('I upload the dataset file "{name}"')
@when('I upload the dataset file "{name}" again')
def step_upload_dataset(context, name):
    response = _upload(context, name, fixtures.upload_file(name))
    context.previous_dataset = getattr(context, "dataset", None)
    context.dataset = response.json()
    context.upload_name = name


@then("the upload is accepted for processing")
def step_upload_accepted(context):
    expect(context.response, 202)
    assert context.dataset["status"] == "processing", f"a new upload should be processing: {context.dataset}"


@then("the dataset is ready within {seconds:d} seconds with {rows:d} questions and the file's checksum")
@when("the dataset is ready within {seconds:d} seconds with {rows:d} questions and the file's checksum")
def step_dataset_ready(context, seconds, rows):
    dataset = wait_for_dataset(context.me.api, context.dataset["id"], timeout=seconds)
    assert dataset["status"] == "ready", f"expected the dataset ready, it is {dataset['status']}: {dataset['errors']}"
    assert dataset["sample_count"] == rows, f"expected {rows} questions, the dataset has {dataset['sample_count']}"
    assert dataset["checksum"] == hashlib.sha256(context.uploaded_bytes).hexdigest(), "checksum differs from the file"
    context.dataset = dataset


@then("the stored questions are exactly the file's rows, characters intact")
def step_rows_intact(context):
    text = context.uploaded_bytes.decode("utf-8")
    if context.upload_name.endswith(".jsonl"):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    stored = context.me.rows.samples_of_dataset(context.dataset["id"])
    assert [(s["input"], s["expected"]) for s in stored] == [(r["input"], r["expected"]) for r in rows], (
        f"stored {[(s['input'], s['expected']) for s in stored]}")
    context.dataset_samples = [{"input": r["input"], "expected": r["expected"]} for r in rows]


@then("the dataset is rejected within {seconds:d} seconds with these rows named:")
def step_dataset_rejected(context, seconds):
    dataset = wait_for_dataset(context.me.api, context.dataset["id"], timeout=seconds)
    assert dataset["status"] == "rejected", f"expected the dataset rejected, it is {dataset['status']}"
    named = {(str(error["line"]), error["reason"]) for error in dataset["errors"]}
    for row in context.table:
        matches = [reason for line, reason in named if line == row["line"] and row["reason"] in reason]
        assert matches, (
            f"line {row['line']} should be named for {row['reason']!r}; the rejection says {dataset['errors']}")
    assert len(dataset["errors"]) == len(context.table.rows), f"unexpected rows named: {dataset['errors']}"


@then("the dataset has no stored questions")
def step_no_questions(context):
    assert context.me.rows.samples_of_dataset(context.dataset["id"]) == [], "a rejected dataset stored questions"


@then("a run of that dataset is refused because it is not ready")
def step_run_refused_not_ready(context):
    response = context.me.api.start_run(context.dataset["id"], "gpt-3.5-turbo")
    assert response.status_code == 409, f"expected 409, got {response.status_code}: {response.text}"
    assert "rejected" in response.json()["error"]["message"], response.text


@then("the second upload returns the first dataset, marked as reused")
def step_reused(context):
    expect(context.response, 200)
    assert context.dataset["id"] == context.previous_dataset["id"], (
        f"the second upload made dataset {context.dataset['id']}, not {context.previous_dataset['id']}")
    assert context.dataset["reused"] is True, context.dataset


@then("my tenant has exactly one dataset with that checksum")
def step_one_dataset_per_checksum(context):
    rows = context.me.rows.datasets_with_checksum(context.dataset["checksum"])
    assert len(rows) == 1, f"expected one dataset with that checksum, found {len(rows)}"


@when("I try to upload a dataset file of {megabytes:d} MB")
def step_try_oversized(context, megabytes):
    _upload(context, "big.jsonl", oversized_dataset(megabytes * 1_000_000))


@when('I try to upload the file "{name}"')
def step_try_file(context, name):
    _upload(context, name, fixtures.upload_file(name))


@when("I try to upload a form without a file part")
def step_try_no_part(context):
    _upload(context, "arithmetic.jsonl", b"", part=None, fields={"name": "no file here"})


@when('I try to upload the dataset under the name "{name}"')
def step_try_hostile_name(context, name):
    _upload(context, name, fixtures.upload_file("arithmetic.jsonl"), raw=True)


@when("I try to upload the dataset under a name with a control character")
def step_try_control_name(context):
    _upload(context, "questions\x07.jsonl", fixtures.upload_file("arithmetic.jsonl"), raw=True)


@when("I try to upload the dataset under a name of {length:d} characters")
def step_try_long_name(context, length):
    _upload(context, "q" * (length - len(".jsonl")) + ".jsonl", fixtures.upload_file("arithmetic.jsonl"), raw=True)


@then("the upload store holds no file for my tenant beyond those of accepted uploads")
def step_no_stray_files(context):
    if context.files_before is None:
        return  # external mode: the store cannot be inspected (the database check above still ran)
    after = _stored_files(context)
    assert after == context.files_before, f"the upload store changed from {context.files_before} to {after}"
