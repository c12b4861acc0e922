"""An offer's post, student and cycle are copies of its application's: every way of making an
offer writes them as the application has them."""

import pytest
from django.db.models import F, Q

from applicants.enums import ApplicationStatus as S
from placements.models import Offer
from placements.selection import services
from tests import factories
from tests.placements.conftest import make_applications

pytestmark = pytest.mark.django_db


def test_offers_made_any_way_copy_their_applications_post_student_and_cycle(
    cycle, unit, coordinator, staff_user, django_capture_on_commit_callbacks
):
    offered_post = factories.PostFactory(cycle=cycle, unit=unit, headcount=1)
    first, backup = make_applications(offered_post, 2, status=S.INTERVIEWED, ranked=True)
    with django_capture_on_commit_callbacks(execute=True):
        offer = services.offer_make(application=first, actor=coordinator.user)
        services.offer_decline(offer=offer, actor=first.student.user)  # the place passes on
    allocated_post = factories.PostFactory(cycle=cycle, unit=unit, headcount=2)
    make_applications(allocated_post, 2, status=S.INTERVIEWED, ranked=True)
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.allocation_confirm(allocation=preview, actor=staff_user)

    offers = Offer.objects.filter(cycle=cycle)
    assert offers.filter(application=backup, from_backup=True).exists()  # the place passed on
    assert offers.filter(post=allocated_post).count() == 2  # made by the allocation
    disagreeing = offers.filter(
        ~Q(post_id=F("application__post_id"))
        | ~Q(student_id=F("application__student_id"))
        | ~Q(cycle_id=F("application__cycle_id"))
    )
    assert offers.count() == 4 and not disagreeing.exists()
