import datetime as dt

import pytest

from applicants.enums import ApplicationStatus
from applicants.models import Application, ApplicationEvent
from applicants.services import (
    ApplicationError,
    application_reorder,
    application_submit,
    application_transition,
    application_withdraw,
)
from jinseed.notifications.models import Notification
from positions.enums import PostStatus, RuleMode
from tests import factories
from tests.applicants.helpers import pdf_upload, student_for

pytestmark = pytest.mark.django_db


def _submit(student, post, rank=1, token=None, **kwargs):
    return application_submit(
        student=student,
        post=post,
        preference_rank=rank,
        statement="我是金山人，想回家乡锻炼自己。",
        resume=kwargs.pop("resume", None),
        submit_token=token or f"tok-{student.pk}-{post.pk}-{rank}",
        **kwargs,
    )


@pytest.fixture
def post(cycle):
    return factories.PostFactory(cycle=cycle)


@pytest.fixture
def applicant(cycle):
    return student_for(cycle)


def test_application_submit_stores_eligibility_event_and_notification(applicant, post):
    app = _submit(applicant, post, resume=pdf_upload())
    assert app.status == ApplicationStatus.SUBMITTED
    assert app.cycle == post.cycle
    assert app.eligibility == [
        {"rule": "profile", "code": "ok", "severity": "ok"},
        {"rule": "consent", "code": "ok", "severity": "ok"},
        {"rule": "graduating", "code": "ok", "severity": "ok"},
        {"rule": "term_year", "code": "ok", "severity": "ok"},
        {"rule": "post_years", "code": "ok", "severity": "ok"},
        {"rule": "placement_overlap", "code": "ok", "severity": "ok"},
    ]
    assert app.needs_review is False
    assert app.resume.name.startswith(f"resumes/{post.cycle_id}/")
    assert list(ApplicationEvent.objects.filter(application=app).values_list("from_status", "to_status")) == [
        ("", "submitted")
    ]
    kinds = set(Notification.objects.filter(recipient=applicant.user).values_list("kind", "event_key"))
    assert kinds == {("application_received", f"application:{app.pk}:received")}


def test_application_submit_with_warning_is_flagged_and_notifies_unit_coordinators(cycle):
    post = factories.PostFactory(cycle=cycle, long_term=True, min_year_of_study=1)
    coordinator = factories.CoordinatorFactory(unit=post.unit)
    factories.CoordinatorFactory()  # of another unit: not told
    student = student_for(cycle, year_of_study=1)
    app = _submit(student, post)
    assert app.needs_review is True
    assert [w["code"] for w in app.warnings] == ["long_term_junior"]
    rows = Notification.objects.filter(kind="application_needs_review")
    assert {r.recipient_id for r in rows} == {coordinator.user_id}
    assert {r.event_key for r in rows} == {f"application:{app.pk}:needs_review"}
    assert rows[0].context["warning_codes"] == ["long_term_junior"]


def test_application_submit_one_second_before_deadline_is_accepted(applicant, post):
    closes = post.cycle.registration_closes_at
    app = _submit(applicant, post, at=closes - dt.timedelta(seconds=1))
    assert app.pk is not None


@pytest.mark.parametrize("after", [dt.timedelta(0), dt.timedelta(seconds=1)])
def test_application_submit_at_or_after_deadline_is_refused(applicant, post, after):
    closes = post.cycle.registration_closes_at
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, post, at=closes + after)
    assert exc.value.code == "deadline"
    assert Application.objects.count() == 0


def test_application_submit_before_opening_is_refused(applicant, post):
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, post, at=post.cycle.registration_opens_at - dt.timedelta(seconds=1))
    assert exc.value.code == "deadline"


def test_application_submit_same_token_twice_creates_one(applicant, post):
    first = _submit(applicant, post, token="double-click")
    second = _submit(applicant, post, token="double-click")
    assert first.pk == second.pk
    assert Application.objects.count() == 1
    assert ApplicationEvent.objects.count() == 1


def test_application_submit_token_of_a_withdrawn_application_is_refused(applicant, post):
    first = _submit(applicant, post, token="back-button")
    application_withdraw(application=first, actor=applicant.user)
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, post, token="back-button")
    assert exc.value.code == "token_reused"
    assert Application.objects.get().status == ApplicationStatus.WITHDRAWN


def test_application_submit_limit_per_cycle(cycle, applicant):
    cycle.max_applications = 2
    cycle.save()
    posts = factories.PostFactory.create_batch(3, cycle=cycle)
    _submit(applicant, posts[0], rank=1)
    _submit(applicant, posts[1], rank=2)
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, posts[2], rank=1)
    assert exc.value.code == "limit_reached"


def test_application_submit_withdrawn_ones_do_not_count_and_can_reapply(cycle, applicant):
    cycle.max_applications = 1
    cycle.save()
    post = factories.PostFactory(cycle=cycle)
    first = _submit(applicant, post, token="a")
    application_withdraw(application=first, actor=applicant.user)
    again = _submit(applicant, post, token="b")
    assert again.pk != first.pk
    assert Application.objects.filter(student=applicant, post=post).count() == 2


def test_application_submit_twice_to_same_post_is_refused(applicant, post):
    _submit(applicant, post, rank=1, token="a")
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, post, rank=2, token="b")
    assert exc.value.code == "already_applied"


