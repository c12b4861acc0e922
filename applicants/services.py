"""Every write to student profiles and applications."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jinseed.accounts.consents import consent_give
from jinseed.accounts.models import Consent, ContactVerification, User
from jinseed.accounts.verification import VerificationError, verification_send
from jinseed.errors import DomainError
from jinseed.notifications.services import notification_queue
from jinseed.statemachine import Change, StatusMachine
from positions.models import Cycle, Post

from .eligibility import eligibility_check, placement_overlap
from .enums import (
    APPLICATION_TRANSITIONS,
    HELD_DECISIONS,
    WITHDRAWABLE_STATUSES,
    ApplicationStatus,
    EligibilityCode,
)
from .identity import digest_id_number, id_number_token_is_current, id_number_token_rotate
from .models import HOLDING_AS_SEEN, Application, ApplicationEvent, StudentProfile
from .signals import application_withdrawn


class ApplicationError(DomainError):
    pass


def _application_audit(changes: Sequence[Change]) -> None:
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application_id=c.pk,
            from_status=c.from_status,
            to_status=c.to_status,
            actor_id=getattr(c.actor, "pk", None),
            reason=str(c.reason),
            created_at=c.at,
            visible_at=c.extra.get("visible_at") or c.at,
        )
        for c in changes
    )


APPLICATION_MACHINE = StatusMachine(
    model=Application,
    transitions=APPLICATION_TRANSITIONS,
    labels=ApplicationStatus,
    error=ApplicationError,
    audit=_application_audit,
    message=gettext_lazy("This application is “%(from)s” and cannot become “%(to)s”."),
)


@transaction.atomic
def applications_move_all(
    *,
    cycle: Cycle,
    from_status: str,
    to_status: str,
    actor: User | None = None,
    reason: str = "",
    at: datetime,
    fields: dict[str, Any] | None = None,
    visible_at: datetime,
) -> int:
    """Move every application of ``cycle`` in ``from_status`` to ``to_status``; returns how many.

    For closing a cycle, which ends up to a district's every application at once: one
    ``INSERT … SELECT`` copies the history rows (``ApplicationEvent``) from the applications
    themselves, then one ``UPDATE`` moves them, so no row travels to Python and back. The
    caller holds the rows' locks (a locking read of the same rows), so none changes between
    the two statements. Plain SQL on the tables' documented names and columns; the same on
    SQLite and PostgreSQL.
    """
    APPLICATION_MACHINE.check(from_status, to_status)
    connection = transaction.get_connection()
    prepared = connection.ops.adapt_datetimefield_value
    history, applications = ApplicationEvent._meta.db_table, Application._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # Identifiers are the models' own table names; every value is a parameter.
            f"INSERT INTO {history} (application_id, from_status, to_status, actor_id, reason, created_at, visible_at) "  # noqa: S608
            f"SELECT id, status, %s, %s, %s, %s, %s FROM {applications} WHERE cycle_id = %s AND status = %s",
            [
                to_status,
                getattr(actor, "pk", None),
                str(reason),
                prepared(at),
                prepared(visible_at),
                cycle.pk,
                from_status,
            ],
        )
    values = {"status": to_status, "updated_at": at, **(fields or {})}
    return Application.objects.filter(cycle=cycle, status=from_status).update(**values)


@transaction.atomic
def application_transition(
    *, application: Application, to_status: str, actor: User | None = None, reason: str = "", at: datetime | None = None
) -> Application:
    """The one place an application changes status (through ``APPLICATION_MACHINE``).

    A decision in ``HELD_DECISIONS`` taken before the cycle's announcement time stays
    invisible to the student (``published_status`` keeps its value) until
    ``application_publish_held`` runs at that time.
    """
    at = at or timezone.now()
    locked = APPLICATION_MACHINE.lock(application, select_related=["cycle"])
    held = to_status in HELD_DECISIONS and locked.cycle.results_are_held(at)
    APPLICATION_MACHINE.move(
        locked,
        to_status,
        actor=actor,
        reason=reason,
        at=at,
        locked=True,
        fields={} if held else {"published_status": to_status},
        visible_at=locked.cycle.announcement_at if held else at,
    )
    application.status, application.published_status = locked.status, locked.published_status
    return locked


@transaction.atomic
def application_publish_held(*, cycle: Cycle, at: datetime | None = None) -> int:
    """Make every held decision of ``cycle`` visible; returns how many applications changed.

    Runs at the announcement time (a beat task) and is safe to run again.
    """
    at = at or timezone.now()
    if cycle.results_are_held(at):
        return 0
    changed = 0
    for app in Application.objects.select_for_update().filter(cycle=cycle).exclude(published_status=F("status")):
        app.published_status = app.status
        app.save(update_fields=["published_status", "updated_at"])
        changed += 1
    return changed


# --- Profile -----------------------------------------------------------------------------------

#: The version of the privacy notice (templates/applicants/privacy.html) a consent refers to
#: (the ``PRIVACY_NOTICE_VERSION`` setting: the platform asks for it again when it changes).
PRIVACY_NOTICE_VERSION = settings.PRIVACY_NOTICE_VERSION

PROFILE_FIELDS = (
    "legal_name",
    "gender",
    "hukou_town",
    "university",
    "university_overseas",
    "major",
    "degree_level",
    "year_of_study",
    "expected_graduation",
)


class ProfileError(DomainError):
    pass


@transaction.atomic
def student_profile_save(
    *,
    user: User,
    data: dict[str, Any],
    id_number: str = "",
    mobile: str = "",
    consent: bool = False,
    ip_address: str | None = None,
) -> StudentProfile:
    """Create or correct the student's profile.

    The ID number is needed to create a profile (and again after the consent to it was
    withdrawn) and may be given again to correct it; it is processed only with the student's
    explicit consent, recorded as a ``Consent`` with its time and the notice version. One
    person has one account: an ID number already on another profile is refused. A new mobile
    number is not taken at once: a code is sent to it, and the number replaces the old one
    when the code is confirmed (``jinseed.accounts.verification``).
    """
    found = StudentProfile.objects.select_for_update().filter(user=user).first()
    creating = found is None
    profile = StudentProfile(user=user) if found is None else found
    if (id_number or creating) and not (consent or profile.has_consent):
        raise ProfileError(
            _("Please agree to the processing of your ID number: without it we cannot register you."),
            code="consent_required",
        )
    if not id_number and not profile.has_id_number:
        raise ProfileError(_("Enter your resident ID number."), code="id_number_required")
    if id_number:
        digest = digest_id_number(id_number)
        if StudentProfile.objects.filter(id_number_digest=digest).exclude(user=user).exists():
            raise ProfileError(DUPLICATE_ID_MESSAGE, code="duplicate_id_number")
        profile.set_id_number(id_number)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(profile, name, data[name])
    if consent and not profile.has_consent:
        profile.consent_at = timezone.now()
        profile.consent_version = PRIVACY_NOTICE_VERSION
        consent_give(user=user, kind=Consent.Kind.ID_NUMBER, version=PRIVACY_NOTICE_VERSION, at=profile.consent_at)
    if mobile and mobile != user.mobile:
        if get_user_model().objects.filter(mobile=mobile).exclude(pk=user.pk).exists():
            raise ProfileError(DUPLICATE_MOBILE_MESSAGE, code="duplicate_mobile")
        try:
            verification_send(user=user, channel=ContactVerification.Channel.SMS, target=mobile, ip_address=ip_address)
        except VerificationError as exc:
            raise ProfileError(exc.message, code="mobile_rate") from exc
    if data.get("legal_name") and not user.full_name:
        user.full_name = data["legal_name"]
        user.save(update_fields=["full_name"])
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:  # a concurrent registration with the same ID number
        raise ProfileError(DUPLICATE_ID_MESSAGE, code="duplicate_id_number") from exc
    return profile


DUPLICATE_ID_MESSAGE = gettext_lazy(
    "This ID number is already registered with another account. One person has one account: "
    "log in with that account, or reset its password if you have forgotten it."
)
DUPLICATE_MOBILE_MESSAGE = gettext_lazy(
    "This mobile number belongs to another account. Log in with it, or reset that account's password."
)


# --- Applications --------------------------------------------------------------------------------

MOBILE_UNVERIFIED_MESSAGE = gettext_lazy(
    "Your mobile number is not verified yet, so you cannot apply. Open “Verify your contact details” "
    "from your profile, enter the 6-digit code we sent by SMS (or ask for a new one), then apply again."
)


def _notify_submitted(application: Application) -> None:
    """Queue "application received" for the student and, when a rule warned, "needs review"
    for each coordinator of the post's unit.

    The contexts follow the contracts in ``jinseed.notifications.kinds``. Warnings are worded
    in each recipient's language because the context is stored as text.
    """
    post = application.post
    base = {
        "student_name": application.student.legal_name,
        "post_title": post.title,
        "unit_name": post.unit.name,
        "cycle_title": application.cycle.title,
        "preference_rank": application.preference_rank,
        "application_id": application.pk,
        "post_id": post.pk,
    }
    notification_queue(
        recipient=application.student.user,
        kind="application_received",
        context={
            **base,
            "submitted_at": application.submitted_at.isoformat(),
            "url": reverse("applicants:my_applications"),
        },
        event_key=f"application:{application.pk}:received",
        new_event=True,
    )
    if not application.needs_review:
        return
    codes = [r["code"] for r in application.warnings]
    for coordinator in post.unit.coordinators.select_related("user"):
        user = coordinator.user
        with translation.override(user.language or "zh-hans"):
            warnings = [str(EligibilityCode(code).label) for code in codes]
        notification_queue(
            recipient=user,
            kind="application_needs_review",
            context={**base, "warning_codes": codes, "warnings": warnings},
            event_key=f"application:{application.pk}:needs_review",
            new_event=True,
        )


@transaction.atomic
def application_submit(
    *,
    student: StudentProfile,
    post: Post,
    preference_rank: int,
    statement: str,
    resume: UploadedFile[bytes] | None = None,
    submit_token: str,
    at: datetime | None = None,
) -> Application:
    """Apply ``student`` to ``post``; returns the application.

    Idempotent on ``submit_token``: the apply form carries a one-time token, so a
    double-clicked or retried submit returns the application the first one created. The
    student's profile row is locked before the cycle's active applications are read, so two
    posts submitted at once cannot both pass the limit. The deadline is the server's clock
    against ``Cycle.registration_is_open``; ``post`` is taken as the caller read it (with its
    cycle and unit: ``positions.selectors.post_get_open``), a moment ago in the same request.

    A submission on deadline day is the portal's busiest write, so it is kept to a few
    statements: the lock reads the user, their message preference and the placement-overlap
    check with the profile, one read finds both a replayed token and the active applications,
    and the outbox rows go in with one insert.
    """
    at = at or timezone.now()
    if not submit_token:
        raise ApplicationError(_("The form has expired. Please reload the page and submit again."), code="no_token")
    locked_student = (
        StudentProfile.objects.select_for_update(of=("self", "user"))
        .select_related("user", "user__notification_preference")
        .annotate(overlapping=placement_overlap(post))
        .get(pk=student.pk)
    )
    if not locked_student.user.mobile_is_verified:
        raise ApplicationError(MOBILE_UNVERIFIED_MESSAGE, code="mobile_unverified")
    if not (locked_student.has_consent and locked_student.has_id_number):
        raise ApplicationError(
            _("Applying needs your ID number and your consent to process it. Please complete your profile."),
            code="consent_required",
        )
    cycle = post.cycle
    # Read after the lock: a submit that waited for it sees what the one before it wrote.
    seen = list(
        Application.objects.filter(
            Q(submit_token=submit_token) | (HOLDING_AS_SEEN & Q(student=locked_student, cycle=cycle))
        )
    )
    existing = next((a for a in seen if a.submit_token == submit_token), None)
    if existing is not None:
        # A replay answers with the application it created, unless that one has ended since
        # (withdrawn, rejected): saying "submitted" would then be false.
        if existing.student_id != student.pk or not existing.is_active:
            raise ApplicationError(_("The form has expired. Please reload the page."), code="token_reused")
        return existing
    active = [a for a in seen if a.student_id == locked_student.pk and a.cycle_id == cycle.pk]
    if not post.is_published:
        raise ApplicationError(_("This post is no longer open for applications."), code="post_closed")
    if not cycle.registration_is_open(at):
        raise ApplicationError(
            _("Registration for %(cycle)s closed at %(closes)s (Beijing time). Applications are no longer accepted.")
            % {
                "cycle": cycle.title,
                "closes": timezone.localtime(cycle.registration_closes_at).strftime("%Y-%m-%d %H:%M:%S"),
            },
            code="deadline",
        )
    eligibility = eligibility_check(
        profile=locked_student, cycle=cycle, post=post, overlapping=locked_student.overlapping
    )
    if not eligibility.is_eligible:
        raise ApplicationError(
            _("You are not eligible for this post: %(reasons)s.")
            % {"reasons": "; ".join(str(r.label) for r in eligibility.blocks)},
            code="not_eligible",
        )
    if any(a.post_id == post.pk for a in active):
        raise ApplicationError(
            _("You have already applied to this post. See “My applications”."), code="already_applied"
        )
    if len(active) >= cycle.max_applications:
        raise ApplicationError(
            ngettext(
                "You may apply to at most %(n)s post in this cycle. Withdraw it to apply to another post.",
                "You may apply to at most %(n)s posts in this cycle. Withdraw an application to apply to another post.",
                cycle.max_applications,
            )
            % {"n": cycle.max_applications},
            code="limit_reached",
        )
    if not 1 <= preference_rank <= cycle.max_applications:
        raise ApplicationError(
            _("Choose a preference from 1 to %(n)s.") % {"n": cycle.max_applications}, code="rank_out_of_range"
        )
    if any(a.preference_rank == preference_rank for a in active):
        raise ApplicationError(
            _("Another of your applications already has preference %(rank)s. Choose a free one.")
            % {"rank": preference_rank},
            code="rank_taken",
        )
    application = Application(
        student=locked_student,
        post=post,
        cycle=cycle,
        preference_rank=preference_rank,
        statement=statement.strip(),
        eligibility=eligibility.as_list(),
        needs_review=eligibility.needs_review,
        submit_token=submit_token,
        submitted_at=at,
    )
    if resume is not None:
        application.resume.save("resume.pdf", resume, save=False)
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        from_status="",
        to_status=ApplicationStatus.SUBMITTED,
        actor=locked_student.user,
        created_at=at,
        visible_at=at,
    )
    _notify_submitted(application)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor: User | None, reason: str = "") -> Application:
    """The student withdraws; the place on the post and the preference rank become free.

    A decision held until the announcement (the real status differs from the one the student
    sees) must not leak: the refusal then says nothing about it.

    ``signals.application_withdrawn`` is sent in the same transaction, so the apps that keep
    records about the application (``placements``: its scheduled interview and their
    reminders) end them together with it. An offered application is not withdrawable here,
    so no open offer is ever left behind by a withdrawal.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in WITHDRAWABLE_STATUSES or locked.status != locked.published_status:
        raise ApplicationError(
            _("This application can no longer be withdrawn here. Please contact the programme staff."),
            code="not_withdrawable",
        )
    reason = reason.strip()
    withdrawn = application_transition(
        application=application, to_status=ApplicationStatus.WITHDRAWN, actor=actor, reason=reason
    )
    application_withdrawn.send(sender=Application, application=withdrawn, actor=actor, reason=reason)
    return withdrawn


