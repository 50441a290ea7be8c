#!/usr/bin/env python3
"""Mutation testing of the services with cosmic-ray, against the live stack (harness/mutation/).

    .venv/bin/python scripts/mutation.py init [--sample N] [--seed S]   # a new session (all mutants, or a sample)
    .venv/bin/python scripts/mutation.py init --grow --sample N         # a larger sample, results kept
    .venv/bin/python scripts/mutation.py exec [--lanes N]               # try what is pending (resumes)
    .venv/bin/python scripts/mutation.py report [--min-score P]         # the table; reports/mutation/
    .venv/bin/python scripts/mutation.py retry                          # the mutants that lived, pending again
    .venv/bin/python scripts/mutation.py mark                           # equivalents.toml applied to the sample
    .venv/bin/python scripts/mutation.py sample --sample N --seed S [--min-score P]   # init + exec + report
    .venv/bin/python scripts/mutation.py gate                           # CI's gate: a sample by mutation/gate.toml
    .venv/bin/python scripts/mutation.py seeded [--only ID,ID]          # the hand-written bugs, counted apart

The session is reports/mutation/session.sqlite (--session to name another); the coverage map
(reports/coverage-map.json) must be there: `exec` says how to make it when it is not. `exec` is
cosmic-ray's own `exec` (its distributor "arena" is ours): stopped, it resumes where it stopped.
Exit status of `report` and `sample`: 1 when the score is under --min-score.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.coverage_map import MAP_FILE, CoverageMap  # noqa: E402
from harness.mutation import session as sessions  # noqa: E402
from harness.mutation.lane import MUTATION_DIR  # noqa: E402
from harness.settings import REPO_ROOT  # noqa: E402

SESSION = MUTATION_DIR / "session.sqlite"


def _config(lanes: int) -> Path:
    """cosmic-ray reads its distributor's settings from the config file: a copy with --lanes."""
    text = sessions.CONFIG.read_text(encoding="utf-8")
    text = "\n".join(f"lanes = {lanes}" if line.startswith("lanes =") else line for line in text.splitlines())
    path = MUTATION_DIR / "cosmic-ray.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def init(args) -> int:
    if getattr(args, "grow", False):
        if not args.session.exists() or args.sample is None:
            print("[mutation] --grow widens the sample of an existing session: it needs the session and --sample",
                  file=sys.stderr)
            return 2
        grown = sessions.grow(args.session, args.sample, args.seed)
        print(f"[mutation] session {args.session}: the sample is now {grown['sample']} of {grown['mutants']} "
              f"(seed {grown['seed']}), {grown['added']} added; {grown['equivalent']} of them marked equivalent",
              file=sys.stderr)
        return 0
    made = sessions.make(args.session, args.sample, args.seed)
    print(f"[mutation] session {args.session}: {made['mutants']} mutants; "
          f"{'all' if made['sample'] == made['mutants'] else made['sample']} to try (seed {made['seed']}); "
          f"{made['equivalent']} marked equivalent", file=sys.stderr)
    return 0


def execute(args) -> int:
    try:
        cover = CoverageMap.load()
    except FileNotFoundError as err:
        print(f"[mutation] {err}", file=sys.stderr)
        return 2
    print(f"[mutation] coverage map of {cover.document['commit'][:8]} ({cover.document['created']}), "
          f"{len(cover.scenarios)} scenarios", file=sys.stderr)
    started = time.monotonic()
    status = subprocess.call([sessions.COSMIC_RAY, "exec", str(_config(args.lanes)), str(args.session)],
                             cwd=REPO_ROOT, stdin=subprocess.DEVNULL)
    print(f"[mutation] exec took {time.monotonic() - started:.1f} s", file=sys.stderr)
    return status


def report(args) -> int:
    summary = sessions.table(args.session)
    sessions.write(summary)
    print(sessions.render_text(summary))
    print(f"[mutation] {MUTATION_DIR / 'summary.json'}, {MUTATION_DIR / 'index.html'}", file=sys.stderr)
    score = summary["total"]["score"]
    low, high = summary["total"]["interval95"]
    below = args.min_score is not None and (score is None or score < args.min_score)
    if args.junit:
        _junit(args.junit, summary, args.min_score, below)
    if below:
        print(f"[mutation] the score {score} is under the bar {args.min_score}", file=sys.stderr)
        return 1
    print(f"[mutation] score {score} (95 % interval {low}-{high})"
          + (f", at or above the bar {args.min_score}" if args.min_score is not None else ""), file=sys.stderr)
    return 0


