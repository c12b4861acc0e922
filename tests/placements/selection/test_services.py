import datetime as dt

import pytest
from django.utils import timezone

from applicants.enums import ApplicationStatus as S
from applicants.models import Application
from jinseed.notifications.models import Notification
from placements.models import Interview, Offer, Placement
from placements.selection import services
from placements.selection.enums import InterviewOutcome, InterviewStatus, OfferStatus, RejectionReason
from tests import factories
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


def kinds_for(user):
    return sorted(set(Notification.objects.filter(recipient=user).values_list("kind", flat=True)))


def test_shortlist_moves_status_and_notifies(post, coordinator):
    (app,) = make_applications(post, 1)
    services.application_shortlist(application=app, actor=coordinator.user)
    app.refresh_from_db()
    assert (app.status, app.published_status) == (S.SHORTLISTED, S.SHORTLISTED)
    assert kinds_for(app.student.user) == ["application_shortlisted"]


def test_reject_stores_reason_label_and_text(post, coordinator):
    (app,) = make_applications(post, 1)
    services.application_reject(
        application=app, actor=coordinator.user, reason_code=RejectionReason.MAJOR, reason_text="需要法律专业"
    )
    app.refresh_from_db()
    assert app.status == S.REJECTED
    # The audit trail speaks the portal's primary language; the student reads their own.
    assert app.events.last().reason == "专业不符合岗位要求：需要法律专业"
    note = Notification.objects.filter(recipient=app.student.user, kind="application_not_shortlisted").first()
    assert note.context["reason"] == "专业不符合岗位要求：需要法律专业"


def test_reject_reason_reaches_an_english_reader_in_english(post, coordinator):
    (app,) = make_applications(post, 1)
    app.student.user.language = "en"
    app.student.user.save(update_fields=["language"])
    services.application_reject(
        application=app, actor=coordinator.user, reason_code=RejectionReason.MAJOR, reason_text="需要法律专业"
    )
    note = Notification.objects.filter(recipient=app.student.user, kind="application_not_shortlisted").first()
    assert note.context["reason"] == "Major does not fit the post: 需要法律专业"
    assert app.events.last().reason == "专业不符合岗位要求：需要法律专业"


def test_reject_other_reason_without_text_is_refused(post, coordinator):
    (app,) = make_applications(post, 1)
    with pytest.raises(services.SelectionError):
        services.application_reject(application=app, actor=coordinator.user, reason_code=RejectionReason.OTHER)
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_bulk_decide_reports_refused_ones(post, coordinator):
    apps = make_applications(post, 3)
    Application.objects.filter(pk=apps[2].pk).update(status=S.WITHDRAWN)
    done, errors = services.applications_bulk_decide(
        applications=Application.objects.filter(post=post), decision="shortlist", actor=coordinator.user
    )
    assert done == 2
    assert len(errors) == 1


def test_review_average_per_reviewer(post, coordinator, criteria):
    (app,) = make_applications(post, 1)
    review = services.review_save(
        application=app, reviewer=coordinator.user, scores={criteria[0].pk: 4, criteria[1].pk: 5}, notes="很好"
    )
    assert str(review.average) == "4.50"
    with pytest.raises(services.SelectionError):
        services.review_save(application=app, reviewer=coordinator.user, scores={criteria[0].pk: 6})


def test_offer_make_refuses_beyond_headcount(post, coordinator):
    apps = make_applications(post, 3, status=S.INTERVIEWED)
    services.offer_make(application=apps[0], actor=coordinator.user)
    services.offer_make(application=apps[1], actor=coordinator.user)
    with pytest.raises(services.CapacityError):
        services.offer_make(application=apps[2], actor=coordinator.user)
    assert Offer.objects.filter(post=post, status=OfferStatus.OPEN).count() == 2
    apps[2].refresh_from_db()
    assert apps[2].status == S.INTERVIEWED


def test_offer_deadline_follows_cycle_validity(post, coordinator, cycle):
    cycle.offer_valid_hours = 48
    cycle.save()
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    now = timezone.now()
    offer = services.offer_make(application=app, actor=coordinator.user, at=now)
    assert offer.expires_at == now + dt.timedelta(hours=48)
    assert kinds_for(app.student.user) == ["offer_made"]


def test_decline_passes_place_to_next_ranked_backup(post, coordinator):
    apps = make_applications(post, 4, status=S.INTERVIEWED, ranked=True)
    first = services.offer_make(application=apps[0], actor=coordinator.user)
    services.offer_make(application=apps[1], actor=coordinator.user)
    services.offer_decline(offer=first, actor=apps[0].student.user)
    backup = Offer.objects.get(application=apps[2])
    assert (backup.status, backup.from_backup) == (OfferStatus.OPEN, True)
    assert not Offer.objects.filter(application=apps[3]).exists()
    assert kinds_for(apps[2].student.user) == ["offer_from_backup"]
    apps[0].refresh_from_db()
    assert apps[0].status == S.DECLINED


