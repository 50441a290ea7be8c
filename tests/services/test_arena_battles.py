"""Elo ratings and verdict parsing of battles (no database needed)."""

import pytest

from arena.battles.judge import read_verdict
from arena.battles.rating import leaderboard


def battle(a: str, b: str, winner: str | None) -> dict:
    return {"contenders": [{"model": a}, {"model": b}], "winner": winner, "draw": winner is None}


def test_a_win_moves_both_ratings_by_sixteen_from_the_start():
    table = {s.model: s for s in leaderboard([battle("x", "y", "x")])}
    assert (table["x"].rating, table["y"].rating) == (1016.0, 984.0)
    assert (table["x"].wins, table["y"].losses) == (1, 1)


def test_a_draw_between_equals_changes_nothing_and_counts_as_a_draw():
    table = {s.model: s for s in leaderboard([battle("x", "y", None)])}
    assert table["x"].rating == table["y"].rating == 1000.0 and table["x"].draws == 1


def test_standings_are_ordered_by_rating_then_name():
    standings = leaderboard([battle("b", "c", "b"), battle("a", "c", "a")])
    assert [s.model for s in standings] == ["a", "b", "c"] or [s.model for s in standings] == ["b", "a", "c"]
    assert standings[-1].model == "c"


@pytest.mark.parametrize(("reply", "verdict"), [
    ("Winner: A\nRationale: A is better.", ("A", "A is better.")),
    ("winner: draw", ("draw", "")),
])
def test_verdicts_are_read_from_the_judges_reply(reply, verdict):
    assert read_verdict(reply) == verdict


def test_a_reply_without_a_verdict_is_an_error():
    with pytest.raises(ValueError, match="no verdict"):
        read_verdict("I like both.")


def test_the_battle_indexes_are_made_once_per_process_and_a_failure_is_tried_again(monkeypatch):
    from arena.battles import store

    calls = []

    class Collection:
        fail = True

        def create_index(self, keys, **options):
            calls.append(options.get("name"))
            if Collection.fail:
                Collection.fail = False
                raise ConnectionError("MongoDB is down")

    monkeypatch.setattr(store, "battles", lambda: Collection())
    store.ensure_indexes.cache_clear()
    try:
        with pytest.raises(ConnectionError):
            store.ensure_indexes()
        store.ensure_indexes()
        store.ensure_indexes()
    finally:
        store.ensure_indexes.cache_clear()
    # The failed attempt, then the four indexes once: not again for the third call.
    assert calls == ["uniq_tenant_idempotency_key", "uniq_tenant_idempotency_key", "tenant_created",
                     "tenant_status", "status_sent"]