@transaction.atomic
def application_reorder(
    *,
    student: StudentProfile,
    cycle: Cycle,
    ranks: dict[int, int],
    actor: User | None = None,
    at: datetime | None = None,
) -> None:
    """Give the student's active applications of ``cycle`` new preference ranks.

    ``ranks`` maps every active application's id to its new rank; the ranks must be distinct
    and within the cycle's limit. Allowed only while registration is open. Each change is
    written to the application's history.
    """
    at = at or timezone.now()
    StudentProfile.objects.select_for_update().get(pk=student.pk)
    if not cycle.registration_is_open(at):
        raise ApplicationError(_("Registration has closed: preferences can no longer be changed."), code="deadline")
    apps = {
        a.pk: a for a in Application.objects.select_for_update().filter(HOLDING_AS_SEEN, student=student, cycle=cycle)
    }
    if set(ranks) != set(apps):
        raise ApplicationError(
            _("Your applications changed meanwhile. Please reload the page and try again."), code="stale"
        )
    values = list(ranks.values())
    if len(set(values)) != len(values):
        raise ApplicationError(_("Give each application a different preference."), code="rank_duplicate")
    if any(not 1 <= r <= cycle.max_applications for r in values):
        raise ApplicationError(
            _("Choose preferences from 1 to %(n)s.") % {"n": cycle.max_applications}, code="rank_out_of_range"
        )
    changed = [a for pk, a in apps.items() if a.preference_rank != ranks[pk]]
    if not changed:
        return
    # The unique (student, cycle, rank) constraint is checked row by row: park the changed
    # rows above any legal rank first, then give them their final values.
    offset = cycle.max_applications + 100
    Application.objects.filter(pk__in=[a.pk for a in changed]).update(preference_rank=F("preference_rank") + offset)
    for app in changed:
        old = app.preference_rank
        app.preference_rank = ranks[app.pk]
        app.save(update_fields=["preference_rank", "updated_at"])
        ApplicationEvent.objects.create(
            application=app,
            from_status=app.status,
            to_status=app.status,
            actor=actor,
            # A rank change keeps the status; the history shows it as "preference old → new".
            reason=f"{old} → {app.preference_rank}",
            created_at=at,
            visible_at=at,
        )


