"""Closing a cycle's selection, and decisions held until the announcement time."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.models import Application, ApplicationEvent
from jinseed.notifications.enums import Channel, NotificationStatus
from jinseed.notifications.models import Notification
from jinseed.notifications.tasks import notification_sweep
from placements.models import Offer
from placements.selection import services, tasks
from placements.selection.enums import InterviewStatus, OfferStatus
from positions.enums import CycleStatus
from positions.services import CycleError, cycle_transition
from tests import factories
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


def not_selected_rows(**filters):
    return Notification.objects.filter(kind="not_selected", channel=Channel.EMAIL, **filters)


def emailed(user) -> list[str]:
    return [m.extra_headers["X-Jinseed-Kind"] for m in mail.outbox if m.to == [user.email]]


def _second_application(student, post, rank=2, status=S.INTERVIEWED) -> Application:
    app = factories.ApplicationFactory(student=student, post=post, preference_rank=rank)
    Application.objects.filter(pk=app.pk).update(status=status, published_status=status)
    app.refresh_from_db()
    return app


@pytest.fixture
def field(post, unit, cycle, coordinator):
    """A post with a placed student, one interviewed, one with an open offer, one never
    interviewed (with a scheduled interview), and one interviewed on two posts."""
    other_post = factories.PostFactory(unit=unit, cycle=cycle)
    placed, interviewed, offered, pending, twice = make_applications(post, 5, status=S.INTERVIEWED)
    Application.objects.filter(pk=pending.pk).update(status=S.SHORTLISTED, published_status=S.SHORTLISTED)
    pending.refresh_from_db()
    interview = services.interview_book(application=pending, slot=make_slot(unit, cycle), actor=coordinator.user)
    accepted = services.offer_make(application=placed, actor=coordinator.user)
    services.offer_accept(offer=accepted, actor=placed.student.user)
    open_offer = services.offer_make(application=offered, actor=coordinator.user)
    twice_again = _second_application(twice.student, other_post)
    return {
        "placed": placed,
        "interviewed": interviewed,
        "offered": offered,
        "open_offer": open_offer,
        "pending": pending,
        "interview": interview,
        "twice": twice,
        "twice_again": twice_again,
    }


def test_close_selection_ends_every_open_application_and_tells_each_student_once(cycle, coordinator, field):
    counts = services.cycle_selection_close(cycle=cycle, actor=factories.StaffFactory())
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SELECTION_CLOSED
    assert counts == {"offers_lapsed": 1, "applications_ended": 4, "students_told": 4}

    statuses = {
        name: Application.objects.get(pk=field[name].pk).status
        for name in ("placed", "interviewed", "offered", "pending", "twice", "twice_again")
    }
    assert statuses == {
        "placed": S.ACCEPTED,
        "interviewed": S.NOT_SELECTED,
        "offered": S.DECLINED,
        "pending": S.REJECTED,
        "twice": S.NOT_SELECTED,
        "twice_again": S.NOT_SELECTED,
    }
    assert Offer.objects.get(pk=field["open_offer"].pk).status == OfferStatus.EXPIRED
    field["interview"].refresh_from_db()
    assert field["interview"].status == InterviewStatus.CANCELLED

    told = sorted(not_selected_rows().values_list("recipient_id", flat=True))
    expected = sorted(field[name].student.user_id for name in ("interviewed", "offered", "pending", "twice"))
    assert told == expected  # once each — the student on two posts too; the placed one not at all
    row = not_selected_rows(recipient_id=field["twice"].student.user_id).get()
    assert row.event_key == f"cycle:{cycle.pk}:not_selected:student:{field['twice'].student.pk}"
    assert row.send_after <= timezone.now()


@pytest.mark.parametrize("held", [False, True], ids=["announced", "held"])
def test_close_selection_writes_one_history_row_per_ended_application(cycle, coordinator, field, held):
    if held:
        cycle.announcement_at = timezone.now() + dt.timedelta(days=2)
        cycle.save(update_fields=["announcement_at"])
    staff = factories.StaffFactory()
    at = timezone.now().replace(microsecond=0)
    services.cycle_selection_close(cycle=cycle, actor=staff, at=at)

    ended = {field[name].pk: name for name in ("interviewed", "pending", "twice", "twice_again")}
    events = ApplicationEvent.objects.filter(application_id__in=ended, created_at=at)
    rows = {ended[e.application_id]: (e.from_status, e.to_status, e.actor_id, e.reason, e.visible_at) for e in events}
    visible = cycle.announcement_at if held else at
    reason = "本届选拔已结束。"
    assert rows == {
        "interviewed": (S.INTERVIEWED, S.NOT_SELECTED, staff.pk, reason, visible),
        "pending": (S.SHORTLISTED, S.REJECTED, staff.pk, reason, at),
        "twice": (S.INTERVIEWED, S.NOT_SELECTED, staff.pk, reason, visible),
        "twice_again": (S.INTERVIEWED, S.NOT_SELECTED, staff.pk, reason, visible),
    }
    published = dict(Application.objects.filter(pk__in=ended).values_list("pk", "published_status"))
    # A held "not selected" stays unseen until the announcement; "not shortlisted" is never held.
    assert published[field["interviewed"].pk] == (S.INTERVIEWED if held else S.NOT_SELECTED)
    assert published[field["pending"].pk] == S.REJECTED
    assert not ApplicationEvent.objects.filter(application=field["placed"], created_at=at).exists()


def test_close_selection_twice_is_refused_and_queues_nothing_more(cycle, coordinator, field):
    services.cycle_selection_close(cycle=cycle, actor=factories.StaffFactory())
    before = Notification.objects.count()
    with pytest.raises(CycleError):
        services.cycle_selection_close(cycle=cycle, actor=factories.StaffFactory())
    assert Notification.objects.count() == before


def test_no_offer_is_made_after_the_selection_closed(post, cycle, coordinator):
    a, b = make_applications(post, 2, status=S.INTERVIEWED, ranked=True)
    post.headcount = 1
    post.save(update_fields=["headcount"])
    offer = services.offer_make(application=a, actor=coordinator.user)
    services.cycle_selection_close(cycle=cycle, actor=factories.StaffFactory())
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    # The freed place is not passed to the backup, now or by the periodic task.
    assert services.offer_pass_to_backup(post=post) == []
    services.offer_expire_due()
    assert not Offer.objects.filter(application=b).exists()
    with pytest.raises(services.SelectionError) as err:
        services.offer_make(application=b, actor=coordinator.user)
    assert err.value.code == "selection_closed"


def test_cycle_transition_follows_the_table(cycle):
    with pytest.raises(CycleError):
        cycle_transition(cycle=cycle, to_status=CycleStatus.ARCHIVED)
    assert cycle_transition(cycle=cycle, to_status=CycleStatus.SELECTION_CLOSED).status == (
        CycleStatus.SELECTION_CLOSED
    )


# --- held until the announcement ----------------------------------------------------------------------------


def test_held_decisions_are_delivered_by_the_sweeper_after_the_announcement(
    post, cycle, coordinator, django_capture_on_commit_callbacks
):
    cycle.announcement_at = timezone.now() + dt.timedelta(days=2)
    cycle.save(update_fields=["announcement_at"])
    offered, not_selected = make_applications(post, 2, status=S.INTERVIEWED)
    with django_capture_on_commit_callbacks(execute=True):
        offer = services.offer_make(application=offered, actor=coordinator.user)
        services.application_not_select(application=not_selected, actor=coordinator.user)
        services.cycle_selection_close(cycle=cycle, actor=factories.StaffFactory())
    # The held offer stays open (it is a result to announce): its student is not "not selected".
    offer.refresh_from_db()
    assert (offer.status, offer.expires_at) == (OfferStatus.OPEN, None)
    held = Notification.objects.filter(kind__in=["offer_made", "not_selected"], channel=Channel.EMAIL)
    assert sorted(held.values_list("kind", "recipient_id", "send_after")) == sorted(
        [
            ("offer_made", offered.student.user_id, cycle.announcement_at),
            ("not_selected", not_selected.student.user_id, cycle.announcement_at),
        ]
    )
    notification_sweep()
    assert mail.outbox == []

    # Staff bring the announcement forward to a moment already past; the periodic selection
    # task publishes the held decisions and their messages, the sweeper delivers them.
    cycle.announcement_at = timezone.now() - dt.timedelta(minutes=1)
    cycle.save(update_fields=["announcement_at"])
    tasks.offers_expire()
    notification_sweep()
    assert emailed(offered.student.user) == ["offer_made"]
    assert emailed(not_selected.student.user) == ["not_selected"]
    assert set(held.values_list("status", flat=True)) == {NotificationStatus.SENT}
    not_selected.refresh_from_db()
    assert not_selected.published_status == S.NOT_SELECTED
    notification_sweep()
    assert len(mail.outbox) == 2


def test_held_messages_follow_an_announcement_moved_later(post, cycle, coordinator):
    cycle.announcement_at = timezone.now() + dt.timedelta(days=2)
    cycle.save(update_fields=["announcement_at"])
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    services.offer_make(application=app, actor=coordinator.user)
    cycle.announcement_at += dt.timedelta(days=1)
    cycle.save(update_fields=["announcement_at"])
    assert services.held_notifications_sync() == 2  # email and inbox
    assert set(Notification.objects.filter(kind="offer_made").values_list("send_after", flat=True)) == {
        cycle.announcement_at
    }
    assert services.held_notifications_sync() == 0


def test_not_selected_then_offer_from_backup_delivers_only_the_offer(
    post, cycle, coordinator, django_capture_on_commit_callbacks
):
    """Selection closed while results are held, then reopened: a backup offer supersedes the
    student's queued "not selected", which is never delivered."""
    cycle.announcement_at = timezone.now() + dt.timedelta(days=2)
    cycle.save(update_fields=["announcement_at"])
    first, backup = make_applications(post, 2, status=S.INTERVIEWED, ranked=True)
    post.headcount = 1
    post.save(update_fields=["headcount"])
    with django_capture_on_commit_callbacks(execute=True):
        offer = services.offer_make(application=first, actor=coordinator.user)
        services.cycle_selection_close(cycle=cycle, actor=factories.StaffFactory())
        assert not_selected_rows(recipient=backup.student.user).get().status == NotificationStatus.QUEUED
        cycle_transition(cycle=cycle, to_status=CycleStatus.OPEN, actor=coordinator.user)
        # The offer is withdrawn by staff (in the admin) and the place goes to the backup.
        Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.WITHDRAWN)
        (passed,) = services.offer_pass_to_backup(post=post)
    assert passed.application_id == backup.pk
    assert not_selected_rows(recipient=backup.student.user).get().status == NotificationStatus.CANCELLED
    cycle.announcement_at = timezone.now() - dt.timedelta(minutes=1)
    cycle.save(update_fields=["announcement_at"])
    tasks.offers_expire()
    notification_sweep()
    assert emailed(backup.student.user) == ["offer_from_backup"]


