"""Waiting on battles, with failure messages that say where the battle got stuck."""

from __future__ import annotations

from harness import tables
from harness.api import ArenaClient, expect
from harness.waits import poll_until

TERMINAL = {"completed", "failed"}


def start_battle_keyed_by_header(api: ArenaClient, prompt: str, contenders: list[str], judge: str, key: str):
    """Start a battle with its idempotency key in the `Idempotency-Key` header, not the body."""
    return api.request("POST", "/battles", json={"prompt": prompt, "contenders": contenders, "judge": judge},
                       headers={"Idempotency-Key": key})


def list_battles(api: ArenaClient) -> list[dict]:
    return expect(api.request("GET", "/battles"), 200)


def wait_for_battle(api: ArenaClient, battle_id: str, status: str, timeout: float) -> dict:
    battle = poll_until(lambda: api.battle(battle_id), lambda b: b["status"] in TERMINAL, timeout=timeout,
                        what=f"battle {battle_id} to finish", describe=lambda b: f"status {b['status']!r}")
    if battle["status"] != status:
        raise AssertionError(f"expected battle {battle_id} to end {status!r}, saw it end {battle['status']!r}: "
                             f"error {battle.get('error')}")
    return battle


def battle_document_problems(doc: dict | None, request: dict, battle: dict, verdict: str,
                             answers: list[tuple[str, str]], *, judge_usage: bool = True) -> list[str]:
    """What is wrong in a battle's MongoDB document, against what it was started with (`request`:
    prompt, contenders, judge), the API's account of it (`battle`), the judge's `verdict` and each
    contender's answer (model, answer) in order. `judge_usage`: the judge's tokens are recorded too."""
    if doc is None:
        return [f"a battle document {battle['id']} for my tenant in MongoDB expected, saw none"]
    problems = []
    if doc["prompt"] != request["prompt"]:
        problems.append(f"prompt expected {request['prompt']!r} (as sent), saw {doc['prompt']!r}")
    expected_answers = [{"model": model, "answer": answer} for model, answer in answers]
    if diff := tables.differences(expected_answers, doc["contenders"], key="model", columns=["model", "answer"]):
        problems.append(f"the contenders' answers: {diff}")
    for contender in doc["contenders"]:
        usage = contender["usage"]
        if contender["served_model"] != contender["model"] or usage["completion_tokens"] != len(
                contender["answer"].split()):
            problems.append(f"{contender['model']} expected served by itself with a completion token per word, "
                            f"saw served by {contender['served_model']}, usage {usage}")
    judge = doc["judge"]
    if (judge["model"], judge["verdict"]) != (request["judge"], verdict) or not judge["rationale"]:
        problems.append(f"judge expected {request['judge']} with verdict {verdict} and a rationale, saw {judge}")
    judge_tokens = judge.get("usage") or {}
    if judge_usage and (not judge_tokens.get("prompt_tokens") or not judge_tokens.get("completion_tokens")):
        problems.append(f"the judge's token usage expected recorded, saw {judge_tokens}")
    outcome = (doc["winner"], doc["loser"], doc["draw"], doc["status"])
    if outcome != (battle["winner"], battle["loser"], False, "completed"):
        problems.append(f"outcome expected as the API says, {battle['winner']} beat {battle['loser']} (completed), "
                        f"saw {outcome}")
    winner_side = {"A": 0, "B": 1}.get(verdict)
    if winner_side is None or doc["winner"] != request["contenders"][winner_side]:
        problems.append(f"verdict {verdict} expected to name the winner, saw winner {doc['winner']}")
    if not (doc["created_at"] <= doc["started_at"] <= doc["finished_at"]):
        problems.append(f"timestamps expected created <= started <= finished, saw {doc['created_at']}, "
                        f"{doc['started_at']}, {doc['finished_at']}")
    return problems


def records_of_series(rows: list[dict]) -> dict[str, list[int]]:
    """Each model's [wins, losses, draws] in a series of battles (rows with "contender a",
    "contender b" and "winner", a model or "draw")."""
    records: dict[str, list[int]] = {}
    for row in rows:
        a, b, winner = row["contender a"], row["contender b"], row["winner"]
        for model in (a, b):
            record = records.setdefault(model, [0, 0, 0])
            record[2 if winner == "draw" else (0 if winner == model else 1)] += 1
    return records
