"""Running a battle (worker side): both contenders answer, the judge decides, the document records it.

A provider failure of a contender or the judge is classified like a run's and ends the battle
`failed` with the error in its document; a failed battle never carries a winner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select

from arena.battles.judge import judge_prompt, read_verdict
from arena.battles.store import battles, now, update_battle
from arena.db.models import Provider
from arena.providers.client import Completion, ProviderFailure

log = logging.getLogger("arena.battles")

Ask = Callable[[Provider, str, str, str], Completion]


def _usage(completion: Completion) -> dict:
    return {"prompt_tokens": completion.prompt_tokens, "completion_tokens": completion.completion_tokens,
            "total_tokens": completion.total_tokens}


def run_battle(session_scope, battle_id: str, ask: Ask) -> str:
    battle = battles().find_one({"_id": battle_id})
    if battle is None or battle["status"] not in ("pending", "running"):
        return battle["status"] if battle else "missing"
    update_battle(battle_id, status="running", started_at=now())
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
