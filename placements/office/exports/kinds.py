"""The portal's own exports: applicants, placements, groups, interviews, assessments and grades.

Imported at start-up (``placements.apps``); each is one ``export_kind_register`` call.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applicants.enums import ApplicationStatus, EligibilityCode
from placements.selection.enums import InterviewStatus, PlacementStatus

from . import selectors
from .registry import Column, ExportKind, export_kind_register


def _c(label: str, value, **kwargs) -> Column:
    return Column(pgettext_lazy("export column", label), value, **kwargs)


def _related(obj, name: str):
    """A reverse one-to-one (final grade, group membership) or ``None`` when there is none."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _eligibility_flags(application) -> str:
    """The rules the application did not pass (warnings and blocks), as the coordinator reads them."""
    labels = []
    for result in application.eligibility or []:
        if result.get("severity") in ("warn", "block"):
            code = result.get("code", "")
            labels.append(str(EligibilityCode(code).label) if code in EligibilityCode.values else code)
    return "；".join(labels)


def _average(value):
    return None if value is None else round(float(value), 2)


def _grade(placement) -> str:
    final = _related(placement, "final_grade")
    return final.get_grade_display() if final else ""


def _group(placement):
    membership = _related(placement, "group_membership")
    return membership.group if membership else None


def _student_columns(student_of) -> tuple[Column, ...]:
    """Name, ID number and contact of the student that ``student_of(row)`` returns."""
    return (
        _c("Name", lambda o: student_of(o).legal_name),
        _c("Gender", lambda o: student_of(o).get_gender_display(), width=6),
        _c("ID number", student_of, id_number=True, width=22),
        _c("Mobile", lambda o: student_of(o).user.mobile or "", mobile=True, width=14),
        _c("Email", lambda o: student_of(o).user.email or "", width=26),
    )


export_kind_register(
    ExportKind(
        name="applicants",
        label=_("Applicants"),
        description=_("Every application with the student's profile, status, preference, eligibility and scores."),
        columns=(
            _c("Cycle", lambda a: a.cycle.title, width=30),
            _c("Unit", lambda a: a.post.unit.name, width=28),
            _c("Post", lambda a: a.post.title, width=24),
            _c("Preference", lambda a: a.preference_rank, width=8),
            *_student_columns(lambda a: a.student),
            _c("Household registration town", lambda a: a.student.get_hukou_town_display()),
            _c("University", lambda a: a.student.university, width=24),
            _c("Overseas university", lambda a: a.student.university_overseas, width=8),
            _c("Major", lambda a: a.student.major, width=20),
            _c("Degree level", lambda a: a.student.get_degree_level_display()),
            _c("Year of study", lambda a: a.student.year_of_study, width=8),
            _c("Expected graduation", lambda a: a.student.expected_graduation, width=12),
            _c("Status", lambda a: a.get_status_display()),
            _c("Flagged by an eligibility rule", lambda a: a.needs_review, width=8),
            _c("Eligibility warnings", _eligibility_flags, width=36),
            _c("Review average", lambda a: _average(a.export_review_average), width=8),
            _c("Interview score", lambda a: a.export_interview_score, width=8),
            _c("Submitted (Beijing time)", lambda a: a.submitted_at, width=18),
        ),
        rows=selectors.applications_for_export,
        student=lambda a: a.student.user_id,
        filters=("cycle", "unit", "status"),
        status_choices=ApplicationStatus.choices,
    )
)

export_kind_register(
    ExportKind(
        name="placements",
        label=_("Placements"),
        description=_("Placed students with their post, dates, mentor, group and final grade."),
        columns=(
            _c("Cycle", lambda p: p.post.cycle.title, width=30),
            _c("Unit", lambda p: p.post.unit.name, width=28),
            _c("Post", lambda p: p.post.title, width=24),
            *_student_columns(lambda p: p.student),
            _c("University", lambda p: p.student.university, width=24),
            _c("Term", lambda p: p.get_term_display()),
            _c("Starts", lambda p: p.starts_on, width=12),
            _c("Ends", lambda p: p.ends_on, width=12),
            _c("Status", lambda p: p.get_status_display()),
            _c("Mentor", lambda p: p.mentor.user.full_name if p.mentor else ""),
            _c("Mentor's phone", lambda p: p.mentor.phone if p.mentor else "", mobile=True),
            _c("Group", lambda p: _group(p).name if _group(p) else ""),
            _c("Final grade", _grade),
        ),
        rows=selectors.placements_for_export,
        student=lambda p: p.student.user_id,
        filters=("cycle", "unit", "status"),
        status_choices=PlacementStatus.choices,
    )
)