def test_expired_offer_lapses_and_passes_to_backup(post, coordinator):
    apps = make_applications(post, 3, status=S.INTERVIEWED, ranked=True)
    post.headcount = 1
    post.save()
    offer = services.offer_make(application=apps[0], actor=coordinator.user)
    assert services.offer_expire_due(at=offer.expires_at - dt.timedelta(seconds=1)) == 0
    assert services.offer_expire_due(at=offer.expires_at) == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert Offer.objects.get(application=apps[1]).status == OfferStatus.OPEN
    assert services.offer_expire_due(at=offer.expires_at) == 0


def test_accept_creates_placement_and_releases_other_offers(post, coordinator, cycle):
    other_unit_coord = factories.CoordinatorFactory()
    other_post = factories.PostFactory(unit=other_unit_coord.unit, cycle=cycle, headcount=1)
    (app,) = make_applications(post, 1, status=S.INTERVIEWED, ranked=True)
    other_app = factories.ApplicationFactory(post=other_post, student=app.student, preference_rank=2)
    Application.objects.filter(pk=other_app.pk).update(status=S.INTERVIEWED, selection_rank=1)
    (backup,) = make_applications(other_post, 1, status=S.INTERVIEWED)
    Application.objects.filter(pk=backup.pk).update(selection_rank=2)
    offer = services.offer_make(application=app, actor=coordinator.user)
    other_offer = services.offer_make(application=other_app, actor=other_unit_coord.user)

    placement = services.offer_accept(offer=offer, actor=app.student.user)

    assert (placement.post, placement.student) == (post, app.student)
    other_offer.refresh_from_db()
    assert other_offer.status == OfferStatus.RELEASED
    assert Application.objects.get(pk=other_app.pk).status == S.DECLINED
    assert Offer.objects.get(application=backup).status == OfferStatus.OPEN
    assert "offer_accepted_onboarding" in kinds_for(app.student.user)


def test_accept_withdraws_other_pending_applications(post, coordinator, cycle):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    elsewhere = factories.ApplicationFactory(
        post=factories.PostFactory(cycle=cycle), student=app.student, preference_rank=2
    )
    offer = services.offer_make(application=app, actor=coordinator.user)
    services.offer_accept(offer=offer, actor=app.student.user)
    elsewhere.refresh_from_db()
    assert elsewhere.status == S.WITHDRAWN


def test_accept_refused_for_someone_else(post, coordinator, student):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    with pytest.raises(services.SelectionError):
        services.offer_accept(offer=offer, actor=student.user)
    assert not Placement.objects.exists()


def test_accept_after_deadline_refused(post, coordinator):
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    with pytest.raises(services.SelectionError) as err:
        services.offer_accept(offer=offer, actor=app.student.user, at=offer.expires_at)
    assert err.value.code == "expired"


def test_held_offer_has_no_deadline_and_cannot_be_accepted(post, coordinator, cycle):
    cycle.announcement_at = timezone.now() + dt.timedelta(days=2)
    cycle.save()
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    offer = services.offer_make(application=app, actor=coordinator.user)
    app.refresh_from_db()
    assert (app.status, app.published_status, offer.expires_at) == (S.OFFERED, S.INTERVIEWED, None)
    note = Notification.objects.filter(recipient=app.student.user, kind="offer_made").first()
    assert note.send_after == cycle.announcement_at
    with pytest.raises(services.SelectionError) as err:
        services.offer_accept(offer=offer, actor=app.student.user)
    assert err.value.code == "held"
    # An expiry sweep before the announcement leaves it alone.
    assert services.offer_expire_due(at=timezone.now() + dt.timedelta(days=1)) == 0

    after = cycle.announcement_at + dt.timedelta(minutes=1)
    assert services.offer_start_held(at=after) == 1
    offer.refresh_from_db()
    assert offer.expires_at == cycle.announcement_at + dt.timedelta(hours=cycle.offer_valid_hours)
    services.offer_accept(offer=offer, actor=app.student.user, at=after)
    assert Placement.objects.filter(application=app).exists()


def test_not_selected_is_held_until_announcement(post, coordinator, cycle):
    cycle.announcement_at = timezone.now() + dt.timedelta(days=2)
    cycle.save()
    (app,) = make_applications(post, 1, status=S.INTERVIEWED)
    services.application_not_select(application=app, actor=coordinator.user)
    app.refresh_from_db()
    assert (app.status, app.published_status) == (S.NOT_SELECTED, S.INTERVIEWED)
    # The student hears once, when the cycle's selection closes (test_notifications_selection.py).
    assert not Notification.objects.filter(kind="not_selected").exists()


def test_interview_book_refuses_full_slot(post, unit, cycle, coordinator):
    a, b = make_applications(post, 2, status=S.SHORTLISTED)
    slot = make_slot(unit, cycle)
    services.interview_book(application=a, slot=slot, actor=coordinator.user)
    with pytest.raises(services.SelectionError) as err:
        services.interview_book(application=b, slot=slot, actor=coordinator.user)
    assert err.value.code == "slot_full"
    assert "interview_invitation" in kinds_for(a.student.user)


