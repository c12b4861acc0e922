import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.models import Application
from placements.models import InterviewSlot
from placements.selection import services
from placements.selection.enums import RejectionReason
from positions.enums import PostStatus
from positions.models import Post
from tests import factories
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator.user)
    client.cookies["django_language"] = "en"
    return client


def test_applicant_list_counts_and_filters(coord_client, post):
    make_applications(post, 2, status=S.SHORTLISTED)
    (flagged,) = make_applications(post, 1)
    Application.objects.filter(pk=flagged.pk).update(needs_review=True)
    response = coord_client.get(reverse("placements:post_applicants", args=[post.pk]))
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert (counts[S.SHORTLISTED], counts[S.SUBMITTED], counts[S.REJECTED]) == (2, 1, 0)
    response = coord_client.get(reverse("placements:post_applicants", args=[post.pk]) + "?eligibility=flagged")
    assert [a.pk for a in response.context["applications"]] == [flagged.pk]


def test_bulk_reject_with_reason(coord_client, post):
    apps = make_applications(post, 3)
    response = coord_client.post(
        reverse("placements:post_applicants_bulk", args=[post.pk]),
        {
            "applications": [apps[0].pk, apps[1].pk],
            "decision": "reject",
            "reason_code": RejectionReason.STRONGER_FIELD,
            "reason_text": "",
        },
    )
    assert response.status_code == 302
    assert sorted(Application.objects.filter(status=S.REJECTED).values_list("pk", flat=True)) == sorted(
        [apps[0].pk, apps[1].pk]
    )


def test_bulk_reject_without_reason_changes_nothing(coord_client, post):
    apps = make_applications(post, 2)
    coord_client.post(
        reverse("placements:post_applicants_bulk", args=[post.pk]),
        {"applications": [a.pk for a in apps], "decision": "reject"},
    )
    assert Application.objects.filter(status=S.SUBMITTED).count() == 2


def test_bulk_cannot_touch_another_units_applicants(coord_client, post, cycle):
    foreign = make_applications(factories.PostFactory(cycle=cycle), 1)[0]
    coord_client.post(
        reverse("placements:post_applicants_bulk", args=[post.pk]),
        {"applications": [foreign.pk], "decision": "shortlist"},
    )
    foreign.refresh_from_db()
    assert foreign.status == S.SUBMITTED


def test_applicant_page_shows_masked_id_and_other_reviews(coord_client, post, criteria, unit):
    (app,) = make_applications(post, 1)
    colleague = factories.CoordinatorFactory(unit=unit)
    services.review_save(
        application=app, reviewer=colleague.user, scores={criteria[0].pk: 3, criteria[1].pk: 4}, notes="表达清楚"
    )
    response = coord_client.get(reverse("placements:application_detail", args=[app.pk]))
    body = response.content.decode()
    assert app.student.id_number_masked in body
    assert app.student.id_number not in body
    assert "表达清楚" in body
    assert response.context["average"] == pytest.approx(3.5)


