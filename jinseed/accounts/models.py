"""The portal's user: one account per person, logging in by mobile number or email."""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history import register

from jinseed.history import ConfigurationHistory
from jinseed.logmask import mask_mobile

from .enums import Role
from .managers import UserManager
from .validators import validate_mobile


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email"), max_length=254)
    mobile = models.CharField(_("mobile number"), max_length=11, null=True, blank=True, validators=[validate_mobile])
    full_name = models.CharField(pgettext_lazy("person", "name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    language = models.CharField(
        _("preferred language"), max_length=10, default="zh-hans", choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin access"), default=False, help_text=_("Programme staff who may use the admin site.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    mobile_verified_at = models.DateTimeField(_("mobile number verified"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)

    objects = UserManager()
    #: Roles and permissions only: the history keeps no contact details, no password, nothing
    #: personal that an erasure would have to chase.
    history = ConfigurationHistory(
        excluded_fields=[
            "password",
            "last_login",
            "email",
            "mobile",
            "full_name",
            "language",
            "date_joined",
            "mobile_verified_at",
            "email_verified_at",
        ],
        m2m_fields=["groups", "user_permissions"],
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("view_full_mobile", _("Can show a mobile number unmasked, with a reason"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(fields=["mobile"], name="user_mobile_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]
        indexes = [models.Index(fields=["role"], name="user_role_idx")]

    def __str__(self) -> str:
        # The configuration history keeps neither name nor email: it names the account by number.
        return self.full_name or self.email or _("account %(id)s") % {"id": self.pk}

    @property
    def mobile_masked(self) -> str:
        """``138****0001``: what staff pages show unless the full number is asked for."""
        return mask_mobile(self.mobile) if self.mobile else ""

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = (self.email or "").strip().lower()
        if not self.mobile:
            self.mobile = None
        super().save(*args, **kwargs)

    @property
    def mobile_is_verified(self) -> bool:
        return bool(self.mobile and self.mobile_verified_at)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_programme_staff(self) -> bool:
        return self.is_active and (self.role == Role.STAFF or self.is_superuser)


class ContactVerification(models.Model):
    """A one-time code sent to a mobile number or an email address to prove it is the user's.

    Only a hash of the code is stored (``django.contrib.auth.hashers``). A code lives
    ``VERIFICATION_CODE_TTL_SECONDS``; ``VERIFICATION_MAX_ATTEMPTS`` wrong tries lock it, and a
    new one must be requested. ``target`` is the value being proved: at registration the
    account's own number, on a profile change the new value, which is written to the account
    only once verified. The rows double as the rate-limit ledger (per target and per address).
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("Mobile number")
        EMAIL = "email", _("Email")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("account")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    target = models.CharField(_("number or address"), max_length=254)
    code_hash = models.CharField(_("code (hashed)"), max_length=128)
    ip_address = models.GenericIPAddressField(_("requested from"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact verification")
        verbose_name_plural = _("contact verifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target", "created_at"], name="verification_target_idx"),
            models.Index(fields=["ip_address", "created_at"], name="verification_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class Consent(models.Model):
    """A consent the person gave, to which version of the privacy notice, and whether it was
    withdrawn. A new consent is a new row: the history stays readable on the privacy page."""

    class Kind(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")
        ID_NUMBER = "id_number", _("Processing of the resident ID number (sensitive)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("account"),
        db_index=False,
    )
    kind = models.CharField(_("consent to"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("privacy notice version"), max_length=20)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["user", "kind"], name="consent_user_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.version}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


# Django's permission groups: which permissions each holds, kept with the accounts' history.
register(Group, app="jinseed.accounts", records_class=ConfigurationHistory, m2m_fields=["permissions"])


class RateLimitEvent(models.Model):
    """One attempt at something limited per hour (a password-reset mail, a registration), by
    the key it is counted under (the target address, the client's address). Counted in the
    database, as sent verification codes are, so every web process sees the same count."""

    action = models.CharField(_("action"), max_length=40)
    key = models.CharField(_("key"), max_length=254)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("rate-limited attempt")
        verbose_name_plural = _("rate-limited attempts")
        indexes = [models.Index(fields=["action", "key", "at"], name="rate_limit_action_key_at_idx")]

    def __str__(self) -> str:
        return f"{self.action} · {self.at:%Y-%m-%d %H:%M}"
