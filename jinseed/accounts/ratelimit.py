"""Hourly limits on attempts that send messages or create accounts, counted in the database.

The same approach as the verification codes (``verification._check_rate``), whose own rows
are what they count: here each attempt is a ``RateLimitEvent`` row. The row is written and
committed first, then the attempts of the last hour are counted, the new one included: two
processes at once can both be refused at the limit, never both let past it. Refused attempts
count too, so a client that keeps hammering stays refused until it slows down. Rows older
than the window are deleted as the key is counted again.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import RateLimitEvent

WINDOW = timedelta(hours=1)


def rate_limit_allows(*, action: str, key: str | None, limit: int, now=None) -> bool:
    """Record one attempt of ``action`` under ``key``; ``False`` when the last hour's attempts,
    this one included, exceed ``limit``. A missing key (no client address) is not limited."""
    if not key:
        return True
    now = now or timezone.now()
    key = key.strip().lower()[:254]
    with transaction.atomic():
        RateLimitEvent.objects.create(action=action, key=key, at=now)
    recent = RateLimitEvent.objects.filter(action=action, key=key)
    recent.filter(at__lte=now - WINDOW).delete()
    return recent.filter(at__gt=now - WINDOW).count() <= limit
