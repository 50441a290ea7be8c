"""Parsing uploaded files: dataset rows (JSONL, CSV) and PDF text. Pure functions of a path.

Every bad row is reported with its line number and a reason a person can fix it by.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

REQUIRED = ("input", "expected")
MAX_CSV_COLUMNS = 100         # input, expected and notes; not a spreadsheet
MAX_PDF_PAGES = 1_000         # counted before any text is extracted
MAX_PDF_TEXT_CHARS = 2_000_000  # a compression bomb stops here, not at the memory limit


@dataclass
class ParsedRows:
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def _check_row(row: object, line: int, parsed: ParsedRows) -> None:
    if not isinstance(row, dict):
        parsed.errors.append({"line": line, "reason": "a row must be an object with input and expected"})
        return
    for key in REQUIRED:
        value = row.get(key)
        if value is None:
            parsed.errors.append({"line": line, "reason": f'missing "{key}"'})
            return
        if not isinstance(value, str) or not value.strip():
            parsed.errors.append({"line": line, "reason": f'"{key}" must be non-empty text'})
            return
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            # PostgreSQL cannot store either: refused here, by line, rather than failing the insert.
            parsed.errors.append({"line": line, "reason": f'"{key}" contains a NUL character or a lone surrogate'})
            return
    parsed.rows.append({"input": row["input"], "expected": row["expected"]})


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start})") from None


def parse_jsonl(text: str) -> ParsedRows:
    parsed = ParsedRows()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.errors.append({"line": number, "reason": f"not valid JSON ({exc.msg})"})
            continue
        _check_row(row, number, parsed)
    return parsed


def parse_csv(text: str) -> ParsedRows:
    parsed = ParsedRows()
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [key for key in REQUIRED if key not in header]
    if missing:
        parsed.errors.append({"line": 1, "reason": f"the header must name the columns input and expected "
                                                   f"(missing {', '.join(missing)})"})
        return parsed
    if len(header) > MAX_CSV_COLUMNS:
        parsed.errors.append({"line": 1, "reason": f"the header has {len(header):,} columns; a dataset needs "
                                                   f"input and expected (at most {MAX_CSV_COLUMNS} columns)"})
        return parsed
    try:
        for row in reader:
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue
            if None in row:
                parsed.errors.append({"line": reader.line_num, "reason": "more values than header columns"})
                continue
            _check_row({k.strip(): v for k, v in row.items()}, reader.line_num, parsed)
    except csv.Error as exc:
        parsed.errors.append({"line": reader.line_num, "reason": f"not valid CSV ({exc})"})
    return parsed


PARSERS = {".jsonl": parse_jsonl, ".csv": parse_csv}


def has_rows(text: str, extension: str) -> bool:
    """Does the file hold anything that could be a row? (An empty dataset is refused at once.)"""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) > (1 if extension == ".csv" else 0)


class TooLarge(Exception):
    pass


@dataclass
class PdfText:
    page_count: int
    text: str


def extract_pdf(path: Path) -> PdfText:
    """Page count and text of a PDF; ValueError with a reason for what cannot be read."""
    try:
        reader = PdfReader(path)
        encrypted = reader.is_encrypted
        count = 0 if encrypted else len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise TooLarge(f"the PDF has {count:,} pages; the limit is {MAX_PDF_PAGES:,}")
        pages, chars = [], 0
        for page in [] if encrypted else reader.pages:
            pages.append((page.extract_text() or "").replace("\x00", ""))  # PostgreSQL text holds no NUL
            chars += len(pages[-1])
            if chars > MAX_PDF_TEXT_CHARS:
                raise TooLarge(f"the PDF's text is over {MAX_PDF_TEXT_CHARS:,} characters (by page {len(pages)})")
    except TooLarge as exc:
        raise ValueError(str(exc)) from None
    except Exception as exc:  # pypdf raises many kinds for damaged files; all mean the same to a user
        raise ValueError(f"not a readable PDF ({type(exc).__name__}: {exc})"[:300]) from None
    if encrypted:
        raise ValueError("the PDF is encrypted; upload a copy without a password")
    text = "\n".join(pages).strip()
    if not text:
        raise ValueError("the PDF has no extractable text (is it a scan?)")
    return PdfText(page_count=len(pages), text=text)
