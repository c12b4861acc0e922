from django.db import models
from django.utils.translation import gettext_lazy as _


class InterviewMode(models.TextChoices):
    VIDEO = "video", _("Video")
    ON_SITE = "on_site", _("On site")


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("Did not attend")
    CANCELLED = "cancelled", _("Cancelled")


class PlacementStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


PLACEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    PlacementStatus.UPCOMING: frozenset({PlacementStatus.ACTIVE, PlacementStatus.CANCELLED}),
    PlacementStatus.ACTIVE: frozenset({PlacementStatus.COMPLETED, PlacementStatus.CANCELLED}),
    PlacementStatus.COMPLETED: frozenset(),
    PlacementStatus.CANCELLED: frozenset(),
}
