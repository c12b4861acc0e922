"""Staff move a cycle's announcement time in the admin: held decisions and their messages
follow at once (``positions.signals.cycle_timeline_changed``), not at the next periodic run."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from jinseed.notifications.enums import NotificationStatus
from jinseed.notifications.models import Notification
from jinseed.notifications.tasks import notification_sweep
from placements.selection import services
from positions.models import Cycle
from tests import factories
from tests.placements.conftest import make_applications
from tests.positions.admin_forms import cycle_change_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_offer(post, cycle, coordinator):
    """An offer made while the results are held until two days from now."""
    cycle.announcement_at = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    cycle.save(update_fields=["announcement_at"])
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    assert set(offer_rows().values_list("send_after", flat=True)) == {cycle.announcement_at}
    return offer


def offer_rows():
    return Notification.objects.filter(kind="offer_made")


def change_announcement(client, staff_user, cycle, announcement_at):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:positions_cycle_change", args=[cycle.pk]),
        cycle_change_data(cycle, announcement_at=announcement_at),
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    return cycle


def test_announcement_moved_later_in_the_admin_moves_the_held_messages(client, staff_user, cycle, held_offer):
    later = cycle.announcement_at + dt.timedelta(days=1)
    change_announcement(client, staff_user, cycle, later)
    assert cycle.announcement_at == later
    assert set(offer_rows().values_list("send_after", "status")) == {(later, NotificationStatus.QUEUED)}
    held_offer.application.refresh_from_db()
    assert held_offer.application.published_status == S.INTERVIEWED


def test_announcement_moved_into_the_past_publishes_and_delivers_at_once(
    client, staff_user, cycle, held_offer, django_capture_on_commit_callbacks
):
    past = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    change_announcement(client, staff_user, cycle, past)
    app = held_offer.application
    app.refresh_from_db()
    assert (app.status, app.published_status) == (S.OFFERED, S.OFFERED)
    assert all(send_after <= timezone.now() for send_after in offer_rows().values_list("send_after", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        notification_sweep()
    assert [m.extra_headers["X-Jinseed-Kind"] for m in mail.outbox] == ["offer_made"]
    assert mail.outbox[0].to == [app.student.user.email]


def test_announcement_cleared_in_the_admin_makes_the_held_messages_due(client, staff_user, cycle, held_offer):
    change_announcement(client, staff_user, cycle, None)
    assert cycle.announcement_at is None
    held_offer.application.refresh_from_db()
    assert held_offer.application.published_status == S.OFFERED
    assert all(send_after <= timezone.now() for send_after in offer_rows().values_list("send_after", flat=True))


def test_held_messages_of_other_cycles_stay_put(client, staff_user, cycle, held_offer, coordinator):
    other_cycle = factories.CycleFactory(announcement_at=timezone.now().replace(microsecond=0) + dt.timedelta(days=4))
    other_post = factories.PostFactory(unit=coordinator.unit, cycle=other_cycle)
    (other,) = make_applications(other_post, 1, status=S.INTERVIEWED)
    services.offer_make(application=other, actor=coordinator.user)
    # The other cycle's announcement moved too, but only ``cycle`` is changed in the admin.
    Cycle.objects.filter(pk=other_cycle.pk).update(announcement_at=other_cycle.announcement_at + dt.timedelta(days=1))
    change_announcement(client, staff_user, cycle, cycle.announcement_at + dt.timedelta(hours=3))
    assert set(offer_rows().filter(recipient=other.student.user).values_list("send_after", flat=True)) == {
        other_cycle.announcement_at
    }
