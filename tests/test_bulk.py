"""``jinseed.bulk``: the ``__any`` lookup, ``bulk_insert`` and ``fetch_row_chunks`` do what the ORM would."""

import gc

import pytest
from django.db import DataError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from jinseed.bulk import EncodedJSON, bulk_insert, collection_paused, fetch_row_chunks
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


def test_any_takes_sets_and_strings_and_matches_in():
    posts = [factories.PostFactory() for _ in range(3)]
    wanted = {posts[0].pk, posts[1].pk, None}
    assert sorted(Post.objects.filter(pk__any=wanted).values_list("pk", flat=True)) == sorted(
        [posts[0].pk, posts[1].pk]
    )
    titles = {posts[2].title, "no such title"}
    assert list(Post.objects.filter(title__any=titles).values_list("pk", flat=True)) == [posts[2].pk]
    # A value of another type is converted as the field would (a numeric string for an id).
    assert list(Post.objects.filter(pk__any={str(posts[1].pk)}).values_list("pk", flat=True)) == [posts[1].pk]


def test_any_matches_strings_that_an_array_literal_must_quote():
    awkward = ['say "hi"', "back\\slash", "a,b", "{braces}", " spaced ", "", "NULL", '岗位 \\"混合\\']
    posts = [factories.PostFactory(title=title) for title in awkward]
    found = Post.objects.filter(title__any=set(awkward)).values_list("title", flat=True)
    assert sorted(found) == sorted(awkward)
    assert list(Post.objects.filter(title__any={"say hi", "backslash"})) == []
    assert len(posts) == len(awkward)


def test_bulk_insert_stores_encoded_json_as_the_object_it_encodes():
    user = factories.UserFactory()
    shared = EncodedJSON.of({"post_title": "岗位", "n": 2})
    ids = bulk_insert(
        Notification,
        ["recipient_id", "channel", "kind", "context", "event_key"],
        [(user.pk, channel, "application_received", shared, "same") for channel in ("inbox", "email")],
        returning_ids=True,
    )
    contexts = list(Notification.objects.filter(pk__in=ids).values_list("context", flat=True))
    assert contexts == [{"post_title": "岗位", "n": 2}, {"post_title": "岗位", "n": 2}]


def test_fetch_row_chunks_return_what_values_list_returns_in_the_same_column_order():
    for _ in range(3):
        factories.PostFactory()
    queryset = (
        Post.objects.annotate(doubled=F("headcount") * 2)
        .order_by("pk")
        .values_list("doubled", "title", "pk", "unit_id")
    )
    assert list(fetch_row_chunks(queryset, size=2)) == [[tuple(row) for row in queryset][:2], [tuple(queryset[2])]]
    assert list(fetch_row_chunks(Post.objects.filter(pk__any=[]).values_list("pk"))) == []
    # Streamed (PostgreSQL; the same read elsewhere): the same chunks, and the query is logged.
    with CaptureQueriesContext(connection) as queries:
        streamed = list(fetch_row_chunks(queryset, size=2, stream=True))
    assert streamed == list(fetch_row_chunks(queryset, size=2))
    assert len(queries) == 1 and '"positions_post"' in queries[0]["sql"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="streams on PostgreSQL only; SQLite divides by 0")
def test_a_streamed_read_raises_djangos_error_and_leaves_the_connection_usable():
    factories.PostFactory()
    failing = Post.objects.annotate(broken=F("headcount") / 0).values_list("broken")
    with pytest.raises(DataError), transaction.atomic():
        list(fetch_row_chunks(failing, stream=True))
    assert list(fetch_row_chunks(Post.objects.values_list("pk"), stream=True))  # the next read works


def test_collection_paused_holds_the_collector_and_gives_it_back():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collection_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
