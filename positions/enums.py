from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Town(models.TextChoices):
    """Jinshan District's towns and sub-districts (and its industrial zone)."""

    SHIHUA = "shihua", _("Shihua Sub-district")
    ZHUJING = "zhujing", _("Zhujing Town")
    FENGJING = "fengjing", _("Fengjing Town")
    ZHANGYAN = "zhangyan", _("Zhangyan Town")
    TINGLIN = "tinglin", _("Tinglin Town")
    LYUXIANG = "lyuxiang", _("Lüxiang Town")
    LANGXIA = "langxia", _("Langxia Town")
    JINSHANWEI = "jinshanwei", _("Jinshanwei Town")
    CAOJING = "caojing", _("Caojing Town")
    SHANYANG = "shanyang", _("Shanyang Town")
    INDUSTRIAL_ZONE = "industrial_zone", _("Jinshan Industrial Zone")


class UnitKind(models.TextChoices):
    DISTRICT_BUREAU = "bureau", _("District committee or bureau")
    TOWN = "town", _("Town or sub-district")
    GRASSROOTS = "grassroots", _("Village or neighbourhood committee")
    PUBLIC_INSTITUTION = "institution", _("Public institution")
    ENTERPRISE = "enterprise", _("Enterprise")


class TermType(models.TextChoices):
    SHORT = "short", _("Short-term")
    LONG = "long", _("Long-term")


class Season(models.TextChoices):
    SUMMER = "summer", _("Summer vacation")
    WINTER = "winter", _("Winter vacation")


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("In preparation")
    OPEN = "open", pgettext_lazy("cycle status", "Open")
    SELECTION_CLOSED = "selection_closed", _("Selection closed")
    ARCHIVED = "archived", _("Archived")


CYCLE_TRANSITIONS: dict[str, frozenset[str]] = {
    CycleStatus.DRAFT: frozenset({CycleStatus.OPEN}),
    CycleStatus.OPEN: frozenset({CycleStatus.SELECTION_CLOSED, CycleStatus.DRAFT}),
    CycleStatus.SELECTION_CLOSED: frozenset({CycleStatus.ARCHIVED, CycleStatus.OPEN}),
    CycleStatus.ARCHIVED: frozenset(),
}


class RuleMode(models.TextChoices):
    """What an eligibility rule does when it is not met."""

    BLOCK = "block", _("Block the application")
    WARN = "warn", _("Allow, and flag for the coordinator")
    OFF = "off", _("Do not check")


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned for changes")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


POST_TRANSITIONS: dict[str, frozenset[str]] = {
    PostStatus.DRAFT: frozenset({PostStatus.SUBMITTED}),
    PostStatus.SUBMITTED: frozenset({PostStatus.PUBLISHED, PostStatus.RETURNED}),
    PostStatus.RETURNED: frozenset({PostStatus.SUBMITTED}),
    PostStatus.PUBLISHED: frozenset({PostStatus.CLOSED}),
    PostStatus.CLOSED: frozenset({PostStatus.PUBLISHED}),
}
