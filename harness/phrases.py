"""Custom parse types for step phrases, registered once when a step module imports this.

`Text` is what goes between double quotes in a phrase: anything but a double quote. With it,
`on model "{model:Text}"` cannot swallow the rest of a longer phrase (`... "x" with at most 2
attempts`), so no step depends on the order in which definitions are registered to match.
`Thing` is one of the things a tenant owns; `Listing` one of the lists a tenant can page through.
`Dec` is a number read as a Decimal (costs, ratings), so a value in a feature is compared
exactly, not as a float.
"""

from __future__ import annotations

from decimal import Decimal

import parse
from behave import register_type


@parse.with_pattern(r'[^"]*')
def parse_text(text: str) -> str:
    return text


@parse.with_pattern(r"-?\d+(?:\.\d+)?")
def parse_decimal(text: str) -> Decimal:
    return Decimal(text)


THINGS = ("run", "dataset", "document", "battle")


@parse.with_pattern("|".join(THINGS))
def parse_thing(text: str) -> str:
    return text


LISTINGS = ("runs", "datasets")


@parse.with_pattern("|".join(LISTINGS))
def parse_listing(text: str) -> str:
    return text


register_type(Text=parse_text, Dec=parse_decimal, Thing=parse_thing, Listing=parse_listing)
