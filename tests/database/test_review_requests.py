"""Review requests (CCD2 Art. 18): received with the client's statement, taken, answered by a linked review; the
audit tables refuse UPDATE and DELETE on SQLite and PostgreSQL, whoever asks (the owner included)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import DBAPIError

from database.config import get_engine
from database.loader import load
from database.oversight import record_access, reviews_of
from database.review_requests import (
    STATEMENT_MAX,
    RequestError,
    UnknownRequestTarget,
    all_requests,
    answer_request,
    get_request,
    queue_figures,
    record_request,
    requests_of,
    take_request,
)
from database.schema import APPEND_ONLY_TABLES, ReviewRequest, ReviewRequestStep

pytestmark = pytest.mark.requirement("EXG-SEC-23")


@pytest.fixture
def bank(db_url: str, sample_dir: Path) -> Iterator[tuple[Engine, int]]:
    """A migrated database holding the sample's applicants, and one client's ID."""
    load([sample_dir / "application_data_sample.csv"], db_url, progress=None)
    engine = get_engine(db_url)
    with engine.connect() as connection:
        client = connection.execute(text("SELECT min(sk_id_curr) FROM application")).scalar_one()
    try:
        yield engine, int(client)
    finally:
        engine.dispose()


def _model_result(client: int, decision: str = "refuse") -> SimpleNamespace:
    """The fields of a modeling ScoreResult that a review keeps (the database layer does not import modeling)."""
    return SimpleNamespace(client_id=client, model_version="v-test", probability=0.31, decision=decision, grade="E")


def test_a_request_is_taken_then_answered_by_a_review_linked_to_it(bank):
    engine, client = bank
    request = record_request(engine, client, "  Mon salaire a augmenté en mars.\r\nJe joins mes fiches.  ",
                             "api", "api:branch-web", contact="email")
    assert (request.state, request.statement, request.contact) == (
        "open", "Mon salaire a augmenté en mars.\nJe joins mes fiches.", "email")
    taken = take_request(engine, request.id, "advisor")
    assert (taken.state, taken.taken.user_name) == ("taken", "advisor")
    answered, review = answer_request(engine, request.id, _model_result(client), "advisor", "grant",
                                      "income_verified", "Fiches de paie vérifiées")
    assert answered.state == "answered" and [s.step for s in answered.steps] == ["taken", "answered"]
    assert (answered.answer.final_decision, answered.answer.reason) == ("grant", "income_verified")
    assert reviews_of(engine, client)[0] == review and review.final_decision == "grant"
    with engine.connect() as connection:
        linked = connection.execute(text(
            "SELECT r.final_decision, r.reason, r.user_name FROM review_request_step s "
            "JOIN decision_review r ON r.id = s.review_id WHERE s.request_id = :id"), {"id": request.id}).all()
    assert linked == [("grant", "income_verified", "advisor")]
    assert requests_of(engine, client) == [answered] and get_request(engine, request.id) == answered
    with pytest.raises(RequestError, match=f"request {request.id} has already been answered"):
        answer_request(engine, request.id, _model_result(client), "advisor", "refuse", "model_agrees")
    with pytest.raises(RequestError, match="already been answered"):
        take_request(engine, request.id, "advisor-2")


def _change_refused(engine: Engine, sql: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(sql))


def test_every_audit_table_refuses_update_and_delete_even_to_the_owner(bank):
    engine, client = bank
    request = record_request(engine, client, "Je conteste.", "branch", "advisor")
    answer_request(engine, request.id, _model_result(client), "advisor", "refuse", "model_agrees")
    record_access(engine, "advisor", client, "page")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO score_audit (scored_at, sk_id_curr, model_version, probability, "
                                "decision, threshold, caller) VALUES (:t, :c, 'v-test', 0.3, 'refuse', 0.2, 'test')"),
                           {"t": datetime.now(UTC), "c": client})
    columns = {"score_audit": "caller", "access_log": "user_name", "decision_review": "user_name",
               "review_request": "statement", "review_request_step": "user_name"}
    assert set(columns) == set(APPEND_ONLY_TABLES)
    for table, column in columns.items():
        with engine.connect() as connection:
            before = connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
        assert before, f"{table} has no row to protect"
        _change_refused(engine, f"UPDATE {table} SET {column} = 'forged'")
        _change_refused(engine, f"DELETE FROM {table}")
        if engine.dialect.name == "postgresql":
            _change_refused(engine, f"TRUNCATE {table} CASCADE")
        with engine.connect() as connection:
            assert connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all() == before, table


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"statement": "   "}, "statement", "statement is empty"),
    ({"statement": "x" * (STATEMENT_MAX + 1)}, "statement", f"at most {STATEMENT_MAX}"),
    ({"statement": "fin\x00"}, "statement", "U+0000 at position 4"),
    ({"statement": "abc\u202edef"}, "statement", "U+202E"),
    ({"statement": 42}, "statement", "statement must be text"),
    ({"contact": "pigeon"}, "contact", "'pigeon' is not valid: use one of letter, email, phone, branch"),
    ({"channel": "fax"}, "channel", "'fax' is not valid"),
    ({"recorded_by": "ad\x1bvisor"}, "user", "U+001B"),
    ({"client_id": 999_999_999}, "client_id", "no client with ID 999999999"),
])
def test_a_bad_request_names_its_field_and_writes_nothing(bank, kwargs, field, message):
    engine, client = bank
    arguments = {"client_id": client, "statement": "Mon point de vue", "channel": "api", "recorded_by": "api:web",
                 **kwargs}
    with pytest.raises(RequestError, match=re.escape(message)) as caught:
        record_request(engine, **arguments)
    assert caught.value.field == field and "\n" not in str(caught.value)
    assert all_requests(engine) == []


def test_an_answer_for_another_client_or_an_unknown_request_is_refused(bank):
    engine, client = bank
    request = record_request(engine, client, "Je conteste.", "api", "api:web")
    with pytest.raises(RequestError, match=f"request {request.id} is client {client}'s, not client 1's"):
        answer_request(engine, request.id, _model_result(1), "advisor", "grant", "income_verified")
    with pytest.raises(UnknownRequestTarget, match="no review request with ID 987"):
        answer_request(engine, 987, _model_result(client), "advisor", "grant", "income_verified")
    assert get_request(engine, request.id).state == "open" and reviews_of(engine, client) == []


def test_counts_and_delays_are_computed_from_the_rows(bank):
    engine, client = bank
    now = datetime.now(UTC)
    review = answer_request(engine, record_request(engine, client, "a", "api", "api:web").id,
                            _model_result(client), "advisor", "grant", "income_verified")[1]
    with engine.connect() as connection:
        review_id = connection.execute(text("SELECT max(id) FROM decision_review")).scalar_one()
    received = {"answered in 2 days": 10, "answered in 6 days": 9, "answered in 1 day": 4, "taken": 5, "open": 3}
    with engine.begin() as connection:
        ids = {}
        for name, days in received.items():
            ids[name] = connection.execute(insert(ReviewRequest).values(
                received_at=now - timedelta(days=days), sk_id_curr=client, channel="api", statement=name,
                recorded_by="api:web").returning(ReviewRequest.id)).scalar_one()
        for name, days in (("answered in 2 days", 8), ("answered in 6 days", 3), ("answered in 1 day", 3)):
            connection.execute(insert(ReviewRequestStep).values(request_id=ids[name], step="answered", user_name="a",
                                                                stepped_at=now - timedelta(days=days),
                                                                review_id=review_id))
        connection.execute(insert(ReviewRequestStep).values(request_id=ids["taken"], step="taken", user_name="a",
                                                            stepped_at=now - timedelta(days=1)))
    requests = [r for r in all_requests(engine) if r.statement != "a"]
    assert review.client_id == client and len(requests) == 5
    figures = queue_figures(requests, now)
    assert figures.counts == {"open": 1, "taken": 1, "answered": 3}
    assert figures.median_days == pytest.approx(2) and figures.max_days == pytest.approx(6)
    assert figures.oldest_unanswered_days == pytest.approx(5)
