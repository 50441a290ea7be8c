"""Indexes for listing a tenant's datasets and runs newest first (GET /datasets, GET /runs):
the keyset pages read (tenant_id, created_at, id) in order instead of sorting every row.

Revision ID: 0007_listing_indexes
Revises: 0006_result_worker
"""

from alembic import op

revision = "0007_listing_indexes"
down_revision = "0006_result_worker"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_datasets_tenant_newest", "datasets", ["tenant_id", "created_at", "id"])
    op.create_index("ix_runs_tenant_newest", "runs", ["tenant_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_runs_tenant_newest", table_name="runs")
    op.drop_index("ix_datasets_tenant_newest", table_name="datasets")
