"""client_score.features: the comparison features kept with each batch score (the dashboard reads them).

Revision ID: 0004_client_score_features
Revises: 0003_sign_in_and_review
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_client_score_features"
down_revision = "0003_sign_in_and_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("client_score") as batch:
        batch.add_column(sa.Column("features", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client_score") as batch:
        batch.drop_column("features")
