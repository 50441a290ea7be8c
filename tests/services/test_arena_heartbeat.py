"""A run's heartbeat while a worker executes it (arena.runs.executor._heartbeat): beats every
quarter of the stall window while the run makes progress, stops when the run is done or when it
makes no progress for longer than a question can take, and survives a database that is down."""

import time
import uuid
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from arena.runs import executor

WINDOW_S = 0.4  # beats every 0.1 s
PROVIDER_TIMEOUT_S = 0.1  # a question can take 2 × 0.1 + 0.4 = 0.6 s


class Database:
    """Counts the heartbeat statements; `down` makes every session fail, as a stopped PostgreSQL."""

    def __init__(self):
        self.beats: list[dict] = []
        self.down = False

    @contextmanager
    def session_scope(self):
        if self.down:
            raise ConnectionError("database down")
        yield SimpleNamespace(execute=lambda statement, params: self.beats.append(params))


@pytest.fixture(autouse=True)
def short_windows(monkeypatch):
    monkeypatch.setattr(executor, "settings",
                        lambda: SimpleNamespace(stalled_run_s=WINDOW_S, provider_timeout_s=PROVIDER_TIMEOUT_S))


def test_a_run_in_progress_beats_every_quarter_of_the_window():
    db, run_id = Database(), uuid.uuid4()
    with executor._heartbeat(db.session_scope, run_id) as alive:
        for _ in range(5):  # five questions of 0.1 s: 0.5 s, longer than the window
            alive()
            time.sleep(0.1)
    assert len(db.beats) >= 3, f"expected a beat every 0.1 s over 0.5 s, got {len(db.beats)}"
    assert all(beat == {"id": run_id} for beat in db.beats), db.beats


def test_the_beats_stop_with_the_run():
    db = Database()
    with executor._heartbeat(db.session_scope, uuid.uuid4()) as alive:
        alive()
    after = len(db.beats)
    time.sleep(0.3)
    assert len(db.beats) == after, f"{len(db.beats) - after} beats after the run ended"


def test_a_run_without_progress_stops_beating_so_its_hung_worker_is_found():
    db = Database()
    with executor._heartbeat(db.session_scope, uuid.uuid4()):
        time.sleep(1.0)  # no alive() for longer than the 0.6 s a question can take
        beats_then = len(db.beats)
        time.sleep(0.3)
        assert len(db.beats) == beats_then, "a run without progress should no longer beat"
    assert 0 < beats_then <= 7, f"expected beats only while a question could still be running, got {beats_then}"


def test_a_database_outage_costs_beats_not_the_heartbeat():
    db = Database()
    with executor._heartbeat(db.session_scope, uuid.uuid4()) as alive:
        db.down = True
        for _ in range(3):
            alive()
            time.sleep(0.1)
        db.down = False
        for _ in range(3):
            alive()
            time.sleep(0.1)
    assert db.beats, "beats should resume once the database is back"
