"""Listing a tenant's objects newest first, a page at a time, with a cursor.

Keyset pagination on (created_at, id): a page never repeats or skips an object when new ones are
created between requests (an offset would). The cursor is the last object's position:
`<microseconds since the epoch>_<id as 32 hex digits>`. Clients pass it back as they got it;
every string of that form is a position (a page after it), anything else is refused with 422.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, or_

from arena.errors import invalid

DEFAULT_LIMIT, MAX_LIMIT = 20, 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# Empty: the first page. 16 digits of microseconds reach the year 2286.
CURSOR_PATTERN = r"^([0-9]{1,16}_[0-9a-f]{32})?$"


def encode_cursor(created_at: datetime, object_id: uuid.UUID) -> str:
    micros = (created_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}_{object_id.hex}"


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    if not re.match(CURSOR_PATTERN, cursor):
        raise invalid("cursor", "not a cursor this API gave out; use the next_cursor of a previous page")
    micros, object_id = cursor.split("_")
    return EPOCH + timedelta(microseconds=int(micros)), uuid.UUID(hex=object_id)


def page(session, query: Select, model, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of `query` (already filtered to the tenant), newest first, and the next cursor."""
    if cursor:
        at, object_id = decode_cursor(cursor)
        query = query.where(or_(model.created_at < at, and_(model.created_at == at, model.id < object_id)))
    rows = list(session.scalars(query.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)
