"""Decision messages go out exactly once, and only the latest when a decision changes unsent.

Delivery is real in these tests: the outbox queues its Celery task on commit, the task runs
eagerly, and the email lands in Django's locmem outbox. ``django_capture_on_commit_callbacks``
holds the commit callbacks back, so "before sending" is every change made inside the block
and "already sent" is a change made after the callbacks ran.
"""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from jinseed.notifications.enums import Channel, NotificationStatus
from jinseed.notifications.errors import NotificationContextError
from jinseed.notifications.models import Notification
from placements.selection import services
from placements.selection.enums import RejectionReason
from placements.selection.services import notify, offers
from tests import factories
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


def emailed(user=None) -> list[str]:
    """The kinds of the emails delivered (to ``user``), in order."""
    return [m.extra_headers["X-Jinseed-Kind"] for m in mail.outbox if user is None or m.to == [user.email]]


def run(callbacks) -> None:
    for callback in callbacks:
        callback()


def email_rows(user, **filters):
    return Notification.objects.filter(recipient=user, channel=Channel.EMAIL, **filters).order_by("pk")


# --- the helper fails loudly -------------------------------------------------------------------------


def test_notify_refuses_an_unknown_kind(post):
    (app,) = make_applications(post, 1)
    with pytest.raises(NotificationContextError):
        notify.notify(recipient=app.student.user, kind="offer_made_typo", context={}, event_key="x")


def test_notify_refuses_a_key_the_contract_does_not_list(post):
    (app,) = make_applications(post, 1)
    context = {**notify.application_context(app), "mentor": "李老师"}
    with pytest.raises(NotificationContextError):
        notify.notify(recipient=app.student.user, kind="application_shortlisted", context=context, event_key="x")
    assert not Notification.objects.exists()


# --- shortlisted ↔ not shortlisted ---------------------------------------------------------------------------


def test_shortlist_then_reject_before_sending_delivers_only_the_rejection(
    post, coordinator, django_capture_on_commit_callbacks
):
    (app,) = make_applications(post, 1)
    student = app.student.user
    with django_capture_on_commit_callbacks() as callbacks:
        services.application_shortlist(application=app, actor=coordinator.user)
        services.application_reject(application=app, actor=coordinator.user, reason_code=RejectionReason.MAJOR)
    run(callbacks)
    assert emailed(student) == ["application_not_shortlisted"]
    assert list(email_rows(student).values_list("kind", "status")) == [
        ("application_shortlisted", NotificationStatus.CANCELLED),
        ("application_not_shortlisted", NotificationStatus.SENT),
    ]


def test_shortlist_already_sent_then_reject_delivers_both(post, coordinator, django_capture_on_commit_callbacks):
    (app,) = make_applications(post, 1)
    student = app.student.user
    with django_capture_on_commit_callbacks(execute=True):
        services.application_shortlist(application=app, actor=coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application=app, actor=coordinator.user, reason_code=RejectionReason.MAJOR)
    assert emailed(student) == ["application_shortlisted", "application_not_shortlisted"]


def test_decision_repeated_is_queued_once(post, coordinator):
    (app,) = make_applications(post, 1)
    services.application_shortlist(application=app, actor=coordinator.user)
    rows = notify.notify(
        recipient=app.student.user,
        kind="application_shortlisted",
        context=notify.application_context(app),
        event_key=f"application:{app.pk}:decision:shortlisted",
    )
    assert rows == []
    assert email_rows(app.student.user, kind="application_shortlisted").count() == 1


# --- offers ------------------------------------------------------------------------------------------------


def test_offer_released_before_sending_is_never_delivered(unit, cycle, coordinator, django_capture_on_commit_callbacks):
    first, second = factories.PostFactory(unit=unit, cycle=cycle), factories.PostFactory(cycle=cycle)
    (a,) = make_applications(first, 1, status=S.INTERVIEWED)
    b = make_applications(second, 1, status=S.INTERVIEWED)[0]
    # The same student on both posts.
    b.student = a.student
    b.preference_rank = 2
    b.save(update_fields=["student", "preference_rank"])
    other_coordinator = factories.CoordinatorFactory(unit=second.unit)
    student = a.student.user
    with django_capture_on_commit_callbacks() as callbacks:
        offer_a = services.offer_make(application=a, actor=coordinator.user)
        services.offer_make(application=b, actor=other_coordinator.user)
        services.offer_accept(offer=offer_a, actor=student)
    run(callbacks)
    # Both offers were still queued: the one taken became the onboarding notice, the other
    # one (released) was cancelled. Its unit is told.
    assert emailed(student) == ["offer_accepted_onboarding"]
    assert emailed(other_coordinator.user) == ["offer_released"]
    assert set(email_rows(student, kind="offer_made").values_list("status", flat=True)) == {
        NotificationStatus.CANCELLED
    }


