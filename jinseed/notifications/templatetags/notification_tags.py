from django import template

from ..selectors import inbox_unread_count

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    """Unread inbox messages of ``user`` (0 for an anonymous visitor): one COUNT query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox_unread_count(user=user)
