"""Cycles (届), host units and the training posts they offer.

A post's lifecycle is DRAFT → SUBMITTED → PUBLISHED → CLOSED, with RETURNED when staff ask
the unit for changes; every move goes through ``services.post_transition`` and leaves a
``PostTransition`` row.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jinseed.history import ConfigurationHistory
from jinseed.statemachine import StatusGuarded
from jinseed.storage import PrivateStorage

from .enums import CycleStatus, PostStatus, RuleMode, Season, TermType, Town, UnitKind


def keyword_index(column: str, *, name: str) -> GinIndex:
    """A trigram index (PostgreSQL's ``pg_trgm``) on ``UPPER(column)``: what ``icontains``
    compiles to on PostgreSQL (``UPPER(col) LIKE UPPER('%q%')``), so the public post list's
    keyword search reads the index instead of every row. Patterns shorter than three
    characters (two Chinese characters) have no trigram and are answered without it.
    Created on PostgreSQL only (migration 0006); SQLite searches without an index."""
    return GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=name)


class Cycle(StatusGuarded):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    ordinal = models.PositiveSmallIntegerField(_("edition"), unique=True, help_text=_("The 届 number, e.g. 9."))
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(_("status"), max_length=20, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    interviews_start_at = models.DateTimeField(_("interviews start"))
    interviews_end_at = models.DateTimeField(_("interviews end"))
    placement_starts_on = models.DateField(_("placement starts"))
    placement_ends_on = models.DateField(_("placement ends"))
    announcement_at = models.DateTimeField(
        _("results announced"),
        null=True,
        blank=True,
        help_text=_("Selection decisions taken before this time are held and shown to students together at it."),
    )
    max_applications = models.PositiveSmallIntegerField(
        _("applications per student"), default=3, help_text=_("How many posts a student may apply to in this cycle.")
    )
    graduating_rule = models.CharField(
        _("graduating-year rule"),
        max_length=8,
        choices=RuleMode.choices,
        default=RuleMode.BLOCK,
        help_text=_("Students who graduate in the cycle's year are not eligible."),
    )
    term_year_rule = models.CharField(
        _("term and year-of-study rule"),
        max_length=8,
        choices=RuleMode.choices,
        default=RuleMode.WARN,
        help_text=_("Short-term posts are meant for years 1–2, long-term posts for year 3 and above."),
    )
    offer_valid_hours = models.PositiveSmallIntegerField(
        _("offer validity (hours)"), default=72, help_text=_("How long a student has to accept an offer.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = ConfigurationHistory(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")), name="cycle_registration_order"
            ),
            models.CheckConstraint(
                condition=Q(interviews_end_at__gte=F("interviews_start_at")), name="cycle_interview_order"
            ),
            models.CheckConstraint(
                condition=Q(placement_ends_on__gte=F("placement_starts_on")), name="cycle_placement_order"
            ),
            models.CheckConstraint(condition=Q(max_applications__gte=1), name="cycle_max_applications_positive"),
            models.CheckConstraint(condition=Q(status__in=CycleStatus.values), name="cycle_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == CycleStatus.OPEN

    def registration_is_open(self, at=None) -> bool:
        """Whether a submission made at ``at`` (default: now) is inside the window.

        The window includes its opening instant and excludes its closing one, so a submit one
        second after closing is refused whatever the client's clock says.
        """
        at = at or timezone.now()
        return self.is_open and self.registration_opens_at <= at < self.registration_closes_at

    def results_are_held(self, at=None) -> bool:
        at = at or timezone.now()
        return self.announcement_at is not None and at < self.announcement_at


class HostUnit(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    town = models.CharField(_("town"), max_length=20, choices=Town.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    description = models.TextField(_("about the unit"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = ConfigurationHistory()

    class Meta:
        verbose_name = _("host unit")
        verbose_name_plural = _("host units")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
            models.CheckConstraint(condition=Q(town__in=Town.values), name="unit_town_valid"),
        ]
        indexes = [
            models.Index(fields=["kind", "town"], name="unit_kind_town_idx"),
            # The post list's keyword search (see ``keyword_index``).
            keyword_index("name", name="unit_name_trgm_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitCoordinator(models.Model):
    """A unit coordinator (单位联络员): a user account that acts for exactly one host unit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator", verbose_name=_("user")
    )
    unit = models.ForeignKey(HostUnit, on_delete=models.CASCADE, related_name="coordinators", verbose_name=_("unit"))
    phone = models.CharField(_("office phone"), max_length=30, blank=True)

    history = ConfigurationHistory()

    class Meta:
        verbose_name = _("unit coordinator")
        verbose_name_plural = _("unit coordinators")

    def __str__(self) -> str:
        return f"{self.user} ({self.unit})"