def student_id_numbers_reencrypt(*, batch_size: int = 500) -> dict[str, int]:
    """Encrypt every stored ID number again with the first of ``FIELD_ENCRYPTION_KEYS``.

    Runs after a new key is put first in the list; once it has run, the older keys can be
    dropped. Batches of ``batch_size`` profiles in their own transaction, rows locked, so the
    portal stays up and an interrupted run resumes where it was; values already under the
    current key are left alone, so running it again changes nothing. Returns the counts:
    ``reencrypted``, ``current`` (already under the first key), ``empty`` (no ID number kept)
    and ``unreadable`` (no listed key opens it: an old key was dropped too early)."""
    counts = {"reencrypted": 0, "current": 0, "empty": 0, "unreadable": 0}
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                StudentProfile.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "id_number_encrypted")[:batch_size]
            )
            if not batch:
                return counts
            last_pk = batch[-1].pk
            changed = []
            for profile in batch:
                token = profile.id_number_encrypted
                if not token:
                    counts["empty"] += 1
                elif id_number_token_is_current(token):
                    counts["current"] += 1
                else:
                    try:
                        profile.id_number_encrypted = id_number_token_rotate(token)
                    except InvalidToken:
                        counts["unreadable"] += 1
                        continue
                    changed.append(profile)
            StudentProfile.objects.bulk_update(changed, ["id_number_encrypted"])
            counts["reencrypted"] += len(changed)
