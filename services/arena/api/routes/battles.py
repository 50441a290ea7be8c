"""Battles: two models answer the same prompt, a judge picks the winner; and the leaderboard.

Battle documents live in MongoDB (arena.battles.store); the worker runs them.
"""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from pydantic import Field, field_validator
from pymongo.errors import DuplicateKeyError
from sqlalchemy import select

from arena.api.auth import current_tenant
from arena.api.schemas import Strict
from arena.battles import store
from arena.battles.rating import leaderboard
from arena.db.models import Provider, Tenant
from arena.db.session import session_scope
from arena.errors import invalid, not_found
from arena.worker.send import enqueue

router = APIRouter()


class BattleCreate(Strict):
    prompt: str = Field(min_length=1, max_length=4000)
    contenders: list[str] = Field(min_length=2, max_length=2)
    judge: str = Field(min_length=1, max_length=200)
    provider: str = Field(default="gateway", min_length=1, max_length=100)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("contenders")
    @classmethod
    def two_different_models(cls, value: list[str]) -> list[str]:
        if len(set(value)) != 2 or not all(m.strip() for m in value):
            raise ValueError("a battle needs two different, non-empty model names")
        return value


def battle_out(doc: dict) -> dict:
    out = {("id" if k == "_id" else k): v for k, v in doc.items() if k != "tenant_id"}
    if str(out.get("idempotency_key", "")).startswith("auto:"):
        out["idempotency_key"] = None
    for key, value in out.items():
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
    return out


@router.post("/battles", status_code=202)
async def start_battle(body: BattleCreate, tenant: Tenant = Depends(current_tenant),
                       idempotency_key: str | None = Header(default=None)) -> JSONResponse:
    """202 with the new battle; 200 with the existing one when its idempotency key was seen."""
    key = body.idempotency_key or idempotency_key

    def create() -> tuple[dict, bool]:
        with session_scope() as session:
            if session.scalar(select(Provider.id).where(Provider.name == body.provider)) is None:
                raise invalid("provider", f"unknown provider '{body.provider}'")
        store.ensure_indexes()
        battle_id = str(uuid.uuid4())
        at = store.now()
        doc = {
            "_id": battle_id, "tenant_id": str(tenant.id), "idempotency_key": key or f"auto:{battle_id}",
            "prompt": body.prompt, "provider": body.provider,
            "contenders": [{"model": m, "answer": None, "served_model": None, "usage": None} for m in body.contenders],
            "judge": {"model": body.judge, "verdict": None, "rationale": None, "usage": None},
            "winner": None, "loser": None, "draw": False, "status": "pending", "error": None,
            "created_at": at, "updated_at": at, "sent_at": at, "started_at": None, "finished_at": None,
        }
        try:
            store.battles().insert_one(doc)
            return doc, True
        except DuplicateKeyError:
            return store.battles().find_one({"tenant_id": str(tenant.id), "idempotency_key": key}), False

    doc, created = await asyncio.to_thread(create)
    if created:
        await asyncio.to_thread(enqueue, "arena.run_battle", doc["_id"])  # never block the event loop
    return JSONResponse(status_code=202 if created else 200, content=battle_out(doc))


@router.get("/battles/{battle_id}")
def get_battle(battle_id: uuid.UUID, tenant: Tenant = Depends(current_tenant)) -> dict:
    doc = store.find_battle(str(tenant.id), str(battle_id))
    if doc is None:
        raise not_found("battle", battle_id)
    return battle_out(doc)


@router.get("/battles")
def list_battles(status: str | None = None, model: str | None = None,
                 tenant: Tenant = Depends(current_tenant)) -> list[dict]:
    return [battle_out(doc) for doc in store.list_battles(str(tenant.id), status=status, model=model)]


@router.get("/leaderboard")
def get_leaderboard(tenant: Tenant = Depends(current_tenant)) -> dict:
    standings = leaderboard(store.finished_battles(str(tenant.id)))
    return {"rating": "elo", "start": 1000, "k": 32,
            "models": [{"rank": i, "model": s.model, "rating": round(s.rating, 1), "battles": s.battles,
                        "wins": s.wins, "losses": s.losses, "draws": s.draws}
                       for i, s in enumerate(standings, start=1)]}
