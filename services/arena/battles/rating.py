"""The leaderboard: Elo ratings from a tenant's completed battles, in the order they finished.

Every model starts at 1000; K = 32; a win scores 1, a draw 0.5, a loss 0. Failed battles are
not completed battles, so they change no rating. Ties in rating are ordered by name.
"""

from __future__ import annotations

from dataclasses import dataclass

START, K = 1000.0, 32.0


@dataclass
class Standing:
    model: str
    rating: float = START
    battles: int = 0
    wins: int = 0
    losses: int = 0
    draws: int = 0


def expected_score(rating: float, opponent: float) -> float:
    return 1.0 / (1.0 + 10 ** ((opponent - rating) / 400.0))


def leaderboard(battles: list[dict]) -> list[Standing]:
    table: dict[str, Standing] = {}
    for battle in battles:
        a, b = (table.setdefault(c["model"], Standing(c["model"])) for c in battle["contenders"])
        score_a = 0.5 if battle["draw"] else (1.0 if battle["winner"] == a.model else 0.0)
        expected_a = expected_score(a.rating, b.rating)
        a.rating, b.rating = a.rating + K * (score_a - expected_a), b.rating + K * (expected_a - score_a)
        for standing, score in ((a, score_a), (b, 1.0 - score_a)):
            standing.battles += 1
            if score == 0.5:
                standing.draws += 1
            elif score == 1.0:
                standing.wins += 1
            else:
                standing.losses += 1
    return sorted(table.values(), key=lambda s: (-s.rating, s.model))
