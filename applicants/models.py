"""Students and their applications.

An application's status moves only through ``services.application_transition``, which
follows ``enums.APPLICATION_TRANSITIONS`` and writes an ``ApplicationEvent`` for every
change. ``published_status`` is what the student sees: it trails ``status`` while a
decision is held for the cycle's announcement time.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jinseed.statemachine import StatusGuarded
from jinseed.storage import PrivateStorage
from positions.enums import Town
from positions.models import Cycle, Post

from .enums import ACTIVE_STATUSES, ApplicationStatus, DegreeLevel, Gender
from .identity import decrypt_id_number, digest_id_number, encrypt_id_number, id_birth_date, mask_id_number


class StudentProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_profile", verbose_name=_("account")
    )
    legal_name = models.CharField(_("legal name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    # All three are empty (the digest NULL) once the student withdraws the consent to process
    # the ID number, or the account is deleted.
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False, blank=True)
    id_number_digest = models.CharField(
        _("ID number digest"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False, blank=True)
    birth_date = models.DateField(_("birth date"), editable=False)
    hukou_town = models.CharField(_("household registration town"), max_length=20, choices=Town.choices)
    university = models.CharField(_("university"), max_length=120)
    university_overseas = models.BooleanField(_("overseas university"), default=False)
    major = models.CharField(_("major"), max_length=120)
    degree_level = models.CharField(_("degree level"), max_length=12, choices=DegreeLevel.choices)
    year_of_study = models.PositiveSmallIntegerField(_("year of study"))
    expected_graduation = models.DateField(_("expected graduation"))
    consent_at = models.DateTimeField(_("consent to process the ID number given"), null=True, blank=True)
    consent_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")
        permissions = [("view_id_number", _("Can show an ID number unmasked, with a reason"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_of_study__gte=1) & Q(year_of_study__lte=8), name="profile_year_of_study_range"
            ),
            models.CheckConstraint(condition=Q(hukou_town__in=Town.values), name="profile_hukou_town_valid"),
        ]
        indexes = [models.Index(fields=["university"], name="profile_university_idx")]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.id_number_masked})"

    def set_id_number(self, value: str) -> None:
        self.id_number_encrypted = encrypt_id_number(value)
        self.id_number_digest = digest_id_number(value)
        self.id_number_masked = mask_id_number(value)
        self.birth_date = id_birth_date(value)  # type: ignore[assignment]

    @property
    def id_number(self) -> str:
        """The clear ID number; for exports to authorised staff only, never for pages."""
        return decrypt_id_number(self.id_number_encrypted)

    def clear_id_number(self) -> None:
        self.id_number_encrypted = ""
        self.id_number_digest = None
        self.id_number_masked = ""

    @property
    def has_id_number(self) -> bool:
        return bool(self.id_number_encrypted)

    @property
    def has_consent(self) -> bool:
        return self.consent_at is not None

    @property
    def mobile(self) -> str | None:
        return self.user.mobile

    def graduates_in(self, year: int) -> bool:
        return self.expected_graduation.year == year


#: Applications that hold the student's place as the student sees it: really active, or
#: still shown active because a decision about them is held for the announcement time.
#: Everything the student can do (apply again, count towards the limit, change ranks)
#: follows this, so a held decision never shows through.
HOLDING_AS_SEEN = Q(status__in=ACTIVE_STATUSES) | Q(published_status__in=ACTIVE_STATUSES)


def resume_upload_to(instance: "Application", filename: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return f"resumes/{instance.cycle_id}/{instance.student_id}-{stamp}.pdf"


class Application(StatusGuarded):
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="applications", verbose_name=_("student")
    )
    # No index of their own: application_post_status_idx and application_cycle_status_idx start
    # with them.
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="applications", verbose_name=_("post"), db_index=False
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="applications", verbose_name=_("cycle"), db_index=False
    )
    preference_rank = models.PositiveSmallIntegerField(_("preference"))
    statement = models.TextField(_("personal statement"))
    resume = models.FileField(_("résumé (PDF)"), storage=PrivateStorage(), upload_to=resume_upload_to, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    published_status = models.CharField(
        _("status shown to the student"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    eligibility = models.JSONField(
        _("eligibility results"), default=list, blank=True, help_text=_("One entry per rule: code and severity.")
    )
    needs_review = models.BooleanField(_("flagged by an eligibility rule"), default=False)
    selection_rank = models.PositiveSmallIntegerField(
        _("selection rank"), null=True, blank=True, help_text=_("Order on the post's ranked list after interviews.")
    )
    # Unique through application_submit_token_unique: a field's unique=True would also give
    # PostgreSQL a LIKE index nobody uses, one more index every status change writes to.
    submit_token = models.CharField(_("submission token"), max_length=64, null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["cycle", "student", "preference_rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "post"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="application_one_active_per_post",
            ),
            models.UniqueConstraint(
                fields=["student", "cycle", "preference_rank"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="application_unique_rank",
            ),
            models.UniqueConstraint(fields=["submit_token"], name="application_submit_token_unique"),
            models.CheckConstraint(condition=Q(preference_rank__gte=1), name="application_rank_positive"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
        ]
        indexes = [
            models.Index(fields=["post", "status"], name="application_post_status_idx"),
            models.Index(fields=["cycle", "status"], name="application_cycle_status_idx"),
            # The coordinator's applicant list in its order: a page reads its 50 rows from
            # here instead of sorting every applicant of the post.
            models.Index(
                fields=["post", "selection_rank", "preference_rank", "submitted_at", "id"],
                name="application_post_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.legal_name} → {self.post.title}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_shown_active(self) -> bool:
        """Active as the student sees it: a held decision must not show through."""
        return self.published_status in ACTIVE_STATUSES

    @property
    def warnings(self) -> list[dict]:
        return [r for r in self.eligibility if r.get("severity") == "warn"]


PREFERENCE_MOVE = re.compile(r"(?P<old>\d+) → (?P<new>\d+)")


class ApplicationEvent(models.Model):
    """Audit trail of an application: who moved it, when, from what to what, and why.

    ``visible_at`` is when the student may see this change: at once, or at the cycle's
    announcement time for a held decision.
    """

    # No index of its own: appevent_app_created_idx starts with it.
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("application"), db_index=False
    )
    from_status = models.CharField(_("from"), max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    visible_at = models.DateTimeField(_("visible to the student from"), default=timezone.now)

    class Meta:
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "created_at"], name="appevent_app_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '∅'} → {self.get_to_status_display()}"

    def _preference_move(self) -> tuple[str, str] | None:
        """A preference change keeps the status and says "old → new" in ``reason``."""
        if self.from_status != self.to_status:
            return None
        match = PREFERENCE_MOVE.fullmatch(self.reason)
        return (match["old"], match["new"]) if match else None

    @property
    def summary(self) -> str:
        """What happened, in words: submitted, a preference moved, or status → status."""
        if not self.from_status:
            return gettext("Submitted")
        move = self._preference_move()
        if move:
            return gettext("Preference moved from choice %(old)s to choice %(new)s") % {"old": move[0], "new": move[1]}
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def note(self) -> str:
        """The reason given, unless ``summary`` already says it."""
        return "" if self._preference_move() else self.reason
