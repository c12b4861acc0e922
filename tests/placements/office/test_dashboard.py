"""The statistics dashboard: the demo's figures are the article's, the page keeps to its query
budget whatever the data size, every chart has its table and its CSV, and only staff see it."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from placements.cultivation.enums import AlumniActivity, AlumniSource
from placements.models import AlumniRecord, CycleStatistics, Group, GroupMembership
from placements.office.selectors import _figures_key, cycle_figures, dashboard_figures, growth_percent
from placements.office.tables import growth_text
from positions.enums import CycleStatus
from positions.models import Cycle
from tests import factories
from tests.placements.office.helpers import fill_cycle, make_cycle

pytestmark = pytest.mark.django_db

BUDGET = 15


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def shown(page: str, name: str) -> str:
    return page.split(f'data-testid="{name}">')[1].split("<")[0]


# --- figures ---------------------------------------------------------------------------------


def test_growth_percent_has_one_decimal():
    assert growth_percent(587, 338) == 73.7
    assert growth_text(growth_percent(587, 338)) == "+73.7 %"
    assert growth_text(growth_percent(300, 338)) == "-11.2 %"
    assert growth_percent(5, 0) is None
    assert growth_text(None) == "—"


def test_cycle_figures_follow_the_funnel_definitions():
    cycle = make_cycle(2031)
    fill_cycle(cycle, 12, placed=4, universities=3)
    late = cycle.registration_closes_at + dt.timedelta(days=1)
    factories.StudentProfileFactory(user__date_joined=late)  # registered after the close: not in the pool
    figures = cycle_figures(cycle)
    assert figures["funnel"] == [
        {"step": "registered", "students": 12},
        {"step": "applied", "students": 12},
        {"step": "screened", "students": 4},
        {"step": "interviewed", "students": 4},
        {"step": "offered", "students": 4},
        {"step": "accepted", "students": 4},
        {"step": "placed", "students": 4},
        {"step": "completed", "students": 4},
        {"step": "excellent", "students": 1},
    ]
    assert figures["universities"]["count"] == 3
    assert figures["universities"]["overseas"] == 1
    assert figures["universities"]["top"][0] == {"name": "大学0", "overseas": True, "applicants": 4}
    assert figures["groups"] == {
        "count": 1,
        "smallest": 4,
        "largest": 4,
        "list": [{"number": 1, "name": "第1组", "size": 4}],
    }
    assert figures["grades"] == [
        {"grade": "excellent", "placements": 1},
        {"grade": "good", "placements": 3},
        {"grade": "pass", "placements": 0},
        {"grade": "fail", "placements": 0},
    ]
    assert figures["towns"] == [
        {"town": "fengjing", "applicants": 6, "placed": 2},
        {"town": "zhujing", "applicants": 6, "placed": 2},
    ]


def test_dashboard_shows_came_back_to_jinshan_per_cycle(staff_client):
    cycle = make_cycle(2031)
    placements = fill_cycle(cycle, 6, placed=3)
    for i, p in enumerate(placements):
        AlumniRecord.objects.create(
            student=p.student,
            cycle=cycle,
            graduation_year=2033,
            graduation_month=6,
            activity=AlumniActivity.WORKING,
            employer="金山区某单位",
            back_in_jinshan=i < 2,
            source=AlumniSource.STUDENT,
            recorded_at=p.created_at,
        )
    page = staff_client.get(reverse("office:dashboard")).content.decode()
    assert shown(page, "back-in-jinshan") == "2"


# --- query budget --------------------------------------------------------------------------------


def test_dashboard_query_budget_with_one_cycle_and_few_rows(staff_client, django_assert_max_num_queries):
    fill_cycle(make_cycle(2031), 3, placed=1)
    with django_assert_max_num_queries(BUDGET):
        response = staff_client.get(reverse("office:dashboard"))
    assert response.status_code == 200


def test_dashboard_query_budget_with_500_cycles_and_many_rows(staff_client, django_assert_max_num_queries):
    Cycle.objects.bulk_create(
        Cycle(
            year=1500 + i,
            ordinal=500 + i,
            title=f"第{i}届",
            registration_opens_at="2020-06-16T09:00+08:00",
            registration_closes_at="2020-06-24T17:00+08:00",
            interviews_start_at="2020-06-25T09:00+08:00",
            interviews_end_at="2020-07-03T17:00+08:00",
            placement_starts_on="2020-07-06",
            placement_ends_on="2020-08-30",
        )
        for i in range(498)
    )
    previous, current = make_cycle(2031), make_cycle(2032)
    fill_cycle(previous, 150, placed=20)
    fill_cycle(current, 600, placed=120, universities=40)
    CycleStatistics.objects.create(cycle=previous, figures=cycle_figures(previous), taken_at=previous.created_at)
    with django_assert_max_num_queries(BUDGET):
        response = staff_client.get(reverse("office:dashboard"))
    page = response.content.decode()
    assert (shown(page, "applicants"), shown(page, "previous-applicants"), shown(page, "growth")) == (
        "600",
        "150",
        "+300.0 %",
    )
    with django_assert_max_num_queries(BUDGET):
        assert staff_client.get(reverse("office:dashboard"), {"cycle": "2031"}).status_code == 200


# --- page, charts, CSV, access -----------------------------------------------------------------------


def test_dashboard_draws_a_chart_beside_each_table(staff_client):
    fill_cycle(make_cycle(2031), 5, placed=2)
    page = staff_client.get(reverse("office:dashboard")).content.decode()
    for key in ("years", "funnel", "universities", "unit_kinds", "towns", "terms", "groups", "grades"):
        assert f'data-testid="chart-{key}"' in page
        assert f'data-testid="csv-{key}"' in page
    assert page.count('<rect class="office-chart-bar') == 1 + 9 + 5 + 1 + 2 + 1 + 1 + 4
    assert "style=" not in page


def test_dashboard_csv_holds_the_table(staff_client):
    fill_cycle(make_cycle(2031), 5, placed=2)
    response = staff_client.get(reverse("office:dashboard_csv", args=["funnel"]), {"cycle": "2031"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="jinseed-2031-funnel.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "步骤,学生数"
    assert lines[1:3] == ["已注册,5", "已报名,5"]
    assert len(lines) == 10
    assert staff_client.get(reverse("office:dashboard_csv", args=["nothing"])).status_code == 404


def test_dashboard_csv_neutralises_formulas(staff_client):
    cycle = make_cycle(2031)
    fill_cycle(cycle, 2)
    from applicants.models import StudentProfile

    StudentProfile.objects.update(university="=HYPERLINK(1)")
    body = staff_client.get(reverse("office:dashboard_csv", args=["universities"])).content.decode("utf-8-sig")
    assert body.splitlines()[1].startswith("'=HYPERLINK(1)")


@pytest.mark.parametrize("name", ["office:dashboard", "office:alumni_list"])
def test_dashboard_refuses_students_and_coordinators(client, student, name):
    client.force_login(student.user)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(factories.CoordinatorFactory().user)
    assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name)).status_code == 302


# --- the demo ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    """The demo seeded once for the module, rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo, db):
    return None


