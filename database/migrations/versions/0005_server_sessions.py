"""Server-side sessions (server_session) and failed sign-ins shared by every worker (sign_in_failure).

Revision ID: 0005_server_sessions
Revises: 0004_client_score_features
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_server_sessions"
down_revision = "0004_client_score_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_session",
        sa.Column("id_hash", sa.String(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name="pk_server_session"),
    )
    op.create_index("ix_server_session_user_name", "server_session", ["user_name"])
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.Column("address", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_failure"),
    )
    for column in ("failed_at", "account", "address"):
        op.create_index(f"ix_sign_in_failure_{column}", "sign_in_failure", [column])


def downgrade() -> None:
    op.drop_table("sign_in_failure")
    op.drop_table("server_session")
