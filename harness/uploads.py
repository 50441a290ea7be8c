"""Uploading files and waiting for the worker to process them."""

from __future__ import annotations

import json

from harness.api import ArenaClient
from harness.waits import poll_until

UPLOAD_STORE = "/data/uploads"
CONTENT_TYPES = {".jsonl": "application/x-ndjson", ".csv": "text/csv", ".txt": "text/plain", ".pdf": "application/pdf"}


def content_type_of(name: str) -> str:
    """The content type a browser would send for a file of this name."""
    return next((t for ext, t in CONTENT_TYPES.items() if name.endswith(ext)), "application/octet-stream")


def wait_for_processing(read, object_id: str, kind: str, timeout: float) -> dict:
    """Poll until a dataset or document has left `processing`; return it."""
    return poll_until(lambda: read(object_id), lambda item: item["status"] != "processing", timeout=timeout,
                      what=f"{kind} {object_id} to finish processing",
                      describe=_describe)


def _describe(item: dict) -> str:
    return f"status {item['status']!r}, error {item.get('error') or item.get('errors')}"


def wait_for_dataset(api: ArenaClient, dataset_id: str, timeout: float) -> dict:
    return wait_for_processing(api.dataset, dataset_id, "dataset", timeout)


def wait_for_document(api: ArenaClient, document_id: str, timeout: float) -> dict:
    return wait_for_processing(api.document, document_id, "document", timeout)


def oversized_dataset(size_bytes: int) -> bytes:
    """A well-formed JSONL dataset of more than `size_bytes` bytes, by less than one line (46
    bytes): just over a limit when `size_bytes` is the limit."""
    line = b'{"input": "What is 2 + 3?", "expected": "5"}\n'
    return line * (size_bytes // len(line) + 1)


def dataset_of_exactly(size_bytes: int, line_bytes: int = 1000) -> bytes:
    """A well-formed JSONL dataset of exactly `size_bytes` bytes: questions of `line_bytes` bytes
    each (5,000 rows for 5 MB, not 100,000), the last one padded with blanks before its newline."""
    def line(length: int) -> bytes:
        head = json.dumps({"input": "What is 2 + 3?", "expected": "5"})[:-1]
        filler = length - len(head) - len(', "note": ""}\n')
        return (head + ', "note": "' + "." * filler + '"}\n').encode()

    rows, left = divmod(size_bytes, line_bytes)
    content = line(line_bytes) * rows
    if left:
        content = content[:-1] + b" " * left + b"\n"
    assert len(content) == size_bytes, f"test defect: expected {size_bytes} bytes, saw {len(content)}"
    return content


def upload_without_length(api: ArenaClient, path: str, file_name: str, content: bytes, chunk: int = 256 * 1024):
    """POST a multipart upload in chunks, announcing no Content-Length (chunked transfer encoding):
    the server learns the size only by reading, as from a client that streams a file it is
    still producing."""
    boundary = "arena-suite-chunked"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n"
            f"Content-Type: application/x-ndjson\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        for start in range(0, len(content), chunk):
            yield content[start:start + chunk]
        yield tail

    return api.request("POST", path, content=body(),
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def tenant_upload_dir(tenant_id: str) -> str:
    return f"{UPLOAD_STORE}/{tenant_id}"
