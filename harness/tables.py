"""Comparing a Then's table with what was seen, and saying only what differs, by row and column.

`expected` is a step's table as behave gives it (each row a dict of heading -> text); `seen` is what
the system answered (a list of dicts, values of any type). A row is labelled by its place in the
step's table and, given a `key` column, by that cell: "row 2 (model gpt-3.5-turbo)".

    differences(expected, seen, key="model")
    -> "3 rows where the table has 3; 1 differs:
         row 2 (model gpt-3.5-turbo): rating expected 984.7, saw 990.1; wins expected 0, saw 1"

`side_by_side` renders both tables as plain text, for a report attachment. This module returns
strings only (no behave, no allure): attaching is the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

Same = Callable[[str, object], bool]  # (the table's cell, the seen value) -> the same?


def text_of(value: object) -> str:
    """A seen value as a table cell: None is empty, the rest as `str` writes it."""
    return "" if value is None else str(value)


def same_text(expected: str, seen: object) -> bool:
    return expected == text_of(seen)


def same_number(expected: str, seen: object) -> bool:
    """Numbers compared as numbers: "984" and 984.0 are the same rating (text that is not a
    number is compared as text)."""
    try:
        return Decimal(expected) == Decimal(text_of(seen))
    except InvalidOperation:
        return same_text(expected, seen)


def contains(expected: str, seen: object) -> bool:
    """The seen text contains the table's cell ("not valid JSON" in "line 2: not valid JSON: ...")."""
    return expected in text_of(seen)


class _Pair:
    """A row of the step's table and the seen row it is compared with (either may be missing)."""

    def __init__(self, number: int | None, expected: Mapping[str, str] | None, seen: Mapping[str, object] | None):
        self.number, self.expected, self.seen = number, expected, seen


def _columns(expected: Sequence[Mapping[str, str]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    names: list[str] = []
    for row in expected:
        names += [name for name in row if name not in names]
    return names


def _cell_differences(pair: _Pair, columns: Sequence[str], same: Mapping[str, Same]) -> list[str]:
    assert pair.expected is not None and pair.seen is not None, (
        f"expected a pair of rows to compare cells, saw expected {pair.expected}, seen {pair.seen}")
    found = []
    for column in columns:
        wanted = pair.expected.get(column, "")
        if column not in pair.seen:
            found.append(f"{column} expected {wanted}, saw no such column")
        elif not same.get(column, same_text)(wanted, pair.seen[column]):
            found.append(f"{column} expected {wanted}, saw {text_of(pair.seen[column])}")
    return found


def _pairs(expected: Sequence[Mapping[str, str]], seen: Sequence[Mapping[str, object]], key: str | None,
           ordered: bool, columns: Sequence[str], same: Mapping[str, Same]) -> list[_Pair]:
    """The rows paired: by position when `ordered` (or no key), else by the key column (of rows
    sharing a key, a seen row that matches in every column is preferred)."""
    if ordered or key is None:
        pairs = [_Pair(i + 1, row, seen[i] if i < len(seen) else None) for i, row in enumerate(expected)]
        return pairs + [_Pair(None, None, row) for row in seen[len(expected):]]
    unmatched = list(seen)
    pairs = []
    for i, row in enumerate(expected):
        candidates = [s for s in unmatched if same.get(key, same_text)(row.get(key, ""), s.get(key))]
        whole = [s for s in candidates if not _cell_differences(_Pair(i + 1, row, s), columns, same)]
        match = (whole or candidates or [None])[0]
        if match is not None:
            unmatched = [s for s in unmatched if s is not match]
        pairs.append(_Pair(i + 1, row, match))
    return pairs + [_Pair(None, None, row) for row in unmatched]


def _label(pair: _Pair, key: str | None) -> str:
    row = pair.expected if pair.expected is not None else pair.seen
    named = f" ({key} {text_of(row.get(key))})" if key is not None and row is not None and key in row else ""
    return f"row {pair.number}{named}" if pair.number is not None else f"extra row{named}"


def _cells(row: Mapping[str, object], columns: Sequence[str]) -> str:
    return ", ".join(f"{column} {text_of(row.get(column))}" for column in columns if column in row)


def differences(expected: Sequence[Mapping[str, str]], seen: Sequence[Mapping[str, object]], *,
                key: str | None = None, ordered: bool = True, columns: Sequence[str] | None = None,
                same: Mapping[str, Same] | None = None) -> str:
    """What differs between the step's table and the seen rows, one line per row that differs
    (only the cells that differ), then the rows missing and the rows extra; "" when they agree.

    `key`: the column that names a row (and, unless `ordered`, pairs the rows); `ordered`: row N
    of the table is compared with the Nth row seen; `columns`: those compared (default: the table's
    headings; a seen row's other fields are ignored); `same`: how a column's cells compare
    (default `same_text`; `same_number`, `contains`, or any function of (cell, value))."""
    names = _columns(expected, columns)
    rules = dict(same or {})
    lines, differ, missing, extra = [], 0, 0, 0
    for pair in _pairs(expected, seen, key, ordered, names, rules):
        if pair.seen is None:
            missing += 1
            lines.append(f"  {_label(pair, key)}: missing; expected {_cells(pair.expected, names)}")
        elif pair.expected is None:
            extra += 1
            lines.append(f"  {_label(pair, key)}: not in the table; saw {_cells(pair.seen, names)}")
        elif cells := _cell_differences(pair, names, rules):
            differ += 1
            lines.append(f"  {_label(pair, key)}: " + "; ".join(cells))
    if not lines:
        return ""
    counts = [f"{n} {word}" for n, word in ((differ, "differ" if differ > 1 else "differs"),
                                             (missing, "missing"), (extra, "extra")) if n]
    summary = f"{_rows(len(seen))} where the table has {len(expected)}; {', '.join(counts)}:"
    return "\n".join([summary, *lines])


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def side_by_side(expected: Sequence[Mapping[str, str]], seen: Sequence[Mapping[str, object]], *,
                 key: str | None = None, ordered: bool = True, columns: Sequence[str] | None = None,
                 same: Mapping[str, Same] | None = None) -> str:
    """Both tables as plain text, the step's on the left and what was seen on the right, rows paired
    as `differences` pairs them; a row that differs is marked `!` (for a report attachment)."""
    names = _columns(expected, columns)
    rules = dict(same or {})
    pairs = _pairs(expected, seen, key, ordered, names, rules)
    widths = {name: max([len(name)] + [len(text_of(row.get(name))) for p in pairs for row in (p.expected, p.seen)
                                       if row is not None]) for name in names}

    def line(row: Mapping[str, object] | None) -> str:
        if row is None:
            return "(no row)"
        return " | ".join(text_of(row.get(name)).ljust(widths[name]) for name in names)

    header = " | ".join(name.ljust(widths[name]) for name in names)
    left = max(len(header), len("expected"))
    out = [f"  {'expected'.ljust(left)} || seen", f"  {header.ljust(left)} || {header}"]
    for pair in pairs:
        differs = (pair.expected is None or pair.seen is None
                   or bool(_cell_differences(pair, names, rules)))
        out.append(f"{'!' if differs else ' '} {line(pair.expected).ljust(left)} || {line(pair.seen)}".rstrip())
    return "\n".join(out)
