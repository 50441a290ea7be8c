"""A heartbeat on runs, so a run whose worker died can be found and resumed.

Revision ID: 0004_run_heartbeat
Revises: 0003_uploads_documents
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_run_heartbeat"
down_revision = "0003_uploads_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("runs", "heartbeat_at")
