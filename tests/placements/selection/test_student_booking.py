"""A student cancels or moves the interview they booked, until the cut-off before it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus
from placements.models import Interview
from placements.selection import services
from placements.selection.enums import InterviewStatus
from placements.selection.services import SelectionError
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(post, unit, cycle):
    (application,) = make_applications(post, 1, status=ApplicationStatus.SHORTLISTED)
    slot = make_slot(unit, cycle, hours=72, self_booking=True, post=post)
    interview = services.interview_book(
        application=application, slot=slot, actor=application.student.user, by_student=True
    )
    return application, interview


def test_student_moves_their_booking_to_another_open_time(client, booked, unit, cycle, post):
    application, interview = booked
    later = make_slot(unit, cycle, hours=96, self_booking=True, post=post)
    client.force_login(application.student.user)
    page = client.get(reverse("placements:my_selection")).content.decode()
    assert f'data-testid="move-{interview.pk}"' in page
    assert f'<option value="{later.pk}">' in page
    response = client.post(reverse("placements:interview_student_move", args=[interview.pk]), {"slot": later.pk})
    assert response.url == reverse("placements:my_selection")
    interview.refresh_from_db()
    assert (interview.slot_id, interview.starts_at, interview.status) == (later.pk, later.starts_at, "scheduled")


def test_student_cancels_their_booking_and_may_book_again(client, booked):
    application, interview = booked
    client.force_login(application.student.user)
    client.post(reverse("placements:interview_student_cancel", args=[interview.pk]))
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.CANCELLED
    page = client.get(reverse("placements:my_selection")).content.decode()
    assert f'data-testid="bookable-{application.pk}"' in page


def test_no_change_within_the_cut_off(booked, settings):
    application, interview = booked
    settings.INTERVIEW_STUDENT_CHANGE_HOURS = 24
    with pytest.raises(SelectionError) as refused:
        services.interview_student_cancel(
            interview=interview, actor=application.student.user, at=interview.starts_at - dt.timedelta(hours=23)
        )
    assert refused.value.code == "too_late"
    assert Interview.objects.get(pk=interview.pk).status == InterviewStatus.SCHEDULED


def test_an_interview_the_unit_set_is_changed_by_the_unit_only(post, unit, cycle, coordinator):
    (application,) = make_applications(post, 1, status=ApplicationStatus.SHORTLISTED)
    interview = services.interview_book(
        application=application, slot=make_slot(unit, cycle, hours=72, post=post), actor=coordinator.user
    )
    with pytest.raises(SelectionError) as refused:
        services.interview_student_cancel(interview=interview, actor=application.student.user, at=timezone.now())
    assert refused.value.code == "not_self_booked"


def test_another_students_interview_is_not_found(client, booked):
    _application, interview = booked
    (other,) = make_applications(interview.application.post, 1, status=ApplicationStatus.SHORTLISTED)
    client.force_login(other.student.user)
    response = client.post(reverse("placements:interview_student_cancel", args=[interview.pk]))
    assert response.status_code == 404
