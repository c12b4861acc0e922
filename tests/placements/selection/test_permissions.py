"""Every coordinator, student and staff URL of the selection, requested as every role.

The other unit's coordinator requesting this unit's ids is the "changed id in the URL" case:
their querysets are scoped to their own unit, so they get a 404, never the object.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.models import Application
from placements.selection import services
from positions.enums import PostStatus
from tests import factories
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "other_student", "coordinator", "other_coordinator", "mentor", "staff"]


@pytest.fixture
def world(cycle):
    unit = factories.HostUnitFactory()
    coordinator = factories.CoordinatorFactory(unit=unit)
    post = factories.PostFactory(unit=unit, cycle=cycle, headcount=3)
    draft = factories.PostFactory(unit=unit, cycle=cycle, status=PostStatus.DRAFT)
    student = factories.StudentProfileFactory()
    shortlisted = make_applications(post, 1, status=S.SHORTLISTED)[0]
    Application.objects.filter(pk=shortlisted.pk).update(student=student)
    shortlisted.refresh_from_db()
    slot = make_slot(unit, cycle, hours=48)
    interview = services.interview_book(application=shortlisted, slot=slot, actor=coordinator.user)
    other_post = factories.PostFactory(unit=unit, cycle=cycle)
    offered = factories.ApplicationFactory(post=other_post, student=student, preference_rank=2)
    Application.objects.filter(pk=offered.pk).update(status=S.INTERVIEWED)
    offer = services.offer_make(application=offered, actor=coordinator.user)
    bookable = factories.ApplicationFactory(post=draft, student=student, preference_rank=3)
    Application.objects.filter(pk=bookable.pk).update(status=S.SHORTLISTED)
    open_slot = make_slot(unit, cycle, hours=72, self_booking=True)
    users = {
        "anonymous": None,
        "student": student.user,
        "other_student": factories.StudentProfileFactory().user,
        "coordinator": coordinator.user,
        "other_coordinator": factories.CoordinatorFactory().user,
        "mentor": factories.MentorFactory(unit=unit).user,
        "staff": factories.StaffFactory(),
    }
    return {
        "users": users,
        "post": post,
        "draft": draft,
        "application": shortlisted,
        "offered": offered,
        "slot": slot,
        "interview": interview,
        "offer": offer,
        "bookable": bookable,
        "open_slot": open_slot,
    }


# (name, url name, object key for the pk, method, data builder)
COORDINATOR_URLS = [
    ("workspace", "placements:workspace", None, "get"),
    ("post_create", "placements:post_create", None, "get"),
    ("post_edit", "placements:post_edit", "draft", "get"),
    ("post_submit", "placements:post_submit", "draft", "post"),
    ("post_applicants", "placements:post_applicants", "post", "get"),
    ("post_applicants_bulk", "placements:post_applicants_bulk", "post", "post"),
    ("post_ranking", "placements:post_ranking", "post", "get"),
    ("application_detail", "placements:application_detail", "application", "get"),
    ("application_review", "placements:application_review", "application", "post"),
    ("application_decide", "placements:application_decide", "application", "post"),
    ("application_offer", "placements:application_offer", "offered", "post"),
    ("application_not_selected", "placements:application_not_selected", "offered", "post"),
    ("slot_list", "placements:slot_list", None, "get"),
    ("slot_detail", "placements:slot_detail", "slot", "get"),
    ("slot_cancel", "placements:slot_cancel", "slot", "post"),
    ("interview_detail", "placements:interview_detail", "interview", "get"),
    ("interview_record", "placements:interview_record", "interview", "post"),
    ("interview_reschedule", "placements:interview_reschedule", "interview", "post"),
    ("interview_cancel", "placements:interview_cancel", "interview", "post"),
]
STUDENT_URLS = [
    ("my_selection", "placements:my_selection", None, "get"),
    ("offer_accept", "placements:offer_accept", "offer", "post"),
    ("offer_decline", "placements:offer_decline", "offer", "post"),
    ("interview_self_book", "placements:interview_self_book", "open_slot", "post"),
]
STAFF_URLS = [("overview", "placements:overview", None, "get")]

OBJECTLESS = {"workspace", "post_create", "slot_list", "my_selection", "overview"}
# The matrix posts an empty form: where one is required, the permitted user gets the page
# back with the errors (400) instead of the redirect after a change.
EMPTY_FORM_REFUSED = {"post_applicants_bulk", "application_decide", "interview_record", "interview_reschedule"}


def expected(area: str, name: str, method: str, role: str) -> int:
    ok = 200 if method == "get" else 400 if name in EMPTY_FORM_REFUSED else 302
    if role == "anonymous":
        return 302
    if area == "coordinator":
        if role == "coordinator":
            return ok
        if role == "other_coordinator":
            return ok if name in OBJECTLESS else 404
        return 403
    if area == "student":
        if role == "student":
            return ok
        if role == "other_student":
            return ok if name in OBJECTLESS else 404
        return 403
    return ok if role == "staff" else 403


CASES = [
    pytest.param(area, name, url, key, method, role, id=f"{name}-{role}")
    for area, urls in (("coordinator", COORDINATOR_URLS), ("student", STUDENT_URLS), ("staff", STAFF_URLS))
    for name, url, key, method in urls
    for role in ROLES
]


@pytest.mark.parametrize(("area", "name", "url_name", "key", "method", "role"), CASES)
def test_permission_matrix(client, world, area, name, url_name, key, method, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    url = reverse(url_name, args=[world[key].pk] if key else [])
    data = {"application": world["bookable"].pk} if name == "interview_self_book" else {}
    response = client.get(url) if method == "get" else client.post(url, data)
    want = expected(area, name, method, role)
    assert response.status_code == want, f"{role} {method} {url}: {response.status_code} != {want}"
    if role == "anonymous":
        assert response.url.startswith(reverse("accounts:login"))


def test_coordinator_cannot_reach_other_units_ids_by_changing_them(client, world):
    stranger = factories.CoordinatorFactory()
    foreign_post = factories.PostFactory(unit=stranger.unit, cycle=world["post"].cycle)
    (foreign_app,) = make_applications(foreign_post, 1)
    client.force_login(world["users"]["coordinator"])
    for url in (
        reverse("placements:post_applicants", args=[foreign_post.pk]),
        reverse("placements:application_detail", args=[foreign_app.pk]),
        reverse("placements:post_ranking", args=[foreign_post.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("placements:application_decide", args=[foreign_app.pk]), {}).status_code == 404
    foreign_app.refresh_from_db()
    assert foreign_app.status == S.SUBMITTED


def test_student_cannot_see_held_offer(client, world):
    cycle = world["post"].cycle
    cycle.announcement_at = timezone.now() + dt.timedelta(days=1)
    cycle.save()
    client.force_login(world["users"]["student"])
    response = client.post(reverse("placements:offer_accept", args=[world["offer"].pk]))
    assert response.status_code == 404
