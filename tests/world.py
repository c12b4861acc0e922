"""A small two-sided world for the whole-portal tests (role × URL matrix, form fuzzing).

Side "a" and side "b" each have a host unit with a coordinator and a mentor, a published
and a draft post, and a student who applied there: one application accepted and placed
(onboarding, a term switch request, an assessment, a certificate), one shortlisted with an
interview and an open offer. Both sides share a cycle, a review criterion, an onboarding
item and an activity; staff run it all. Every piece of personal or unit-private text is
distinctive, so a test can look for it in any page.
"""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import Application
from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from jinseed.notifications.models import Notification
from placements.cultivation.enums import ActivityKind, ActivityStatus, ChecklistParty, FeedbackTopic
from placements.models import (
    Activity,
    ActivitySignup,
    AllocationRound,
    AlumniRecord,
    Assessment,
    Certificate,
    Export,
    Feedback,
    Interview,
    InterviewSlot,
    Offer,
    Onboarding,
    OnboardingItem,
    Placement,
    Review,
    ReviewCriterion,
    TermSwitchRequest,
)
from placements.selection.enums import InterviewMode
from positions.enums import PostStatus, TermType
from tests import factories

SIDES = ("a", "b")
_PEOPLE = {
    "a": {"name": "赵一鸣", "mobile": "13911110001", "email": "zhao.yiming@example.cn", "n": 101},
    "b": {"name": "钱二丽", "mobile": "13922220002", "email": "qian.erli@example.cn", "n": 202},
}


@dataclass
class Side:
    """One unit with its people and one student with everything that student has."""

    unit: object
    coordinator: object
    mentor: object
    post: object
    draft_post: object
    student: object
    id_number: str
    application: object
    shortlisted: object
    placement: object
    slot: object
    interview: object
    offer: object
    review: object
    term_switch: object
    certificate: object
    notification: object
    feedback: object
    job: object
    export: object
    #: Strings that only this side's people (and staff) may ever see.
    secrets: list[str] = field(default_factory=list)
    #: The student's own copy of their data (a finished job with its ZIP).
    copy_job: object = None


@dataclass
class World:
    cycle: object
    staff: object
    criterion: object
    item: object
    activity: object
    sides: dict[str, Side]
    #: A previewed allocation round of the cycle (staff only).
    allocation: object = None
    #: Programme staff without the permission to export unmasked identifiers, and another
    #: staff member who holds it; the latter's finished exports of side "b"'s student, one
    #: masked and one unmasked, each with its file.
    plain_staff: object = None
    unmasking_staff: object = None
    masked_export_job: object = None
    unmasked_export_job: object = None

    @property
    def a(self) -> Side:
        return self.sides["a"]

    @property
    def b(self) -> Side:
        return self.sides["b"]


