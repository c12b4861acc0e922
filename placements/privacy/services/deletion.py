"""Deleting a student's account (PIPL art. 47), after a grace period.

Lifecycle: the student asks (``deletion_request_create``; refused while an application, an
offer or a placement of theirs is still running); the request waits
``ACCOUNT_DELETION_GRACE_DAYS`` days, during which the student may cancel it
(``deletion_request_cancel``) and staff see it in the admin; then the beat task (or the
command ``account_deletions_run``) erases the account (``account_erase``) and completes it.

What erasure does (docs/personal-data.md):

* the account can no longer log in; its email becomes ``deleted-<id>@deleted.invalid``, its
  mobile number and name are removed, codes and the outbox rows addressed to it are deleted;
* the profile keeps only what the programme must keep for recruitment priority, pseudonymised:
  the name becomes its masked form (``张*``), the ID number, university and major are removed;
  the rows (applications, placements, the final grade and certificates) stay so that a
  completed placement still counts and its certificate still verifies, with the masked name;
* every text written by or about the student is emptied (statements, résumés, reasons,
  notes, comments, unadopted feedback is deleted);
* every stored file that holds the student is deleted: their résumés, their own data copies
  and other jobs' files, and every export file whose rows included them (or whose kind cannot
  tell whom it holds); the jobs' rows stay, noting when their file was deleted;
* finally every text, char and JSON column of every table is swept for the student's name,
  mobile number, email and ID number (other people's messages that quoted them, the admin's
  log, login attempts): each occurrence is replaced by its masked form.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.enums import WITHDRAWABLE_STATUSES
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.models import ContactVerification, User
from jinseed.errors import DomainError
from jinseed.jobs.models import Job
from jinseed.jobs.services import job_file_delete
from jinseed.logmask import mask_mobile
from jinseed.notifications.models import Notification
from jinseed.statemachine import StatusMachine, status_change_audit
from placements.cultivation.selectors import mask_name
from placements.models import (
    Assessment,
    DeletionRequest,
    DeletionStatus,
    Export,
    Feedback,
    Interview,
    Offer,
    Onboarding,
    Placement,
    PlacementEvent,
    Review,
    TermSwitchRequest,
)
from placements.models.privacy import DELETION_TRANSITIONS
from placements.selection.enums import OfferStatus, PlacementStatus


class DeletionError(DomainError):
    pass


DELETION_MACHINE = StatusMachine(
    model=DeletionRequest,
    transitions=DELETION_TRANSITIONS,
    labels=DeletionStatus,
    error=DeletionError,
    audit=status_change_audit(DeletionRequest),
    message=gettext_lazy("This deletion request is “%(from)s” and cannot become “%(to)s”."),
)

ERASED = "[deleted]"


def deletion_request_open(*, user: User) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(user=user, status=DeletionStatus.REQUESTED).first()


@transaction.atomic
def deletion_request_create(*, user: User, at: datetime | None = None) -> DeletionRequest:
    """The student asks for their account to be deleted after the grace period."""
    at = at or timezone.now()
    if deletion_request_open(user=user) is not None:
        raise DeletionError(_("You have already asked for your account to be deleted."), code="already_requested")
    profile = StudentProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None:
        # The true reason first: an accepted application is "active" while its placement runs,
        # and is no longer being decided.
        if Placement.objects.filter(
            student=profile, status__in=[PlacementStatus.UPCOMING, PlacementStatus.ACTIVE]
        ).exists():
            raise DeletionError(
                _("Your placement is still running. Please talk to the programme staff to end it first."),
                code="placement_running",
            )
        if Offer.objects.filter(student=profile, status=OfferStatus.OPEN).exists():
            raise DeletionError(_("You have an open offer. Please accept or decline it first."), code="offer_open")
        under_review = Q(status__in=WITHDRAWABLE_STATUSES) | Q(published_status__in=WITHDRAWABLE_STATUSES)
        if Application.objects.filter(under_review, student=profile).exists():
            raise DeletionError(
                _("Please withdraw your open applications first: they are still being decided."),
                code="applications_open",
            )
    return DeletionRequest.objects.create(
        user=user, requested_at=at, due_at=at + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    )


@transaction.atomic
def deletion_request_cancel(*, request: DeletionRequest, actor: User | None) -> DeletionRequest:
    if actor is not None and actor.pk != request.user_id and not actor.is_programme_staff:
        raise DeletionError(_("You may not do this."), code="forbidden")
    return DELETION_MACHINE.move(request, DeletionStatus.CANCELLED, actor=actor, fields={"closed_at": timezone.now()})


def deletion_due_run(*, now: datetime | None = None) -> int:
    """Erase every account whose request is past its grace period; returns how many."""
    now = now or timezone.now()
    done = 0
    for pk in DeletionRequest.objects.filter(status=DeletionStatus.REQUESTED, due_at__lte=now).values_list(
        "pk", flat=True
    ):
        _erase_request(pk, now)
        done += 1
    return done


@transaction.atomic
def _erase_request(pk: int, now: datetime) -> None:
    request = DELETION_MACHINE.lock(pk)
    if request.status != DeletionStatus.REQUESTED:
        return  # cancelled meanwhile
    summary = account_erase(user=request.user)
    DELETION_MACHINE.move(
        request,
        DeletionStatus.COMPLETED,
        reason="erased after the grace period",
        locked=True,
        fields={"closed_at": now, "summary": summary},
    )


def _secrets(user: User, profile: StudentProfile | None) -> dict[str, str]:
    """Each value to remove from every table, with what replaces it."""
    found = {}
    for name in {user.full_name, profile.legal_name if profile else ""}:
        if name and len(name) >= 2:
            found[name] = mask_name(name)
    if user.mobile:
        found[user.mobile] = mask_mobile(user.mobile)
    if user.email:
        found[user.email] = ERASED
    if profile is not None and profile.has_id_number:
        found[profile.id_number] = ERASED
    return found


@transaction.atomic
def account_erase(*, user: User) -> dict[str, Any]:
    """Erase or pseudonymise ``user``'s personal data; returns counts (never the data)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    profile = StudentProfile.objects.select_for_update().filter(user=user).first()
    secrets = _secrets(user, profile)
    summary: dict[str, int] = {}
    if profile is not None:
        applications = Application.objects.filter(student=profile)
        for application in applications.exclude(resume=""):
            application.resume.delete(save=False)
        summary["applications"] = applications.update(statement="", resume="", submit_token=None)
        ApplicationEvent.objects.filter(application__student=profile).update(reason="")
        Review.objects.filter(application__student=profile).update(notes="")
        Interview.objects.filter(application__student=profile).update(notes="")
        Offer.objects.filter(student=profile).update(note="")
        placements = Placement.objects.filter(student=profile)
        summary["placements_kept"] = placements.count()
        PlacementEvent.objects.filter(placement__in=placements).update(reason="")
        Onboarding.objects.filter(placement__in=placements).update(notes="")
        TermSwitchRequest.objects.filter(placement__in=placements).update(reason="", decision_note="")
        Assessment.objects.filter(placement__in=placements).update(comments="")
        summary["feedback_deleted"] = Feedback.objects.filter(student=profile, adopted=False).delete()[0]
        profile.legal_name = mask_name(profile.legal_name)
        profile.clear_id_number()
        profile.university = ""
        profile.major = ""
        profile.consent_at = None
        profile.consent_version = ""
        profile.save()
    summary["notifications_deleted"] = Notification.objects.filter(recipient=user).delete()[0]
    ContactVerification.objects.filter(user=user).delete()
    for job in Job.objects.filter(created_by=user):
        if job.result_file:
            job.result_file.delete(save=False)
    Job.objects.filter(created_by=user).delete()
    summary["export_files_deleted"] = _export_files_delete(user_id=user.pk)
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.mobile = None
    user.full_name = ""
    user.is_active = False
    user.is_staff = False
    user.mobile_verified_at = None
    user.email_verified_at = None
    user.set_unusable_password()
    user.save()
    summary["swept"] = _sweep(secrets)
    return summary


