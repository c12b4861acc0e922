"""A refused form in the unit workspace comes back as typed, with its error, and changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.models import Application, ApplicationEvent
from placements.models import Interview, InterviewSlot, Review
from placements.selection import services
from placements.selection.enums import InterviewOutcome, InterviewStatus, RejectionReason
from positions.models import Post
from tests import factories
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator.user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def interview(post, unit, cycle, coordinator):
    """A scheduled interview that started an hour ago, so its outcome can be recorded."""
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    interview = services.interview_book(application=app, slot=make_slot(unit, cycle, hours=24), actor=coordinator.user)
    past = timezone.now() - dt.timedelta(hours=1)
    InterviewSlot.objects.filter(pk=interview.slot_id).update(starts_at=past)
    Interview.objects.filter(pk=interview.pk).update(starts_at=past)
    return interview


def _page(response) -> str:
    return response.content.decode()


def test_review_with_a_missing_criterion_keeps_the_notes(coord_client, post, criteria):
    (app,) = make_applications(post, 1)
    notes = "表达清楚，动机还需追问。"
    response = coord_client.post(
        reverse("placements:application_review", args=[app.pk]), {f"criterion_{criteria[0].pk}": "4", "notes": notes}
    )
    assert response.status_code == 400
    page = _page(response)
    assert notes in page
    assert "Give every criterion a score from 1 to 5." in page
    assert response.context["review_form"][f"criterion_{criteria[0].pk}"].value() == "4"
    assert not Review.objects.exists()


def test_review_score_out_of_range_is_refused(coord_client, post, criteria):
    (app,) = make_applications(post, 1)
    data = {f"criterion_{criteria[0].pk}": "9", f"criterion_{criteria[1].pk}": "3", "notes": "分数写错了"}
    response = coord_client.post(reverse("placements:application_review", args=[app.pk]), data)
    assert response.status_code == 400
    assert "分数写错了" in _page(response)
    assert response.context["review_form"].errors == {
        f"criterion_{criteria[0].pk}": ["Give every criterion a score from 1 to 5."]
    }
    assert not Review.objects.exists()


def test_reject_with_other_and_no_words_keeps_the_choice(coord_client, post):
    (app,) = make_applications(post, 1)
    response = coord_client.post(
        reverse("placements:application_decide", args=[app.pk]),
        {"decision": "reject", "reason_code": RejectionReason.OTHER, "reason_text": "   "},
    )
    assert response.status_code == 400
    page = _page(response)
    assert "Say why when the reason is “Other reason”." in page
    assert f'<option value="{RejectionReason.OTHER}" selected>' in page
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    assert not ApplicationEvent.objects.filter(application=app).exists()


def test_decision_refused_by_the_service_keeps_the_words(coord_client, post):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    words = "岗位需要会计基础，这次先不安排面试。"
    # Shortlisting twice is not a move the status table allows.
    response = coord_client.post(
        reverse("placements:application_decide", args=[app.pk]),
        {"decision": "shortlist", "reason_code": RejectionReason.STRONGER_FIELD, "reason_text": words},
    )
    assert response.status_code == 400
    page = _page(response)
    assert words in page
    assert "This application is “Shortlisted for interview” and cannot become “Shortlisted for interview”." in page
    app.refresh_from_db()
    assert app.status == S.SHORTLISTED


def test_bulk_reject_with_other_and_no_words_keeps_the_ticks(coord_client, post):
    apps = make_applications(post, 3)
    response = coord_client.post(
        reverse("placements:post_applicants_bulk", args=[post.pk]),
        {"applications": [apps[0].pk, apps[2].pk], "decision": "reject", "reason_code": RejectionReason.OTHER},
    )
    assert response.status_code == 400
    page = _page(response)
    assert "Say why when the reason is “Other reason”." in page
    assert f'value="{apps[0].pk}" id="pick-{apps[0].pk}" checked' in page
    assert f'value="{apps[1].pk}" id="pick-{apps[1].pk}"  aria-label' in page
    assert f'value="{apps[2].pk}" id="pick-{apps[2].pk}" checked' in page
    assert Application.objects.filter(status=S.SUBMITTED).count() == 3


def test_bulk_without_ticks_keeps_the_reason(coord_client, post):
    make_applications(post, 2)
    words = "名额已满，感谢关注。"
    response = coord_client.post(
        reverse("placements:post_applicants_bulk", args=[post.pk]),
        {"decision": "reject", "reason_code": RejectionReason.OTHER, "reason_text": words},
    )
    assert response.status_code == 400
    page = _page(response)
    assert words in page
    assert "Tick at least one applicant." in page
    assert Application.objects.filter(status=S.SUBMITTED).count() == 2


def test_ranking_with_a_bad_rank_keeps_every_rank_typed(coord_client, post):
    first, second = make_applications(post, 2, status=S.INTERVIEWED)
    response = coord_client.post(
        reverse("placements:post_ranking", args=[post.pk]), {f"rank_{first.pk}": "0", f"rank_{second.pk}": "7"}
    )
    assert response.status_code == 400
    page = _page(response)
    assert f'name="rank_{first.pk}" value="0"' in page
    assert f'name="rank_{second.pk}" value="7"' in page
    assert "Ensure this value is greater than or equal to 1." in page
    assert list(Application.objects.filter(post=post).values_list("selection_rank", flat=True)) == [None, None]


def test_ranking_with_words_for_ranks_says_so(coord_client, post):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    response = coord_client.post(reverse("placements:post_ranking", args=[post.pk]), {f"rank_{app.pk}": "第一"})
    assert response.status_code == 400
    page = _page(response)
    assert "Ranks are whole numbers." in page
    assert 'value="第一"' in page


def test_record_with_a_score_out_of_range_keeps_the_notes(coord_client, interview):
    notes = "准备充分，回答有条理。"
    response = coord_client.post(
        reverse("placements:interview_record", args=[interview.pk]),
        {"attended": "1", "score": "150", "outcome": InterviewOutcome.PASSED, "notes": notes},
    )
    assert response.status_code == 400
    page = _page(response)
    assert notes in page
    assert 'value="150"' in page
    assert "Ensure this value is less than or equal to 100." in page
    interview.refresh_from_db()
    assert (interview.status, interview.score, interview.notes) == (InterviewStatus.SCHEDULED, None, "")
    assert interview.application.status == S.SHORTLISTED


def test_record_refused_by_the_service_is_shown(coord_client, post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    interview = services.interview_book(application=app, slot=make_slot(unit, cycle, hours=24), actor=coordinator.user)
    response = coord_client.post(
        reverse("placements:interview_record", args=[interview.pk]),
        {"attended": "1", "outcome": InterviewOutcome.PASSED},
    )
    assert response.status_code == 400
    assert "The interview has not taken place yet." in _page(response)
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.SCHEDULED


def test_reschedule_into_an_overlapping_slot_is_refused(coord_client, post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    interview = services.interview_book(application=app, slot=make_slot(unit, cycle, hours=24), actor=coordinator.user)
    elsewhere = factories.PostFactory(cycle=cycle)
    other_app = factories.ApplicationFactory(post=elsewhere, student=app.student, preference_rank=2)
    Application.objects.filter(pk=other_app.pk).update(status=S.SHORTLISTED)
    other_app.refresh_from_db()
    services.interview_book(
        application=other_app,
        slot=make_slot(elsewhere.unit, cycle, hours=48),
        actor=factories.CoordinatorFactory(unit=elsewhere.unit).user,
    )
    clashing = make_slot(unit, cycle, hours=48)
    response = coord_client.post(reverse("placements:interview_reschedule", args=[interview.pk]), {"slot": clashing.pk})
    assert response.status_code == 400
    page = _page(response)
    assert "The student has another interview at that time" in page
    assert f'<option value="{clashing.pk}" selected>' in page
    interview.refresh_from_db()
    assert interview.slot_id != clashing.pk


def test_cancel_interview_with_a_too_long_reason_keeps_it(coord_client, interview):
    reason = "时间冲突" * 80
    response = coord_client.post(reverse("placements:interview_cancel", args=[interview.pk]), {"reason": reason})
    assert response.status_code == 400
    page = _page(response)
    assert reason in page
    assert "Ensure this value has at most 300 characters (it has 320)." in page
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.SCHEDULED


def test_cancel_slot_with_a_too_long_reason_keeps_it(coord_client, unit, cycle):
    slot = make_slot(unit, cycle, hours=24)
    reason = "场地临时不可用" * 50
    response = coord_client.post(reverse("placements:slot_cancel", args=[slot.pk]), {"reason": reason})
    assert response.status_code == 400
    page = _page(response)
    assert reason in page
    assert "Ensure this value has at most 300 characters (it has 350)." in page
    slot.refresh_from_db()
    assert slot.is_cancelled is False


def test_invite_into_an_overlapping_slot_is_refused(coord_client, post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    elsewhere = factories.PostFactory(cycle=cycle)
    other_app = factories.ApplicationFactory(post=elsewhere, student=app.student, preference_rank=2)
    Application.objects.filter(pk=other_app.pk).update(status=S.SHORTLISTED)
    other_app.refresh_from_db()
    services.interview_book(
        application=other_app,
        slot=make_slot(elsewhere.unit, cycle, hours=24),
        actor=factories.CoordinatorFactory(unit=elsewhere.unit).user,
    )
    slot = make_slot(unit, cycle, hours=24)
    response = coord_client.post(reverse("placements:slot_detail", args=[slot.pk]), {"application": app.pk})
    assert response.status_code == 400
    page = _page(response)
    assert "The student has another interview at that time" in page
    assert f'<option value="{app.pk}" selected>' in page
    assert not Interview.objects.filter(slot=slot).exists()


def test_new_slot_without_an_address_keeps_what_was_typed(coord_client):
    response = coord_client.post(
        reverse("placements:slot_list"),
        {
            "starts_at": (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 35,
            "mode": "on_site",
            "capacity": 4,
        },
    )
    assert response.status_code == 400
    page = _page(response)
    assert "An on-site interview needs an address." in page
    assert 'name="duration_minutes" value="35"' in page
    assert not InterviewSlot.objects.exists()


def test_post_proposal_with_errors_keeps_the_text(coord_client, cycle):
    duties = "协助整理村史资料，参与暑期夏令营。"
    response = coord_client.post(
        reverse("placements:post_create"), {"cycle": cycle.pk, "title": "", "duties": duties, "headcount": "0"}
    )
    assert response.status_code == 400
    page = _page(response)
    assert duties in page
    assert "This field is required." in page
    assert not Post.objects.filter(duties=duties).exists()


def test_draft_edit_with_errors_keeps_the_text(coord_client, post):
    Post.objects.filter(pk=post.pk).update(status="draft")
    response = coord_client.post(
        reverse("placements:post_edit", args=[post.pk]), {"cycle": post.cycle_id, "title": "新的岗位名称"}
    )
    assert response.status_code == 400
    assert "新的岗位名称" in _page(response)
    post.refresh_from_db()
    assert post.title != "新的岗位名称"


def test_applicant_page_gets_no_query_for_the_forms(coord_client, post, criteria, django_assert_max_num_queries):
    (app,) = make_applications(post, 1)
    with django_assert_max_num_queries(12):
        response = coord_client.get(reverse("placements:application_detail", args=[app.pk]))
    assert response.status_code == 200


def test_ranking_saved_again_with_a_declined_applicant_on_it(coord_client, post):
    declined, backup = make_applications(post, 2, status=S.INTERVIEWED, ranked=True)
    Application.objects.filter(pk=declined.pk).update(status=S.DECLINED, published_status=S.DECLINED)
    page = coord_client.get(reverse("placements:post_ranking", args=[post.pk]))
    assert f'name="rank_{declined.pk}" value="1"' in _page(page)
    response = coord_client.post(
        reverse("placements:post_ranking", args=[post.pk]), {f"rank_{declined.pk}": "1", f"rank_{backup.pk}": "2"}
    )
    assert response.status_code == 302
    assert list(Application.objects.filter(post=post).order_by("pk").values_list("selection_rank", flat=True)) == [
        1,
        2,
    ]