def test_interview_book_refuses_overlap_for_same_student(post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    other_post = factories.PostFactory(cycle=cycle)
    other = factories.ApplicationFactory(post=other_post, student=app.student, preference_rank=2)
    Application.objects.filter(pk=other.pk).update(status=S.SHORTLISTED)
    services.interview_book(application=app, slot=make_slot(unit, cycle), actor=coordinator.user)
    clash = make_slot(other_post.unit, cycle)
    clash.starts_at += dt.timedelta(minutes=10)
    clash.save()
    with pytest.raises(services.SelectionError) as err:
        services.interview_book(
            application=other, slot=clash, actor=factories.CoordinatorFactory(unit=other_post.unit).user
        )
    assert err.value.code == "student_overlap"


def test_self_booking_only_in_open_slots(post, unit, cycle):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    closed = make_slot(unit, cycle)
    with pytest.raises(services.SelectionError):
        services.interview_book(application=app, slot=closed, actor=app.student.user, by_student=True)
    opened = make_slot(unit, cycle, hours=30, self_booking=True)
    interview = services.interview_book(application=app, slot=opened, actor=app.student.user, by_student=True)
    assert interview.slot == opened


def test_slot_create_warns_on_interviewer_double_booking(unit, cycle, coordinator):
    start = timezone.now() + dt.timedelta(days=3)
    common = {"unit": unit, "cycle": cycle, "actor": coordinator.user, "duration_minutes": 30, "mode": "video"}
    _slot, warnings = services.interview_slot_create(
        starts_at=start, meeting_link="https://m.example.cn/1", interviewers=[coordinator.user], **common
    )
    assert warnings == []
    _slot, warnings = services.interview_slot_create(
        starts_at=start + dt.timedelta(minutes=15),
        meeting_link="https://m.example.cn/2",
        interviewers=[coordinator.user],
        **common,
    )
    assert len(warnings) == 1


def test_reschedule_and_cancel_bump_sequence(post, unit, cycle, coordinator):
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    interview = services.interview_book(application=app, slot=make_slot(unit, cycle), actor=coordinator.user)
    Notification.objects.filter(kind="interview_invitation").update(status="sent")  # delivered
    moved = services.interview_reschedule(
        interview=interview, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
    )
    assert moved.sequence == 1
    Notification.objects.filter(kind="interview_rescheduled").update(status="sent")
    cancelled = services.interview_cancel(interview=moved, actor=coordinator.user, reason="公务")
    assert (cancelled.status, cancelled.sequence) == (InterviewStatus.CANCELLED, 2)
    calendar_kinds = ["interview_invitation", "interview_rescheduled", "interview_cancelled"]
    notices = Notification.objects.filter(recipient=app.student.user, kind__in=calendar_kinds)
    assert sorted(set(notices.values_list("kind", flat=True))) == [
        "interview_cancelled",
        "interview_invitation",
        "interview_rescheduled",
    ]


def test_record_outcome_moves_application(post, unit, cycle, coordinator):
    a, b = make_applications(post, 2, status=S.SHORTLISTED)
    ia = services.interview_book(application=a, slot=make_slot(unit, cycle), actor=coordinator.user)
    ib = services.interview_book(application=b, slot=make_slot(unit, cycle, hours=30), actor=coordinator.user)
    Interview.objects.update(starts_at=timezone.now() - dt.timedelta(hours=1))
    services.interview_record(
        interview=ia, actor=coordinator.user, attended=True, score=88, outcome=InterviewOutcome.PASSED
    )
    services.interview_record(
        interview=ib, actor=coordinator.user, attended=True, score=40, outcome=InterviewOutcome.NOT_PASSED
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (S.INTERVIEWED, S.NOT_SELECTED)
    with pytest.raises(services.SelectionError):
        services.interview_record(interview=ia, actor=coordinator.user, attended=False)


def test_ranking_only_interviewed(post, coordinator):
    a, b = make_applications(post, 2, status=S.INTERVIEWED)
    (c,) = make_applications(post, 1, status=S.SUBMITTED)
    services.post_ranking_set(post=post, ordered_application_ids=[b.pk, a.pk], actor=coordinator.user)
    assert list(Application.objects.filter(post=post, selection_rank__isnull=False).order_by("selection_rank")) == [
        b,
        a,
    ]
    with pytest.raises(services.SelectionError):
        services.post_ranking_set(post=post, ordered_application_ids=[c.pk], actor=coordinator.user)


def test_ranking_keeps_an_applicant_whose_offer_was_declined(post, coordinator):
    # The ranking page lists declined applicants with their rank filled in; saving it again
    # must not be refused because of them.
    declined, backup = make_applications(post, 2, status=S.INTERVIEWED)
    services.post_ranking_set(post=post, ordered_application_ids=[declined.pk, backup.pk], actor=coordinator.user)
    Application.objects.filter(pk=declined.pk).update(status=S.DECLINED, published_status=S.DECLINED)
    services.post_ranking_set(post=post, ordered_application_ids=[backup.pk, declined.pk], actor=coordinator.user)
    ranks = dict(Application.objects.filter(post=post).values_list("pk", "selection_rank"))
    assert ranks == {backup.pk: 1, declined.pk: 2}
