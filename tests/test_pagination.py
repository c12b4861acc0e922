"""A list's page and its total in one query (jinseed/pagination.py)."""

import pytest

from jinseed.pagination import page_number, page_with_count
from positions.models import Post
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(cycle):
    return [factories.PostFactory(cycle=cycle, title=f"岗位{i:02d}") for i in range(7)]


def _ordered():
    return Post.objects.order_by("title", "pk")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2", 2), ("1", 1), ("0", 1), ("-3", 1), ("abc", 1), (None, 1), ("9" * 30, 1_000_000)],
)
def test_page_number_reads_positive_whole_numbers_only(raw, expected):
    assert page_number(raw) == expected


def test_page_with_count_reads_page_and_total_in_one_query(posts, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = page_with_count(_ordered(), "2", 3)
        assert [p.title for p in page] == ["岗位03", "岗位04", "岗位05"]
        assert page.paginator.count == 7
        assert page.paginator.num_pages == 3
        assert (page.number, page.has_previous(), page.has_next()) == (2, True, True)


def test_page_with_count_last_page_is_short(posts):
    page = page_with_count(_ordered(), "3", 3)
    assert [p.title for p in page] == ["岗位06"]
    assert (page.number, page.has_next(), page.start_index(), page.end_index()) == (3, False, 7, 7)


def test_page_with_count_empty_list_is_page_one_of_one(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = page_with_count(_ordered(), "1", 3)
        assert list(page) == []
        assert (page.paginator.count, page.number, page.paginator.num_pages) == (0, 1, 1)


def test_page_with_count_past_the_end_shows_the_last_page(posts, django_assert_num_queries):
    with django_assert_num_queries(3):
        page = page_with_count(_ordered(), "99", 3)
        assert [p.title for p in page] == ["岗位06"]
        assert (page.number, page.paginator.count) == (3, 7)


def test_page_with_count_past_the_end_of_an_empty_list(db):
    page = page_with_count(_ordered(), "5", 3)
    assert list(page) == []
    assert (page.number, page.paginator.count) == (1, 0)


def test_page_with_count_invalid_number_is_page_one(posts):
    page = page_with_count(_ordered(), "x", 3)
    assert (page.number, [p.title for p in page]) == (1, ["岗位00", "岗位01", "岗位02"])


def test_page_with_count_huge_number_shows_the_last_page(posts):
    page = page_with_count(_ordered(), "9" * 30, 3)
    assert (page.number, [p.title for p in page]) == (3, ["岗位06"])