def _side(key: str, cycle, criterion, staff) -> Side:
    person = _PEOPLE[key]
    unit = factories.HostUnitFactory(name=f"金山区{key.upper()}测试局")
    coordinator = factories.CoordinatorFactory(unit=unit, user__full_name=f"联络员{key.upper()}")
    mentor = factories.MentorFactory(unit=unit, user__full_name=f"带教老师{key.upper()}")
    post = factories.PostFactory(cycle=cycle, unit=unit, title=f"{key.upper()}局办公室助理", headcount=3)
    second_post = factories.PostFactory(cycle=cycle, unit=unit, title=f"{key.upper()}局宣传助理", headcount=3)
    draft = factories.PostFactory(
        cycle=cycle, unit=unit, title=f"{key.upper()}局未公开草稿岗位", status=PostStatus.DRAFT
    )
    id_number = factories.make_id_number(person["n"])
    student = factories.StudentProfileFactory(
        legal_name=person["name"],
        user__full_name=person["name"],
        user__mobile=person["mobile"],
        user__email=person["email"],
        id_number=id_number,
        expected_graduation=dt.date(cycle.year + 2, 6, 30),
    )
    application = factories.ApplicationFactory(student=student, post=post, statement=f"{key.upper()}同学的自我介绍正文")
    shortlisted = factories.ApplicationFactory(student=student, post=second_post, preference_rank=2)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.ACCEPTED, published_status=ApplicationStatus.ACCEPTED
    )
    Application.objects.filter(pk=shortlisted.pk).update(
        status=ApplicationStatus.SHORTLISTED, published_status=ApplicationStatus.SHORTLISTED
    )
    placement = Placement.objects.create(
        application=application,
        student=student,
        post=post,
        mentor=mentor,
        term=post.term,
        starts_on=post.starts_on,
        ends_on=post.ends_on,
    )
    Onboarding.objects.create(
        placement=placement,
        report_place=f"{key.upper()}局三楼报到处",
        report_at=timezone.now() + dt.timedelta(days=20),
        notes=f"{key.upper()}局报到须知",
        updated_by=coordinator.user,
    )
    slot = InterviewSlot.objects.create(
        unit=unit,
        cycle=cycle,
        post=second_post,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=20,
        mode=InterviewMode.VIDEO,
        meeting_link=f"https://meeting.example.cn/{key}",
        capacity=3,
        self_booking=True,
    )
    interview = Interview.objects.create(
        application=shortlisted,
        slot=slot,
        starts_at=slot.starts_at,
        meeting_link=slot.meeting_link,
        notes=f"{key.upper()}局面试内部记录",
    )
    offer = Offer.objects.create(
        application=shortlisted,
        post=second_post,
        student=student,
        cycle=cycle,
        made_by=coordinator.user,
        expires_at=timezone.now() + dt.timedelta(days=3),
    )
    review = Review.objects.create(application=application, reviewer=coordinator.user, notes=f"{key.upper()}局内部评语")
    review.scores.create(criterion=criterion, score=4)
    term_switch = TermSwitchRequest.objects.create(
        placement=placement,
        from_term=TermType.SHORT,
        to_term=TermType.LONG,
        from_starts_on=placement.starts_on,
        from_ends_on=placement.ends_on,
        to_starts_on=placement.starts_on,
        to_ends_on=placement.ends_on + dt.timedelta(days=200),
        reason=f"{key.upper()}同学改为长期的理由",
        requested_by=student.user,
    )
    Assessment.objects.create(
        placement=placement,
        assessor_role="mentor",
        assessor=mentor.user,
        attendance=5,
        work_quality=4,
        initiative=4,
        teamwork=5,
        comments=f"{key.upper()}带教老师的考核评语",
        proposed_grade="good",
    )
    certificate = Certificate.objects.create(
        placement=placement, code=f"JS-TEST-{key.upper()}0001", grade="good", issued_by=staff
    )
    notification = Notification.objects.create(
        recipient=student.user,
        channel="inbox",
        kind="application_received",
        event_key=f"world-{key}",
        status="sent",
        subject=f"{key.upper()}同学的私人通知",
        body=f"{key.upper()}同学的私人通知正文",
    )
    AlumniRecord.objects.create(
        student=student,
        cycle=cycle,
        graduation_year=cycle.year + 2,
        graduation_month=6,
        activity="working",
        employer=f"{key.upper()}同学的工作单位",
        back_in_jinshan=True,
        source="student",
        recorded_by=student.user,
        recorded_at=timezone.now(),
    )
    feedback = Feedback.objects.create(
        cycle=cycle, student=student, unit=unit, topic=FeedbackTopic.POST, body=f"{key.upper()}同学的座谈会意见"
    )
    secrets = [
        person["name"],
        person["mobile"],
        person["email"],
        id_number,
        id_number[-4:] + "<",  # the masked number's visible end, as it would close a cell
        f"{key.upper()}局未公开草稿岗位",
        f"{key.upper()}局内部评语",
        f"{key.upper()}局面试内部记录",
        f"{key.upper()}同学的自我介绍正文",
        f"{key.upper()}同学改为长期的理由",
        f"{key.upper()}带教老师的考核评语",
        f"{key.upper()}同学的私人通知",
        f"{key.upper()}同学的座谈会意见",
        f"{key.upper()}同学的工作单位",
        f"{key.upper()}局报到须知",
        f"{key.upper()}局导入任务的结果",
        f"{key.upper()}局导出未脱敏身份证号的理由",
    ]
    job = Job.objects.create(
        kind="positions.post_import",
        created_by=coordinator.user,
        result={"note": f"{key.upper()}局导入任务的结果"},
    )
    export = Export.objects.create(
        kind="applicants",
        file_format="csv",
        scope_unit=unit,
        masked=False,
        reason=f"{key.upper()}局导出未脱敏身份证号的理由",
        job=Job.objects.create(kind="office.export", created_by=coordinator.user),
        created_by=coordinator.user,
    )
    return Side(
        unit=unit,
        coordinator=coordinator,
        mentor=mentor,
        post=post,
        draft_post=draft,
        student=student,
        id_number=id_number,
        application=application,
        shortlisted=shortlisted,
        placement=placement,
        slot=slot,
        interview=interview,
        offer=offer,
        review=review,
        term_switch=term_switch,
        certificate=certificate,
        notification=notification,
        feedback=feedback,
        job=job,
        export=export,
        secrets=secrets,
    )


