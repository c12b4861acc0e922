"""The public pages: cached fragments that follow every change, the keyword search and
the light filter form (positions/pagecache.py, positions/views.py)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from positions.enums import PostStatus
from positions.models import Cycle, HostUnit, Post
from positions.pagecache import public_pages_version, public_pages_version_bump
from positions.services import post_publish
from tests import factories
from tests.applicants.helpers import student_for

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [post.title for post in response.context["page"]]


def _post_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"positions_post"' in q["sql"]]


# --- the version -------------------------------------------------------------------------------


def test_version_grows_after_a_committed_change_only(cycle, django_capture_on_commit_callbacks):
    before = public_pages_version()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        factories.PostFactory(cycle=cycle)
    assert public_pages_version() == before  # not before the commit
    for callback in pending:
        callback()
    assert public_pages_version() > before


def test_version_starts_without_a_row(db):
    assert public_pages_version() == 0
    public_pages_version_bump()
    public_pages_version_bump()
    assert public_pages_version() == 2


# --- the home page --------------------------------------------------------------------------------


def test_home_counts_a_newly_published_post(client, cycle, django_capture_on_commit_callbacks):
    factories.PostFactory(cycle=cycle)
    waiting = factories.PostFactory(cycle=cycle, status=PostStatus.SUBMITTED)
    assert 'data-testid="published-posts">1<' in client.get(reverse("home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post_publish(post=waiting, actor=factories.StaffFactory())
    assert 'data-testid="published-posts">2<' in client.get(reverse("home")).content.decode()


def test_home_kept_fragment_skips_the_count(client, cycle):
    factories.PostFactory(cycle=cycle)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("home"))
    with CaptureQueriesContext(connection) as second:
        body = client.get(reverse("home")).content.decode()
    assert len(_post_queries(first)) == 1
    assert _post_queries(second) == []
    assert 'data-testid="published-posts">1<' in body


def test_home_fragment_is_kept_per_language(client, cycle):
    assert "报名截止" in client.get(reverse("home")).content.decode()
    client.cookies["django_language"] = "en"
    body = client.get(reverse("home")).content.decode()
    assert "Registration closes" in body
    assert "报名截止" not in body


# --- the post list --------------------------------------------------------------------------------


def test_post_list_shows_a_changed_title_and_a_new_post(client, cycle, django_capture_on_commit_callbacks):
    post = factories.PostFactory(cycle=cycle, title="文旅宣传助理")
    assert "文旅宣传助理" in client.get(reverse("post_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "融媒体编辑助理"
        post.save()
        factories.PostFactory(cycle=cycle, title="社区事务助理")
    body = client.get(reverse("post_list")).content.decode()
    assert "融媒体编辑助理" in body
    assert "社区事务助理" in body
    assert "文旅宣传助理" not in body


def test_post_list_shows_a_renamed_unit(client, cycle, django_capture_on_commit_callbacks):
    post = factories.PostFactory(cycle=cycle, unit__name="金山区文化旅游局")
    assert "金山区文化旅游局" in client.get(reverse("post_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post.unit.name = "金山区文化和旅游局"
        post.unit.save()
    assert "金山区文化和旅游局" in client.get(reverse("post_list")).content.decode()


def test_post_list_says_registration_closed_once_the_clock_passes_the_deadline(client, cycle):
    factories.PostFactory(cycle=cycle)
    assert 'data-testid="post-closed"' not in client.get(reverse("post_list")).content.decode()
    # The deadline passes with no row saved (the version stays): the kept list must not be used.
    Cycle.objects.filter(pk=cycle.pk).update(registration_closes_at=timezone.now() - dt.timedelta(minutes=1))
    assert 'data-testid="post-closed"' in client.get(reverse("post_list")).content.decode()


def test_post_list_kept_fragment_reads_no_post(client, cycle):
    factories.PostFactory.create_batch(3, cycle=cycle)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("post_list"), {"term": "short"})
    with CaptureQueriesContext(connection) as second:
        response = client.get(reverse("post_list"), {"term": "short"})
    assert len(_post_queries(first)) == 1  # the page and its total together
    assert _post_queries(second) == []
    assert response.content.decode().count('data-testid="post-card"') == 3


def test_post_list_fragment_is_kept_per_language(client, cycle):
    factories.PostFactory.create_batch(2, cycle=cycle)
    assert "共2个岗位" in client.get(reverse("post_list")).content.decode()
    client.cookies["django_language"] = "en"
    assert "2 posts" in client.get(reverse("post_list")).content.decode()


def test_post_list_fits_my_year_is_kept_per_year(client, cycle):
    junior = factories.PostFactory(cycle=cycle, min_year_of_study=1, max_year_of_study=2)
    senior = factories.PostFactory(cycle=cycle, long_term=True)  # years 3-6
    client.force_login(student_for(cycle, year_of_study=1).user)
    assert _titles(client.get(reverse("post_list"), {"fits": "on"})) == [junior.title]
    client.force_login(student_for(cycle, year_of_study=4).user)
    response = client.get(reverse("post_list"), {"fits": "on"})
    assert re.findall(r'data-post-id="(\d+)"', response.content.decode()) == [str(senior.pk)]


def test_post_list_signed_in_parts_do_not_leak(client, cycle):
    factories.PostFactory(cycle=cycle)
    student = student_for(cycle, year_of_study=1)
    client.force_login(student.user)
    signed_in = client.get(reverse("post_list")).content.decode()
    assert 'data-testid="nav-my-applications"' in signed_in
    assert 'name="fits"' in signed_in
    client.logout()
    anonymous = client.get(reverse("post_list")).content.decode()
    assert 'data-testid="nav-my-applications"' not in anonymous
    assert 'name="fits"' not in anonymous
    assert anonymous.count('data-testid="post-card"') == 1


def test_post_list_stray_parameters_share_the_kept_list(client, cycle):
    factories.PostFactory(cycle=cycle)
    client.get(reverse("post_list"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("post_list"), {"utm_source": "wechat"})
    assert _post_queries(queries) == []
    assert 'data-testid="no-post"' not in response.content.decode()


def test_post_list_page_past_the_end_shows_the_last_page(client, cycle):
    factories.PostFactory.create_batch(25, cycle=cycle)
    response = client.get(reverse("post_list"), {"page": 9})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert len(_titles(response)) == 5
    assert client.get(reverse("post_list"), {"page": "x"}).context["page"].number == 1


# --- keyword search -------------------------------------------------------------------------------


def test_keyword_search_finds_chinese_in_every_column(client, cycle):
    library = factories.HostUnitFactory(name="金山区图书馆")
    by_unit = factories.PostFactory(cycle=cycle, unit=library, title="阅读推广助理")
    by_title = factories.PostFactory(cycle=cycle, title="图书管理员")
    by_description = factories.PostFactory(cycle=cycle, description="协助图书整理与借阅登记。")
    by_duties = factories.PostFactory(cycle=cycle, duties="图书编目。")
    factories.PostFactory(cycle=cycle, title="社区事务助理")
    expected = sorted([by_unit, by_title, by_description, by_duties], key=lambda p: (p.unit.name, p.title, p.pk))
    assert _titles(client.get(reverse("post_list"), {"q": "图书"})) == [p.title for p in expected]
    assert _titles(client.get(reverse("post_list"), {"q": "图书馆"})) == ["阅读推广助理"]
    assert _titles(client.get(reverse("post_list"), {"q": "馆"})) == ["阅读推广助理"]
    assert _titles(client.get(reverse("post_list"), {"q": "博物馆"})) == []


def test_keyword_search_ignores_case(client, cycle):
    post = factories.PostFactory(cycle=cycle, title="Python 数据分析助理")
    assert _titles(client.get(reverse("post_list"), {"q": "python"})) == [post.title]
    assert _titles(client.get(reverse("post_list"), {"q": "PYTHON 数据"})) == [post.title]


def test_keyword_search_reads_page_and_total_in_one_post_query(client, cycle):
    factories.PostFactory.create_batch(23, cycle=cycle, title="图书管理员")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("post_list"), {"q": "图书", "page": 2})
    assert len(_post_queries(queries)) == 1
    assert response.context["page"].paginator.count == 23
    assert len(_titles(response)) == 3
    assert "共23个岗位" in response.content.decode()


def test_keyword_search_is_never_kept(client, cycle, django_capture_on_commit_callbacks):
    client.get(reverse("post_list"), {"q": "图书"})
    factories.PostFactory(cycle=cycle, title="图书管理员")  # not even committed
    assert _titles(client.get(reverse("post_list"), {"q": "图书"})) == ["图书管理员"]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("model", "column", "index"),
    [
        (Post, "title", "post_title_trgm_idx"),
        (Post, "description", "post_description_trgm_idx"),
        (Post, "duties", "post_duties_trgm_idx"),
        (HostUnit, "name", "unit_name_trgm_idx"),
    ],
)
def test_icontains_can_use_the_trigram_index(cycle, model, column, index):
    """``icontains`` compiles to the indexed expression (``UPPER(col) LIKE UPPER(%q%)``)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: trigram indexes")
    factories.PostFactory.create_batch(3, cycle=cycle)
    with connection.cursor() as cursor:
        # Planner statistics of a few rows (or left by another test's ANALYZE) favour reading
        # the whole table or any other index; with only bitmap scans allowed, it shows it can.
        cursor.execute("ANALYZE positions_post, positions_hostunit")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
    plan = model.objects.filter(**{f"{column}__icontains": "图书馆"}).explain()
    assert f"Bitmap Index Scan on {index}" in plan


