"""A student's copy of their personal data: a ZIP of JSON files and their résumés.

Lifecycle: the student asks on their privacy page (``personal_data_export_start``), a job of
kind ``privacy.personal_data_export`` builds the ZIP (``personal_data_export_job``, with
progress), records the copy in the audit trail (``DataAccess`` of kind ``personal_data``) and
mails a link. The link carries a signature (``TimestampSigner``) of the job and the account:
it opens only for that account, and only for ``PERSONAL_DATA_LINK_DAYS`` days.
"""

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from applicants.enums import ApplicationStatus
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.consents import consent_list
from jinseed.accounts.models import User
from jinseed.audit.models import DataAccess
from jinseed.audit.services import data_access_record
from jinseed.jobs.models import Job
from jinseed.jobs.services import JobContext, job_start
from jinseed.notifications.models import Notification
from jinseed.notifications.services import notification_queue
from placements.models import Assessment, Certificate, Feedback, FinalGrade, Interview, Offer, Placement

JOB_KIND = "privacy.personal_data_export"
SIGNING_SALT = "jinseed.privacy.personal-data-link"

#: The JSON files of the ZIP, in order; résumés follow as ``resumes/application-<id>.pdf``.
FILES = (
    "profile.json",
    "applications.json",
    "interviews.json",
    "offers.json",
    "placements.json",
    "assessments.json",
    "certificates.json",
    "feedback.json",
    "notifications.json",
    "consents.json",
)


#: An offer made while the decision is held (the student still sees the application as one of
#: these) is not theirs to see yet.
BEFORE_OFFER = (ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED, ApplicationStatus.INTERVIEWED)


def mask_id_last4(masked: str) -> str:
    """Only the last 4 characters of the ID number show in the copy."""
    return "*" * 14 + masked[-4:] if masked else ""


@transaction.atomic
def personal_data_export_start(*, user: User) -> Job:
    return job_start(kind=JOB_KIND, params={"user_id": user.pk}, actor=user)


def personal_data_link_token(*, job: Job, user: User) -> str:
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(f"{job.pk}.{user.pk}")


def personal_data_link_check(*, token: str, user: User) -> Job | None:
    """The finished export job the token names, if it is ``user``'s and not expired."""
    max_age = timedelta(days=settings.PERSONAL_DATA_LINK_DAYS)
    try:
        value = signing.TimestampSigner(salt=SIGNING_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:  # tampered, or SignatureExpired
        return None
    job_id, _, user_id = value.partition(".")
    if not (job_id.isdigit() and user_id.isdigit()) or int(user_id) != user.pk:
        return None
    return Job.objects.filter(pk=int(job_id), kind=JOB_KIND, created_by=user).exclude(result_file="").first()


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _profile(user: User, profile: StudentProfile | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "mobile": user.mobile,
            "name": user.full_name,
            "language": user.language,
            "joined_at": _when(user.date_joined),
            "mobile_verified_at": _when(user.mobile_verified_at),
            "email_verified_at": _when(user.email_verified_at),
        },
        "profile": None,
    }
    if profile is not None:
        data["profile"] = {
            "legal_name": profile.legal_name,
            "gender": profile.get_gender_display(),
            "id_number": mask_id_last4(profile.id_number_masked),
            "birth_date": _when(profile.birth_date),
            "household_registration_town": profile.get_hukou_town_display(),
            "university": profile.university,
            "university_overseas": profile.university_overseas,
            "major": profile.major,
            "degree_level": profile.get_degree_level_display(),
            "year_of_study": profile.year_of_study,
            "expected_graduation": _when(profile.expected_graduation),
            "id_number_consent_at": _when(profile.consent_at),
            "id_number_consent_version": profile.consent_version,
            "created_at": _when(profile.created_at),
            "updated_at": _when(profile.updated_at),
        }
    return data


