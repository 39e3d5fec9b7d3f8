"""Clients' requests for a human review of an automated decision (CCD2 Art. 18, GDPR Art. 22(3)).

A request (``review_request``) carries the client's own statement; its steps (``review_request_step``) are
appended as they happen: an advisor takes it, then answers it with a review (``decision_review``) in the same
transaction. Nothing is updated: a request's state is read from its steps. Database triggers refuse UPDATE and
DELETE on both tables (migration 0006).
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from database.oversight import Review, insert_review, new_review
from database.schema import (
    REQUEST_CHANNELS,
    REQUEST_CONTACTS,
    Application,
    DecisionReview,
    ReviewRequest,
    ReviewRequestStep,
)

STATEMENT_MAX = 2000
USER_MAX = 100
#: Request states, in the order a request goes through them.
STATES = ("open", "taken", "answered")
#: Invisible characters that reorder text (bidi overrides and isolates): refused, like control characters.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
#: What a text field refuses, for the API's schema: a character of REFUSED_PATTERN (control characters but tab
#: and line ends, _BIDI), or no character but spaces (TEXT_PATTERN asks for one). Lone surrogates, which JSON
#: can carry but no text holds, are refused by check_text alone.
REFUSED_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
TEXT_PATTERN = r"\S"


class RequestError(ValueError):
    """A request or a step that cannot be recorded; the message names the field and what to give."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class UnknownRequestTarget(RequestError):
    """The client or the request named does not exist."""


@dataclass(frozen=True)
class Step:
    """One step of a request: ``taken`` or ``answered`` (with the review's id)."""

    step: str
    stepped_at: datetime
    user_name: str
    review_id: int | None
    final_decision: str | None = None  # the answer's review: its decision and reason
    reason: str | None = None


@dataclass(frozen=True)
class Request:
    """A review request as stored, with its steps oldest first."""

    id: int
    client_id: int
    received_at: datetime
    channel: str
    contact: str | None
    statement: str
    recorded_by: str
    steps: tuple[Step, ...] = ()

    @property
    def answer(self) -> Step | None:
        return next((s for s in self.steps if s.step == "answered"), None)

    @property
    def taken(self) -> Step | None:
        """The latest ``taken`` step (an advisor may take over a request another one took)."""
        return next((s for s in reversed(self.steps) if s.step == "taken"), None)

    @property
    def state(self) -> str:
        return "answered" if self.answer else "taken" if self.taken else "open"

    def days_waited(self, now: datetime | None = None) -> float:
        """Days from reception to the answer (to ``now`` while unanswered)."""
        end = self.answer.stepped_at if self.answer else (now or datetime.now(UTC))
        return (end - self.received_at).total_seconds() / 86400


def check_text(field: str, value: object, limit: int, required: bool = True) -> str | None:
    """``value`` stripped (line ends as \\n); RequestError naming ``field`` if absent, too long or not printable."""
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise RequestError(field, f"{field} must be text")
    if len(value) > limit:  # as given, spaces included (the schema's maxLength)
        raise RequestError(field, f"{field} has {len(value)} characters: at most {limit}")
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise RequestError(field, f"{field} is empty: give 1-{limit} characters")
    if len(text) > limit:
        raise RequestError(field, f"{field} has {len(text)} characters: at most {limit}")
    for position, char in enumerate(text, start=1):
        if char not in "\n\t" and (unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI):
            raise RequestError(field, f"{field} holds the control character U+{ord(char):04X} at position "
                                      f"{position}: remove it")
    return text or None


