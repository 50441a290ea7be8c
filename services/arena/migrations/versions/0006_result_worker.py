"""Which worker stored each result: the record of who did the work (the worker pool's proof that
runs are shared, without reading log lines).

Revision ID: 0006_result_worker
Revises: 0005_upload_sent_at
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_result_worker"
down_revision = "0005_upload_sent_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("results", sa.Column("worker", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("results", "worker")
