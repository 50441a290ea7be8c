"""Request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from arena.runs.scoring import SCORERS

# What a blank is, spelled out: the characters str.isspace() counts (those str.strip() removes).
# Never `\s` in a pattern: the fuzzer's ECMA-262 engine, pydantic's Rust one and Python's each
# read it as a different set (U+001C-U+001F, U+0085, U+FEFF), and the schema must say one thing.
BLANKS = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded: both are refused as
# bad input, as is a name of blanks. The pattern says the same to clients and schema-driven tools.
TEXT_PATTERN = rf"^[^\x00]*[^\x00{BLANKS}][^\x00]*$"

# A base URL as it goes on the wire: printable ASCII (an internationalised host or path is sent
# punycoded and percent-encoded), so no blank or control character, in every regex engine.
BASE_URL_PATTERN = r"^https?://[!-~]+$"


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("must be valid Unicode (it contains a lone surrogate)")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def Text(max_length: int, description: str | None = None):  # noqa: N802 - a type, read as one
    """A non-blank string a database can store, at most `max_length` characters."""
    return Annotated[str, Field(min_length=1, max_length=max_length, description=description,
                                json_schema_extra={"pattern": TEXT_PATTERN}), AfterValidator(_storable)]


# Names of things the suite and operators type: providers, models.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$"
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NAME_PATTERN)]
RunStatus = Literal["queued", "running", "retrying", "completed", "failed"]
BattleStatus = Literal["pending", "running", "completed", "failed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TenantCreate(Strict):
    name: Text(200)


class ProviderUpsert(Strict):
    base_url: str = Field(min_length=1, max_length=500, pattern=BASE_URL_PATTERN,
                          description="the OpenAI-compatible base URL, http(s), printable ASCII")
    api_key: Text(500)


class TenantCreated(BaseModel):
    id: uuid.UUID
    name: str
    api_key: str = Field(description="shown once, here; only its hash is stored")
    created_at: datetime


class ProviderOut(BaseModel):
    name: str
    base_url: str
    created_at: datetime


class SampleIn(Strict):
    input: Text(20_000)
    expected: Text(20_000)


class DatasetCreate(Strict):
    name: Text(200)
    # At least one sample: said in the schema, refused by the route with a message that says so.
    samples: list[SampleIn] = Field(max_length=10_000, json_schema_extra={"minItems": 1})


class RunCreate(Strict):
    dataset_id: uuid.UUID
    provider: Name
    model: Name
    # One of the scorers: said in the schema, refused by the route with a message listing them.
    scorer: str = Field(default="exact_match", json_schema_extra={"enum": sorted(SCORERS)})
    fallback_models: list[Name] = Field(default_factory=list, max_length=5)
    max_attempts: int | None = Field(default=None, ge=1, le=10)


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float = 0.0


class Progress(BaseModel):
    done: int
    total: int


class DatasetOut(BaseModel):
    id: uuid.UUID
    name: str
    sample_count: int
    status: str
    source: str
    file_name: str | None = None
    size_bytes: int | None = None
    checksum: str | None = None
    errors: list[dict] | None = None
    reused: bool = False  # an upload of content this tenant already uploaded returns that dataset
    created_at: datetime


class DatasetPage(BaseModel):
    items: list[DatasetOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class DocumentOut(BaseModel):
    id: uuid.UUID
    file_name: str
    size_bytes: int
    checksum: str
    status: str
    page_count: int | None
    text_chars: int | None
    error: str | None
    created_at: datetime


class Question(Strict):
    question: Text(2000)
    provider: Name = "gateway"
    model: Name = "gpt-3.5-turbo"


class RunOut(BaseModel):
    id: uuid.UUID
    dataset_id: uuid.UUID
    provider: str
    model: str
    fallback_models: list[str]
    active_model: str
    scorer: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    progress: Progress
    score: float | None
    error: str | None
    usage: Usage
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class ResultOut(BaseModel):
    sample_id: uuid.UUID
    position: int
    input: str
    expected: str
    output: str
    score: float
    served_model: str
    usage: Usage
    created_at: datetime


class ModelUsage(Usage):
    model: str
    results: int


class TenantUsage(Usage):
    runs: int
    results: int
    by_model: list[ModelUsage]
