"""Steps about uploading dataset files: processing, rejection, reuse and the bad-input matrix."""

import csv
import hashlib
import io
import json

from behave import then, when

from harness import (
    fixtures,
    phrases,  # noqa: F401 - registers the Text type used below
    report,
    tables,
)
from harness.api import expect
from harness.footprint import my_footprint
from harness.tenants import another_tenant
from harness.uploads import (
    content_type_of,
    dataset_of_exactly,
    oversized_dataset,
    upload_without_length,
    wait_for_dataset,
)


def _upload(context, file_name: str, content: bytes, raw: bool = False, **kwargs):
    context.footprint_before = my_footprint(context)
    context.uploaded_bytes = content
    if raw:
        context.response = context.me.api.upload_raw("/datasets/upload", file_name.encode(), content)
    else:
        context.response = context.me.api.upload("/datasets/upload", file_name, content,
                                                 content_type=content_type_of(file_name), **kwargs)
    return context.response


@when('I upload the dataset file "{name:Text}"')
@when('I upload the dataset file "{name:Text}" again')
def step_upload_dataset(context, name):
    response = _upload(context, name, fixtures.upload_file(name))
    context.previous_dataset = getattr(context, "dataset", None)
    context.dataset = response.json()
    context.upload_name = name


@then("the upload is accepted for processing")
def step_upload_accepted(context):
    expect(context.response, 202)
    assert (context.dataset["status"], context.dataset["reused"]) == ("processing", False), (
        f"expected a first upload processing and not reused, saw {context.dataset}")


@then("the dataset is ready within {seconds:d} seconds with {rows:d} questions and the file's checksum")
@when("the dataset is ready within {seconds:d} seconds with {rows:d} questions and the file's checksum")
def step_dataset_ready(context, seconds, rows):
    dataset = wait_for_dataset(context.me.api, context.dataset["id"], timeout=seconds)
    assert dataset["status"] == "ready", f"expected the dataset ready, saw {dataset['status']}: {dataset['errors']}"
    assert dataset["sample_count"] == rows, f"expected {rows} questions, saw {dataset['sample_count']}"
    expected_sum = hashlib.sha256(context.uploaded_bytes).hexdigest()
    assert dataset["checksum"] == expected_sum, (
        f"expected the file's checksum {expected_sum}, saw {dataset['checksum']}")
    stored = context.me.rows.samples_of_dataset(dataset["id"])
    assert len(stored) == rows, f"expected {rows} questions of the dataset in the database, saw {len(stored)}"
    context.dataset = dataset


@then("the stored questions are exactly the file's rows, characters intact")
def step_rows_intact(context):
    text = context.uploaded_bytes.decode("utf-8-sig")  # the rows as a person reads them: no byte-order mark
    if context.upload_name.endswith(".jsonl"):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, f"test defect: expected rows in {context.upload_name} to compare, saw none"
    stored = context.me.rows.samples_of_dataset(context.dataset["id"])
    assert [(s["input"], s["expected"]) for s in stored] == [(r["input"], r["expected"]) for r in rows], (
        f"expected the file's rows {[(r['input'], r['expected']) for r in rows]}, "
        f"saw {[(s['input'], s['expected']) for s in stored]} stored")
    context.dataset_samples = [{"input": r["input"], "expected": r["expected"]} for r in rows]


@then("the dataset is rejected within {seconds:d} seconds with these rows named:")
def step_dataset_rejected(context, seconds):
    dataset = wait_for_dataset(context.me.api, context.dataset["id"], timeout=seconds)
    assert dataset["status"] == "rejected", f"expected the dataset rejected, saw {dataset['status']}"
    expected = [row.as_dict() for row in context.table]
    # Each row of the table names one error of the rejection: its line, and words of its reason.
    how = {"key": "line", "ordered": False, "columns": context.table.headings, "same": {"reason": tables.contains}}
    diff = tables.differences(expected, dataset["errors"], **how)
    if diff:
        report.attach_tables("The rows named", tables.side_by_side(expected, dataset["errors"], **how))
    assert not diff, f"expected the rejection to name the rows of the table, saw {diff}"
    context.dataset = dataset


@then("the dataset has no stored questions")
def step_no_questions(context):
    assert context.me.rows.samples_of_dataset(context.dataset["id"]) == [], (
        "expected no stored question of a rejected dataset, saw some")
    assert context.dataset["sample_count"] == 0, (
        f"expected 0 rows on a rejected dataset, saw {context.dataset['sample_count']}")


@then("a run of that dataset is refused because it is not ready")
def step_run_refused_not_ready(context):
    context.footprint_before = my_footprint(context)
    response = context.me.api.start_run(context.dataset["id"], "gpt-3.5-turbo")
    assert response.status_code == 409, f"expected HTTP 409, saw {response.status_code}: {response.text[:300]}"
    error = response.json()["error"]
    assert error["code"] == "dataset_not_ready", f"expected the code dataset_not_ready, saw {error}"
    message = error["message"]
    assert "not ready" in message and context.dataset["status"] in message, (
        f"expected the refusal to say the dataset is not ready, and why ({context.dataset['status']}), "
        f"saw {message!r}")


