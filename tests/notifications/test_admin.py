import pytest
from django.urls import reverse

from jinseed.notifications.enums import NotificationStatus
from jinseed.notifications.kinds import KINDS
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_queue
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def _rows(recipient):
    for n in range(3):
        notification_queue(
            recipient=recipient,
            kind="application_shortlisted",
            context=KINDS["application_shortlisted"].example,
            event_key=f"app:{n}",
            channels=["email"],
        )
    rows = list(Notification.objects.order_by("pk"))
    Notification.objects.filter(pk=rows[0].pk).update(status=NotificationStatus.FAILED, attempts=6)
    return rows


def test_changelist_shows_counts_per_status(staff_client, recipient):
    _rows(recipient)
    response = staff_client.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 200
    counts = {status: n for _, status, n in response.context["status_counts"]}
    assert counts == {"queued": 2, "sending": 0, "sent": 0, "failed": 1, "cancelled": 0}


def test_changelist_filters(staff_client, recipient):
    _rows(recipient)
    url = reverse("admin:notifications_notification_changelist")
    for query in ("?status__exact=failed", "?kind=application_shortlisted", "?channel__exact=email"):
        assert staff_client.get(url + query).status_code == 200
    assert staff_client.get(url + "?status__exact=failed").context["cl"].result_count == 1


def test_retry_failed_and_cancel_queued_actions(staff_client, recipient, django_capture_on_commit_callbacks):
    failed, queued, _ = _rows(recipient)
    url = reverse("admin:notifications_notification_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"action": "retry_failed", "_selected_action": [failed.pk, queued.pk]})
    staff_client.post(url, {"action": "cancel_queued", "_selected_action": [queued.pk]})
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert (statuses[failed.pk], statuses[queued.pk]) == ("sent", "cancelled")


def test_row_preview_renders_the_email(staff_client, recipient):
    row = _rows(recipient)[1]
    response = staff_client.get(reverse("admin:notifications_notification_preview", args=[row.pk]))
    assert response.status_code == 200
    assert "has shortlisted your application" in response.content.decode()
    change = staff_client.get(reverse("admin:notifications_notification_change", args=[row.pk]))
    assert change.status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_previews_for_staff(staff_client, language):
    page = staff_client.get(reverse("admin:notifications_notification_kinds"))
    assert page.status_code == 200
    assert len(page.context["kinds"]) == len(KINDS)
    for kind in KINDS:
        response = staff_client.get(reverse("admin:notifications_notification_kind_preview", args=[kind, language]))
        assert response.status_code == 200, kind
    ics = staff_client.get(
        reverse("admin:notifications_notification_kind_calendar", args=["interview_invitation", language])
    )
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"


def test_preview_is_for_staff_only(client, recipient):
    client.force_login(recipient)
    response = client.get(reverse("admin:notifications_notification_kinds"))
    assert response.status_code == 302


def test_kinds_page_shows_the_sms_template_and_its_variables(staff_client, settings):
    settings.SMS_TEMPLATES = {"interview_invitation": "SMS_154950909"}
    page = staff_client.get(reverse("admin:notifications_notification_kinds"))
    row = next(item for item in page.context["kinds"] if item["kind"] == "interview_invitation")
    assert (row["sms_template"], row["sms_params"]) == (
        "SMS_154950909",
        {"name": "张晓明", "post": "团区委青年发展部实习岗", "time": "6月28日 09:30"},
    )
    assert "<code>SMS_154950909</code>" in page.content.decode()
