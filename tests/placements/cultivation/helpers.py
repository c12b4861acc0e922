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