def test_application_submit_after_rejection_is_allowed(applicant, post):
    first = _submit(applicant, post, token="a")
    application_transition(application=first, to_status=ApplicationStatus.REJECTED)
    assert _submit(applicant, post, token="b").status == ApplicationStatus.SUBMITTED


def test_application_submit_rank_taken_is_refused(cycle, applicant):
    p1, p2 = factories.PostFactory.create_batch(2, cycle=cycle)
    _submit(applicant, p1, rank=1)
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, p2, rank=1)
    assert exc.value.code == "rank_taken"


def test_application_submit_rank_beyond_limit_is_refused(applicant, post):
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, post, rank=4)
    assert exc.value.code == "rank_out_of_range"


def test_application_submit_blocked_when_graduating(cycle, post):
    student = factories.StudentProfileFactory(expected_graduation=dt.date(cycle.year, 6, 30))
    assert cycle.graduating_rule == RuleMode.BLOCK
    with pytest.raises(ApplicationError) as exc:
        _submit(student, post)
    assert exc.value.code == "not_eligible"


def test_application_submit_to_unpublished_post_is_refused(cycle, applicant):
    post = factories.PostFactory(cycle=cycle, status=PostStatus.CLOSED)
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, post)
    assert exc.value.code == "post_closed"


def test_application_withdraw_records_history(applicant, post):
    app = _submit(applicant, post)
    application_withdraw(application=app, actor=applicant.user, reason="改变计划")
    app.refresh_from_db()
    assert (app.status, app.published_status) == ("withdrawn", "withdrawn")
    assert list(app.events.values_list("from_status", "to_status", "reason")) == [
        ("", "submitted", ""),
        ("submitted", "withdrawn", "改变计划"),
    ]


def test_application_withdraw_after_offer_is_refused(applicant, post):
    app = _submit(applicant, post)
    for status in ("shortlisted", "interviewed", "offered"):
        application_transition(application=app, to_status=status)
    with pytest.raises(ApplicationError) as exc:
        application_withdraw(application=app, actor=applicant.user)
    assert exc.value.code == "not_withdrawable"


def test_application_reorder_swaps_ranks_and_writes_history(cycle, applicant):
    p1, p2 = factories.PostFactory.create_batch(2, cycle=cycle)
    a1, a2 = _submit(applicant, p1, rank=1), _submit(applicant, p2, rank=2)
    application_reorder(student=applicant, cycle=cycle, ranks={a1.pk: 2, a2.pk: 1}, actor=applicant.user)
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.preference_rank, a2.preference_rank) == (2, 1)
    assert a1.events.last().reason == "1 → 2"


def test_application_reorder_refuses_duplicates_and_closed_registration(cycle, applicant):
    p1, p2 = factories.PostFactory.create_batch(2, cycle=cycle)
    a1, a2 = _submit(applicant, p1, rank=1), _submit(applicant, p2, rank=2)
    with pytest.raises(ApplicationError) as exc:
        application_reorder(student=applicant, cycle=cycle, ranks={a1.pk: 1, a2.pk: 1})
    assert exc.value.code == "rank_duplicate"
    with pytest.raises(ApplicationError) as exc:
        application_reorder(
            student=applicant,
            cycle=cycle,
            ranks={a1.pk: 2, a2.pk: 1},
            at=cycle.registration_closes_at + dt.timedelta(seconds=1),
        )
    assert exc.value.code == "deadline"


def test_application_held_decision_does_not_show_through_a_new_application(cycle, applicant, post):
    """While "not selected" is held for the announcement, the student still sees the
    application as active: applying to the post again, or over the limit, is refused as if
    nothing had been decided."""
    from django.utils import timezone

    from applicants.selectors import application_active_for_post

    app = _submit(applicant, post, token="a")
    for status in (ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEWED):
        application_transition(application=app, to_status=status)
    cycle.announcement_at = timezone.now() + dt.timedelta(days=3)
    cycle.save(update_fields=["announcement_at"])
    application_transition(application=app, to_status=ApplicationStatus.NOT_SELECTED)
    app.refresh_from_db()
    assert (app.status, app.published_status) == (ApplicationStatus.NOT_SELECTED, ApplicationStatus.INTERVIEWED)

    assert application_active_for_post(student=applicant, post=post) == app
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, post, rank=2, token="b")
    assert exc.value.code == "already_applied"
    with pytest.raises(ApplicationError) as exc:
        _submit(applicant, factories.PostFactory(cycle=cycle), rank=1, token="c")
    assert exc.value.code == "rank_taken"


def test_deleting_a_student_or_an_application_deletes_their_events():
    """An application's events go with it, deleted from the application or from the student
    above it (the ORM's cascade; the database's foreign key refuses an event left behind)."""
    from applicants.services import APPLICATION_MACHINE

    kept, deleted, of_student = (factories.ApplicationFactory() for _ in range(3))
    for app in (kept, deleted, of_student):
        APPLICATION_MACHINE.move(app, ApplicationStatus.SHORTLISTED, reason="test")
    deleted.delete()
    of_student.student.delete()
    assert sorted(set(ApplicationEvent.objects.values_list("application_id", flat=True))) == [kept.pk]
    assert not ApplicationEvent.objects.exclude(application__in=Application.objects.all()).exists()
