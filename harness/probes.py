"""Read-only checks of the stores, scoped to one tenant: the truth where it lives.

Steps ask questions ("how many runs does my tenant have?"); SQL stays here.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

# What a tenant owns in PostgreSQL, each as the SQL that counts it. Samples have no tenant column:
# they belong to a tenant through their dataset.
TENANT_COUNTS = {
    "datasets": "SELECT count(*) FROM datasets WHERE tenant_id = :tenant",
    "samples": "SELECT count(*) FROM samples s JOIN datasets d ON d.id = s.dataset_id WHERE d.tenant_id = :tenant",
    "runs": "SELECT count(*) FROM runs WHERE tenant_id = :tenant",
    "results": "SELECT count(*) FROM results WHERE tenant_id = :tenant",
    "run_events": "SELECT count(*) FROM run_events WHERE tenant_id = :tenant",
    "documents": "SELECT count(*) FROM documents WHERE tenant_id = :tenant",
}


class PostgresProbe:
    def __init__(self, database_url: str) -> None:
        self.engine: Engine = create_engine(database_url, pool_pre_ping=True, pool_size=2)

    def close(self) -> None:
        self.engine.dispose()

    def rebind(self, database_url: str) -> None:
        """Point at a new address (a restarted container's new port); tenant views follow."""
        self.engine.dispose()
        self.engine = create_engine(database_url, pool_pre_ping=True, pool_size=2)

    def tenants_named(self, name: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM tenants WHERE name = :name"), {"name": name}).scalar_one()

    def for_tenant(self, tenant_id: str) -> TenantRows:
        return TenantRows(self, tenant_id)


class TenantRows:
    def __init__(self, probe: PostgresProbe, tenant_id: str) -> None:
        self.probe = probe
        self.tenant_id = tenant_id

    def _all(self, sql: str, **params) -> list[dict]:
        with self.probe.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(text(sql), params)]

    def count(self, table: str) -> int:
        with self.probe.engine.connect() as conn:
            return conn.execute(text(TENANT_COUNTS[table]), {"tenant": self.tenant_id}).scalar_one()

    def counts(self) -> dict[str, int]:
        return {table: self.count(table) for table in TENANT_COUNTS}

    def run(self, run_id: str) -> dict | None:
        rows = self._all("SELECT * FROM runs WHERE id = CAST(:run AS uuid) AND tenant_id = :tenant",
                         run=run_id, tenant=self.tenant_id)
        return rows[0] if rows else None

    def event_seqs(self, run_id: str) -> list[int]:
        rows = self._all("SELECT seq FROM run_events WHERE run_id = CAST(:run AS uuid) AND tenant_id = :tenant "
                         "ORDER BY seq", run=run_id, tenant=self.tenant_id)
        return [row["seq"] for row in rows]

    def usage_by_model(self) -> dict[str, dict]:
        """Tokens and cost of every result the tenant owns, per serving model."""
        rows = self._all(
            "SELECT served_model AS model, count(*) AS results, sum(prompt_tokens) AS prompt_tokens, "
            "sum(completion_tokens) AS completion_tokens, sum(total_tokens) AS total_tokens, sum(cost) AS cost "
            "FROM results WHERE tenant_id = :tenant GROUP BY served_model", tenant=self.tenant_id)
        return {row.pop("model"): row for row in rows}

    def samples_of_dataset(self, dataset_id: str) -> list[dict]:
        return self._all("SELECT s.* FROM samples s JOIN datasets d ON d.id = s.dataset_id "
                         "WHERE d.id = CAST(:dataset AS uuid) AND d.tenant_id = :tenant ORDER BY s.position",
                         dataset=dataset_id, tenant=self.tenant_id)

    def datasets_with_checksum(self, checksum: str) -> list[dict]:
        return self._all("SELECT * FROM datasets WHERE tenant_id = :tenant AND checksum = :checksum",
                         tenant=self.tenant_id, checksum=checksum)

    def workers_of_runs(self, run_ids: list[str]) -> set[str]:
        """The workers (host names) that stored results of these runs: recorded on each result."""
        rows = self._all("SELECT DISTINCT worker FROM results WHERE tenant_id = :tenant "
                         "AND run_id = ANY(CAST(:runs AS uuid[]))", tenant=self.tenant_id, runs=run_ids)
        return {row["worker"] for row in rows}

    def dataset(self, dataset_id: str) -> dict | None:
        rows = self._all("SELECT * FROM datasets WHERE id = CAST(:dataset AS uuid) AND tenant_id = :tenant",
                         dataset=dataset_id, tenant=self.tenant_id)
        return rows[0] if rows else None

    def results_of_run(self, run_id: str) -> list[dict]:
        """Every stored result row of a run, whoever owns it (to prove ownership, not assume it)."""
        return self._all("SELECT * FROM results WHERE run_id = CAST(:run AS uuid) ORDER BY position",
                         run=run_id)


class MongoProbe:
    """Battle documents read straight from MongoDB with pymongo, not through Arena's API."""

    def __init__(self, mongo_url: str) -> None:
        from pymongo import MongoClient

        self._connect = lambda url: MongoClient(url, serverSelectionTimeoutMS=3000, tz_aware=True)
        self.client = self._connect(mongo_url)
        self.db = self.client.get_default_database("arena")

    def rebind(self, mongo_url: str) -> None:
        self.client.close()
        self.client = self._connect(mongo_url)
        self.db = self.client.get_default_database("arena")

    def close(self) -> None:
        self.client.close()

    def battle(self, tenant_id: str, battle_id: str) -> dict | None:
        return self.db["battles"].find_one({"_id": battle_id, "tenant_id": tenant_id})

    def battles(self, tenant_id: str, **match) -> list[dict]:
        return list(self.db["battles"].find({"tenant_id": tenant_id, **match}))

    def battle_count(self, tenant_id: str) -> int:
        return self.db["battles"].count_documents({"tenant_id": tenant_id})

    def index_names(self) -> dict[str, dict]:
        return self.db["battles"].index_information()
