import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from jinseed.notifications.enums import Channel, NotificationStatus
from jinseed.notifications.errors import NotificationContextError
from jinseed.notifications.kinds import KINDS, REQUIRED_CONTEXT
from jinseed.notifications.models import Notification
from jinseed.notifications.services import (
    notification_cancel,
    notification_channels_for,
    notification_context_validate,
    notification_preference_update,
    notification_queue,
    notification_replace,
    notification_retry,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHORTLISTED = KINDS["application_shortlisted"].example
NOT_SHORTLISTED = KINDS["application_not_shortlisted"].example


def test_required_context_is_declared_for_every_kind_with_templates():
    assert set(REQUIRED_CONTEXT) == set(KINDS)
    assert len(KINDS) == 21


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_context_validate_accepts_every_example(kind):
    assert notification_context_validate(kind=kind, context=KINDS[kind].example) == KINDS[kind].example


def test_queue_unknown_kind_fails_loudly(recipient):
    with pytest.raises(NotificationContextError, match="Unknown notification kind"):
        notification_queue(recipient=recipient, kind="application_recieved", context={}, event_key="k")


def test_queue_missing_key_fails_loudly(recipient):
    context = {k: v for k, v in SHORTLISTED.items() if k != "post_title"}
    with pytest.raises(NotificationContextError, match=r"missing \['post_title'\]"):
        notification_queue(recipient=recipient, kind="application_shortlisted", context=context, event_key="k")
    assert Notification.objects.count() == 0


def test_queue_unknown_key_fails_loudly(recipient):
    with pytest.raises(NotificationContextError, match=r"unknown \['typo'\]"):
        notification_queue(
            recipient=recipient, kind="application_shortlisted", context={**SHORTLISTED, "typo": 1}, event_key="k"
        )


def test_queue_naive_datetime_fails_loudly(recipient):
    context = {**KINDS["offer_expiring"].example, "respond_by_at": dt.datetime(2020, 7, 3, 17, 0)}  # noqa: DTZ001
    with pytest.raises(NotificationContextError, match="not an aware datetime"):
        notification_queue(recipient=recipient, kind="offer_expiring", context=context, event_key="k")


def test_queue_interview_without_place_fails_loudly(recipient):
    context = {**KINDS["interview_invitation"].example, "meeting_url": "", "address": ""}
    with pytest.raises(NotificationContextError, match="needs one of"):
        notification_queue(recipient=recipient, kind="interview_invitation", context=context, event_key="k")


def test_queue_normalises_datetimes_to_iso_strings(recipient):
    deadline = dt.datetime(2020, 7, 3, 17, 0, tzinfo=dt.UTC)
    context = {**KINDS["offer_expiring"].example, "respond_by_at": deadline}
    [row] = notification_queue(
        recipient=recipient, kind="offer_expiring", context=context, event_key="offer:1:expiring", channels=["inbox"]
    )
    row.refresh_from_db()
    assert row.context["respond_by_at"] == "2020-07-03T17:00:00Z"


def test_queue_default_channels_email_and_inbox(recipient):
    rows = notification_queue(recipient=recipient, kind="application_shortlisted", context=SHORTLISTED, event_key="e")
    assert sorted(r.channel for r in rows) == ["email", "inbox"]
    assert {r.language for r in rows} == {"en"}


def test_queue_sends_on_commit_not_before(recipient, run_on_commit):
    with run_on_commit():
        notification_queue(recipient=recipient, kind="application_shortlisted", context=SHORTLISTED, event_key="e")
        assert len(mail.outbox) == 0
        assert set(Notification.objects.values_list("status", flat=True)) == {"queued"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["xiaoming@example.cn"]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_queue_same_event_twice_is_idempotent(recipient, run_on_commit):
    with run_on_commit():
        first = notification_queue(
            recipient=recipient, kind="application_shortlisted", context=SHORTLISTED, event_key="e"
        )
        second = notification_queue(
            recipient=recipient, kind="application_shortlisted", context=SHORTLISTED, event_key="e"
        )
    assert len(first) == 2
    assert second == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1


def test_channels_sms_only_when_chosen_and_mobile_known(recipient):
    assert notification_channels_for(recipient=recipient, kind="offer_expiring") == ["email", "inbox"]
    notification_preference_update(user=recipient, email=True, sms=True)
    assert notification_channels_for(recipient=recipient, kind="offer_expiring") == ["email", "sms", "inbox"]
    no_mobile = UserFactory(mobile=None)
    notification_preference_update(user=no_mobile, email=True, sms=True)
    assert notification_channels_for(recipient=no_mobile, kind="offer_expiring") == ["email", "inbox"]


def test_channels_email_off_except_for_decisions(recipient):
    notification_preference_update(user=recipient, email=False, sms=False)
    assert notification_channels_for(recipient=recipient, kind="offer_expiring") == ["inbox"]
    assert notification_channels_for(recipient=recipient, kind="offer_made") == ["email", "inbox"]
    assert notification_channels_for(recipient=recipient, kind="application_not_shortlisted") == ["email", "inbox"]


def test_channels_requested_limits_the_choice(recipient):
    notification_preference_update(user=recipient, email=True, sms=True)
    assert notification_channels_for(recipient=recipient, kind="offer_made", requested=["email"]) == ["email"]
    with pytest.raises(NotificationContextError):
        notification_channels_for(recipient=recipient, kind="offer_made", requested=["fax"])


def test_held_message_is_not_sent_before_its_time(recipient, run_on_commit):
    later = timezone.now() + dt.timedelta(hours=3)
    with run_on_commit():
        rows = notification_queue(
            recipient=recipient,
            kind="application_shortlisted",
            context=SHORTLISTED,
            event_key="e",
            send_after=later,
        )
    assert len(mail.outbox) == 0
    assert {r.send_after for r in rows} == {later}
    assert set(Notification.objects.values_list("status", flat=True)) == {"queued"}


def test_cancel_leaves_sent_rows_alone(recipient, run_on_commit):
    with run_on_commit():
        notification_queue(
            recipient=recipient, kind="application_shortlisted", context=SHORTLISTED, event_key="app:1:decision:a"
        )
    notification_queue(
        recipient=recipient,
        kind="application_shortlisted",
        context=SHORTLISTED,
        event_key="app:2:decision:a",
        send_after=timezone.now() + dt.timedelta(days=1),
    )
    assert notification_cancel(recipient=recipient, event_key_prefix="app:") == 2
    statuses = dict(Notification.objects.filter(channel="email").values_list("event_key", "status"))
    assert statuses == {"app:1:decision:a": "sent", "app:2:decision:a": "cancelled"}


def test_cancel_needs_a_selection():
    with pytest.raises(NotificationContextError):
        notification_cancel()


def test_replace_held_decision_sends_only_the_new_one(recipient, run_on_commit):
    announce = timezone.now() + dt.timedelta(hours=1)
    notification_queue(
        recipient=recipient,
        kind="application_shortlisted",
        context=SHORTLISTED,
        event_key="application:42:decision:shortlisted",
        send_after=announce,
    )
    notification_replace(
        recipient=recipient,
        kind="application_not_shortlisted",
        context=NOT_SHORTLISTED,
        event_key="application:42:decision:not_shortlisted",
        replaces="application:42:decision:",
        send_after=announce,
    )
    rows = Notification.objects.filter(channel=Channel.EMAIL).order_by("pk")
    assert [(r.kind, r.status) for r in rows] == [
        ("application_shortlisted", "cancelled"),
        ("application_not_shortlisted", "queued"),
    ]


def test_replace_back_to_a_cancelled_state_queues_again(recipient):
    key, other = "application:42:decision:shortlisted", "application:42:decision:not_shortlisted"
    later = timezone.now() + dt.timedelta(hours=1)
    for kind, ctx, event_key in [
        ("application_shortlisted", SHORTLISTED, key),
        ("application_not_shortlisted", NOT_SHORTLISTED, other),
        ("application_shortlisted", SHORTLISTED, key),
    ]:
        notification_replace(
            recipient=recipient,
            kind=kind,
            context=ctx,
            event_key=event_key,
            replaces="application:42:decision:",
            send_after=later,
            channels=["email"],
        )
    rows = Notification.objects.order_by("pk")
    assert [(r.event_key, r.status) for r in rows] == [
        (key, "cancelled"),
        (other, "cancelled"),
        (key, "queued"),
    ]


def test_replace_same_key_updates_the_queued_context(recipient):
    later = timezone.now() + dt.timedelta(hours=1)
    notification_queue(
        recipient=recipient, kind="application_shortlisted", context=SHORTLISTED, event_key="k", send_after=later
    )
    notification_replace(
        recipient=recipient,
        kind="application_shortlisted",
        context={**SHORTLISTED, "next_steps": "新的安排"},
        event_key="k",
        send_after=later,
    )
    live = Notification.objects.exclude(status=NotificationStatus.CANCELLED)
    assert {r.context["next_steps"] for r in live} == {"新的安排"}
    assert Notification.objects.filter(status=NotificationStatus.CANCELLED).count() == 2


def test_retry_puts_failed_rows_back_and_sends(recipient, run_on_commit):
    [row] = notification_queue(
        recipient=recipient,
        kind="application_shortlisted",
        context=SHORTLISTED,
        event_key="e",
        channels=["email"],
        send_after=timezone.now() + dt.timedelta(days=1),
    )
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.FAILED, attempts=6, last_error="boom")
    with run_on_commit():
        assert notification_retry(notification_ids=[row.pk]) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == ("sent", 1, 1)
