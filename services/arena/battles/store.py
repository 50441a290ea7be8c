"""Battle documents in MongoDB (collection `battles`), tenant-scoped.

Only operations that official MongoDB and FerretDB v1 both support: insert_one, find_one,
find with equality filters, $lt, a sort and a limit, update_one with $set (its matched/modified
count serving as a compare-and-set), delete_many, and create_index (plain and unique). No
transactions, change streams, $lookup/$facet or TTL indexes; ratings are computed in Python
(arena.battles.rating).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from pymongo import ASCENDING, DESCENDING, MongoClient
from pymongo.collection import Collection

from arena.config import settings


def now() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def _client() -> MongoClient:
    return MongoClient(settings().mongo_url, serverSelectionTimeoutMS=3000, tz_aware=True,
                       uuidRepresentation="standard")


def battles() -> Collection:
    return _client().get_default_database("arena")["battles"]


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def ensure_indexes() -> None:
    """Once per process (a failure is not remembered: the next battle tries again). On FerretDB
    each create_index, even of an index that exists, takes its catalogue's exclusive lock: four
    per battle queued every request behind any write waiting on SQLite, up to its 10 s busy
    timeout (the API fuzzer saw a 409 take 10.5 s)."""
    collection = battles()
    # One battle per idempotency key and tenant. Battles without a key get `auto:<id>` as theirs,
    # so the unique index needs no partial filter (which FerretDB v1 lacks).
    collection.create_index([("tenant_id", ASCENDING), ("idempotency_key", ASCENDING)], unique=True,
                            name="uniq_tenant_idempotency_key")
    collection.create_index([("tenant_id", ASCENDING), ("created_at", DESCENDING)], name="tenant_created")
    collection.create_index([("tenant_id", ASCENDING), ("status", ASCENDING)], name="tenant_status")
    collection.create_index([("status", ASCENDING), ("sent_at", ASCENDING)], name="status_sent")  # recovery


def find_battle(tenant_id: str, battle_id: str) -> dict | None:
    return battles().find_one({"_id": battle_id, "tenant_id": tenant_id})


def list_battles(tenant_id: str, status: str | None = None, model: str | None = None, limit: int = 100) -> list[dict]:
    query: dict = {"tenant_id": tenant_id}
    if status:
        query["status"] = status
    found = list(battles().find(query).sort("created_at", DESCENDING).limit(limit))
    if model:  # contenders are an array of objects: filtered here to stay within FerretDB v1's reach
        found = [b for b in found if model in (c["model"] for c in b["contenders"])]
    return found


def finished_battles(tenant_id: str) -> list[dict]:
    return list(battles().find({"tenant_id": tenant_id, "status": "completed"}).sort("finished_at", ASCENDING))


def update_battle(battle_id: str, **fields) -> None:
    battles().update_one({"_id": battle_id}, {"$set": {**fields, "updated_at": now()}})
