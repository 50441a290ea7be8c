"""Which feature files each acceptance shard runs (.github/shards.json).

  scripts/shards.py --matrix       the workflow's job matrix, as JSON: [{"name": ..., "features": ...}]
  scripts/shards.py NAME           the feature files of one shard, space-separated
  scripts/shards.py                every shard with its files (for a person)

A feature goes to the first shard whose tags (on the Feature line) or globs match it.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARDS_FILE = ROOT / ".github" / "shards.json"


def feature_tags(path: Path) -> set[str]:
    """The tags written above the `Feature:` line (scenario tags do not move a file)."""
    tags: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("Feature:"):
            break
        if stripped.startswith("@"):
            tags.update(stripped.split())
    return tags


def assign(root: Path = ROOT, shards: list[dict] | None = None) -> dict[str, list[str]]:
    """Shard name -> its feature files (relative paths); every shard appears, even if empty."""
    shards = shards if shards is not None else json.loads(SHARDS_FILE.read_text())["shards"]
    assigned: dict[str, list[str]] = {shard["name"]: [] for shard in shards}
    for path in sorted((root / "features").glob("*.feature")):
        name = path.relative_to(root).as_posix()
        tags = feature_tags(path)
        for shard in shards:
            if tags & set(shard.get("tags", [])) or any(fnmatch.fnmatch(name, g) for g in shard.get("glob", [])):
                assigned[shard["name"]].append(name)
                break
    return assigned


def unassigned(root: Path = ROOT, shards: list[dict] | None = None) -> list[str]:
    taken = {name for files in assign(root, shards).values() for name in files}
    return sorted(p.relative_to(root).as_posix() for p in (root / "features").glob("*.feature")
                  if p.relative_to(root).as_posix() not in taken)


def main(argv: list[str]) -> int:
    assigned = assign()
    missing = unassigned()
    if missing:
        print(f"features in no shard: {missing} (.github/shards.json)", file=sys.stderr)
        return 1
    if argv == ["--matrix"]:
        print(json.dumps([{"name": name, "features": " ".join(files)} for name, files in assigned.items() if files]))
    elif len(argv) == 1:
        if argv[0] not in assigned:
            print(f"no shard {argv[0]!r}; shards: {', '.join(assigned)}", file=sys.stderr)
            return 2
        print(" ".join(assigned[argv[0]]))
    else:
        for name, files in assigned.items():
            print(f"{name:10} {' '.join(files) or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
