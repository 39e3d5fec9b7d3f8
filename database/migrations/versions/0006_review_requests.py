"""Review requests (CCD2 Art. 18, GDPR Art. 22(3)), and append-only enforced by the database itself.

review_request holds a client's request for a human review with their statement; review_request_step its
steps (taken by an advisor, answered by a review). Triggers refuse UPDATE and DELETE (and, on PostgreSQL,
TRUNCATE) on these tables and on score_audit, access_log and decision_review, whoever the role, the owner
included: the privileges of database/sql/grants.sql already refuse them to the application's roles.

Revision ID: 0006_review_requests
Revises: 0004_client_score_features
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_review_requests"
down_revision = "0005_server_sessions"
branch_labels = None
depends_on = None

#: The tables whose rows are never changed nor deleted (frozen here: database.schema.APPEND_ONLY_TABLES today).
APPEND_ONLY = ("score_audit", "access_log", "decision_review", "review_request", "review_request_step")
PG_FUNCTION = "refuse_append_only_change"


def _create_triggers(dialect: str) -> None:
    """The triggers refusing changes to the append-only tables on ``dialect``."""
    if dialect == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation';
            END
            $$""")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()")
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END")


def _drop_triggers(dialect: str) -> None:
    """Remove what ``_create_triggers`` made."""
    if dialect == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
        return
    for table in APPEND_ONLY:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def upgrade() -> None:
    op.create_table(
        "review_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sk_id_curr", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("contact", sa.String(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.CheckConstraint("channel IN ('api', 'branch')", name="ck_review_request_channel"),
        sa.CheckConstraint("contact IN ('letter', 'email', 'phone', 'branch')", name="ck_review_request_contact"),
        sa.ForeignKeyConstraint(["sk_id_curr"], ["application.sk_id_curr"],
                                name="fk_review_request_sk_id_curr_application"),
        sa.PrimaryKeyConstraint("id", name="pk_review_request"),
    )
    op.create_index("ix_review_request_received_at", "review_request", ["received_at"])
    op.create_index("ix_review_request_sk_id_curr", "review_request", ["sk_id_curr"])
    op.create_table(
        "review_request_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("stepped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(step = 'taken' AND review_id IS NULL) OR (step = 'answered' AND review_id IS NOT NULL)",
                           name="ck_review_request_step_step"),
        sa.ForeignKeyConstraint(["request_id"], ["review_request.id"],
                                name="fk_review_request_step_request_id_review_request"),
        sa.ForeignKeyConstraint(["review_id"], ["decision_review.id"],
                                name="fk_review_request_step_review_id_decision_review"),
        sa.PrimaryKeyConstraint("id", name="pk_review_request_step"),
    )
    op.create_index("ix_review_request_step_request_id", "review_request_step", ["request_id"])
    op.create_index("uq_review_request_step_answered", "review_request_step", ["request_id"], unique=True,
                    sqlite_where=sa.text("step = 'answered'"), postgresql_where=sa.text("step = 'answered'"))
    _create_triggers(op.get_bind().dialect.name)


def downgrade() -> None:
    _drop_triggers(op.get_bind().dialect.name)
    op.drop_table("review_request_step")
    op.drop_table("review_request")
