"""Documents of a tenant: PDF upload (text extracted by the worker) and questions answered as a
stream of Server-Sent Events built from the provider's streaming API."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import openai
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from sse_starlette.sse import EventSourceResponse

from arena.api.auth import current_tenant
from arena.api.contract import TENANT_READ, TENANT_WRITE, errors, event_stream, links, multipart_upload
from arena.api.providers import find_provider
from arena.api.routes.datasets import tenant_store
from arena.api.schemas import DocumentOut, Question
from arena.config import settings
from arena.db.models import Document, Provider, Tenant
from arena.db.session import session_scope
from arena.errors import ApiError, not_found
from arena.providers.client import classify_provider_error, make_async_client
from arena.uploads.receive import move_into_store, receive_file
from arena.worker.send import enqueue

log = logging.getLogger("arena.api")
router = APIRouter(prefix="/documents")
DOCUMENT_FILES = {".pdf": "PDF"}


def document_out(document: Document) -> DocumentOut:
    return DocumentOut(id=document.id, file_name=document.file_name, size_bytes=document.size_bytes,
                       checksum=document.checksum, status=document.status, page_count=document.page_count,
                       text_chars=len(document.text) if document.text else None, error=document.error,
                       created_at=document.created_at)


def tenant_document(session: Session, tenant: Tenant, document_id: uuid.UUID) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.tenant_id != tenant.id:
        raise not_found("document", document_id)
    return document


DOCUMENT_ID = {"document_id": "$response.body#/id"}


@router.post("", status_code=202, response_model=DocumentOut, operation_id="uploadDocument",
             openapi_extra=multipart_upload(", ".join(DOCUMENT_FILES)),
             responses={202: links(GetDocument=("getDocument", DOCUMENT_ID), AskDocument=("askDocument", DOCUMENT_ID)),
                        **TENANT_WRITE, **errors(415)})
async def upload_document(request: Request, tenant: Tenant = Depends(current_tenant)) -> JSONResponse:
    received = await receive_file(request, part="file", max_bytes=settings().upload_max_bytes,
                                  store_dir=tenant_store(tenant.id), allowed_extensions=DOCUMENT_FILES)

    def register() -> DocumentOut:
        with session_scope() as session:
            document = Document(tenant_id=tenant.id, file_name=received.name, size_bytes=received.size,
                                checksum=received.sha256, stored_path="", status="processing")
            session.add(document)
            session.flush()
            stored = move_into_store(received, tenant_store(tenant.id) / f"document-{document.id}.pdf")
            document.stored_path = str(stored)
            return document_out(document)

    body = await asyncio.to_thread(register)
    await asyncio.to_thread(enqueue, "arena.process_document", body.id)  # never block the event loop
    return JSONResponse(status_code=202, content=body.model_dump(mode="json"))


@router.get("/{document_id}", response_model=DocumentOut, operation_id="getDocument",
            responses={**TENANT_READ, **errors(404)})
def get_document(document_id: uuid.UUID, tenant: Tenant = Depends(current_tenant)) -> DocumentOut:
    with session_scope() as session:
        return document_out(tenant_document(session, tenant, document_id))


def build_prompt(text: str, question: str) -> str:
    return f"Document:\n{text}\n\nQuestion: {question}"


@router.post("/{document_id}/ask", response_class=EventSourceResponse, operation_id="askDocument",
             responses={**event_stream("`chunk` events `{\"text\"}` as the provider streams, then one `answer` "
                                       "event `{\"answer\", \"model\", \"usage\"}`, or an `error` event "
                                       "`{\"error\", \"partial\"}`.", ["answer", "chunk", "error"]),
                        **TENANT_WRITE, **errors(404, 409)})
async def ask_document(document_id: uuid.UUID, body: Question, tenant: Tenant = Depends(current_tenant)):
    """Answer a question from a ready document: `chunk` events as the provider streams, then one
    `answer` event with the whole answer and its usage (or an `error` event)."""

    def load() -> tuple[str, Provider]:
        with session_scope() as session:
            document = tenant_document(session, tenant, document_id)
            if document.status != "ready":
                raise ApiError(409, "document_not_ready", f"document '{document.id}' is not ready (it is "
                               f"{document.status}); ask once it is ready")
            provider = find_provider(session, body.provider)
            session.expunge(provider)
            return document.text, provider

    text, provider = await asyncio.to_thread(load)
    client = make_async_client(provider.base_url, provider.api_key)
    user = f"tenant:{tenant.id}/document:{document_id}"

    async def stream():
        parts: list[str] = []
        usage = None
        try:
            response = await client.chat.completions.create(
                model=body.model, temperature=0, user=user, stream=True, stream_options={"include_usage": True},
                messages=[{"role": "user", "content": build_prompt(text, body.question)}])
            async for chunk in response:
                if chunk.usage is not None:
                    usage = chunk.usage.model_dump()
                for choice in chunk.choices:
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        yield {"event": "chunk", "data": json.dumps({"text": choice.delta.content})}
            if usage is None:
                raise openai.APIError("the provider's stream ended before it was complete", request=None, body=None)
            yield {"event": "answer", "data": json.dumps({"answer": "".join(parts), "model": body.model,
                                                          "usage": usage})}
        except openai.APIError as exc:
            failure = classify_provider_error(exc, provider=provider.name, model=body.model)
            log.warning("answer for document %s failed: %s", document_id, failure)
            yield {"event": "error", "data": json.dumps({"error": failure.message, "partial": "".join(parts)})}
        finally:
            await client.close()

    return EventSourceResponse(stream(), ping=settings().sse_heartbeat_s)
