"""Template tags other apps' pages use to show the student's side of a post.

The post detail page belongs to the positions app, which reads no student data; it asks
``{% apply_panel post %}`` for the eligibility verdict and the apply button.
"""

from django import template

from ..eligibility import SEVERITY_HELP, eligibility_check
from ..forms import preference_label
from ..selectors import (
    application_active_for_post,
    application_active_for_student,
    student_participations,
    student_profile_of,
)

register = template.Library()


@register.inclusion_tag("applicants/_apply_panel.html", takes_context=True)
def apply_panel(context, post):
    request = context["request"]
    user = request.user
    cycle = post.cycle
    is_open = post.is_published and cycle.registration_is_open()
    panel = {"post": post, "cycle": cycle, "open": is_open, "severity_help": SEVERITY_HELP}
    if not is_open and not (user.is_authenticated and user.is_student):
        return {**panel, "state": "closed"}
    if not user.is_authenticated:
        return {**panel, "state": "anonymous"}
    if not user.is_student:
        return {**panel, "state": "not_student"}
    profile = student_profile_of(user)
    if profile is None or not profile.has_consent:
        return {**panel, "state": "no_profile" if is_open else "closed"}
    existing = application_active_for_post(student=profile, post=post)
    if existing is not None:
        return {**panel, "state": "applied", "application": existing}
    eligibility = eligibility_check(profile=profile, cycle=cycle, post=post)
    active = application_active_for_student(student=profile, cycle=cycle).count()
    state = "can_apply"
    if not panel["open"]:
        state = "closed"
    elif not eligibility.is_eligible:
        state = "not_eligible"
    elif active >= cycle.max_applications:
        state = "limit_reached"
    return {**panel, "state": state, "eligibility": eligibility, "active": active}


@register.filter
def preference(n) -> str:
    return preference_label(int(n))


@register.inclusion_tag("applicants/_participations.html")
def participations(student, cycle=None):
    """The cycles ``student`` took part in: all of them, or (given ``cycle``) those before it,
    shown as "returning student" to the student applying and to the unit reviewing."""
    if student is None:
        return {"participations": []}
    rows = list(student_participations(student=student, before_year=cycle.year if cycle else None))
    return {"participations": rows, "returning": cycle is not None}
