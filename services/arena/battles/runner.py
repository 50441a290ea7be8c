"""Running a battle (worker side): both contenders answer, the judge decides, the document records it.

A provider failure of a contender or the judge is classified like a run's and ends the battle
`failed` with the error in its document; a failed battle never carries a winner.

A worker claims a battle by moving it from `pending` to `running` in one update, so a second
message for it (sent again by `resend_pending_battles`) does nothing. A battle `running` for
longer than a battle can take lost its worker, and the broker's redelivery may take it over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from arena.battles.judge import judge_prompt, read_verdict
from arena.battles.store import battles, now, update_battle
from arena.config import settings
from arena.db.models import Provider
from arena.providers.client import Completion, ProviderFailure

log = logging.getLogger("arena.battles")

Ask = Callable[[Provider, str, str, str], Completion]


def _usage(completion: Completion) -> dict:
    return {"prompt_tokens": completion.prompt_tokens, "completion_tokens": completion.completion_tokens,
            "total_tokens": completion.total_tokens}


def longest_battle() -> timedelta:
    """Two answers and a verdict, each bounded by the provider timeout, and a margin."""
    return timedelta(seconds=3 * settings().provider_timeout_s + 5)


def _claim(battle_id: str) -> dict | str:
    """The battle, now `running` for this worker; or its status when it is not this worker's to run."""
    at = now()
    claim = {"$set": {"status": "running", "started_at": at, "updated_at": at}}
    if battles().update_one({"_id": battle_id, "status": "pending"}, claim).modified_count == 0:
        # Not pending: finished, being run, or left running by a worker that died.
        battle = battles().find_one({"_id": battle_id})
        if battle is None:
            return "missing"
        if battle["status"] != "running" or battle["started_at"] > at - longest_battle():
            return battle["status"]
        stale = {"_id": battle_id, "status": "running", "started_at": battle["started_at"]}
        if battles().update_one(stale, claim).modified_count == 0:
            return "running"  # another worker took it over first
        log.warning("battle %s was left running by a worker that died: taking it over", battle_id)
    return battles().find_one({"_id": battle_id})


def resend_pending_battles(send: Callable[[str, str], bool], waited_s: float) -> int:
    """Send again every battle still `pending` `waited_s` after it was last sent: its message was
    lost (Redis restarted) or never sent (Redis was down when it was created)."""
    cutoff, resent = now() - timedelta(seconds=waited_s), 0
    for battle in battles().find({"status": "pending", "sent_at": {"$lt": cutoff}}).limit(100):
        # Claimed by moving sent_at on, so two schedulers do not both send it.
        claimed = battles().update_one({"_id": battle["_id"], "status": "pending", "sent_at": battle["sent_at"]},
                                       {"$set": {"sent_at": now()}})
        if claimed.modified_count == 0:
            continue
        log.warning("battle %s is still pending %.0f s after it was sent: sending it again", battle["_id"], waited_s)
        resent += send("arena.run_battle", battle["_id"])  # if the broker is down: found again next tick
    return resent


def run_battle(session_scope, battle_id: str, ask: Ask) -> str:
    battle = _claim(battle_id)
    if not isinstance(battle, dict):
        log.info("battle %s is %s: nothing to do", battle_id, battle)
        return battle
    with session_scope() as session:
        provider = session.scalar(select(Provider).where(Provider.name == battle["provider"]))
        session.expunge(provider)
    user = f"tenant:{battle['tenant_id']}/battle:{battle_id}"
    try:
        contenders = []
        for contender in battle["contenders"]:
            completion = ask(provider, contender["model"], battle["prompt"], user)
            contenders.append({**contender, "answer": completion.text, "served_model": completion.served_model,
                               "usage": _usage(completion)})
        update_battle(battle_id, contenders=contenders)
        reply = ask(provider, battle["judge"]["model"],
                    judge_prompt(battle["prompt"], contenders[0]["answer"], contenders[1]["answer"]), user)
        verdict, rationale = read_verdict(reply.text)
    except (ProviderFailure, ValueError) as failure:
        error = {"message": str(failure), "retryable": getattr(failure, "retryable", False),
                 "status": getattr(failure, "status", None)}
        update_battle(battle_id, status="failed", error=error, winner=None, loser=None, draw=False,
                      finished_at=now())
        log.warning("battle %s failed: %s", battle_id, failure)
        return "failed"
    a, b = contenders[0]["model"], contenders[1]["model"]
    winner, loser = {"A": (a, b), "B": (b, a), "draw": (None, None)}[verdict]
    update_battle(battle_id, status="completed", winner=winner, loser=loser, draw=verdict == "draw",
                  judge={**battle["judge"], "verdict": verdict, "rationale": rationale, "usage": _usage(reply)},
                  finished_at=now())
    log.info("battle %s completed: %s", battle_id, "draw" if verdict == "draw" else f"{winner} beat {loser}")
    return "completed"
