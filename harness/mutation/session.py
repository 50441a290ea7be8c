"""A cosmic-ray session of the services: made, sampled, marked, and read back as a table.

`make` runs cosmic-ray's own `init` (every mutant its operators make) and its pragma filter
(`# pragma: no mutate`), then, for a sample, marks every mutant outside a uniform random sample
of N (fixed seed) as skipped, "not in the sample", and marks the equivalent mutants listed in
mutation/equivalents.toml as skipped, "equivalent: <why>". `table` classifies each result:

  killed        a scenario failed (or the stack did not come up with the mutant)
  timed out     cosmic-ray's timeout killed the trial (counted as killed, listed)
  survived      every scenario that runs the mutated lines passed
  not covered   no scenario runs the mutated lines: survived
  equivalent    no input can expose it (left out of the score)

The score is killed / (killed + timed out + survived + not covered), with Wilson's 95 % interval.
"""

from __future__ import annotations

import html
import json
import math
import random
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult

from harness.mutation.lane import MUTATION_DIR
from harness.settings import REPO_ROOT

CONFIG = REPO_ROOT / "mutation" / "cosmic-ray.toml"
EQUIVALENTS = REPO_ROOT / "mutation" / "equivalents.toml"
NOT_SAMPLED = "not in the sample"
KINDS = ("killed", "timed out", "survived", "not covered", "equivalent", "error")
COSMIC_RAY = str(REPO_ROOT / ".venv" / "bin" / "cosmic-ray")


def make(session: Path, sample: int | None, seed: int) -> dict:
    session.parent.mkdir(parents=True, exist_ok=True)
    session.unlink(missing_ok=True)
    for command in ([COSMIC_RAY, "init", str(CONFIG), str(session)],
                    [str(REPO_ROOT / ".venv" / "bin" / "cr-filter-pragma"), str(session)]):
        subprocess.run(command, cwd=REPO_ROOT, check=True, stdin=subprocess.DEVNULL)
    with use_db(str(session), WorkDB.Mode.open) as db:
        items = list(db.work_items)
        skipped = {job for job, _ in db.results}
        chosen = {item.job_id for item in items}
        if sample is not None and sample < len(items):
            chosen = {item.job_id for item in _sample(items, sample, seed)}
            left_out = [item.job_id for item in items if item.job_id not in chosen and item.job_id not in skipped]
            why = f"{NOT_SAMPLED} (seed {seed}, {sample} of {len(items)})"
            db.set_multiple_results(left_out, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=why))
        equivalent = mark_equivalents(db, chosen)
    return {"mutants": len(items), "sample": len(chosen), "seed": seed, "equivalent": equivalent}


def _sample(items: list, size: int, seed: int) -> list:
    """A uniform sample drawn by what a mutant is (cosmic-ray's job ids are random): the same
    seed, the same mutants; a larger sample of the same seed begins with the smaller one."""
    keys = sorted(items, key=lambda item: (str(item.mutations[0].module_path), item.mutations[0].operator_name,
                                           item.mutations[0].occurrence))
    return random.Random(seed).sample(keys, size)


def grow(session: Path, sample: int, seed: int) -> dict:
    """Widen a session's sample to `sample` mutants (same seed), keeping every result it has."""
    import sqlite3

    with use_db(str(session), WorkDB.Mode.open) as db:
        items = list(db.work_items)
        chosen = {item.job_id for item in _sample(items, min(sample, len(items)), seed)}
        waiting = [job for job, result in db.results
                   if job in chosen and (result.output or "").startswith(NOT_SAMPLED)]
    with sqlite3.connect(session) as connection:
        connection.executemany("DELETE FROM work_results WHERE job_id = ?", [(job,) for job in waiting])
    with use_db(str(session), WorkDB.Mode.open) as db:
        equivalent = mark_equivalents(db, set(waiting))
    return {"mutants": len(items), "sample": len(chosen), "seed": seed, "equivalent": equivalent,
            "added": len(waiting)}


