"""Applicant conflicts on the staff overview: one student wanted by two units."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.models import Offer
from placements.selection import selectors
from placements.selection.enums import OfferStatus
from tests import factories

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2031, 7, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 Beijing time


def _offer(student, cycle, *, status=OfferStatus.OPEN, unit_name=None, title=None, expires_at=DEADLINE):
    unit = factories.HostUnitFactory(**({"name": unit_name} if unit_name else {}))
    post = factories.PostFactory(cycle=cycle, unit=unit, **({"title": title} if title else {}))
    application = factories.ApplicationFactory(
        post=post, student=student, preference_rank=student.applications.count() + 1
    )
    return Offer.objects.create(
        application=application, post=post, student=student, cycle=cycle, status=status, expires_at=expires_at
    )


def test_offer_conflicts_lists_two_open_offers_and_open_beside_accepted(cycle):
    two_open = factories.StudentProfileFactory(legal_name="孙两开", user__mobile="13912345678")
    a1 = _offer(two_open, cycle, unit_name="金山区档案局", title="档案整理")
    a2 = _offer(two_open, cycle, unit_name="金山区图书馆", title="读者服务")
    accepted_and_open = factories.StudentProfileFactory(legal_name="李接受")
    b1 = _offer(accepted_and_open, cycle, status=OfferStatus.ACCEPTED, expires_at=None)
    b2 = _offer(accepted_and_open, cycle)
    one_offer = factories.StudentProfileFactory(legal_name="周单一")
    _offer(one_offer, cycle)
    declined_and_open = factories.StudentProfileFactory(legal_name="吴婉拒")
    _offer(declined_and_open, cycle, status=OfferStatus.DECLINED)
    _offer(declined_and_open, cycle)
    other_cycle = factories.CycleFactory()
    elsewhere = factories.StudentProfileFactory(legal_name="郑他年")
    _offer(elsewhere, other_cycle)
    _offer(elsewhere, cycle)

    conflicts = selectors.offer_conflicts(cycle=cycle)

    assert [(c.student.legal_name, [o.pk for o in c.offers]) for c in conflicts] == [
        ("孙两开", sorted([a1.pk, a2.pk])),
        ("李接受", [b1.pk, b2.pk]),
    ]
    assert [(c.open_count, c.accepted_elsewhere) for c in conflicts] == [(2, False), (1, True)]
    assert conflicts[0].mobile_masked == "139****5678"


def test_overview_shows_conflicts_with_units_statuses_and_deadlines(client, cycle, staff_user):
    student = factories.StudentProfileFactory(legal_name="孙两开", user__mobile="13912345678")
    _offer(student, cycle, unit_name="金山区档案局", title="档案整理")
    _offer(student, cycle, status=OfferStatus.ACCEPTED, unit_name="金山区图书馆", title="读者服务", expires_at=None)
    client.force_login(staff_user)

    page = client.get(reverse("placements:overview"), {"cycle": cycle.pk})

    html = page.content.decode()
    table = html[html.index('data-testid="offer-conflicts"') : html.index("</table>", html.index("offer-conflicts"))]
    assert page.status_code == 200
    assert "孙两开" in table
    assert "139****5678" in table
    assert "13912345678" not in html
    assert student.id_number not in html
    assert "金山区档案局" in table and "档案整理" in table
    assert "金山区图书馆" in table and "读者服务" in table
    assert table.count(f"conflict-{student.pk}") == 2
    assert "2031-07-01 12:00" in table


def test_overview_without_conflicts_says_none(client, cycle, staff_user):
    _offer(factories.StudentProfileFactory(legal_name="周单一"), cycle)
    client.force_login(staff_user)

    page = client.get(reverse("placements:overview"), {"cycle": cycle.pk})

    assert 'data-testid="offer-conflicts-none"' in page.content.decode()
    assert "周单一" not in page.content.decode()


def _conflicts(cycle, n: int) -> None:
    for _ in range(n):
        student = factories.StudentProfileFactory()
        _offer(student, cycle)
        _offer(student, cycle, expires_at=timezone.now() + dt.timedelta(days=2))


@pytest.mark.parametrize("n", [1, 30])
def test_offer_conflicts_is_one_query_with_1_and_30_conflicts(cycle, n, django_assert_num_queries):
    _conflicts(cycle, n)

    with django_assert_num_queries(1):
        conflicts = selectors.offer_conflicts(cycle=cycle)
        rows = [
            (c.mobile_masked, [(o.post.unit.name, o.post.title, o.status, o.expires_at) for o in c.offers])
            for c in conflicts
        ]

    assert len(conflicts) == n
    assert all(len(offers) == 2 for _, offers in rows)


@pytest.mark.parametrize("n", [1, 30])
def test_overview_page_queries_do_not_grow_with_conflicts(client, cycle, staff_user, n, django_assert_max_num_queries):
    _conflicts(cycle, n)
    client.force_login(staff_user)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("placements:overview"), {"cycle": cycle.pk})

    assert page.content.decode().count('data-testid="conflict-') == 2 * n
