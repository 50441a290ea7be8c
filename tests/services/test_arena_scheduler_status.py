"""The scheduler's status in GET /health (arena.scheduler): from its ticks, and at once from a
clean stop, which a tick sent before it and run after it does not undo."""

from types import SimpleNamespace

import pytest
import redis

from arena import scheduler

STALE_S = 3.0


class Redis:
    """The four commands arena.scheduler uses, on a dict; `down` fails them as a stopped Redis."""

    def __init__(self):
        self.data: dict[str, bytes] = {}
        self.down = False

    def _up(self):
        if self.down:
            raise redis.ConnectionError("Redis down")

    def set(self, key, value, ex=None):
        self._up()
        self.data[key] = str(value).encode()

    def delete(self, key):
        self._up()
        self.data.pop(key, None)

    def mget(self, *keys):
        self._up()
        return [self.data.get(key) for key in keys]


@pytest.fixture
def store(monkeypatch):
    fake, now = Redis(), SimpleNamespace(t=1000.0)
    monkeypatch.setattr(scheduler, "_redis", lambda: fake)
    monkeypatch.setattr(scheduler, "settings", lambda: SimpleNamespace(scheduler_stale_s=STALE_S))
    monkeypatch.setattr(scheduler.time, "time", lambda: now.t)
    fake.now = now
    return fake


def test_ticks_within_the_window_are_a_running_scheduler_and_overdue_ones_a_stopped_one(store):
    assert scheduler.status() == {"status": "stopped", "last_tick_s_ago": None}  # never ticked
    scheduler.record_tick()
    store.now.t += 2.0
    assert scheduler.status() == {"status": "running", "last_tick_s_ago": 2.0}
    store.now.t += 1.5  # 3.5 s: a beat that died says nothing; its ticks run out
    assert scheduler.status() == {"status": "stopped", "last_tick_s_ago": 3.5}


def test_a_clean_stop_is_reported_at_once_and_a_late_tick_does_not_undo_it(store):
    scheduler.record_start()
    scheduler.record_tick()
    store.now.t += 0.2
    scheduler.record_stop()
    assert scheduler.status()["status"] == "stopped"
    scheduler.record_tick()  # sent by beat before it stopped, run by a worker after
    assert scheduler.status() == {"status": "stopped", "last_tick_s_ago": 0.0}
    scheduler.record_start()  # beat is back, and ticks again
    scheduler.record_tick()
    assert scheduler.status()["status"] == "running"


def test_without_redis_the_status_is_unknown_and_recording_never_raises(store):
    store.down = True
    assert scheduler.status() == {"status": "unknown", "last_tick_s_ago": None}
    scheduler.record_tick(), scheduler.record_stop(), scheduler.record_start()  # best effort: logged, not raised
