"""The one owner of the stack's address.

Clients do not keep a copy of a URL: they ask the `Endpoints` they were given at every call. When
a restarted container comes back on a new host port, `Endpoints.move_to` is the one assignment
that repoints every API and gateway client (the probes' connection pools are rebound next to it,
harness/suite.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace


@dataclass(eq=True)
class Endpoints:
    api_url: str
    gateway_url: str
    database_url: str
    mongo_url: str
    redis_url: str | None = None
    # Called with (before, now) after a move: what holds a connection pool rather than reading
    # the address per call (the stores' probes) rebinds here.
    watchers: list[Callable[[Endpoints, Endpoints], None]] = field(
        default_factory=list, init=False, repr=False, compare=False)

    def move_to(self, other: Endpoints) -> bool:
        """Take `other`'s addresses in place; say whether anything changed."""
        if self == other:
            return False
        before = replace(self)
        for f in fields(self):
            if f.init:
                setattr(self, f.name, getattr(other, f.name))
        for watcher in self.watchers:
            watcher(before, self)
        return True

    def __str__(self) -> str:
        return f"api {self.api_url}, gateway {self.gateway_url}"


class Address:
    """One service's URL, read from its owner at each use (or fixed, for a client made with a
    URL of somewhere else, e.g. a security step's stranger)."""

    def __init__(self, where: str | Endpoints | Address, attribute: str) -> None:
        if isinstance(where, Address):
            where = where.owner if where.owner is not None else where.fixed
        self.owner = where if isinstance(where, Endpoints) else _following(where, attribute)
        self.fixed = None if self.owner is not None else str(where).rstrip("/")
        self.attribute = attribute

    @property
    def url(self) -> str:
        if self.owner is not None:
            return getattr(self.owner, self.attribute).rstrip("/")
        return self.fixed


# The suite's live Endpoints (set by harness.suite.connect). A client made with the very URL the
# stack has now (steps write `ArenaClient(context.endpoints.api_url, ...)`) follows the stack
# when it moves, as one made with the Endpoints themselves does.
_live: Endpoints | None = None


def set_live(endpoints: Endpoints | None) -> None:
    global _live
    _live = endpoints


def _following(url: str, attribute: str) -> Endpoints | None:
    if _live is not None and getattr(_live, attribute, None) == url:
        return _live
    return None
