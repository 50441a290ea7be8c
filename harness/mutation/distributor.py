"""cosmic-ray's distributor "arena": the session's pending mutants over lanes, each a stack.

Configured in mutation.toml (`[cosmic-ray.distributor] name = "arena"`, `lanes = N`) and found
by cosmic-ray through the entry point in pyproject.toml. Each lane's thread takes the next
mutant, points it at the lane's work copy and hands it to cosmic-ray's own `mutate_and_test`
(which writes it, runs the trial with cosmic-ray's timeout, and restores the file); results are
written to the session from this thread only (SQLite). The lanes' stacks go down at the end,
on an error and on Ctrl-C.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
from cosmic_ray.distribution.distributor import Distributor
from cosmic_ray.mutating import mutate_and_test

from harness.mutation.lane import LANES_DIR, Lane
from harness.mutation.session import classify
from harness.timing import PhaseTimer


class StackDistributor(Distributor):
    def __call__(self, pending_work, test_command, timeout, distributor_config, on_task_complete):
        items = list(pending_work)
        count = int(distributor_config.get("lanes", 1))
        if not items:
            print("[mutation] nothing pending in this session", file=sys.stderr)
            return
        print(f"[mutation] {len(items)} mutant(s) pending; starting {count} lane(s)", file=sys.stderr, flush=True)
        lanes = [Lane.create(index) for index in range(count)]
        stacks = []
        todo: queue.Queue = queue.Queue()
        for item in items:
            todo.put(item)
        done: queue.Queue = queue.Queue()
        stop = threading.Event()
        started = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=count, thread_name_prefix="lane-start") as pool:
                starting = [pool.submit(lane.start) for lane in lanes]
            # Every lane that came up is in `stacks` before a failed one raises: all go down below.
            stacks = [future.result() for future in starting if future.exception() is None]
            for future in starting:
                if future.exception() is not None:
                    raise future.exception()
            print(f"[mutation] lanes up in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
            workers = [threading.Thread(target=self._work, args=(lane, todo, done, stop, test_command, timeout),
                                        name=lane.dir.name, daemon=True) for lane in lanes]
            for worker in workers:
                worker.start()
            finished = 0
            tried_from = time.monotonic()
            while finished < len(items):
                job_id, result, where, seconds = done.get()
                on_task_complete(job_id, result)
                finished += 1
                rate = (time.monotonic() - tried_from) / finished
                word = classify(result) or "skipped"
                print(f"[mutation] {finished}/{len(items)} {word:<20} {where:<55} {seconds:5.1f} s"
                      f"  (avg {rate:.1f} s a mutant)", file=sys.stderr, flush=True)
        except KeyboardInterrupt:
            print("\n[mutation] interrupted: the session keeps what finished; `exec` again resumes",
                  file=sys.stderr)
            raise
        finally:
            stop.set()
            for stack in stacks:
                stack.stop(PhaseTimer(LANES_DIR / f"{stack.project.name}-timings.json"))

    @staticmethod
    def _work(lane: Lane, todo: queue.Queue, done: queue.Queue, stop: threading.Event, test_command: str,
              timeout: float) -> None:
        command = f"{test_command} --lane {lane.dir}"
        while not stop.is_set():
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            mutations = [attrs.evolve(m, module_path=lane.dir / Path(m.module_path)) for m in item.mutations]
            first = item.mutations[0]
            where = f"{first.module_path}:{first.start_pos[0]} {first.operator_name.removeprefix('core/')}"
            began = time.monotonic()
            result = mutate_and_test(mutations, command, timeout)
            done.put((item.job_id, result, where, time.monotonic() - began))