def test_offer_already_sent_then_accepted_delivers_both(post, coordinator, django_capture_on_commit_callbacks):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    student = app.student.user
    with django_capture_on_commit_callbacks(execute=True):
        offer = services.offer_make(application=app, actor=coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(offer=offer, actor=student)
    assert emailed(student) == ["offer_made", "offer_accepted_onboarding"]


def test_offer_from_backup_carries_only_its_contract(post, coordinator):
    a, b = make_applications(post, 2, status=S.INTERVIEWED, ranked=True)
    post.headcount = 1
    post.save(update_fields=["headcount"])
    offer = services.offer_make(application=a, actor=coordinator.user)
    services.offer_decline(offer=offer, actor=a.student.user)
    row = email_rows(b.student.user, kind="offer_from_backup").get()
    assert set(row.context) == {"student_name", "post_title", "unit_name", "respond_by_at", "url"}
    assert row.event_key.startswith(f"application:{b.pk}:decision:offer:")


def test_offer_lapsing_cancels_its_unsent_expiry_warning(post, coordinator):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    warning = notify.notify(
        recipient=app.student.user,
        kind="offer_expiring",
        context={**notify.application_context(app), "respond_by_at": offer.expires_at},
        event_key=f"application:{app.pk}:decision:offer:{offer.pk}:expiring",
    )
    assert services.offer_expire_due(at=offer.expires_at + dt.timedelta(minutes=1)) == 1
    assert {r.status for r in Notification.objects.filter(pk__in=[r.pk for r in warning])} == {
        NotificationStatus.CANCELLED
    }


# --- onboarding --------------------------------------------------------------------------------------------


def test_onboarding_names_the_unit_contact_not_a_mentor(post, coordinator, django_capture_on_commit_callbacks):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    unit = post.unit
    unit.contact_name, unit.contact_phone = "王主任", "021-57920000"
    unit.save(update_fields=["contact_name", "contact_phone"])
    offer = services.offer_make(application=app, actor=coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(offer=offer, actor=app.student.user)
    row = email_rows(app.student.user, kind="offer_accepted_onboarding").get()
    assert (row.context["contact_name"], row.context["contact_details"]) == ("王主任", "021-57920000")
    assert "mentor_name" not in row.context
    (message,) = [m for m in mail.outbox if m.extra_headers["X-Jinseed-Kind"] == "offer_accepted_onboarding"]
    assert "王主任 (021-57920000)" in message.body
    assert "导师" not in message.body and "Mentor" not in message.body


# --- interviews --------------------------------------------------------------------------------------------


def reminder_rows(interview):
    return Notification.objects.filter(
        event_key__startswith=f"interview:{interview.pk}:reminder:", channel=Channel.EMAIL
    ).order_by("send_after")


def test_booking_queues_both_reminders_held_until_their_time(post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    interview = services.interview_book(application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user)
    rows = list(reminder_rows(interview).values_list("kind", "event_key", "send_after", "status"))
    assert rows == [
        (
            "interview_reminder_24h",
            f"interview:{interview.pk}:reminder:0:24h",
            interview.starts_at - dt.timedelta(hours=24),
            NotificationStatus.QUEUED,
        ),
        (
            "interview_reminder_1h",
            f"interview:{interview.pk}:reminder:0:1h",
            interview.starts_at - dt.timedelta(hours=1),
            NotificationStatus.QUEUED,
        ),
    ]


def test_booking_skips_a_reminder_whose_time_has_passed(post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    interview = services.interview_book(application=app, slot=make_slot(unit, cycle, hours=3), actor=coordinator.user)
    assert list(reminder_rows(interview).values_list("kind", flat=True)) == ["interview_reminder_1h"]


def test_reschedule_replaces_reminders_and_cancel_removes_them(post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    interview = services.interview_book(application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user)
    moved = services.interview_reschedule(
        interview=interview, slot=make_slot(unit, cycle, hours=72), actor=coordinator.user
    )
    live = reminder_rows(moved).filter(status=NotificationStatus.QUEUED)
    assert list(live.values_list("event_key", "send_after")) == [
        (f"interview:{moved.pk}:reminder:1:24h", moved.starts_at - dt.timedelta(hours=24)),
        (f"interview:{moved.pk}:reminder:1:1h", moved.starts_at - dt.timedelta(hours=1)),
    ]
    assert reminder_rows(moved).filter(status=NotificationStatus.CANCELLED).count() == 2
    services.interview_cancel(interview=moved, actor=coordinator.user, reason="公务")
    assert not reminder_rows(moved).filter(status=NotificationStatus.QUEUED).exists()


def test_rescheduled_before_the_invitation_went_out_sends_one_invitation(
    post, unit, cycle, coordinator, django_capture_on_commit_callbacks
):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    later = make_slot(unit, cycle, hours=72)
    with django_capture_on_commit_callbacks() as callbacks:
        interview = services.interview_book(
            application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
        )
        services.interview_reschedule(interview=interview, slot=later, actor=coordinator.user)
    run(callbacks)
    assert emailed(app.student.user) == ["interview_invitation"]
    (message,) = mail.outbox
    ics = message.attachments[0][1]
    assert "SEQUENCE:1" in (ics.decode() if isinstance(ics, bytes) else ics)
    sent = email_rows(app.student.user, status=NotificationStatus.SENT).get()
    assert sent.context["starts_at"] == later.starts_at.isoformat()


def test_rescheduled_after_the_invitation_went_out_sends_the_change(
    post, unit, cycle, coordinator, django_capture_on_commit_callbacks
):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_book(
            application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_reschedule(
            interview=interview, slot=make_slot(unit, cycle, hours=72), actor=coordinator.user
        )
    assert emailed(app.student.user) == ["interview_invitation", "interview_rescheduled"]


def test_cancelled_before_the_invitation_went_out_sends_nothing(
    post, unit, cycle, coordinator, django_capture_on_commit_callbacks
):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    with django_capture_on_commit_callbacks() as callbacks:
        interview = services.interview_book(
            application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
        )
        services.interview_cancel(interview=interview, actor=coordinator.user, reason="公务")
    run(callbacks)
    assert emailed(app.student.user) == []
    assert not Notification.objects.filter(recipient=app.student.user, status=NotificationStatus.QUEUED).exists()


def test_cancelled_after_the_invitation_went_out_sends_the_cancellation(
    post, unit, cycle, coordinator, django_capture_on_commit_callbacks
):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_book(
            application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_cancel(interview=interview, actor=coordinator.user, reason="公务")
    assert emailed(app.student.user) == ["interview_invitation", "interview_cancelled"]
    cancel = email_rows(app.student.user, kind="interview_cancelled").get()
    assert (cancel.event_key, cancel.context["sequence"], cancel.context["reason"]) == (
        f"interview:{interview.pk}:notice:1:cancelled",
        1,
        "公务",
    )


def test_reminders_are_delivered_by_the_sweeper_when_due(
    post, unit, cycle, coordinator, django_capture_on_commit_callbacks
):
    from jinseed.notifications.tasks import notification_sweep

    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_book(
            application=app, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
        )
    notification_sweep()
    assert emailed(app.student.user) == ["interview_invitation"]  # the reminders wait
    # The 24 h reminder's time comes (its send_after moved to the past stands in for the clock).
    reminder_rows(interview).filter(kind="interview_reminder_24h").update(
        send_after=timezone.now() - dt.timedelta(seconds=1)
    )
    notification_sweep()
    notification_sweep()
    assert emailed(app.student.user) == ["interview_invitation", "interview_reminder_24h"]


def test_onboarding_without_a_unit_contact_names_the_coordinator(post, coordinator):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    post.unit.contact_name = ""
    post.unit.save(update_fields=["contact_name"])
    coordinator.phone = "021-57921111"
    coordinator.save(update_fields=["phone"])
    offer = services.offer_make(application=app, actor=coordinator.user)
    services.offer_accept(offer=offer, actor=app.student.user)
    row = email_rows(app.student.user, kind="offer_accepted_onboarding").get()
    assert (row.context["contact_name"], row.context["contact_details"]) == (str(coordinator.user), "021-57921111")


def test_onboarding_names_the_mentor_once_assigned(post, coordinator):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    placement = services.offer_accept(offer=offer, actor=app.student.user)
    placement.mentor = factories.MentorFactory(unit=post.unit, phone="13900000000")
    context = offers._onboarding_context(app=app, placement=placement)
    assert (context["mentor_name"], context["mentor_contact"]) == (str(placement.mentor.user), "13900000000")
