"""Request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TenantCreate(Strict):
    name: str = Field(min_length=1, max_length=200)


class ProviderUpsert(Strict):
    base_url: str = Field(min_length=1, max_length=500)
    api_key: str = Field(min_length=1, max_length=500)


class SampleIn(Strict):
    input: str = Field(min_length=1)
    expected: str = Field(min_length=1)


class DatasetCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    samples: list[SampleIn] = Field(max_length=10_000)


class RunCreate(Strict):
    dataset_id: uuid.UUID
    provider: str = Field(min_length=1, max_length=100)
    model: str = Field(min_length=1, max_length=200)
    scorer: str = "exact_match"
    fallback_models: list[str] = Field(default_factory=list, max_length=5)
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
    question: str = Field(min_length=1, max_length=2000)
    provider: str = Field(default="gateway", min_length=1, max_length=100)
    model: str = Field(default="gpt-3.5-turbo", min_length=1, max_length=200)


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
