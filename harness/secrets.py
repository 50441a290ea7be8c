"""Masking of secrets in anything the suite prints or attaches (API keys, tokens)."""

from __future__ import annotations

import re
import threading

MASK = "***"

# Header and JSON field names whose values are always masked, whatever their value.
SECRET_HEADERS = {"x-api-key", "x-admin-token", "authorization"}
SECRET_FIELDS = {"api_key", "admin_token", "password", "token"}

_JSON_FIELD = re.compile(r'("(?:' + "|".join(sorted(SECRET_FIELDS)) + r')"\s*:\s*")[^"]*(")')

_known: set[str] = set()
_lock = threading.Lock()


def register(value: str | None) -> None:
    """Remember a secret value so that it is masked wherever it appears later."""
    if value and len(value) >= 6:
        with _lock:
            _known.add(value)


def mask(text: str) -> str:
    """Return `text` with every registered secret and every secret JSON field masked."""
    with _lock:
        values = sorted(_known, key=len, reverse=True)
    for value in values:
        text = text.replace(value, MASK)
    return _JSON_FIELD.sub(r"\1" + MASK + r"\2", text)


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (MASK if k.lower() in SECRET_HEADERS else mask(v)) for k, v in headers.items()}
