import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from placements.models import Offer
from placements.selection import services
from placements.selection.enums import OfferStatus
from placements.selection.tasks import offers_expire
from tests.placements.conftest import make_applications

pytestmark = pytest.mark.django_db


def test_offers_expire_publishes_held_decisions_and_starts_deadlines(post, coordinator, cycle):
    cycle.announcement_at = timezone.now() + dt.timedelta(hours=1)
    cycle.save()
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    offers_expire()
    offer.refresh_from_db()
    assert offer.expires_at is None  # still held
    cycle.announcement_at = timezone.now() - dt.timedelta(minutes=1)
    cycle.save()
    offers_expire()
    offer.refresh_from_db()
    app.refresh_from_db()
    assert app.published_status == S.OFFERED
    assert offer.expires_at == cycle.announcement_at + dt.timedelta(hours=cycle.offer_valid_hours)
    assert offer.status == OfferStatus.OPEN


def test_my_applications_shows_offer_to_accept(client, post, coordinator):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    client.force_login(app.student.user)
    response = client.get(reverse("applicants:my_applications"))
    assert response.status_code == 200
    assert f'data-testid="offer-{offer.pk}"' in response.content.decode()
    response = client.post(reverse("placements:offer_accept", args=[offer.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("placements:my_selection")
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ACCEPTED
