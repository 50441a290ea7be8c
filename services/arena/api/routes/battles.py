"""Battles: two models answer the same prompt, a judge picks the winner; and the leaderboard.

Battle documents live in MongoDB (arena.battles.store); the worker runs them.
"""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pymongo.errors import DuplicateKeyError

from arena.api.auth import current_tenant
from arena.api.contract import TENANT_READ, TENANT_WRITE, errors, links
from arena.api.providers import find_provider
from arena.api.schemas import BattleStatus, Name, Strict, Text
from arena.battles import store
from arena.battles.rating import leaderboard
from arena.db.models import Tenant
from arena.db.session import session_scope
from arena.errors import ApiError, not_found
from arena.worker.send import enqueue

router = APIRouter()


class BattleCreate(Strict):
    prompt: Text(4000)
    contenders: list[Name] = Field(min_length=2, max_length=2, json_schema_extra={"uniqueItems": True},
                                   description="two different models")
    judge: Name
    provider: Name = "gateway"
    idempotency_key: Text(200, "the same key again returns the battle it made (or header Idempotency-Key)") | None = (
        None)

    @field_validator("contenders")
    @classmethod
    def two_different_models(cls, value: list[str]) -> list[str]:
        if len(set(value)) != 2:
            raise ValueError("a battle needs two different, non-empty model names")
        return value


class Contender(BaseModel):
    model: str
    answer: str | None
    served_model: str | None
    usage: dict | None


class Judge(BaseModel):
    model: str
    verdict: str | None
    rationale: str | None
    usage: dict | None


class BattleOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    idempotency_key: str | None
    prompt: str
    provider: str
    contenders: list[Contender]
    judge: Judge
    winner: str | None
    loser: str | None
    draw: bool
    status: BattleStatus
    error: dict | None = Field(description="why a failed battle failed: {message, retryable, status}")
    created_at: str


class Standing(BaseModel):
    rank: int
    model: str
    rating: float
    battles: int
    wins: int
    losses: int
    draws: int


class Leaderboard(BaseModel):
    rating: str
    start: int
    k: int
    models: list[Standing]


def _same_battle(doc: dict, body: BattleCreate) -> bool:
    return (doc["prompt"], [c["model"] for c in doc["contenders"]], doc["judge"]["model"], doc["provider"]) == (
        body.prompt, body.contenders, body.judge, body.provider)


def battle_out(doc: dict) -> dict:
    out = {("id" if k == "_id" else k): v for k, v in doc.items() if k != "tenant_id"}
    if str(out.get("idempotency_key", "")).startswith("auto:"):
        out["idempotency_key"] = None
    for key, value in out.items():
        if hasattr(value, "isoformat"):
            out[key] = value.isoformat()
    return out


@router.post("/battles", status_code=202, response_model=BattleOut, operation_id="startBattle",
             responses={202: links(GetBattle=("getBattle", {"battle_id": "$response.body#/id"})),
                        200: {"model": BattleOut, "description": "This tenant already used the idempotency key "
                                                                 "for the same battle: that battle."},
                        **TENANT_WRITE, **errors(404, 409)})
async def start_battle(body: BattleCreate, tenant: Tenant = Depends(current_tenant),
                       idempotency_key: str | None = Header(default=None, min_length=1, max_length=200)
                       ) -> JSONResponse:
    """202 with the new battle; 200 with the existing one when its idempotency key was seen."""
    key = body.idempotency_key or idempotency_key

    def create() -> tuple[dict, bool]:
        with session_scope() as session:
            find_provider(session, body.provider)
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
            existing = store.battles().find_one({"tenant_id": str(tenant.id), "idempotency_key": key})
            if not _same_battle(existing, body):
                # Stripe's rule: a key names one request; the same key with another body is a mistake.
                raise ApiError(409, "idempotency_key_reused", f"idempotency key {key!r} was already used for a "
                               "different battle (prompt, contenders, judge or provider differ); use a new key "
                               "for a new battle") from None
            return existing, False

    doc, created = await asyncio.to_thread(create)
    if created:
        await asyncio.to_thread(enqueue, "arena.run_battle", doc["_id"])  # never block the event loop
    return JSONResponse(status_code=202 if created else 200, content=battle_out(doc))


@router.get("/battles/{battle_id}", response_model=BattleOut, operation_id="getBattle",
            responses={**TENANT_READ, **errors(404)})
def get_battle(battle_id: uuid.UUID, tenant: Tenant = Depends(current_tenant)) -> dict:
    doc = store.find_battle(str(tenant.id), str(battle_id))
    if doc is None:
        raise not_found("battle", battle_id)
    return battle_out(doc)


@router.get("/battles", response_model=list[BattleOut], responses=TENANT_READ)
def list_battles(status: BattleStatus | None = Query(None, description="only battles in this status"),
                 model: Name | None = Query(None, description="only battles this model fought in"),
                 tenant: Tenant = Depends(current_tenant)) -> list[dict]:
    """The tenant's latest 100 battles, newest first."""
    return [battle_out(doc) for doc in store.list_battles(str(tenant.id), status=status, model=model)]


@router.get("/leaderboard", response_model=Leaderboard, responses=TENANT_READ)
def get_leaderboard(tenant: Tenant = Depends(current_tenant)) -> dict:
    standings = leaderboard(store.finished_battles(str(tenant.id)))
    return {"rating": "elo", "start": 1000, "k": 32,
            "models": [{"rank": i, "model": s.model, "rating": round(s.rating, 1), "battles": s.battles,
                        "wins": s.wins, "losses": s.losses, "draws": s.draws}
                       for i, s in enumerate(standings, start=1)]}