export_kind_register(
    ExportKind(
        name="groups",
        label=_("Groups and their members"),
        description=_("One row per member: the group, its leader, and the member's unit and contact."),
        columns=(
            _c("Cycle", lambda m: m.group.cycle.title, width=30),
            _c("Group number", lambda m: m.group.number, width=8),
            _c("Group", lambda m: m.group.name),
            _c("Group leader", lambda m: m.group.leader_id == m.placement_id, width=8),
            _c("Name", lambda m: m.placement.student.legal_name),
            _c("Gender", lambda m: m.placement.student.get_gender_display(), width=6),
            _c("Mobile", lambda m: m.placement.student.user.mobile or "", mobile=True, width=14),
            _c("University", lambda m: m.placement.student.university, width=24),
            _c("Unit", lambda m: m.placement.post.unit.name, width=28),
            _c("Post", lambda m: m.placement.post.title, width=24),
        ),
        rows=selectors.group_members_for_export,
        student=lambda m: m.placement.student.user_id,
        filters=("cycle", "unit"),
    )
)

export_kind_register(
    ExportKind(
        name="interviews",
        label=_("Interview schedule"),
        description=_("Every interview with its time, mode, place or link, interviewers and outcome."),
        columns=(
            _c("Interview time (Beijing time)", lambda i: i.starts_at, width=18),
            _c("Duration (minutes)", lambda i: i.duration_minutes, width=8),
            _c("Mode", lambda i: i.get_mode_display()),
            _c("Place or meeting link", lambda i: i.address or i.meeting_link, width=32),
            _c("Unit", lambda i: i.application.post.unit.name, width=28),
            _c("Post", lambda i: i.application.post.title, width=24),
            _c("Name", lambda i: i.application.student.legal_name),
            _c("Mobile", lambda i: i.application.student.user.mobile or "", mobile=True, width=14),
            _c("Interviewers", lambda i: "、".join(u.full_name or u.email for u in i.interviewers.all()), width=20),
            _c("Status", lambda i: i.get_status_display()),
            _c("Outcome", lambda i: i.get_outcome_display()),
            _c("Score", lambda i: i.score, width=8),
        ),
        rows=selectors.interviews_for_export,
        student=lambda i: i.application.student.user_id,
        filters=("cycle", "unit", "status"),
        status_choices=InterviewStatus.choices,
    )
)

export_kind_register(
    ExportKind(
        name="assessments",
        label=_("Assessments and grades"),
        description=_("Each mentor's and coordinator's assessment with its scores, and the final grade."),
        columns=(
            _c("Cycle", lambda a: a.placement.post.cycle.title, width=30),
            _c("Unit", lambda a: a.placement.post.unit.name, width=28),
            _c("Post", lambda a: a.placement.post.title, width=24),
            _c("Name", lambda a: a.placement.student.legal_name),
            _c("Assessed as", lambda a: a.get_assessor_role_display()),
            _c("Assessor", lambda a: a.assessor.full_name if a.assessor else ""),
            _c("Attendance", lambda a: a.attendance, width=8),
            _c("Work quality", lambda a: a.work_quality, width=8),
            _c("Initiative", lambda a: a.initiative, width=8),
            _c("Teamwork", lambda a: a.teamwork, width=8),
            _c("Proposed grade", lambda a: a.get_proposed_grade_display()),
            _c("Comments", lambda a: a.comments, width=40),
            _c("Final grade", lambda a: _grade(a.placement)),
        ),
        rows=selectors.assessments_for_export,
        student=lambda a: a.placement.student.user_id,
        filters=("cycle", "unit"),
    )
)

export_kind_register(
    ExportKind(
        name="alumni",
        label=_("Alumni"),
        description=_(
            "The alumni answers: graduation, what they do now, where, back in Jinshan, consent to be "
            "contacted, and whether the student answered or staff recorded it."
        ),
        columns=(
            _c("Cycle", lambda r: r.cycle.title, width=30),
            *_student_columns(lambda r: r.student),
            _c("University", lambda r: r.student.university, width=24),
            _c("Graduated (year)", lambda r: r.graduation_year, width=8),
            _c("Graduated (month)", lambda r: r.graduation_month, width=8),
            _c("Now", lambda r: r.get_activity_display()),
            _c("Sector", lambda r: r.sector),
            _c("Employer or school", lambda r: r.employer, width=24),
            _c("Back in Jinshan", lambda r: r.back_in_jinshan, width=8),
            _c("May be contacted", lambda r: r.contact_consent, width=8),
            _c("Source", lambda r: r.get_source_display(), width=16),
            _c("Recorded (Beijing time)", lambda r: r.recorded_at, width=18),
        ),
        rows=selectors.alumni_for_export,
        student=lambda r: r.student.user_id,
        filters=("cycle", "unit"),
    )
)