# --- the command and the staff button --------------------------------------------------------------------


def test_close_selection_command(cycle, field):
    out = StringIO()
    call_command("close_selection", "--cycle", str(cycle.pk), stdout=out)
    assert out.getvalue() == (
        f"{cycle.title}: selection closed; offers_lapsed=1 applications_ended=4 students_told=4\n"
    )
    with pytest.raises(CommandError):
        call_command("close_selection", "--cycle", str(cycle.pk), stdout=out)
    with pytest.raises(CommandError):
        call_command("close_selection", "--cycle", "999999", stdout=out)


def test_staff_close_selection_from_the_overview_after_being_told_what_it_does(
    client, cycle, staff_user, field, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    page = client.get(reverse("placements:overview"), {"cycle": cycle.pk})
    url = reverse("placements:selection_close", args=[cycle.pk])
    assert url in page.content.decode()
    asked = client.get(url)
    assert asked.context["preview"] == {
        "offers_lapsing": 1,
        "offers_with_days_left": 1,
        "latest_deadline": Offer.objects.get(status=OfferStatus.OPEN).expires_at,
        "offers_held": 0,
        "not_shortlisted": 1,
        "not_selected": 3,
        "interviews_cancelled": 1,
    }
    assert 'data-testid="offers-with-days-left"' in asked.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the job runs inline without a broker
        response = client.post(url, {"confirm": "yes"})
    assert (response.status_code, response.url) == (302, url)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SELECTION_CLOSED
    html = client.get(url).content.decode()
    assert 'data-testid="close-done"' in html
    assert "选拔已关闭：1 份录用通知失效，4 份报名结束，4 名学生将收到未录用通知。" in html
    page = client.get(reverse("placements:overview"), {"cycle": cycle.pk})
    assert url not in page.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "student", "coordinator"])
def test_only_staff_may_close_the_selection(client, cycle, coordinator, who):
    if who == "student":
        client.force_login(factories.StudentProfileFactory().user)
    elif who == "coordinator":
        client.force_login(coordinator.user)
    url = reverse("placements:selection_close", args=[cycle.pk])
    response = client.post(url)
    assert response.status_code == (302 if who == "anonymous" else 403)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN


def test_close_selection_without_the_confirmation_only_asks(client, cycle, staff_user):
    client.force_login(staff_user)
    url = reverse("placements:selection_close", args=[cycle.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == url
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