def mark(session: Path) -> int:
    """Apply mutation/equivalents.toml to every mutant of the session's sample, tried or not (an
    entry added after its mutant was tried turns that result into "equivalent")."""
    with use_db(str(session), WorkDB.Mode.open) as db:
        sampled = {job for job, result in db.results if not (result.output or "").startswith(NOT_SAMPLED)}
        sampled |= {item.job_id for item in db.pending_work_items}
        return mark_equivalents(db, sampled)


def retry(session: Path, kinds: tuple[str, ...] = ("survived", "not covered"), only: set[str] | None = None) -> int:
    """Forget the results of the mutants that lived (or only those on the lines `only` names,
    "services/x.py:12"), so that `exec` tries them again (after the scenarios were strengthened,
    or the map made anew); newly listed equivalents are marked."""
    import sqlite3

    with use_db(str(session), WorkDB.Mode.open) as db:
        where = {item.job_id: f"{item.mutations[0].module_path}:{item.mutations[0].start_pos[0]}"
                 for item in db.work_items}
        again = [job for job, result in db.results
                 if classify(result) in kinds and (only is None or where[job] in only)]
    with sqlite3.connect(session) as connection:
        connection.executemany("DELETE FROM work_results WHERE job_id = ?", [(job,) for job in again])
    with use_db(str(session), WorkDB.Mode.open) as db:
        mark_equivalents(db, set(again))
    return len(again)


def mark_equivalents(db: WorkDB, jobs: set[str]) -> int:
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator

    entries = tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8")).get("equivalent", [])
    if not entries:
        return 0
    wanted = {(e["file"], e["operator"]) for e in entries}
    marked = 0
    for item in db.work_items:
        mutation = item.mutations[0]
        if item.job_id not in jobs or (str(mutation.module_path), mutation.operator_name) not in wanted:
            continue
        source = (REPO_ROOT / mutation.module_path).read_text(encoding="utf-8")
        mutated = mutate_code(source, get_operator(mutation.operator_name)(), mutation.occurrence)
        if mutated is None:
            continue
        line = mutation.start_pos[0] - 1
        before, after = source.splitlines()[line].strip(), mutated.splitlines()[line].strip()
        for entry in entries:
            if (entry["file"], entry["operator"], entry["line"].strip(), entry["mutated"].strip()) == \
                    (str(mutation.module_path), mutation.operator_name, before, after):
                db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                      output=f"equivalent: {entry['why']}"))
                marked += 1
    return marked


def classify(result) -> str | None:
    """Our word for a result; None for a mutant outside the sample."""
    output = result.output or ""
    if result.worker_outcome == WorkerOutcome.SKIPPED:
        return "equivalent" if output.startswith("equivalent") else None
    if result.worker_outcome == WorkerOutcome.NO_TEST:
        return None  # cosmic-ray found nothing to mutate there
    if result.worker_outcome != WorkerOutcome.NORMAL:
        return "error"
    if output == "timeout":
        return "timed out"
    if '"verdict": "not covered"' in output:
        return "not covered"
    return "killed" if result.test_outcome == "killed" else "survived"


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    if total == 0:
        return (0.0, 1.0)
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


def _trial(output: str) -> dict:
    for line in reversed((output or "").splitlines()):
        if line.startswith("ARENA-TRIAL "):
            return json.loads(line.removeprefix("ARENA-TRIAL "))
    return {}


def table(session: Path) -> dict:
    with use_db(str(session), WorkDB.Mode.open) as db:
        items = {item.job_id: item for item in db.work_items}
        results = dict(db.results)
    by_module: dict[str, Counter] = defaultdict(Counter)
    rows = []
    seconds = []
    for job, item in items.items():
        mutation = item.mutations[0]
        module = str(mutation.module_path)
        result = results.get(job)
        kind = classify(result) if result is not None else "pending"
        if kind is None:
            continue
        by_module[module][kind] += 1
        trial = _trial(result.output) if result is not None else {}
        if trial.get("seconds") is not None:
            seconds.append(trial["seconds"])
        rows.append({"job": job, "module": module, "line": mutation.start_pos[0],
                     "operator": mutation.operator_name.removeprefix("core/"), "kind": kind,
                     "by": trial.get("by"), "covering": trial.get("covering"), "seconds": trial.get("seconds"),
                     "diff": (result.diff or "") if result is not None else "",
                     "why": (result.output or "") if kind == "equivalent" else None})
    modules = []
    total: Counter = Counter()
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        modules.append({"module": module, **_score(counts)})
    arena = Counter()
    for module, counts in by_module.items():
        if module.startswith("services/arena/"):
            arena.update(counts)
    return {"created": datetime.now(UTC).isoformat(timespec="seconds"), "commit": _commit(),
            "session": str(session.relative_to(REPO_ROOT)) if session.is_relative_to(REPO_ROOT) else str(session),
            "modules": modules, "arena": _score(arena), "total": _score(total),
            "seconds_per_mutant": round(sum(seconds) / len(seconds), 1) if seconds else None,
            "mutants": sorted(rows, key=lambda r: (r["module"], r["line"], r["operator"]))}


