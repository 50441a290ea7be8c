"""Everything a tenant owns, in every store: PostgreSQL rows, MongoDB battle documents and the
files of the upload store. "Nothing new is stored" compares two of these; "nothing remains"
checks one is empty.

The upload store is a volume inside the stack: in external mode it cannot be looked into, and
a footprint says so (`files is None`) instead of pretending it is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.uploads import tenant_upload_dir


@dataclass(frozen=True)
class Footprint:
    rows: dict[str, int]
    battles: int
    files: tuple[str, ...] | None  # None: the upload store cannot be inspected (external mode)

    def changes_from(self, before: Footprint) -> list[str]:
        """What differs from `before`, one phrase per store ("samples 3 -> 6")."""
        changes = [f"{table} {before.rows.get(table)} -> {count}"
                   for table, count in self.rows.items() if before.rows.get(table) != count]
        if self.battles != before.battles:
            changes.append(f"MongoDB battles {before.battles} -> {self.battles}")
        if self.files is not None and before.files is not None and self.files != before.files:
            added, removed = sorted(set(self.files) - set(before.files)), sorted(set(before.files) - set(self.files))
            changes.append(f"upload store: added {added}, removed {removed}")
        return changes

    def holdings(self) -> list[str]:
        """What is held at all ("runs 2"), for checks that a tenant left nothing behind."""
        held = [f"{table} {count}" for table, count in self.rows.items() if count]
        if self.battles:
            held.append(f"MongoDB battles {self.battles}")
        if self.files:
            held.append(f"upload store files {list(self.files)}")
        return held


def upload_store_inspectable(stack) -> bool:
    return stack.managed


def stored_files(stack, tenant_id: str) -> tuple[str, ...] | None:
    if not upload_store_inspectable(stack):
        return None
    return tuple(stack.files_in("api", tenant_upload_dir(tenant_id)))


def footprint(session, mongo, stack) -> Footprint:
    """The footprint of a tenant session (harness.tenants.TenantSession)."""
    return Footprint(rows=session.rows.counts(), battles=mongo.battle_count(session.id),
                     files=stored_files(stack, session.id))


def my_footprint(context) -> Footprint:
    """The footprint of the scenario's tenant."""
    return footprint(context.me, context.mongo, context.stack)
