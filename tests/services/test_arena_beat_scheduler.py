"""Beat sleeps until its next send (arena.worker.celery_app.Scheduler): Celery's own scheduler
loops without sleeping through the last 10 ms before each send, ~3 % of a core at the test
stack's sends every few tenths of a second."""

from __future__ import annotations

import threading

from celery import Celery, beat
from celery.utils.imports import symbol_by_name

from arena.worker.celery_app import Scheduler, app


def test_the_arena_app_runs_beat_on_the_scheduler_that_sleeps():
    assert symbol_by_name(app.conf.beat_scheduler) is Scheduler


def _ticks_and_sends(scheduler_cls, tmp_path, seconds: float = 1.0, every: float = 0.1) -> tuple[int, int]:
    """Run beat for `seconds` with one entry sent every `every` s (in-memory broker): how many
    times it ticked, and how many sends it made."""
    counts = {"ticks": 0, "sends": 0}

    class Counting(scheduler_cls):
        def tick(self, *args, **kwargs):
            counts["ticks"] += 1
            return super().tick(*args, **kwargs)

        def apply_entry(self, entry, producer=None):
            counts["sends"] += 1
            return super().apply_entry(entry, producer=producer)

    probe = Celery("beat-probe", broker="memory://")
    probe.conf.beat_schedule = {"often": {"task": "probe.noop", "schedule": every}}
    service = beat.Service(app=probe, scheduler_cls=Counting,
                           schedule_filename=str(tmp_path / f"{scheduler_cls.__name__}.db"))
    stopper = threading.Timer(seconds, service.stop)
    stopper.start()
    try:
        service.start()
    finally:
        stopper.cancel()
    return counts["ticks"], counts["sends"]


def test_beat_ticks_about_twice_a_send_instead_of_spinning_before_each(tmp_path):
    ticks, sends = _ticks_and_sends(Scheduler, tmp_path)
    assert sends >= 5, f"expected a send every 0.1 s for 1 s; saw {sends}"
    # A tick that sends, and one that finds the next send not yet due and sleeps until it is
    # (a wake-up a hair early adds one more).
    assert ticks <= 3 * sends + 3, f"beat ticked {ticks} times for {sends} sends: it loops without sleeping"
    spun, spun_sends = _ticks_and_sends(beat.PersistentScheduler, tmp_path)
    print(f"Celery's own scheduler: {spun} ticks for {spun_sends} sends; this one: {ticks} for {sends}")


def test_beat_starts_without_the_tasks_module_and_a_worker_registers_every_task():
    """Beat sends by name: importing the tasks (the OpenAI SDK, SQLAlchemy) cost each of its
    starts ~0.6 CPU-seconds. A worker registers them as it initialises (celeryd_init)."""
    import subprocess
    import sys
    from pathlib import Path

    services = Path(__file__).resolve().parents[2] / "services"
    script = (
        "import sys\n"
        "from arena.worker.celery_app import app\n"
        "app.loader.init_worker(); app.finalize()  # what beat does as it starts\n"
        "print(sorted(m for m in ('arena.worker.tasks', 'openai') if m in sys.modules))\n"
        "from celery.signals import celeryd_init\n"
        "celeryd_init.send(sender='worker@test', instance=None, conf=app.conf, options={})\n"
        "print(sorted(t for t in app.tasks if t.startswith('arena.')))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=services, capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "ARENA_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert done.returncode == 0, done.stderr
    beat_line, worker_line = done.stdout.splitlines()
    assert beat_line == "[]", f"beat's start imported {beat_line}"
    assert worker_line == str(["arena.dispatch_due_retries", "arena.execute_run", "arena.process_dataset_upload",
                               "arena.process_document", "arena.recover_lost_work", "arena.run_battle"])