def test_dashboard_shows_the_article_figures_on_the_demo(demo, client):
    from jinseed.accounts.models import User

    client.force_login(User.objects.get(email="staff@jinseed.demo"))
    page = client.get(reverse("office:dashboard")).content.decode()
    assert shown(page, "applicants") == "587"
    assert shown(page, "previous-applicants") == "338"
    assert shown(page, "growth") == "+73.7 %"
    assert shown(page, "universities") == "115"
    assert shown(page, "placed") == "270"
    assert shown(page, "groups") == "22"
    current = Cycle.objects.get(status=CycleStatus.OPEN)  # named by its dates, not 2020
    figures = dashboard_figures(current.year)["figures"]
    assert figures["universities"]["overseas"] == 14
    assert (figures["groups"]["smallest"], figures["groups"]["largest"]) == (12, 13)


def test_dashboard_shows_the_archived_cycles_alumni_on_the_demo(demo, client):
    from jinseed.accounts.models import User

    archive = Cycle.objects.get(status=CycleStatus.ARCHIVED)  # the year before the open cycle
    client.force_login(User.objects.get(email="staff@jinseed.demo"))
    page = client.get(reverse("office:dashboard"), {"cycle": str(archive.year)}).content.decode()
    assert shown(page, "applicants") == "338"
    assert shown(page, "growth") == "—"
    assert shown(page, "back-in-jinshan") == "3"
    assert AlumniRecord.objects.filter(cycle=archive).count() == 15
    assert AlumniRecord.objects.filter(cycle=archive, source=AlumniSource.STAFF).count() == 1