def build_world() -> World:
    # This year's cycle, so that the students' graduation dates stay plausible for the forms.
    cycle = factories.CycleFactory(year=timezone.localdate().year)
    staff = factories.StaffFactory(full_name="团区委管理员")
    criterion = ReviewCriterion.objects.create(cycle=cycle, name="动机", position=1)
    item = OnboardingItem.objects.create(cycle=cycle, title="签署安全承诺书", party=ChecklistParty.STUDENT)
    activity = Activity.objects.create(
        cycle=cycle,
        kind=ActivityKind.ORIENTATION,
        title="走进金山",
        starts_at=timezone.now() + dt.timedelta(days=25),
        ends_at=timezone.now() + dt.timedelta(days=25, hours=3),
        place="金山区青少年活动中心",
        capacity=30,
        status=ActivityStatus.PUBLISHED,
        proposed_by=staff,
    )
    sides = {key: _side(key, cycle, criterion, staff) for key in SIDES}
    ActivitySignup.objects.create(activity=activity, placement=sides["b"].placement)
    allocation = AllocationRound.objects.create(cycle=cycle, fingerprint="0" * 64, created_by=staff)
    plain_staff = factories.StaffFactory(is_superuser=False, full_name="普通工作人员")
    unmasking_staff = factories.StaffFactory(is_superuser=False, full_name="授权工作人员")
    unmasking_staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="placements", codename="export_unmasked_id")
    )
    b = sides["b"]
    person = _PEOPLE["b"]
    masked_line = f"{person['name']},{b.student.id_number_masked},{person['mobile'][:3]}****{person['mobile'][-4:]}\n"
    clear_line = f"{person['name']},{b.id_number},{person['mobile']},{person['email']}\n"
    for side in sides.values():
        side.copy_job = _finished_job(
            "privacy.personal_data_export",
            side.student.user,
            "personal-data.zip",
            _zip({"profile.json": f"{side.student.legal_name} {side.student.user.mobile} {side.student.user.email}"}),
            {"rows": 1, "masked": True},
        )
    return World(
        cycle=cycle,
        staff=staff,
        criterion=criterion,
        item=item,
        activity=activity,
        sides=sides,
        allocation=allocation,
        plain_staff=plain_staff,
        unmasking_staff=unmasking_staff,
        masked_export_job=_finished_job(
            "office.export",
            unmasking_staff,
            "applicants-masked.csv",
            masked_line.encode(),
            {"rows": 1, "masked": True},
            params={"masked": True},
        ),
        unmasked_export_job=_finished_job(
            "office.export",
            unmasking_staff,
            "applicants-unmasked.csv",
            clear_line.encode(),
            {"rows": 1, "masked": False},
            params={"masked": False},
        ),
    )


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _finished_job(kind: str, user, name: str, content: bytes, result: dict, params: dict | None = None) -> Job:
    job = Job.objects.create(kind=kind, created_by=user, status=JobStatus.SUCCEEDED, result=result, params=params or {})
    job.result_file.save(name, ContentFile(content))
    return job
