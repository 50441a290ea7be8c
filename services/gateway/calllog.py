"""The record of every chat-completion request, so scenarios can assert on provider calls."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[dict] = []
        self._seen: Counter[tuple[str, str]] = Counter()  # (model, user) -> requests so far
        self._seq = 0

    def seen_before(self, model: str, user: str) -> int:
        """How many requests (model, user) made before this one; counts this one."""
        with self._lock:
            count = self._seen[(model, user)]
            self._seen[(model, user)] += 1
            return count

    def record(self, *, model: str, user: str, stream: bool, status: int, messages: list,
               retry_after_s: float | None = None) -> None:
        with self._lock:
            self._seq += 1
            self._calls.append({"seq": self._seq, "model": model, "user": user, "stream": stream,
                                "status": status, "retry_after_s": retry_after_s, "messages": messages,
                                "at": datetime.now(UTC).isoformat()})

    def calls(self, user: str | None = None, model: str | None = None) -> list[dict]:
        with self._lock:
            return [call for call in self._calls
                    if (user is None or call["user"] == user) and (model is None or call["model"] == model)]

    def reset(self, user: str | None = None) -> None:
        with self._lock:
            if user is None:
                self._calls.clear()
                self._seen.clear()
                return
            self._calls = [call for call in self._calls if call["user"] != user]
            for key in [key for key in self._seen if key[1] == user]:
                del self._seen[key]