def _export_files_delete(*, user_id: int) -> int:
    """Delete every export file still stored whose rows included the student, or whose export
    cannot say whom it holds. Files live only ``EXPORT_FILE_DAYS``, so the jobs read are few."""
    from placements.office.exports.services import JOB_KIND as EXPORT_JOB_KIND

    jobs = list(Job.objects.filter(kind=EXPORT_JOB_KIND).exclude(result_file=""))
    subjects = dict(Export.objects.filter(job__in=jobs).values_list("job_id", "subject_user_ids"))
    deleted = 0
    for job in jobs:
        held = subjects.get(job.pk)
        if held is None or user_id in held:
            deleted += job_file_delete(job=job)
    return deleted


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
    ]


def _replace(value: Any, secrets: dict[str, str]) -> Any:
    if isinstance(value, str):
        for secret, masked in secrets.items():
            value = value.replace(secret, masked)
        return value
    if isinstance(value, list):
        return [_replace(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, secrets) for k, v in value.items()}
    return value


def _sweep(secrets: dict[str, str]) -> int:
    """Replace each secret wherever it still appears, in every table; returns rows changed.

    One query per column (JSON columns are searched as stored: escaped on SQLite, plain on
    PostgreSQL); rows are changed only where a secret was found. Other people's own names
    (``User.full_name``, ``StudentProfile.legal_name``) are left alone: a namesake is not the
    student.
    """
    if not secrets:
        return 0
    changed = 0
    skip = {("accounts", "user", "full_name"), ("applicants", "studentprofile", "legal_name")}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.label_lower == "sessions.session":
            continue
        for field in _text_fields(model):
            if (model._meta.app_label, model._meta.model_name, field.name) in skip:
                continue
            if isinstance(field, models.JSONField):
                lookup = _json_text_filter(model, field, secrets)
            else:
                query = Q()
                for secret in secrets:
                    query |= Q(**{f"{field.attname}__contains": secret})
                lookup = model._base_manager.filter(query)
            for pk, value in lookup.values_list("pk", field.attname):
                new = _replace(value, secrets)
                if new != value:
                    model._base_manager.filter(pk=pk).update(**{field.attname: new})
                    changed += 1
    return changed


def _json_text_filter(
    model: type[models.Model], field: models.Field[Any, Any], secrets: dict[str, str]
) -> models.QuerySet[Any]:
    """Rows whose JSON column, read as text, holds a secret (plain or JSON-escaped)."""
    annotated = model._base_manager.annotate(_as_text=Cast(field.attname, models.TextField()))
    query = Q()
    for secret in secrets:
        query |= Q(_as_text__contains=secret) | Q(_as_text__contains=json.dumps(secret)[1:-1])
    return annotated.filter(query)
