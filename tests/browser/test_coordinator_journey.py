"""The coordinator's selection path in the browser: shortlist an applicant, invite them to a
video interview, record the outcome and make an offer; then the student accepts it."""

import datetime as dt

import pytest
from django.utils import timezone

from applicants.enums import ApplicationStatus
from placements.models import Interview, InterviewSlot, Offer, Placement
from placements.selection.enums import InterviewStatus, OfferStatus
from tests import factories
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, user) -> None:
    sign_in(page, user)


def _logout(page) -> None:
    page.context.clear_cookies()


def test_coordinator_shortlists_interviews_offers_and_student_accepts(page, live_server, transactional_db):
    cycle = factories.CycleFactory(year=timezone.localdate().year)
    coordinator = factories.CoordinatorFactory(unit__name="金山区团区委青年发展部")
    post = factories.PostFactory(cycle=cycle, unit=coordinator.unit, title="青年发展部实习岗", headcount=1)
    application = factories.ApplicationFactory(post=post)
    student = application.student
    slot = InterviewSlot.objects.create(
        unit=coordinator.unit,
        cycle=cycle,
        post=post,
        starts_at=timezone.now() + dt.timedelta(days=1),
        duration_minutes=20,
        mode="video",
        meeting_link="https://meeting.tencent.com/dm/123456789",
    )

    # Shortlist from the applicant page.
    _login(page, coordinator.user)
    page.goto(f"/unit/posts/{post.pk}/applicants/")
    page.get_by_test_id(f"applicant-{application.pk}").get_by_role("link").click()
    page.select_option("[name=decision]", "shortlist")
    page.get_by_test_id("decide").click()
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SHORTLISTED

    # Schedule the video interview in the slot.
    page.goto(f"/unit/interviews/slots/{slot.pk}/")
    page.select_option("[name=application]", str(application.pk))
    page.get_by_test_id("assign").click()
    page.wait_for_load_state()
    interview = Interview.objects.get(application=application)
    assert interview.status == InterviewStatus.SCHEDULED

    # The interview takes place (time passes), then the outcome is recorded.
    Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=30))
    page.goto(f"/unit/interviews/{interview.pk}/")
    page.check("[name=attended][value='1']")
    page.fill("[name=score]", "91")
    page.select_option("[name=outcome]", "passed")
    page.get_by_test_id("record").click()
    page.wait_for_load_state()
    interview.refresh_from_db()
    assert (interview.status, interview.score) == (InterviewStatus.COMPLETED, 91)

    # Rank and offer.
    page.goto(f"/unit/posts/{post.pk}/ranking/")
    page.fill(f"[name=rank_{application.pk}]", "1")
    page.get_by_test_id("save-ranking").click()
    page.wait_for_load_state()
    page.get_by_test_id(f"offer-{application.pk}").click()
    page.wait_for_load_state()
    offer = Offer.objects.get(application=application)
    assert offer.status == OfferStatus.OPEN

    # The student accepts.
    _logout(page)
    _login(page, student.user)
    page.goto("/my/selection/")
    page.get_by_test_id(f"offer-{offer.pk}").get_by_test_id("accept-offer").click()
    page.wait_for_load_state()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert Placement.objects.filter(application=application, post=post).exists()
    assert page.get_by_test_id(f"offer-{offer.pk}").locator(".badge").count() == 1
