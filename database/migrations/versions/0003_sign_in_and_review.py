"""Sign-in and human oversight: app_user (people and roles), access_log (file openings), decision_review.

access_log and decision_review are append-only for the application role (database/sql/grants.sql).

Revision ID: 0003_sign_in_and_review
Revises: 0002_monitoring_result
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sign_in_and_review"
down_revision = "0002_monitoring_result"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('advisor', 'risk_manager', 'admin')", name="ck_app_user_role"),
        sa.PrimaryKeyConstraint("id", name="pk_app_user"),
        sa.UniqueConstraint("name", name="uq_app_user_name"),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("sk_id_curr", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_log"),
    )
    for column in ("accessed_at", "user_name", "sk_id_curr"):
        op.create_index(f"ix_access_log_{column}", "access_log", [column])
    op.create_table(
        "decision_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sk_id_curr", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(), nullable=False),
        sa.Column("model_probability", sa.Float(), nullable=False),
        sa.Column("model_decision", sa.String(), nullable=False),
        sa.Column("model_grade", sa.String(), nullable=False),
        sa.Column("final_decision", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.CheckConstraint("final_decision IN ('grant', 'refuse')", name="ck_decision_review_final_decision"),
        sa.ForeignKeyConstraint(["sk_id_curr"], ["application.sk_id_curr"],
                                name="fk_decision_review_sk_id_curr_application"),
        sa.PrimaryKeyConstraint("id", name="pk_decision_review"),
    )
    op.create_index("ix_decision_review_reviewed_at", "decision_review", ["reviewed_at"])
    op.create_index("ix_decision_review_sk_id_curr", "decision_review", ["sk_id_curr"])


def downgrade() -> None:
    op.drop_table("decision_review")
    op.drop_table("access_log")
    op.drop_table("app_user")