@then("the second upload returns the first dataset, marked as reused")
def step_reused(context):
    expect(context.response, 200)
    assert context.previous_dataset is not None, "test defect: expected a first upload, saw none"
    assert context.dataset["id"] == context.previous_dataset["id"], (
        f"expected the second upload to reuse dataset {context.previous_dataset['id']}, saw {context.dataset['id']}")
    assert context.dataset["reused"] is True, f"expected the dataset marked reused, saw {context.dataset}"


@then("my tenant has exactly {count:d} dataset with that checksum")
@then("my tenant has exactly {count:d} datasets with that checksum")
def step_datasets_per_checksum(context, count):
    rows = context.me.rows.datasets_with_checksum(context.dataset["checksum"])
    assert len(rows) == count, f"expected {count} dataset(s) with that checksum, saw {len(rows)}"


@when('another tenant uploads the dataset file "{name:Text}"')
def step_other_uploads(context, name):
    other = another_tenant(context)
    response = other.api.upload("/datasets/upload", name, fixtures.upload_file(name),
                                content_type=content_type_of(name))
    context.response = response
    context.other_dataset = response.json()


@then("the other tenant's upload is accepted for processing, not reused")
def step_other_upload_new(context):
    expect(context.response, 202)
    theirs = context.other_dataset
    assert (theirs["status"], theirs["reused"]) == ("processing", False), (
        f"expected another tenant's upload of the same file to be a dataset of its own (processing, not reused), "
        f"saw {theirs}")
    assert theirs["id"] != context.dataset["id"], (
        f"expected another tenant's own dataset, saw mine {context.dataset['id']}")


@then("the other tenant's dataset is ready within {seconds:d} seconds with {rows:d} questions")
def step_other_dataset_ready(context, seconds, rows):
    dataset = wait_for_dataset(context.other.api, context.other_dataset["id"], timeout=seconds)
    assert (dataset["status"], dataset["sample_count"]) == ("ready", rows), (
        f"expected their dataset ready with {rows} questions, saw {dataset}")
    stored = context.other.rows.samples_of_dataset(dataset["id"])
    assert len(stored) == rows, f"expected {rows} questions of their dataset in the database, saw {len(stored)}"


@when("I try to upload a dataset file of {megabytes:d} MB")
def step_try_oversized(context, megabytes):
    _upload(context, "big.jsonl", oversized_dataset(megabytes * 1_000_000))


@when("I try to upload a dataset file of {size:d} bytes")
def step_try_oversized_bytes(context, size):
    _upload(context, "big.jsonl", oversized_dataset(size))


@when("I try to upload a dataset file of {megabytes:d} MB without announcing its size")
def step_try_oversized_chunked(context, megabytes):
    _upload_without_length(context, oversized_dataset(megabytes * 1_000_000))


@when("I try to upload a dataset file of {size:d} bytes without announcing its size")
def step_try_oversized_bytes_chunked(context, size):
    _upload_without_length(context, oversized_dataset(size))


@when("I upload a dataset file of exactly {size:d} bytes")
def step_upload_exact(context, size):
    context.dataset = _upload(context, "exact.jsonl", dataset_of_exactly(size)).json()
    context.upload_name = "exact.jsonl"


@when("I upload a dataset file of exactly {size:d} bytes without announcing its size")
def step_upload_exact_chunked(context, size):
    context.uploaded_bytes = dataset_of_exactly(size)
    _upload_without_length(context, context.uploaded_bytes)
    context.dataset, context.upload_name = context.response.json(), "exact.jsonl"


def _upload_without_length(context, content: bytes) -> None:
    context.footprint_before = my_footprint(context)
    context.response = upload_without_length(context.me.api, "/datasets/upload", "big.jsonl", content)


@when("I upload the dataset under a name of {length:d} characters")
def step_upload_long_name(context, length):
    name = "q" * (length - len(".jsonl")) + ".jsonl"
    response = _upload(context, name, fixtures.upload_file("arithmetic.jsonl"))
    context.dataset, context.upload_name = response.json(), name


@when('I try to upload the file "{name:Text}"')
def step_try_file(context, name):
    _upload(context, name, fixtures.upload_file(name))


@when("I try to upload a form without a file part")
def step_try_no_part(context):
    _upload(context, "arithmetic.jsonl", b"", part=None, fields={"name": "no file here"})


@when('I try to upload the dataset under the name "{name:Text}"')
def step_try_hostile_name(context, name):
    _upload(context, name, fixtures.upload_file("arithmetic.jsonl"), raw=True)


@when("I try to upload the dataset under an empty file name")
def step_try_empty_name(context):
    _upload(context, "", fixtures.upload_file("arithmetic.jsonl"), raw=True)


@when("I try to upload the dataset under a name with a control character")
def step_try_control_name(context):
    _upload(context, "questions\x07.jsonl", fixtures.upload_file("arithmetic.jsonl"), raw=True)


@when("I try to upload the dataset under a name of {length:d} characters")
def step_try_long_name(context, length):
    _upload(context, "q" * (length - len(".jsonl")) + ".jsonl", fixtures.upload_file("arithmetic.jsonl"), raw=True)
