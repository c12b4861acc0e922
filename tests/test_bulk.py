"""``jinseed.bulk``: the ``__any`` lookup and ``bulk_insert`` store what the ORM would."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jinseed.bulk import bulk_insert
from jinseed.notifications.models import Notification
from positions.models import Post
from tests import factories

pytestmark = pytest.mark.django_db


def test_any_selects_what_in_selects_and_sends_one_parameter():
    posts = [factories.PostFactory() for _ in range(4)]
    wanted = [posts[0].pk, posts[2].pk, posts[2].pk, 10**9]
    with CaptureQueriesContext(connection) as queries:
        found = sorted(Post.objects.filter(pk__any=wanted).values_list("pk", flat=True))
    assert found == sorted(Post.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == sorted([posts[0].pk, posts[2].pk])
    if connection.vendor == "postgresql":
        assert "= ANY(" in queries.captured_queries[0]["sql"]


def test_any_on_a_foreign_key_and_with_nothing_to_match():
    post = factories.PostFactory()
    factories.PostFactory()
    assert list(Post.objects.filter(unit_id__any=[post.unit_id]).values_list("pk", flat=True)) == [post.pk]
    assert list(Post.objects.filter(pk__any=[])) == []


def test_bulk_insert_stores_the_rows_with_their_ids_and_defaults():
    user = factories.UserFactory()
    ids = bulk_insert(
        Notification,
        ["recipient_id", "channel", "kind", "context", "event_key"],
        [(user.pk, "inbox", "application_received", {"a": "甲"}, f"k{n}") for n in range(3)],
        returning_ids=True,
    )
    rows = list(Notification.objects.filter(pk__in=ids).order_by("pk").values_list("event_key", "context", "status"))
    assert rows == [("k0", {"a": "甲"}, "queued"), ("k1", {"a": "甲"}, "queued"), ("k2", {"a": "甲"}, "queued")]
