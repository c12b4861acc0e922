"""A student's withdrawal ends the application's interview and its reminders too.

``applicants`` cannot import ``placements``: the withdrawal reaches it through
``applicants.signals.application_withdrawn``. Delivery is real: the outbox's tasks run on
commit (``django_capture_on_commit_callbacks``) and the emails land in the locmem outbox.
"""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.services import ApplicationError, application_withdraw
from jinseed.notifications.enums import Channel, NotificationStatus
from jinseed.notifications.models import Notification
from jinseed.notifications.tasks import notification_sweep
from placements.selection import services
from placements.selection.enums import InterviewStatus, OfferStatus
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


def emailed(user) -> list[str]:
    return [m.extra_headers["X-Jinseed-Kind"] for m in mail.outbox if m.to == [user.email]]


def interview_rows(interview, part: str):
    return Notification.objects.filter(
        event_key__startswith=f"interview:{interview.pk}:{part}:", channel=Channel.EMAIL
    ).order_by("pk")


def test_withdrawal_cancels_the_interview_and_its_reminders(
    client, post, unit, cycle, coordinator, django_capture_on_commit_callbacks
):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    student = app.student.user
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_book(
            application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
        )
    assert emailed(student) == ["interview_invitation"]

    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applicants:withdraw", args=[app.pk]), {"reason": "改变计划"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 302
    app.refresh_from_db()
    interview.refresh_from_db()
    assert (app.status, interview.status, interview.sequence) == (S.WITHDRAWN, InterviewStatus.CANCELLED, 1)
    assert list(interview_rows(interview, "reminder").values_list("kind", "status")) == [
        ("interview_reminder_24h", NotificationStatus.CANCELLED),
        ("interview_reminder_1h", NotificationStatus.CANCELLED),
    ]
    # The invited student's calendar entry is withdrawn; the unit is not told by the cancel.
    assert emailed(student) == ["interview_invitation", "interview_cancelled"]
    cancel = interview_rows(interview, "notice").get(kind="interview_cancelled")
    assert (cancel.event_key, cancel.context["reason"]) == (
        f"interview:{interview.pk}:notice:1:cancelled",
        "您已撤回报名。",  # in the student's language, whatever the browser asked for
    )
    assert emailed(coordinator.user) == []

    # The reminders' times come: none goes out.
    interview_rows(interview, "reminder").update(send_after=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        notification_sweep()
    assert emailed(student) == ["interview_invitation", "interview_cancelled"]


def test_withdrawal_before_the_invitation_went_out_sends_nothing(
    post, unit, cycle, coordinator, django_capture_on_commit_callbacks
):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_book(
            application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
        )
        application_withdraw(application=app, actor=app.student.user)
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.CANCELLED
    assert set(interview_rows(interview, "notice").values_list("kind", "status")) == {
        ("interview_invitation", NotificationStatus.CANCELLED)
    }
    assert set(interview_rows(interview, "reminder").values_list("status", flat=True)) == {NotificationStatus.CANCELLED}
    assert mail.outbox == []


def test_withdrawal_frees_the_slot_for_another_applicant(post, unit, cycle, coordinator):
    first, second = make_applications(post, 2, status=S.SHORTLISTED)
    slot = make_slot(unit, cycle, hours=48, capacity=1)
    services.interview_book(application=first, slot=slot, actor=coordinator.user)
    application_withdraw(application=first, actor=first.student.user)
    assert services.interview_book(application=second, slot=slot, actor=coordinator.user).status == (
        InterviewStatus.SCHEDULED
    )


def test_offered_application_is_not_withdrawn_and_its_offer_stays_open(post, coordinator):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    with pytest.raises(ApplicationError):
        application_withdraw(application=app, actor=app.student.user)
    offer.refresh_from_db()
    app.refresh_from_db()
    assert (app.status, offer.status) == (S.OFFERED, OfferStatus.OPEN)
