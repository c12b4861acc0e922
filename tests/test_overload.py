"""A request that queued too long behind the trusted proxy is refused at once, without a query."""

import time

import pytest
from django.urls import reverse

from jinseed.overload import PLAUSIBLE_WAIT_SECONDS, queued_seconds

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.REQUEST_QUEUE_DEADLINE_MS = 2000
    settings.REQUEST_QUEUE_RETRY_AFTER_SECONDS = 7


def _stamp(seconds_ago: float) -> str:
    return f"t={time.time() - seconds_ago:.3f}"


def test_a_request_that_waited_past_the_deadline_gets_the_retry_page_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.post(
            reverse("applicants:apply", args=[1]), REMOTE_ADDR=PROXY, HTTP_X_REQUEST_START=_stamp(30)
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "系统繁忙" in page
    assert "请在 7 秒后重试" in page


def test_the_retry_page_follows_the_chosen_language(client):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"), REMOTE_ADDR=PROXY, HTTP_X_REQUEST_START=_stamp(30))
    assert response.status_code == 503
    assert "Please try again in 7 seconds" in response.content.decode()


def test_a_request_within_the_deadline_is_served(client):
    response = client.get(reverse("home"), REMOTE_ADDR=PROXY, HTTP_X_REQUEST_START=_stamp(-1))
    assert response.status_code == 200


def test_the_stamp_is_ignored_from_an_untrusted_peer(client):
    response = client.get(reverse("home"), REMOTE_ADDR="203.0.113.9", HTTP_X_REQUEST_START=_stamp(30))
    assert response.status_code == 200


def test_no_deadline_serves_every_request(client, settings):
    settings.REQUEST_QUEUE_DEADLINE_MS = 0
    response = client.get(reverse("home"), REMOTE_ADDR=PROXY, HTTP_X_REQUEST_START=_stamp(30))
    assert response.status_code == 200


NOW = 1733000002.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("t=1733000000.500", 1.5),  # nginx's $msec: seconds with milliseconds
        ("1733000000.5", 1.5),
        ("t=1733000000500", 1.5),  # milliseconds since the epoch
        ("t=1733000000500000", 1.5),  # microseconds since the epoch
        ("t=1733000003", 0.0),  # the proxy's clock is ahead: no wait
        ("t=abc", None),
        ("t=nan", None),
        ("t=0", None),
        ("", None),
    ],
)
def test_queued_seconds_reads_the_proxys_styles(value, expected):
    waited = queued_seconds(value, NOW)
    assert waited == (None if expected is None else pytest.approx(expected))


def test_a_stamp_older_than_any_real_wait_is_a_wrong_clock_and_not_acted_on(client):
    assert queued_seconds(f"t={NOW - PLAUSIBLE_WAIT_SECONDS - 1}", NOW) is None
    response = client.get(reverse("home"), REMOTE_ADDR=PROXY, HTTP_X_REQUEST_START=_stamp(PLAUSIBLE_WAIT_SECONDS + 60))
    assert response.status_code == 200