def _junit(path: Path, summary: dict, bar: float | None, below: bool) -> None:
    """One test case, the gate, for the run's 'N passed, N failed' (scripts/junit_summary.py)."""
    from xml.sax.saxutils import quoteattr

    total = summary["total"]
    text = (f"{total['killed'] + total['timed out']} of {total['scored']} scored mutants killed "
            f"(score {total['score']}, 95 % interval {total['interval95']}); bar {bar}")
    failure = f"<failure message={quoteattr('expected a score of at least ' + str(bar) + ', saw ' + text)}/>" \
        if below else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'<testsuite name="mutation" tests="1" failures="{int(below)}">'
                    f'<testcase classname="mutation" name={quoteattr("sample score: " + text)}>{failure}</testcase>'
                    "</testsuite>\n", encoding="utf-8")


def sample(args) -> int:
    if not MAP_FILE.exists():
        print(f"[mutation] no coverage map ({MAP_FILE}): run the suite with -D coverage_map=true first",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    for step in (init, execute):
        status = step(args)
        if status != 0:
            return status
    status = report(args)
    summary = json.loads((MUTATION_DIR / "summary.json").read_text())
    tried = summary["total"]["scored"] + summary["total"]["equivalent"] + summary["total"]["error"]
    print(f"[mutation] {tried} mutants in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return status


def mark(args) -> int:
    count = sessions.mark(args.session)
    print(f"[mutation] {count} mutant(s) of the sample marked equivalent (mutation/equivalents.toml)", file=sys.stderr)
    return 0


def retry(args) -> int:
    only = {w.strip() for w in args.only.split(",") if w.strip()} or None
    count = sessions.retry(args.session, only=only)
    print(f"[mutation] {count} mutant(s) that lived will be tried again by `exec`", file=sys.stderr)
    return 0


def gate(args) -> int:
    """The CI gate: `sample` with mutation/gate.toml's sample, seed and bar."""
    import tomllib

    settings = tomllib.loads((REPO_ROOT / "mutation" / "gate.toml").read_text(encoding="utf-8"))
    args.sample, args.seed, args.min_score = settings["sample"], settings["seed"], settings["min_score"]
    args.lanes = settings.get("lanes", args.lanes)
    print(f"[mutation] the gate: {args.sample} mutants (seed {args.seed}), bar {args.min_score} "
          f"(goal {settings['goal']})", file=sys.stderr)
    return sample(args)


def seeded(args) -> int:
    command = [sys.executable, str(REPO_ROOT / "scripts" / "seeded_bugs.py")]
    if args.only:
        command += ["--only", args.only]
    return subprocess.call(command, cwd=REPO_ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--session", type=Path, default=SESSION)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("init", "sample"):
        sub = commands.add_parser(name)
        sub.add_argument("--sample", type=int, default=None, help="try a uniform random sample of N mutants")
        sub.add_argument("--seed", type=int, default=20261208)
        if name == "init":
            sub.add_argument("--grow", action="store_true",
                             help="widen the session's sample to --sample (same seed), keeping its results")
    commands.add_parser("gate", help="the CI gate: a sample by mutation/gate.toml")
    commands.add_parser("retry", help="try the mutants that lived again (after strengthening the scenarios)"
                        ).add_argument("--only", default="", help="only those on these lines: services/x.py:12,...")
    commands.add_parser("mark", help="apply mutation/equivalents.toml to the whole sample, tried or not")
    for name in ("exec", "sample", "gate"):
        sub = commands.choices.get(name) or commands.add_parser(name)
        sub.add_argument("--lanes", type=int, default=int(os.environ.get("ARENA_MUTATION_LANES", "1")))
    for name in ("report", "sample", "gate"):
        sub = commands.choices.get(name) or commands.add_parser(name)
        sub.add_argument("--min-score", type=float, default=None)
        sub.add_argument("--junit", type=Path, default=None, help="write the gate as a JUnit file")
    commands.add_parser("seeded").add_argument("--only", default="")
    args = parser.parse_args(argv)
    if getattr(args, "lanes", 1) < 1:
        print(f"[config] --lanes={args.lanes} is not allowed: it must be 1 or more", file=sys.stderr)
        return 2
    return {"init": init, "exec": execute, "report": report, "sample": sample, "gate": gate, "retry": retry,
            "mark": mark,
            "seeded": seeded}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
