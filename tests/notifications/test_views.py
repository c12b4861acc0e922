import pytest
from django.urls import reverse

from jinseed.notifications.kinds import KINDS
from jinseed.notifications.models import Notification, NotificationPreference
from jinseed.notifications.services import notification_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _inbox_message(user, key):
    with_ctx = KINDS["offer_expiring"].example
    notification_queue(recipient=user, kind="offer_expiring", context=with_ctx, event_key=key, channels=["inbox"])
    row = Notification.objects.get(recipient=user, event_key=key)
    from jinseed.notifications.tasks import notification_send

    notification_send.apply(args=[row.pk])
    row.refresh_from_db()
    return row


def test_inbox_needs_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302


def test_inbox_lists_own_messages_with_unread_count(client, recipient, django_assert_max_num_queries):
    _inbox_message(recipient, "a")
    _inbox_message(recipient, "b")
    _inbox_message(UserFactory(), "other")
    client.force_login(recipient)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    assert response.context["unread_count"] == 2
    body = response.content.decode()
    assert "2 unread" in body
    assert 'data-testid="nav-inbox"' in body


def test_opening_a_message_marks_it_read(client, recipient):
    row = _inbox_message(recipient, "a")
    client.force_login(recipient)
    response = client.get(reverse("notifications:detail", args=[row.pk]))
    assert response.status_code == 200
    assert "Reminder: answer the offer" in response.content.decode()
    row.refresh_from_db()
    assert row.read_at is not None
    assert client.get(reverse("notifications:inbox")).context["unread_count"] == 0


def test_someone_elses_message_is_not_found(client, recipient):
    row = _inbox_message(recipient, "a")
    client.force_login(UserFactory())
    assert client.get(reverse("notifications:detail", args=[row.pk])).status_code == 404


def test_mark_all_read(client, recipient):
    _inbox_message(recipient, "a")
    _inbox_message(recipient, "b")
    client.force_login(recipient)
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert Notification.objects.filter(recipient=recipient, read_at__isnull=True).count() == 0


def test_preferences_save(client, recipient):
    client.force_login(recipient)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(reverse("notifications:preferences"), {"sms": "on"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=recipient)
    assert (preference.email, preference.sms) == (False, True)
