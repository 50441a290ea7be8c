"""Phase timings of a suite run: printed as they finish and written to reports/timings.json."""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path


class PhaseTimer:
    def __init__(self, out_file: Path, label: str = "") -> None:
        self.out_file = out_file
        self.label = label  # which stack, when a run has two: "faults stack "
        self.phases: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        started = time.monotonic()
        try:
            yield
        except BaseException:
            print(f"[timing] {name}: failed after {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
            raise
        self.record(name, time.monotonic() - started)

    def record(self, name: str, seconds: float) -> None:
        self.phases[name] = round(self.phases.get(name, 0.0) + seconds, 3)
        print(f"[timing] {self.label}{name}: {seconds:.1f} s", file=sys.stderr, flush=True)
        self.write()

    def write(self) -> None:
        self.out_file.parent.mkdir(parents=True, exist_ok=True)
        self.out_file.write_text(json.dumps(self.phases, indent=2) + "\n")

    def summary(self) -> str:
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases.items())
