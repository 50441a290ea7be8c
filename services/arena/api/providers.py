"""Looking up the provider a request names. Unknown → 404, like any other object a request
refers to that does not exist (an unknown dataset id is 404 too); the message lists the
registered providers, so a person can correct the name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.db.models import Provider
from arena.errors import ApiError


def find_provider(session: Session, name: str) -> Provider:
    provider = session.scalar(select(Provider).where(Provider.name == name))
    if provider is None:
        known = ", ".join(session.scalars(select(Provider.name).order_by(Provider.name))) or "none"
        raise ApiError(404, "not_found", f"provider '{name}' not found; registered providers: {known}",
                       {"field": "provider"})
    return provider
