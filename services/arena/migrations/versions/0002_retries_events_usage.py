"""Retries and fallbacks on runs, the run event history, and costs.

Revision ID: 0002_retries_events_usage
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002_retries_events_usage"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("fallback_models", JSONB, nullable=False, server_default="[]"))
    op.add_column("runs", sa.Column("active_model", sa.String(200), nullable=True))
    op.execute("UPDATE runs SET active_model = model")
    op.alter_column("runs", "active_model", nullable=False)
    op.add_column("runs", sa.Column("model_attempts", sa.Integer, nullable=False, server_default="0"))
    op.add_column("runs", sa.Column("max_attempts", sa.Integer, nullable=False, server_default="3"))
    op.add_column("runs", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("runs", sa.Column("cost", sa.Numeric(14, 6), nullable=False, server_default="0"))
    op.add_column("results", sa.Column("cost", sa.Numeric(14, 6), nullable=False, server_default="0"))
    # Beat's question every tick: which retrying runs are due?
    op.create_index("ix_runs_due_retries", "runs", ["status", "next_attempt_at"])
    op.create_table(
        "run_events",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("run_id", UUID(as_uuid=True), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("run_id", "seq", name="uq_run_events_run_seq"),
    )


def downgrade() -> None:
    op.drop_table("run_events")
    op.drop_index("ix_runs_due_retries", table_name="runs")
    for column in ("fallback_models", "active_model", "model_attempts", "max_attempts", "next_attempt_at", "cost"):
        op.drop_column("runs", column)
    op.drop_column("results", "cost")
