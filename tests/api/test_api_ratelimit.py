"""Token buckets: a burst is allowed, the next request waits, tokens come back with time."""

import pytest

from api.ratelimit import TokenBucket, retry_after

pytestmark = pytest.mark.requirement("EXG-API-06")


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_burst_then_wait_then_refill():
    clock = Clock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("k") == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.take("k") == 0.0


def test_keys_are_independent():
    bucket = TokenBucket(rate=1.0, burst=1, clock=Clock())
    assert bucket.take("a") == 0.0
    assert bucket.take("a") > 0
    assert bucket.take("b") == 0.0


def test_cost_spends_several_tokens():
    bucket = TokenBucket(rate=10.0, burst=10, clock=Clock())
    assert bucket.take("k", 8) == 0.0
    assert bucket.take("k", 3) == pytest.approx(0.1)


def test_retry_after_is_whole_seconds_at_least_one():
    assert retry_after(0.01) == "1"
    assert retry_after(2.2) == "3"


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=0, burst=1)
