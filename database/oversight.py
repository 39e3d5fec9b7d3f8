"""Human oversight records: who opened which client's file (access_log) and the advisors' reviews of the
model's decisions (decision_review). Both are append-only: these functions only insert and read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from database.schema import REVIEW_DECISIONS, REVIEW_REASONS, AccessLog, DecisionReview

COMMENT_MAX = 1000


class ReviewError(ValueError):
    """A review that cannot be recorded; the message names the field and what to give."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Review:
    """One recorded review of a client's decision."""

    client_id: int
    reviewed_at: datetime
    user_name: str
    model_version: str
    model_probability: float
    model_decision: str
    model_grade: str
    final_decision: str
    reason: str
    comment: str | None

    @property
    def overridden(self) -> bool:
        return self.final_decision != self.model_decision


def record_access(engine: Engine, user_name: str, client_id: int, channel: str) -> None:
    """Write one access_log row: ``user_name`` opened the file of ``client_id`` through ``channel``."""
    with engine.begin() as connection:
        connection.execute(insert(AccessLog).values(accessed_at=datetime.now(UTC), user_name=user_name,
                                                    sk_id_curr=int(client_id), channel=channel))


def check_review(final_decision: object, reason: object, comment: object) -> str | None:
    """The comment to store (stripped, None when empty); ReviewError naming the bad field otherwise."""
    if final_decision not in REVIEW_DECISIONS:
        raise ReviewError("final_decision", f"final_decision {str(final_decision)[:20]!r} is not valid: "
                                            f"use {' or '.join(REVIEW_DECISIONS)}")
    if reason not in REVIEW_REASONS:
        raise ReviewError("reason", f"reason {str(reason)[:30]!r} is not in the list: use one of "
                                    f"{', '.join(REVIEW_REASONS)}")
    if comment is not None and not isinstance(comment, str):
        raise ReviewError("comment", "comment must be text")
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        raise ReviewError("comment", f"comment has {len(text)} characters: at most {COMMENT_MAX}")
    return text or None


def record_review(engine: Engine, result, user_name: str, final_decision: str, reason: str,
                  comment: str | None = None) -> Review:
    """Append a review of the model's ``result`` (a modeling ScoreResult) and return it as stored."""
    review = new_review(result, user_name, final_decision, reason, comment)
    with engine.begin() as connection:
        insert_review(connection, review)
    return review


def new_review(result, user_name: str, final_decision: str, reason: str, comment: str | None = None) -> Review:
    """The checked review of the model's ``result`` made now (ReviewError naming a bad field)."""
    comment = check_review(final_decision, reason, comment)
    return Review(int(result.client_id), datetime.now(UTC), user_name, str(result.model_version),
                  float(result.probability), str(result.decision), str(result.grade), final_decision, reason,
                  comment)


def insert_review(connection: Connection, review: Review) -> int:
    """Append ``review`` in the transaction of ``connection``; the id of its decision_review row."""
    return connection.execute(insert(DecisionReview).values(
        reviewed_at=review.reviewed_at, sk_id_curr=review.client_id, model_version=review.model_version,
        model_probability=review.model_probability, model_decision=review.model_decision,
        model_grade=review.model_grade, final_decision=review.final_decision, reason=review.reason,
        comment=review.comment, user_name=review.user_name).returning(DecisionReview.id)).scalar_one()


def reviews_of(engine: Engine, client_id: int) -> list[Review]:
    """The reviews of one client, newest first."""
    return _reviews(engine, [client_id])


def latest_reviews(engine: Engine, client_ids: list[int]) -> dict[int, Review]:
    """The newest review of each of ``client_ids`` that has one, in one query."""
    latest: dict[int, Review] = {}
    for review in _reviews(engine, client_ids):
        latest.setdefault(review.client_id, review)
    return latest


def _reviews(engine: Engine, client_ids: list[int]) -> list[Review]:
    """The reviews of these clients, newest first."""
    table = DecisionReview.__table__.c
    with engine.connect() as connection:
        rows = connection.execute(select(DecisionReview.__table__)
                                  .where(table.sk_id_curr.in_([int(c) for c in client_ids]))
                                  .order_by(table.reviewed_at.desc(), table.id.desc())).all()
    # SQLite gives times back without their zone: they were written in UTC
    return [Review(r.sk_id_curr, r.reviewed_at if r.reviewed_at.tzinfo else r.reviewed_at.replace(tzinfo=UTC),
                   r.user_name, r.model_version, r.model_probability,
                   r.model_decision, r.model_grade, r.final_decision, r.reason, r.comment) for r in rows]


def latest_review(engine: Engine, client_id: int) -> Review | None:
    """The newest review of a client (None when nobody reviewed it)."""
    return latest_reviews(engine, [client_id]).get(int(client_id))


def override_rates(engine: Engine) -> dict[str, pd.DataFrame]:
    """Reviews and override rate by reason and by grade, over each client's latest review.

    Two frames indexed by reason and by grade, columns ``reviews``, ``overrides``, ``rate``.
    """
    table = DecisionReview
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(
            select(table.id, table.sk_id_curr, table.reason, table.model_grade, table.model_decision,
                   table.final_decision)).all(),
            columns=["id", "client", "reason", "grade", "model", "final"])
    frame = frame.sort_values("id").drop_duplicates("client", keep="last")
    frame["override"] = frame["model"] != frame["final"]
    out = {}
    for by in ("reason", "grade"):
        grouped = frame.groupby(by)["override"].agg(reviews="size", overrides="sum")
        grouped["rate"] = grouped["overrides"] / grouped["reviews"]
        out[by] = grouped.sort_index()
    return out