def _score(counts: Counter) -> dict:
    killed = counts["killed"] + counts["timed out"]
    scored = killed + counts["survived"] + counts["not covered"]
    low, high = wilson(killed, scored)
    return {**{kind: counts[kind] for kind in (*KINDS, "pending")}, "scored": scored,
            "score": round(killed / scored, 4) if scored else None,
            "interval95": [round(low, 4), round(high, 4)]}


def _commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                          text=True).stdout.strip()


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def render_text(summary: dict) -> str:
    head = f"{'module':<44} {'killed':>6} {'t/o':>4} {'surv':>5} {'n/cov':>5} {'equiv':>5} {'err':>4} {'score':>6}"
    lines = [head, "-" * len(head)]
    for row in [*summary["modules"], {"module": "services/arena (all)", **summary["arena"]},
                {"module": "all", **summary["total"]}]:
        lines.append(f"{row['module']:<44} {row['killed']:>6} {row['timed out']:>4} {row['survived']:>5} "
                     f"{row['not covered']:>5} {row['equivalent']:>5} {row['error']:>4} {_pct(row['score']):>6}")
    low, high = summary["total"]["interval95"]
    lines.append(f"score {_pct(summary['total']['score'])} of {summary['total']['scored']} scored mutants "
                 f"(95 % interval {_pct(low)}-{_pct(high)}); services/arena {_pct(summary['arena']['score'])}; "
                 f"a trial took {summary['seconds_per_mutant']} s on average")
    return "\n".join(lines)


def render_html(summary: dict) -> str:
    def cells(row: dict, name: str) -> str:
        low, high = row["interval95"]
        return (f"<tr><td>{html.escape(name)}</td>" + "".join(f"<td>{row[k]}</td>" for k in KINDS)
                + f"<td>{_pct(row['score'])}</td><td>{_pct(low)}–{_pct(high)}</td></tr>")

    body = "".join(cells(row, row["module"]) for row in summary["modules"])
    body += cells(summary["arena"], "services/arena (all)") + cells(summary["total"], "all")
    alive = [m for m in summary["mutants"] if m["kind"] in ("survived", "not covered", "timed out", "error")]
    details = "".join(
        f"<details><summary>{html.escape(m['kind'])}: {html.escape(m['module'])}:{m['line']} "
        f"{html.escape(m['operator'])}</summary><pre>{html.escape(m['diff'])}</pre></details>" for m in alive)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Mutation score</title>
<style>body{{font-family:sans-serif;margin:2em}}
td,th{{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}}
td:first-child,th:first-child{{text-align:left}}pre{{background:#f6f6f6;padding:6px}}</style></head><body>
<h1>Mutation score of the acceptance scenarios</h1>
<p>commit {html.escape(summary['commit'])}, {html.escape(summary['created'])};
session {html.escape(summary['session'])};
a trial took {summary['seconds_per_mutant']} s on average (lanes run several at once).
The score leaves equivalent mutants out; timeouts count as killed.</p>
<table><tr><th>module</th>{''.join(f'<th>{k}</th>' for k in KINDS)}<th>score</th><th>95 % interval</th></tr>
{body}</table>
<h2>Mutants that lived (or timed out)</h2>{details or '<p>none</p>'}</body></html>"""


def write(summary: dict, out: Path = MUTATION_DIR) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    (out / "index.html").write_text(render_html(summary), encoding="utf-8")


if __name__ == "__main__":
    print(render_text(table(Path(sys.argv[1]))))
