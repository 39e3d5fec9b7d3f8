"""monitoring_result: one row per monitoring run (python -m modeling monitor), append-only.

Revision ID: 0002_monitoring_result
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_monitoring_result"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitoring_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_version", sa.String(), nullable=False),
        sa.Column("load_run_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("score_psi", sa.Float(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["load_run_id"], ["load_run.id"],
                                name="fk_monitoring_result_load_run_id_load_run"),
        sa.PrimaryKeyConstraint("id", name="pk_monitoring_result"),
    )
    op.create_index("ix_monitoring_result_computed_at", "monitoring_result", ["computed_at"])
    op.create_index("ix_monitoring_result_model_version", "monitoring_result", ["model_version"])


def downgrade() -> None:
    op.drop_index("ix_monitoring_result_model_version", table_name="monitoring_result")
    op.drop_index("ix_monitoring_result_computed_at", table_name="monitoring_result")
    op.drop_table("monitoring_result")
