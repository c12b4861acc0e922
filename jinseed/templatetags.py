"""Template filters available in every template (registered as builtins in settings)."""

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def when(value):
    """A datetime in Asia/Shanghai with its zone named, inside a ``<time>`` element."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time> <span class="tz">{}</span>',
        local.isoformat(),
        local.strftime("%Y-%m-%d %H:%M"),
        _("Beijing time (UTC+8)"),
    )


@register.filter
def status_badge(value: str) -> str:
    """The Bootstrap colour for a status value."""
    return {
        "published": "success",
        "accepted": "success",
        "sent": "success",
        "completed": "success",
        "open": "success",
        "offered": "primary",
        "shortlisted": "info",
        "interviewed": "info",
        "scheduled": "info",
        "no_show": "warning",
        "submitted": "secondary",
        "draft": "secondary",
        "returned": "warning",
        "queued": "secondary",
        "rejected": "danger",
        "not_selected": "danger",
        "failed": "danger",
        "declined": "dark",
        "withdrawn": "dark",
        "closed": "dark",
        "cancelled": "dark",
    }.get(str(value), "secondary")


@register.simple_tag(takes_context=True)
def can(context, name: str, obj=None) -> bool:
    """``{% can "cultivation.view_placement" placement as allowed %}``: the rule views enforce."""
    from jinseed.authz import can as rule_can

    return rule_can(name, context.get("user") or context["request"].user, obj)


@register.simple_tag
def select_options(field) -> str:
    """The ``<option>`` elements of a bound choice field, the chosen one selected: what the
    widget's templates write, without a template per option (a list's filter form)."""
    value = field.value()
    chosen = "" if value is None else str(value)
    selected = mark_safe(" selected")  # a constant attribute, no data in it
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((key, selected if str(key) == chosen else "", label) for key, label in field.field.choices),
    )
