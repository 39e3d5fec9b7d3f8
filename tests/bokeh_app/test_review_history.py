"""The review history shows the date and the time of each review: several a day are allowed and the latest counts."""
from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from bokeh_app.views.review import history_html
from database.oversight import Review


def _review(hour: int, minute: int, final: str) -> Review:
    return Review(100007, datetime(2026, 12, 7, hour, minute, tzinfo=UTC), "advisor", "v1", 0.117, "refuse", "C",
                  final, "guarantee_offered", None)


@pytest.mark.parametrize(("lang", "first", "second"), [("fr", "7 décembre 2026 à 16:58", "7 décembre 2026 à 09:05"),
                                                        ("en", "7 December 2026 at 16:58", "7 December 2026 at 09:05")])
def test_two_reviews_on_one_day_are_told_apart_by_their_time(lang, first, second):
    shown = html.unescape(history_html([_review(16, 58, "grant"), _review(9, 5, "refuse")], lang))
    assert first in shown and second in shown
    assert shown.index(first) < shown.index(second)  # the latest first
