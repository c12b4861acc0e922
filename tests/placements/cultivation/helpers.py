"""Builders for the cultivation tests: placed students without walking the whole selection."""

from applicants.enums import ApplicationStatus
from applicants.models import Application
from placements.models import Placement
from tests import factories


def make_placement(*, post=None, student=None, mentor=None, status="upcoming", **post_kwargs) -> Placement:
    post = post or factories.PostFactory(**post_kwargs)
    application = factories.ApplicationFactory(post=post, **({"student": student} if student else {}))
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.ACCEPTED, published_status=ApplicationStatus.ACCEPTED
    )
    return Placement.objects.create(
        application=application,
        student=application.student,
        post=post,
        mentor=mentor,
        term=post.term,
        starts_on=post.starts_on,
        ends_on=post.ends_on,
        status=status,
    )


def put_in_status(placement: Placement, status: str) -> Placement:
    """Put ``placement`` straight into ``status``, as if it had moved there earlier (test setup
    only: the product moves it through ``PLACEMENT_MACHINE``)."""
    Placement.objects.filter(pk=placement.pk).update(status=status)
    placement.refresh_from_db()
    return placement


def assess_and_confirm(placement: Placement, *, assessor, role: str, grade: str, staff, score: int = 5):
    """The usual end of a placement in tests: one assessment proposing ``grade`` (every score
    ``score``), then staff confirming that grade. Returns the ``FinalGrade``."""
    from placements.cultivation import services

    services.assessment_submit(
        placement=placement,
        actor=assessor,
        role=role,
        attendance=score,
        work_quality=score,
        initiative=score,
        teamwork=score,
        proposed_grade=grade,
    )
    final, _warnings = services.grade_confirm(placement=placement, actor=staff, grade=grade)
    return final
