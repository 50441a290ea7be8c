"""Initial schema: tenants, providers, datasets and samples, runs and their results.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", UUID(as_uuid=True), primary_key=True)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _tenant() -> sa.Column:
    return sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
                     nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "tenants", _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("api_key_hash", sa.String(64), nullable=False, unique=True),
        _created(),
    )
    op.create_table(
        "providers", _id(),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("base_url", sa.String(500), nullable=False),
        sa.Column("api_key", sa.String(500), nullable=False),
        _created(),
    )
    op.create_table(
        "datasets", _id(), _tenant(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sample_count", sa.Integer, nullable=False),
        _created(),
    )
    op.create_table(
        "samples", _id(),
        sa.Column("dataset_id", UUID(as_uuid=True), sa.ForeignKey("datasets.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("input", sa.Text, nullable=False),
        sa.Column("expected", sa.Text, nullable=False),
    )
    op.create_table(
        "runs", _id(), _tenant(),
        sa.Column("dataset_id", UUID(as_uuid=True), sa.ForeignKey("datasets.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("provider_id", UUID(as_uuid=True), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("scorer", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("progress_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("progress_total", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("prompt_tokens", sa.Integer, nullable=False, server_default="0"),
        sa.Column("completion_tokens", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total_tokens", sa.Integer, nullable=False, server_default="0"),
        _created(),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "results", _id(), _tenant(),
        sa.Column("run_id", UUID(as_uuid=True), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sample_id", UUID(as_uuid=True), sa.ForeignKey("samples.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("input", sa.Text, nullable=False),
        sa.Column("expected", sa.Text, nullable=False),
        sa.Column("output", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("served_model", sa.String(200), nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("total_tokens", sa.Integer, nullable=False),
        _created(),
        # Exactly one result per sample of a run, whatever the worker re-delivers.
        sa.UniqueConstraint("run_id", "sample_id", name="uq_results_run_sample"),
    )


def downgrade() -> None:
    for table in ("results", "runs", "samples", "datasets", "providers", "tenants"):
        op.drop_table(table)
