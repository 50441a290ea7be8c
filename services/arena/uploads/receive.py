"""Receiving one uploaded file: streamed to the upload store, never held whole in memory.

The multipart body is parsed as it arrives (python-multipart's push parser); the file part is
written to a temporary file in the tenant's directory of the upload store while it is counted
and hashed. A body that announces more than the limit is refused before it is read; one that
grows past it is cut off as soon as it does. File names are checked, never used as paths.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from arena.errors import ApiError

MAX_NAME_CHARS = 255
MULTIPART_OVERHEAD = 64 * 1024  # headers and boundaries around the file part
MAX_FIELD_BYTES = 4096


@dataclass
class ReceivedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    path: Path
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def extension(self) -> str:
        return Path(self.name).suffix.lower()


def human_size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n} bytes"


def check_file_name(name: str) -> str:
    """The client's file name, if it is a plain, printable, reasonably short name."""
    if not name:
        raise ApiError(422, "validation_error", "file: the file part has no file name")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ApiError(422, "validation_error", f"file name must be a plain name without path separators: {name!r}")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ApiError(422, "validation_error", f"file name contains control characters: {name!r}")
    if len(name) > MAX_NAME_CHARS:
        raise ApiError(422, "validation_error",
                       f"file name is {len(name)} characters long; the limit is {MAX_NAME_CHARS}")
    return name


class _Part:
    def __init__(self) -> None:
        self.headers: dict[str, bytes] = {}  # raw: names in them may be any bytes
        self.name: str | None = None
        self.file_name: str | None = None
        self.buffer = bytearray()


class FileReceiver:
    """One multipart body, received as it streams in: the file part goes to a temporary file in
    the store (counted and hashed on the way), the other parts are kept as short text fields.
    Its methods are python-multipart's callbacks; `receive` drives the parser."""

    def __init__(self, *, part: str, max_bytes: int, temp_path: Path, allowed_extensions: dict[str, str]) -> None:
        self.part, self.max_bytes, self.temp_path = part, max_bytes, temp_path
        self.allowed_extensions = allowed_extensions
        self.current: _Part | None = None
        self.header_field, self.header_value = b"", b""
        self.file = None  # the open temporary file while the file part streams in
        self.size = 0
        self.digest = hashlib.sha256()
        self.file_name: str | None = None
        self.content_type = "application/octet-stream"
        self.fields: dict[str, str] = {}

    def callbacks(self) -> dict:
        return {"on_part_begin": self.on_part_begin, "on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished, "on_part_data": self.on_part_data,
                "on_part_end": self.on_part_end}

    def on_part_begin(self) -> None:
        self.current = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        header = self.header_field.decode("latin-1").lower()
        self.current.headers[header] = self.header_value
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        current = self.current
        # Bytes in, bytes out (python-multipart reads them as latin-1), then names read as UTF-8.
        _, disposition = parse_options_header(current.headers.get("content-disposition", b""))
        current.name = disposition.get(b"name", b"").decode("utf-8", "replace")
        if current.name != self.part:
            return
        raw_name = disposition.get(b"filename")
        name = check_file_name(raw_name.decode("utf-8", "replace") if raw_name is not None else "")
        extension = Path(name).suffix.lower()
        if extension not in self.allowed_extensions:
            kinds = ", ".join(f"{ext} ({kind})" for ext, kind in self.allowed_extensions.items())
            raise ApiError(415, "unsupported_media_type",
                           f"unsupported file type '{extension or name}'; upload one of: {kinds}")
        current.file_name = name
        self.content_type = current.headers.get("content-type", b"application/octet-stream").decode("utf-8", "replace")
        self.file = open(self.temp_path, "wb")  # noqa: SIM115 - closed in on_part_end / close

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.file is not None and self.current.file_name is not None:
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise _too_large(self.size, self.max_bytes, at_least=True)
            self.digest.update(chunk)
            self.file.write(chunk)
            return
        self.current.buffer += chunk
        if len(self.current.buffer) > MAX_FIELD_BYTES:
            raise ApiError(413, "payload_too_large", f"form field '{self.current.name}' is longer than "
                           f"{MAX_FIELD_BYTES} bytes")

    def on_part_end(self) -> None:
        current = self.current
        if current.file_name is not None and self.file is not None:
            self.file.close()
            self.file = None
            self.file_name = current.file_name
        elif current.name:
            self.fields[current.name] = current.buffer.decode("utf-8", "replace")

    def discard(self) -> None:
        """Forget a refused body: close and remove the partial file."""
        if self.file is not None:
            self.file.close()
        self.temp_path.unlink(missing_ok=True)

    async def receive(self, request: Request, boundary: bytes) -> ReceivedFile:
        parser = MultipartParser(boundary, callbacks=self.callbacks())
        try:
            try:
                async for chunk in request.stream():
                    parser.write(chunk)
                parser.finalize()
            except MultipartParseError as exc:
                raise ApiError(400, "bad_request", f"the multipart body cannot be read ({exc}); send the file "
                               f"in a part named '{self.part}' of a well-formed multipart/form-data body") from None
            if self.file_name is None:
                raise ApiError(422, "validation_error", f"{self.part}: the form has no file part named "
                               f"'{self.part}'; attach the file in that part")
            if self.size == 0:
                raise ApiError(422, "validation_error", f"{self.part}: the file '{self.file_name}' is empty")
        except BaseException:
            self.discard()
            raise
        return ReceivedFile(name=self.file_name, content_type=self.content_type, size=self.size,
                            sha256=self.digest.hexdigest(), path=self.temp_path, fields=self.fields)


async def receive_file(request: Request, *, part: str, max_bytes: int, store_dir: Path,
                       allowed_extensions: dict[str, str]) -> ReceivedFile:
    """Receive the multipart part `part` as a file in `store_dir`; refuse what does not fit.

    `allowed_extensions` maps an extension (".csv") to the kind of file it is, for messages.
    """
    media_type, params = parse_options_header(request.headers.get("content-type"))
    if media_type != b"multipart/form-data" or b"boundary" not in params:
        raise ApiError(415, "unsupported_media_type", "send the file as multipart/form-data, in a part named "
                       f"'{part}'")
    announced = request.headers.get("content-length")
    if announced and announced.isdigit() and int(announced) > max_bytes + MULTIPART_OVERHEAD:
        raise _too_large(int(announced), max_bytes)
    store_dir.mkdir(parents=True, exist_ok=True)
    receiver = FileReceiver(part=part, max_bytes=max_bytes, temp_path=store_dir / f".incoming-{uuid.uuid4().hex}",
                            allowed_extensions=allowed_extensions)
    return await receiver.receive(request, params[b"boundary"])


def _too_large(size: int, limit: int, at_least: bool = False) -> ApiError:
    more = "more than " if at_least else ""
    return ApiError(413, "payload_too_large",
                    f"file is {more}{human_size(size)}; the limit is {human_size(limit)}")


def move_into_store(received: ReceivedFile, final_path: Path) -> Path:
    final_path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(received.path, final_path)
    return final_path
