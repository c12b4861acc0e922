"""The ranking page after saving: ranked applicants on top, offer buttons only where an offer
can be made."""

import pytest
from django.urls import reverse

from applicants.enums import ApplicationStatus
from applicants.models import Application
from placements.selection import services
from tests.placements.conftest import make_applications

pytestmark = pytest.mark.django_db


def _row_ids(response) -> list[int]:
    return [app.pk for app, _field in response.context["rows"]]


def test_saved_ranking_lists_ranked_applicants_first(client, coordinator, post):
    first, second, third = make_applications(post, 3, status=ApplicationStatus.INTERVIEWED)
    client.force_login(coordinator.user)
    url = reverse("placements:post_ranking", args=[post.pk])
    response = client.post(
        url, {f"rank_{third.pk}": "1", f"rank_{first.pk}": "2", f"rank_{second.pk}": ""}, follow=True
    )
    assert _row_ids(response) == [third.pk, first.pk, second.pk]


def test_offer_buttons_only_for_interviewed_applicants_while_a_place_is_free(client, coordinator, post):
    post.headcount = 1
    post.save(update_fields=["headcount"])
    interviewed, refused = make_applications(post, 2, status=ApplicationStatus.INTERVIEWED, ranked=True)
    Application.objects.filter(pk=refused.pk).update(
        status=ApplicationStatus.NOT_SELECTED, published_status=ApplicationStatus.NOT_SELECTED
    )
    client.force_login(coordinator.user)
    url = reverse("placements:post_ranking", args=[post.pk])
    html = client.get(url).content.decode()
    assert f'data-testid="offer-{interviewed.pk}"' in html
    assert f'data-testid="offer-{refused.pk}"' not in html
    assert 'data-testid="no-free-place"' not in html

    services.offer_make(application=interviewed, actor=coordinator.user)
    html = client.get(url).content.decode()
    assert 'data-testid="offer-' not in html
    assert 'data-testid="no-free-place"' in html
    detail = client.get(reverse("placements:application_detail", args=[refused.pk])).content.decode()
    assert 'data-testid="make-offer"' not in detail