def _choice(field: str, value: object, allowed: tuple[str, ...], required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if value not in allowed:
        raise RequestError(field, f"{field} {str(value)[:20]!r} is not valid: use one of {', '.join(allowed)}")
    return str(value)


def record_request(engine: Engine, client_id: int, statement: object, channel: str, recorded_by: str,
                   contact: object = None) -> Request:
    """Append a client's request with their statement; RequestError naming a bad field, nothing written."""
    statement = check_text("statement", statement, STATEMENT_MAX)
    contact = _choice("contact", contact, REQUEST_CONTACTS, required=False)
    channel = _choice("channel", channel, REQUEST_CHANNELS)
    recorded_by = check_text("user", recorded_by, USER_MAX)
    received_at = datetime.now(UTC)
    with engine.begin() as connection:
        _check_client(connection, client_id)
        request_id = connection.execute(insert(ReviewRequest).values(
            received_at=received_at, sk_id_curr=int(client_id), channel=channel, contact=contact,
            statement=statement, recorded_by=recorded_by).returning(ReviewRequest.id)).scalar_one()
    return Request(request_id, int(client_id), received_at, channel, contact, statement, recorded_by)


def take_request(engine: Engine, request_id: int, user_name: str) -> Request:
    """Append a ``taken`` step by ``user_name``; RequestError if the request is unknown or already answered."""
    user_name = check_text("user", user_name, USER_MAX)
    with engine.begin() as connection:
        _open_request(connection, request_id)
        _append_step(connection, request_id, "taken", user_name, None)
    return get_request(engine, request_id)


def answer_request(engine: Engine, request_id: int, result, user_name: str, final_decision: str, reason: str,
                   comment: str | None = None) -> tuple[Request, Review]:
    """Answer a request with a review of the model's ``result`` (its client's): both rows in one transaction."""
    user_name = check_text("user", user_name, USER_MAX)
    review = new_review(result, user_name, final_decision, reason, comment)
    try:
        with engine.begin() as connection:
            request = _open_request(connection, request_id)
            if request.client_id != review.client_id:
                raise RequestError("client_id", f"request {request_id} is client {request.client_id}'s, "
                                                f"not client {review.client_id}'s: open that client")
            _append_step(connection, request_id, "answered", user_name, insert_review(connection, review))
    except IntegrityError:  # another advisor answered it between the check and the insert
        raise RequestError("request_id", f"request {request_id} has already been answered") from None
    return get_request(engine, request_id), review


def _open_request(connection: Connection, request_id: int) -> Request:
    """The request, refused when unknown or already answered."""
    found = _requests(connection, ReviewRequest.id == int(request_id))
    if not found:
        raise UnknownRequestTarget("request_id", f"no review request with ID {int(request_id)}")
    if found[0].answer:
        raise RequestError("request_id", f"request {int(request_id)} has already been answered "
                                         f"(review {found[0].answer.review_id})")
    return found[0]


def _append_step(connection: Connection, request_id: int, step: str, user_name: str, review_id: int | None) -> None:
    connection.execute(insert(ReviewRequestStep).values(request_id=int(request_id), step=step,
                                                        stepped_at=datetime.now(UTC), user_name=user_name,
                                                        review_id=review_id))


def get_request(engine: Engine, request_id: int) -> Request:
    """One request with its steps (UnknownRequestTarget if there is none)."""
    with engine.connect() as connection:
        found = _requests(connection, ReviewRequest.id == int(request_id))
    if not found:
        raise UnknownRequestTarget("request_id", f"no review request with ID {int(request_id)}")
    return found[0]


def _check_client(connection: Connection, client_id: int) -> None:
    """UnknownRequestTarget naming ``client_id`` when the database has no such application."""
    if connection.execute(select(Application.sk_id_curr).where(Application.sk_id_curr == int(client_id))
                          ).first() is None:
        raise UnknownRequestTarget("client_id", f"no client with ID {int(client_id)}")


def requests_of(engine: Engine, client_id: int) -> list[Request]:
    """A client's requests, newest first (UnknownRequestTarget for an unknown client)."""
    with engine.connect() as connection:
        _check_client(connection, client_id)
        return _requests(connection, ReviewRequest.sk_id_curr == int(client_id))[::-1]


def all_requests(engine: Engine) -> list[Request]:
    """Every request, oldest first (the queue reads the unanswered ones, the counts all of them)."""
    with engine.connect() as connection:
        return _requests(connection, None)


def _utc(moment: datetime) -> datetime:
    """SQLite gives times back without their zone: they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _requests(connection: Connection, where) -> list[Request]:
    """The requests matching ``where`` (all when None) with their steps, oldest first."""
    query = select(ReviewRequest.__table__).order_by(ReviewRequest.received_at, ReviewRequest.id)
    rows = connection.execute(query if where is None else query.where(where)).all()
    steps: dict[int, list[Step]] = {}
    if rows:
        step_query = (select(ReviewRequestStep.__table__, DecisionReview.final_decision, DecisionReview.reason)
                      .outerjoin(DecisionReview, DecisionReview.id == ReviewRequestStep.review_id)
                      .order_by(ReviewRequestStep.stepped_at, ReviewRequestStep.id))
        if where is not None:
            step_query = step_query.where(ReviewRequestStep.request_id.in_([r.id for r in rows]))
        for s in connection.execute(step_query):
            steps.setdefault(s.request_id, []).append(Step(s.step, _utc(s.stepped_at), s.user_name, s.review_id,
                                                           s.final_decision, s.reason))
    return [Request(r.id, r.sk_id_curr, _utc(r.received_at), r.channel, r.contact, r.statement, r.recorded_by,
                    tuple(steps.get(r.id, ()))) for r in rows]


@dataclass(frozen=True)
class QueueFigures:
    """What a risk manager watches: requests by state, and days from request to answer."""

    counts: dict[str, int]
    median_days: float | None  # over answered requests
    max_days: float | None
    oldest_unanswered_days: float | None


def queue_figures(requests: list[Request], now: datetime | None = None) -> QueueFigures:
    """Counts by state and answer delays of ``requests``."""
    now = now or datetime.now(UTC)
    counts = {state: sum(r.state == state for r in requests) for state in STATES}
    answered = [r.days_waited() for r in requests if r.answer]
    waiting = [r.days_waited(now) for r in requests if not r.answer]
    return QueueFigures(counts, statistics.median(answered) if answered else None,
                        max(answered, default=None), max(waiting, default=None))