class Post(StatusGuarded):
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="posts", verbose_name=_("cycle"), db_index=False
    )
    unit = models.ForeignKey(
        HostUnit, on_delete=models.PROTECT, related_name="posts", verbose_name=_("unit"), db_index=False
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    duties = models.TextField(_("duties"))
    requirements = models.TextField(_("requirements"), blank=True)
    term = models.CharField(_("term"), max_length=8, choices=TermType.choices)
    season = models.CharField(
        _("vacation"), max_length=8, choices=Season.choices, blank=True, help_text=_("Short-term posts only.")
    )
    min_year_of_study = models.PositiveSmallIntegerField(_("from year of study"), default=1)
    max_year_of_study = models.PositiveSmallIntegerField(_("to year of study"), default=6)
    preferred_majors = models.CharField(_("preferred majors"), max_length=200, blank=True)
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=1)
    place_of_work = models.CharField(_("place of work"), max_length=200)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(_("status"), max_length=12, choices=PostStatus.choices, default=PostStatus.DRAFT)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = ConfigurationHistory(excluded_fields=["created_at", "updated_at", "published_at"])

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["unit__name", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(headcount__gte=1), name="post_headcount_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="post_dates_order"),
            models.CheckConstraint(
                condition=Q(min_year_of_study__gte=1)
                & Q(max_year_of_study__lte=8)
                & Q(max_year_of_study__gte=F("min_year_of_study")),
                name="post_years_of_study_range",
            ),
            models.CheckConstraint(
                condition=(Q(term=TermType.SHORT) & ~Q(season="")) | (Q(term=TermType.LONG) & Q(season="")),
                name="post_season_matches_term",
            ),
            models.CheckConstraint(condition=Q(status__in=PostStatus.values), name="post_status_valid"),
            models.CheckConstraint(condition=Q(term__in=TermType.values), name="post_term_valid"),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"], name="post_cycle_status_idx"),
            models.Index(fields=["unit", "cycle"], name="post_unit_cycle_idx"),
            keyword_index("title", name="post_title_trgm_idx"),
            keyword_index("description", name="post_description_trgm_idx"),
            keyword_index("duties", name="post_duties_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED

    def fits_year_of_study(self, year: int) -> bool:
        return self.min_year_of_study <= year <= self.max_year_of_study


class PostTransition(models.Model):
    """Audit trail of a post's status changes."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("post"))
    from_status = models.CharField(_("from"), max_length=12, choices=PostStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=PostStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("post status change")
        verbose_name_plural = _("post status changes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


def post_import_upload_to(instance, filename: str) -> str:
    # Named by content: the same sheet uploaded twice is stored once.
    return f"post-imports/{instance.file_digest}.xlsx"


class PostImport(models.Model):
    """The audit record of one import of posts from a spreadsheet (see ``positions.imports``).

    Created when staff confirm the preview, together with the background job that applies
    it; the counts are written in the same transaction as the posts, so they always say what
    the import did. The job's status says whether it is still running or has failed.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="post_imports", verbose_name=_("cycle"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_digest = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    file = models.FileField(_("file"), storage=PrivateStorage(), upload_to=post_import_upload_to, max_length=200)
    target_status = models.CharField(
        _("new posts become"), max_length=12, choices=PostStatus.choices, default=PostStatus.DRAFT
    )
    job = models.OneToOneField(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("job")
    )
    #: SHA-256 of the signed preview token that was confirmed: a preview is confirmed once.
    confirm_token = models.CharField(_("confirmed preview"), max_length=64, unique=True, null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    # Counts of rows, not times: "created" alone reads as a timestamp in Chinese.
    rows_created = models.PositiveIntegerField(pgettext_lazy("import rows", "created"), default=0)
    rows_updated = models.PositiveIntegerField(pgettext_lazy("import rows", "updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(pgettext_lazy("import rows", "unchanged"), default=0)
    rows_failed = models.PositiveIntegerField(_("rows with errors"), default=0)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("post import")
        verbose_name_plural = _("post imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    target_status__in=[PostStatus.DRAFT, PostStatus.SUBMITTED, PostStatus.PUBLISHED],
                ),
                name="post_import_target_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.file_name


class PublicPagesVersion(models.Model):
    """One row whose number grows after every committed change to a cycle, a host unit or a
    post: the public pages' cached fragments are kept under it (``positions.pagecache``), so
    a change is shown at once by every web process, whatever cache each one keeps."""

    value = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("public pages version")
        verbose_name_plural = _("public pages versions")

    def __str__(self) -> str:
        return str(self.value)
