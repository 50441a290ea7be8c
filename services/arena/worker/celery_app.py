"""The Celery application shared by the worker and beat processes."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import beat_init, celeryd_init, worker_init, worker_ready, worker_shutdown

from arena.config import settings

# No result backend: outcomes are written to PostgreSQL and MongoDB, never read from Celery. (With
# Redis as a result backend, sending a task while Redis is down blocked for 20 s of reconnects and
# then left the sender's backend broken until a restart.)
# The tasks' module is imported by workers alone (_worker_tasks below): beat and the API send
# tasks by name, and importing it (the OpenAI SDK, SQLAlchemy, the executors) cost each beat
# start ~0.6 CPU-seconds.
app = Celery("arena", broker=settings().redis_url)
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    # A task is acknowledged only after it ran, and re-queued if its worker dies mid-way:
    # together with once-per-sample inserts, a crash loses nothing and duplicates nothing.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # With Redis, a message whose worker died unacknowledged comes back after the visibility
    # timeout. It must exceed the longest task, or a slow task is delivered twice (harmless for
    # results, which are stored once per sample, but it doubles provider calls).
    broker_transport_options={
        "visibility_timeout": settings().visibility_timeout_s,
        # Sending while Redis is down fails in ~0.2 s instead of kombu's default 6 s of retries:
        # the work is stored, and beat sends it again (arena.worker.send.enqueue).
        "max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
    },
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
    beat_scheduler="arena.worker.celery_app:Scheduler",
    beat_schedule={
        # Retries wait in the database (status `retrying`, next_attempt_at); beat hands the due
        # ones back to the workers. Without beat, a retrying run stays retrying.
        "dispatch-due-retries": {"task": "arena.dispatch_due_retries", "schedule": settings().retry_poll_s,
                                 # ticks queued while no worker listens are pointless later
                                 "options": {"expires": settings().retry_poll_s * 2}},
        # Work no worker has: a run whose worker died mid-way (no heartbeat), and runs, uploads
        # and battles whose message Redis lost or never got, are sent to a live worker again.
        "recover-lost-work": {"task": "arena.recover_lost_work", "schedule": settings().retry_poll_s * 2,
                              "options": {"expires": settings().retry_poll_s * 4}},
    },
)
logging.basicConfig(level=settings().log_level)


class Scheduler(PersistentScheduler):
    """Celery's scheduler without its busy wait. Celery sleeps 10 ms less than the time left to
    the next send, and when less than 10 ms is left, loops without sleeping until the send is due
    (`adjust`'s drift makes the delay negative, and beat sleeps only on a positive one): at a send
    every few tenths of a second, beat spent ~3 % of a core (2 CPU-s a minute) spinning. Here it
    sleeps the time left; a send goes out at most a scheduler wake-up late."""

    def adjust(self, n, drift=0.0):
        return super().adjust(n, drift=drift)


# The worker's health check (compose): this file exists while the worker consumes. A file test
# costs nothing, so Docker can look every second and a started worker counts as healthy the
# moment it is ready; `celery inspect ping` cost a Python start-up per look (a quarter of a core
# at one look every 2 s) and a start waited up to one interval more. Removed at start-up, since
# a restarted container keeps its /tmp.
READY_FILE = Path("/tmp/arena-worker-ready")


@celeryd_init.connect
def _worker_tasks(**_) -> None:
    """A worker registers the tasks as it initialises: after its loader's init, before its
    consumer starts and its pool forks. Only workers send this signal; beat does not."""
    import arena.worker.tasks  # noqa: F401 - registers the tasks


@worker_init.connect
def _starting(**_) -> None:
    READY_FILE.unlink(missing_ok=True)


@worker_ready.connect
def _ready(**_) -> None:
    READY_FILE.touch()


@worker_shutdown.connect
def _stopping(**_) -> None:
    READY_FILE.unlink(missing_ok=True)


@beat_init.connect
def _beat_starting(sender=None, **_) -> None:
    """GET /health reports a beat that stopped cleanly as stopped at once (arena.scheduler)."""
    if getattr(sender, "app", app) is not app:
        return  # another app's beat in this process (a unit test's)
    import atexit

    from arena import scheduler

    scheduler.record_start()
    atexit.register(scheduler.record_stop)  # on SIGTERM too: celery beat exits through SystemExit
