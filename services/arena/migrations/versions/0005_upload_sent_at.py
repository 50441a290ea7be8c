"""When an upload's processing task was last sent, so beat can send again what the broker lost.

Revision ID: 0005_upload_sent_at
Revises: 0004_run_heartbeat
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_upload_sent_at"
down_revision = "0004_run_heartbeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("datasets", "documents"):
        op.add_column(table, sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("datasets", "documents"):
        op.drop_column(table, "sent_at")
