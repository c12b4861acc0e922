"""Declining an offer asks first; a released offer shows its deadline."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus
from placements.models import Offer
from placements.selection import services
from placements.selection.enums import OfferStatus
from tests.placements.conftest import make_applications

pytestmark = pytest.mark.django_db


def test_decline_asks_first_and_says_what_it_does(client, post, coordinator):
    (application,) = make_applications(post, 1, status=ApplicationStatus.INTERVIEWED)
    offer = services.offer_make(application=application, actor=coordinator.user)
    client.force_login(application.student.user)
    page = client.get(reverse("placements:my_selection")).content.decode()
    url = reverse("placements:offer_decline", args=[offer.pk])
    assert f'href="{url}?next=/my/selection/"' in page
    asked = client.get(url, {"next": "/my/selection/"})
    html = asked.content.decode()
    assert f"您即将谢绝{post.unit.name}“{post.title}”岗位的录用。" in html
    assert 'href="/my/selection/" data-testid="decline-back"' in html
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN
    response = client.post(url, {"next": "/my/selection/"})
    assert response.url == "/my/selection/"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED


def test_an_offer_released_at_the_announcement_shows_its_deadline(client, post, coordinator, cycle):
    cycle.announcement_at = timezone.now() + dt.timedelta(hours=1)
    cycle.save(update_fields=["announcement_at"])
    (application,) = make_applications(post, 1, status=ApplicationStatus.INTERVIEWED)
    offer = services.offer_make(application=application, actor=coordinator.user)
    assert offer.expires_at is None
    announced = timezone.now() - dt.timedelta(minutes=1)
    type(cycle).objects.filter(pk=cycle.pk).update(announcement_at=announced)
    offer = Offer.objects.select_related("cycle").get(pk=offer.pk)
    assert offer.answer_by == announced + dt.timedelta(hours=cycle.offer_valid_hours)
    client.force_login(application.student.user)
    html = client.get(reverse("placements:my_selection")).content.decode()
    assert "小时时间答复" not in html
    assert "答复截止" in html
