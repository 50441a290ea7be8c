"""Listing a tenant's objects newest first, a page at a time, with an opaque cursor.

Keyset pagination on (created_at, id): a page never repeats or skips an object when new ones are
created between requests (an offset would). The cursor is the last object's position, encoded;
a cursor this API did not give out is refused with 422 naming `cursor`.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from sqlalchemy import Select, and_, or_

from arena.errors import invalid

DEFAULT_LIMIT, MAX_LIMIT = 20, 100


def encode_cursor(created_at: datetime, object_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(object_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, object_id = json.loads(raw)
        return datetime.fromisoformat(at), uuid.UUID(object_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise invalid("cursor", "not a cursor this API gave out; use the next_cursor of a previous page") from None


def page(session, query: Select, model, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of `query` (already filtered to the tenant), newest first, and the next cursor."""
    if cursor:
        at, object_id = decode_cursor(cursor)
        query = query.where(or_(model.created_at < at, and_(model.created_at == at, model.id < object_id)))
    rows = list(session.scalars(query.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)