def test_post_proposal_then_submit(coord_client, cycle, unit):
    data = {
        "cycle": cycle.pk,
        "title": "社区治理助理",
        "description": "协助社区治理。",
        "duties": "走访、记录。",
        "requirements": "",
        "term": "short",
        "season": "summer",
        "min_year_of_study": 1,
        "max_year_of_study": 2,
        "preferred_majors": "",
        "headcount": 2,
        "place_of_work": "朱泾镇",
        "starts_on": cycle.placement_starts_on.isoformat(),
        "ends_on": cycle.placement_ends_on.isoformat(),
    }
    response = coord_client.post(reverse("placements:post_create"), data)
    assert response.status_code == 302
    post = Post.objects.get(title="社区治理助理")
    assert (post.unit, post.status) == (unit, PostStatus.DRAFT)
    coord_client.post(reverse("placements:post_submit", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == PostStatus.SUBMITTED
    assert coord_client.get(reverse("placements:post_edit", args=[post.pk])).status_code == 302


def test_slot_form_refuses_video_without_link(coord_client):
    response = coord_client.post(
        reverse("placements:slot_list"),
        {
            "starts_at": (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 20,
            "mode": "video",
            "capacity": 1,
        },
    )
    assert response.status_code == 400
    assert "meeting_link" in response.context["form"].errors
    assert not InterviewSlot.objects.exists()


def test_applicant_list_query_budget(coord_client, post, criteria, django_assert_max_num_queries):
    apps = make_applications(post, 30, status=S.SHORTLISTED)
    for app in apps[:10]:
        services.review_save(application=app, reviewer=post.unit.coordinators.first().user, scores={criteria[0].pk: 4})
    with django_assert_max_num_queries(12):
        response = coord_client.get(reverse("placements:post_applicants", args=[post.pk]))
    assert len(response.context["applications"]) == 30


def test_applicant_list_shows_each_applicants_review_average_and_count(coord_client, post, criteria, unit):
    reviewed, unreviewed = make_applications(post, 2)
    second = factories.CoordinatorFactory(unit=unit)
    for reviewer, scores in ((post.unit.coordinators.first().user, (4, 5)), (second.user, (3, 3))):
        services.review_save(
            application=reviewed, reviewer=reviewer, scores={criteria[0].pk: scores[0], criteria[1].pk: scores[1]}
        )
    response = coord_client.get(reverse("placements:post_applicants", args=[post.pk]))
    rows = {app.pk: app for app in response.context["applications"]}
    assert (rows[reviewed.pk].review_average, rows[reviewed.pk].review_count) == (Decimal("3.75"), 2)
    assert (rows[unreviewed.pk].review_average, rows[unreviewed.pk].review_count) == (None, 0)
    assert "3.75 (2)" in response.content.decode()


def test_applicant_list_pages_keep_the_filter_and_the_query_count(coord_client, post, django_assert_num_queries):
    apps = make_applications(post, 120, status=S.SHORTLISTED)
    url = reverse("placements:post_applicants", args=[post.pk])
    with CaptureQueriesContext(connection) as first_page:
        first = coord_client.get(url, {"status": S.SHORTLISTED})
    assert len(first.context["applications"]) == 50
    assert 'href="?status=shortlisted&amp;page=2"' in first.content.decode()
    with django_assert_num_queries(len(first_page)):
        last = coord_client.get(url, {"status": S.SHORTLISTED, "page": 3})
    shown = [a.pk for a in first.context["applications"]] + [a.pk for a in last.context["applications"]]
    assert len(last.context["applications"]) == 20
    assert len(set(shown)) == 70 and set(shown) <= {a.pk for a in apps}


def test_applicant_page_query_budget_with_offer(coord_client, post, coordinator, django_assert_max_num_queries):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    services.offer_make(application=app, actor=coordinator.user)
    with django_assert_max_num_queries(12):
        response = coord_client.get(reverse("placements:application_detail", args=[app.pk]))
    assert response.status_code == 200


def _interview_rows(html: str) -> list[tuple[str, list[str]]]:
    """Each interview on "My applications": its status and the join links it offers."""
    rows = re.findall(r'<li data-testid="interview" data-status="(\w+)">(.*?)</li>', html, flags=re.DOTALL)
    return [(status, re.findall(r'href="([^"]+)"[^>]*data-testid="join-interview"', body)) for status, body in rows]


def test_my_applications_offers_join_link_only_for_scheduled_interview(client, post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    called_off = services.interview_book(application=app, slot=make_slot(unit, cycle, hours=24), actor=coordinator.user)
    services.interview_cancel(interview=called_off, actor=coordinator.user, reason="公务")
    later = make_slot(unit, cycle, hours=48)
    InterviewSlot.objects.filter(pk=later.pk).update(meeting_link="https://meeting.tencent.com/dm/2")
    later.refresh_from_db()
    services.interview_book(application=app, slot=later, actor=coordinator.user)

    client.force_login(app.student.user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("applicants:my_applications")).content.decode()

    assert _interview_rows(html) == [("cancelled", []), ("scheduled", ["https://meeting.tencent.com/dm/2"])]
    assert '<span class="badge text-bg-dark">Cancelled</span>' in html


def test_applicant_page_names_each_eligibility_rule_and_its_outcome(coord_client, post):
    (app,) = make_applications(post, 1)
    Application.objects.filter(pk=app.pk).update(
        eligibility=[
            {"rule": "graduating", "code": "ok", "severity": "ok"},
            {"rule": "term_year", "code": "short_term_senior", "severity": "warn"},
        ]
    )
    body = coord_client.get(reverse("placements:application_detail", args=[app.pk])).content.decode()
    rows = re.findall(r'data-rule="(\w+)" data-severity="(\w+)">\s*<span[^>]*>([^<]+)</span>\s*([^<]+?)\s*</li>', body)
    assert rows == [
        ("graduating", "ok", "Passed", "Not graduating in the cycle&#x27;s year"),
        ("term_year", "warn", "Short-term posts are meant for years 1–2", "Term suits the year of study"),
    ]


@pytest.mark.parametrize("application", ["", "abc", "1.5"])
def test_self_booking_with_a_malformed_application_is_not_found(client, post, unit, cycle, application):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    slot = make_slot(unit, cycle, self_booking=True, post=post)
    client.force_login(app.student.user)
    response = client.post(reverse("placements:interview_self_book", args=[slot.pk]), {"application": application})
    assert response.status_code == 404
    assert not slot.interviews.exists()


def test_slot_list_pages_newest_cycle_first(coord_client, coordinator, cycle, django_assert_max_num_queries):
    unit = coordinator.unit
    earlier = factories.CycleFactory(year=cycle.year - 1)
    old = [make_slot(unit, earlier, hours=-24 * 300 + i) for i in range(5)]
    current = [make_slot(unit, cycle, hours=24 + i) for i in range(50)]
    with django_assert_max_num_queries(12):
        first = coord_client.get(reverse("placements:slot_list"))
    html = first.content.decode()
    shown = [int(pk) for pk in re.findall(r'data-testid="slot-(\d+)"', html)]
    assert shown == [slot.pk for slot in current]
    assert "page=2" in html
    second = coord_client.get(reverse("placements:slot_list"), {"page": 2}).content.decode()
    assert [int(pk) for pk in re.findall(r'data-testid="slot-(\d+)"', second)] == [slot.pk for slot in old]
