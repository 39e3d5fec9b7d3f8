"""The bank's final decision on a client: the latest advisor review if there is one, else the model's.

Every interface that states a decision (the letter, the advisor page, the dashboard card, the API and the
batch CSV) reads it from here, so that what a client or an advisor reads is what the bank decided. The
model's own decision and probability are kept alongside, for the advisor and for the audit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from database.oversight import Review, latest_review, latest_reviews
from modeling.wording import catalogue

MODEL = "model"
ADVISOR = "advisor"
#: Columns the batch CSV gains next to the model's, in this order.
FRAME_COLUMNS = ("final_decision", "decided_by", "reviewer", "reviewed_at", "review_reason")
#: Clients whose reviews are read per query in a batch (under the bound parameters SQLite and PostgreSQL take).
CHUNK = 10_000


@dataclass(frozen=True)
class FinalDecision:
    """A client's final decision, who took it, when and why, with the model's decision next to it."""

    client_id: int
    decision: str  # grant or refuse: the bank's decision
    decided_by: str  # MODEL or ADVISOR
    user_name: str | None  # the advisor, None for the model
    decided_at: datetime | None  # the review's time (UTC), None for the model (it decides when asked)
    reason: str | None  # the review's reason code (database.schema.REVIEW_REASONS)
    comment: str | None
    model_decision: str
    model_probability: float
    model_version: str

    @property
    def reviewed(self) -> bool:
        """True when an advisor took the decision (confirming or overriding the model)."""
        return self.decided_by == ADVISOR

    @property
    def overridden(self) -> bool:
        """True when the advisor's decision differs from the model's."""
        return self.decision != self.model_decision


def decide(result, review: Review | None) -> FinalDecision:
    """The final decision of a modeling ScoreResult given the client's latest review (None: the model's)."""
    model = dict(model_decision=str(result.decision), model_probability=float(result.probability),
                 model_version=str(result.model_version))
    if review is None:
        return FinalDecision(int(result.client_id), str(result.decision), MODEL, None, None, None, None, **model)
    return FinalDecision(int(result.client_id), review.final_decision, ADVISOR, review.user_name,
                         review.reviewed_at, review.reason, review.comment, **model)


def final_decision(engine: Engine, result) -> FinalDecision:
    """The final decision of the client of ``result`` (a ScoreResult), reading its latest review."""
    return decide(result, latest_review(engine, int(result.client_id)))


def final_decisions(engine: Engine, results: list) -> list[FinalDecision]:
    """The final decisions of several ScoreResults, reading their reviews in one query."""
    reviews = latest_reviews(engine, [int(r.client_id) for r in results]) if results else {}
    return [decide(r, reviews.get(int(r.client_id))) for r in results]


def with_final_decisions(engine: Engine, scores: pd.DataFrame) -> pd.DataFrame:
    """A batch frame (SK_ID_CURR, probability, decision, ...) with the FRAME_COLUMNS of each client."""
    ids = [int(i) for i in scores["SK_ID_CURR"]]
    reviews: dict[int, Review] = {}
    for start in range(0, len(ids), CHUNK):
        reviews.update(latest_reviews(engine, ids[start:start + CHUNK]))
    found = [reviews.get(int(i)) for i in scores["SK_ID_CURR"]]
    out = scores.copy()
    out["final_decision"] = [r.final_decision if r else d for r, d in zip(found, scores["decision"], strict=True)]
    out["decided_by"] = [ADVISOR if r else MODEL for r in found]
    out["reviewer"] = [r.user_name if r else None for r in found]
    out["reviewed_at"] = [r.reviewed_at.isoformat() if r else None for r in found]
    out["review_reason"] = [r.reason if r else None for r in found]
    return out


def reason_label(reason: str, lang: str) -> str:
    """A review reason code in the reader's words ('Garantie ou co-emprunteur apporté')."""
    return catalogue.t(f"review_reason_{reason}", lang)


def decided_by_sentence(final: FinalDecision, lang: str) -> str:
    """Who took the decision, for advisors: the advisor, the day and the reason; or the automated assessment."""
    if not final.reviewed:
        return catalogue.t("final_by_model", lang)
    return catalogue.t("final_by_advisor", lang, user=final.user_name, date=catalogue.day(final.decided_at, lang),
                       reason=reason_label(final.reason, lang))


def model_proposal_sentence(final: FinalDecision, lang: str) -> str:
    """The model's own decision and probability, shown next to an advisor's decision."""
    return catalogue.t("final_model_proposal", lang, d=catalogue.decision_label(final.model_decision, lang),
                       p=catalogue.percent(final.model_probability, lang))