# --- the filter form --------------------------------------------------------------------------------


def test_filter_form_labels_its_fields_and_keeps_choices(client, cycle):
    body = " ".join(client.get(reverse("post_list"), {"term": "long", "q": "图书"}).content.decode().split())
    assert '<label class="form-label" for="id_q">关键词</label>' in body
    assert 'name="q" id="id_q" value="图书"' in body
    assert '<label class="form-label" for="id_term">岗位类型</label>' in body
    assert '<option value="long" selected>长期岗位</option>' in body
    assert '<option value="" selected>不限假期</option>' in body
    assert "crispy" not in body


def test_filter_form_shows_an_invalid_choice_on_its_field(client, cycle):
    body = " ".join(client.get(reverse("post_list"), {"town": "nowhere"}).content.decode().split())
    assert 'aria-describedby="id_town_error"' in body
    assert 'id="id_town_error"' in body


def test_robots_txt_keeps_people_out_of_search_engines(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Disallow: /my/\n" in body
    assert "Disallow: /verify/\n" in body


def test_post_list_opens_registration_by_the_clock(client, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(registration_opens_at=timezone.now() + dt.timedelta(hours=1))
    factories.PostFactory(cycle=cycle)
    assert 'data-testid="registration-closed"' in client.get(reverse("post_list")).content.decode()
    # The opening time passes with no row saved (the version stays): the kept page must not be used.
    Cycle.objects.filter(pk=cycle.pk).update(registration_opens_at=timezone.now() - dt.timedelta(minutes=1))
    assert 'data-testid="registration-closed"' not in client.get(reverse("post_list")).content.decode()


def test_post_list_page_links_keep_only_the_list_parameters(client, cycle):
    factories.PostFactory.create_batch(25, cycle=cycle)
    client.get(reverse("post_list"), {"term": "short", "utm_source": "wechat"})
    body = client.get(reverse("post_list"), {"term": "short"}).content.decode()
    assert 'href="?term=short&amp;page=2"' in body


def test_keyword_search_shows_changed_cards(client, cycle):
    post = factories.PostFactory(cycle=cycle, title="图书管理员", unit__name="金山区图书馆")
    client.get(reverse("post_list"), {"q": "图书"})
    post.title = "图书编目助理"
    post.save()  # not even committed: the card is kept under what it shows
    post.unit.name = "金山区少儿图书馆"
    post.unit.save()
    body = client.get(reverse("post_list"), {"q": "图书"}).content.decode()
    assert "图书编目助理" in body
    assert "金山区少儿图书馆" in body
    assert "图书管理员" not in body
