"""Uploaded datasets (status, file facts, rejection reasons) and documents.

Revision ID: 0003_uploads_documents
Revises: 0002_retries_events_usage
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0003_uploads_documents"
down_revision = "0002_retries_events_usage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("datasets", sa.Column("status", sa.String(20), nullable=False, server_default="ready"))
    op.add_column("datasets", sa.Column("source", sa.String(20), nullable=False, server_default="inline"))
    op.add_column("datasets", sa.Column("file_name", sa.String(300), nullable=True))
    op.add_column("datasets", sa.Column("size_bytes", sa.BigInteger, nullable=True))
    op.add_column("datasets", sa.Column("checksum", sa.String(64), nullable=True))
    op.add_column("datasets", sa.Column("stored_path", sa.String(500), nullable=True))
    op.add_column("datasets", sa.Column("errors", JSONB, nullable=True))
    op.create_index("ix_datasets_tenant_checksum", "datasets", ["tenant_id", "checksum"])
    op.create_table(
        "documents",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("tenant_id", UUID(as_uuid=True), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("stored_path", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("page_count", sa.Integer, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("documents")
    op.drop_index("ix_datasets_tenant_checksum", table_name="datasets")
    for column in ("status", "source", "file_name", "size_bytes", "checksum", "stored_path", "errors"):
        op.drop_column("datasets", column)
