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


#: The Bootstrap class crispy-forms gives each kind of control (``BoundField.widget_type``).
FIELD_CONTROL_CLASS = {
    "select": "select form-select",
    "textarea": "textarea form-control",
}


@register.simple_tag
def form_field(field) -> str:
    """One field (a text, select, textarea or file control) in Bootstrap 5 markup, as
    ``|as_crispy_field`` writes it (label with its asterisk, the control, errors tied to it,
    help text), built in Python: crispy-forms renders a dozen nested templates per field,
    which a page on a busy path (the application form of deadline day) should not pay for.
    Django adds ``required``, ``aria-invalid`` and ``aria-describedby`` to the control."""
    errors = field.errors
    control_class = FIELD_CONTROL_CLASS.get(field.widget_type, "form-control")
    if errors:
        control_class += " is-invalid"
    extra = field.field.widget.attrs.get("class")
    control = field.as_widget(attrs={"class": f"{extra} {control_class}" if extra else control_class})
    feedback = ""
    if errors:
        feedback = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, field.auto_id, error) for n, error in enumerate(errors, start=1)),
            ),
        )
    help_text = ""
    if field.help_text:
        help_text = format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text)
    if field.widget_type == "clearablefile":
        # The file input sits in a block of its own, with its error beside it.
        invalid = mark_safe(' class="is-invalid"') if errors else ""  # a constant attribute
        control = format_html("<div{}>{}{}</div>", invalid, control, feedback)
        feedback = ""
    required = field.field.required
    return format_html(
        '<div id="div_id_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label>{}{}{}</div>',
        field.html_name,
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
        control,
        feedback,
        help_text,
    )