# --- cached figures ---------------------------------------------------------------------------


def test_dashboard_keeps_its_figures_until_staff_count_again(staff_client, django_assert_max_num_queries):
    cycle = make_cycle(2032)
    fill_cycle(cycle, 5, placed=2, universities=2)
    first = staff_client.get(reverse("office:dashboard")).content.decode()
    assert shown(first, "applicants") == "5"
    fill_cycle(cycle, 3, placed=0, universities=1)
    with django_assert_max_num_queries(4):  # the session and the user: no figure is counted again
        kept = staff_client.get(reverse("office:dashboard")).content.decode()
    assert shown(kept, "applicants") == "5"
    assert "数据统计于" in kept

    response = staff_client.post(reverse("office:dashboard_refresh"), {"cycle": "2032"})
    assert response.status_code == 302
    assert response["Location"] == reverse("office:dashboard") + "?cycle=2032"
    fresh = staff_client.get(reverse("office:dashboard")).content.decode()
    assert shown(fresh, "applicants") == "8"


def test_dashboard_refresh_is_for_staff_only(client, student):
    client.force_login(student.user)
    assert client.post(reverse("office:dashboard_refresh")).status_code == 403


def test_dashboard_groups_chart_counts_groups_by_size(staff_client):
    cycle = make_cycle(2033)
    placements = fill_cycle(cycle, 37, placed=37)
    Group.objects.filter(cycle=cycle).delete()
    start = 0
    for number, size in enumerate([12, 13, 12], start=1):
        group = Group.objects.create(cycle=cycle, number=number, name=f"第{number}组")
        GroupMembership.objects.bulk_create(
            GroupMembership(group=group, placement=p) for p in placements[start : start + size]
        )
        start += size
    page = staff_client.get(reverse("office:dashboard"), {"cycle": "2033"}).content.decode()
    section = page.split('data-testid="section-groups"')[1].split("</section>")[0]
    assert section.count("<rect") == 2
    assert "12人" in section and "13人" in section


def test_dashboard_shows_old_figures_while_a_worker_counts_them_again(
    staff_client, settings, django_capture_on_commit_callbacks
):
    cycle = make_cycle(2034)
    fill_cycle(cycle, 5, placed=2, universities=2)
    assert shown(staff_client.get(reverse("office:dashboard")).content.decode(), "applicants") == "5"
    fill_cycle(cycle, 3, placed=0, universities=1)
    key = _figures_key(None)
    kept = cache.get(key)
    kept["computed_at"] -= dt.timedelta(seconds=settings.DASHBOARD_CACHE_SECONDS + 1)
    cache.set(key, kept)

    with django_capture_on_commit_callbacks() as recounts:
        old = staff_client.get(reverse("office:dashboard")).content.decode()
    assert shown(old, "applicants") == "5"  # nobody waits for the count
    assert len(recounts) == 1
    with django_capture_on_commit_callbacks() as again:
        staff_client.get(reverse("office:dashboard"))
    assert again == []  # one count at a time

    recounts[0]()  # the worker's task (run in this process: tasks are eager in the tests)
    assert shown(staff_client.get(reverse("office:dashboard")).content.decode(), "applicants") == "8"