def personal_data_collect(*, user: User, now: datetime | None = None) -> tuple[dict[str, Any], list[Application]]:
    """Everything held about ``user``, by file name, and the applications with a résumé.

    Held decisions stay held: applications show the status the student sees, and history
    entries only once visible.
    """
    now = now or timezone.now()
    profile = StudentProfile.objects.filter(user=user).first()
    applications = list(
        Application.objects.filter(student=profile).select_related("post__unit", "cycle").order_by("submitted_at", "id")
        if profile
        else []
    )
    events: dict[int, list[dict[str, Any]]] = {}
    for event in ApplicationEvent.objects.filter(application__in=applications, visible_at__lte=now).order_by(
        "created_at", "id"
    ):
        events.setdefault(event.application_id, []).append(
            {
                "at": _when(event.created_at),
                "from": event.get_from_status_display(),
                "to": event.get_to_status_display(),
            }
        )
    placements = list(
        Placement.objects.filter(student=profile).select_related("post__unit").order_by("starts_on") if profile else []
    )
    finals = {f.placement_id: f for f in FinalGrade.objects.filter(placement__in=placements)}
    data = {
        "profile.json": _profile(user, profile),
        "applications.json": [
            {
                "id": a.pk,
                "cycle": a.cycle.title,
                "post": a.post.title,
                "unit": a.post.unit.name,
                "preference": a.preference_rank,
                "status": a.get_published_status_display(),
                "statement": a.statement,
                "submitted_at": _when(a.submitted_at),
                "resume": f"resumes/application-{a.pk}.pdf" if a.resume else None,
                "history": events.get(a.pk, []),
            }
            for a in applications
        ],
        "interviews.json": [
            {
                "application": i.application_id,
                "starts_at": _when(i.starts_at),
                "duration_minutes": i.duration_minutes,
                "mode": i.get_mode_display(),
                "meeting_link": i.meeting_link,
                "address": i.address,
                "status": i.get_status_display(),
            }
            for i in Interview.objects.filter(application__in=applications).order_by("starts_at", "id")
        ],
        "offers.json": [
            {
                "application": o.application_id,
                "post": o.post.title,
                "status": o.get_status_display(),
                "made_at": _when(o.made_at),
                "deadline": _when(o.expires_at),
                "answered_at": _when(o.responded_at),
            }
            for o in Offer.objects.filter(student=profile)
            .exclude(application__published_status__in=BEFORE_OFFER)
            .select_related("post")
            .order_by("made_at")
        ]
        if profile
        else [],
        "placements.json": [
            {
                "id": p.pk,
                "post": p.post.title,
                "unit": p.post.unit.name,
                "term": p.get_term_display(),
                "starts_on": _when(p.starts_on),
                "ends_on": _when(p.ends_on),
                "status": p.get_status_display(),
                "final_grade": finals[p.pk].get_grade_display() if p.pk in finals else None,
            }
            for p in placements
        ],
        "assessments.json": [
            {
                "placement": a.placement_id,
                "assessed_as": a.get_assessor_role_display(),
                "attendance": a.attendance,
                "work_quality": a.work_quality,
                "initiative": a.initiative,
                "teamwork": a.teamwork,
                "comments": a.comments,
                "proposed_grade": a.get_proposed_grade_display(),
                "at": _when(a.created_at),
            }
            for a in Assessment.objects.filter(placement__in=placements).order_by("created_at", "id")
        ],
        "certificates.json": [
            {
                "placement": c.placement_id,
                "code": c.code,
                "grade": c.get_grade_display(),
                "issued_at": _when(c.issued_at),
                "revoked_at": _when(c.revoked_at),
            }
            for c in Certificate.objects.filter(placement__in=placements).order_by("issued_at", "id")
        ],
        "feedback.json": [
            {
                "topic": f.get_topic_display(),
                "text": f.body,
                "anonymous_to_unit": f.anonymous_to_unit,
                "answer": f.answer,
                "adopted": f.adopted,
                "submitted_at": _when(f.created_at),
            }
            for f in Feedback.objects.filter(student=profile).order_by("created_at", "id")
        ]
        if profile
        else [],
        "notifications.json": [
            {
                "kind": n.kind,
                "channel": n.get_channel_display(),
                "status": n.get_status_display(),
                "subject": n.subject,
                "text": n.body,
                "created_at": _when(n.created_at),
                "sent_at": _when(n.sent_at),
            }
            for n in Notification.objects.filter(recipient=user, send_after__lte=now).order_by("created_at", "id")
        ],
        "consents.json": [
            {
                "kind": c.get_kind_display(),
                "version": c.version,
                "given_at": _when(c.given_at),
                "withdrawn_at": _when(c.withdrawn_at),
            }
            for c in consent_list(user=user)
        ],
    }
    return data, [a for a in applications if a.resume]


def personal_data_zip(*, data: dict[str, Any], resumes: list[Application]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            archive.writestr(name, json.dumps(data[name], cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        for application in resumes:
            try:
                with application.resume.open("rb") as handle:
                    archive.writestr(f"resumes/application-{application.pk}.pdf", handle.read())
            except FileNotFoundError:
                continue
    return buffer.getvalue()


def personal_data_export_job(context: JobContext) -> dict[str, Any]:
    """The job: collect, zip, record the copy, mail the link (only to the account itself)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=context.params["user_id"])
    context.set_total(3)
    data, resumes = personal_data_collect(user=user)
    context.advance()
    content = personal_data_zip(data=data, resumes=resumes)
    context.advance()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    context.save_file(f"personal-data-{stamp}.zip", content)
    job = context.job
    token = personal_data_link_token(job=job, user=user)
    expires_at = timezone.now() + timedelta(days=settings.PERSONAL_DATA_LINK_DAYS)
    rows = sum(len(v) for v in data.values() if isinstance(v, list)) + 1
    with transaction.atomic():
        data_access_record(
            kind=DataAccess.Kind.PERSONAL_DATA,
            actor=user,
            subject=format_lazy(_("Copy of their personal data for account {number}"), number=user.pk),
            filters={"user_id": user.pk, "job_id": job.pk},
            row_count=rows,
            masked=True,
        )
        notification_queue(
            recipient=user,
            kind="personal_data_ready",
            context={"url": reverse("privacy:copy_download", args=[token]), "expires_at": expires_at},
            event_key=f"privacy:copy:{job.pk}",
            channels=["email", "inbox"],
        )
    context.advance()
    return {
        "files": list(FILES) + [f"resumes/application-{a.pk}.pdf" for a in resumes],
        "rows": rows,
        "masked": True,
    }
