"""The outbox API used by every app: queue a message inside the caller's transaction.

A caller passes a recipient, a ``kind`` (see ``kinds.py`` for the kinds and the context each
needs), a JSON-serialisable context and an ``event_key`` naming the event
(``"application:42:decision:shortlisted"``). The same key for the same recipient and
channel never makes a second live row, so a retried service call cannot send twice.
Delivery is published to the broker only once the caller's transaction commits.

When a decision changes before its message has gone out, call ``notification_replace``
with a key that names the new state and ``replaces=`` the prefix shared by every state of
that decision: the queued message is cancelled and the new one queued, in one transaction.
A message held for an announcement time is queued with ``send_after``; the sweeper
publishes it when that time comes, and until then it can be cancelled or replaced.
"""

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from jinseed.accounts.models import User
from jinseed.bulk import BATCH, id_batches

from .enums import Channel, NotificationStatus
from .errors import NotificationContextError
from .kinds import KINDS, RECURRING_KINDS
from .models import OUTBOX, Notification, NotificationPreference
from .tasks import notification_publish

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.INBOX)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def notification_context_validate(*, kind: str, context: dict[str, Any]) -> dict[str, Any]:
    """``context`` checked against the contract of ``kind`` and normalised to plain JSON.

    Raises ``NotificationContextError`` for an unknown kind, a missing or unknown key, a
    missing meeting place, a naive or unreadable ``*_at`` or an unreadable ``*_on``.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise NotificationContextError(f"Unknown notification kind {kind!r}; see jinseed/notifications/kinds.py")
    missing = spec.required - context.keys()
    unknown = context.keys() - spec.required - spec.optional
    if missing or unknown:
        raise NotificationContextError(
            f"Context of {kind!r}: missing {sorted(missing)}, unknown {sorted(unknown)}; see kinds.py"
        )
    for group in spec.one_of:
        if not any(context.get(key) for key in group):
            raise NotificationContextError(f"Context of {kind!r} needs one of {sorted(group)}")
    try:
        plain = json.loads(json.dumps(context, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise NotificationContextError(f"Context of {kind!r} is not JSON-serialisable: {exc}") from exc
    _check_dates(kind, plain)
    return cast(dict[str, Any], plain)


def _check_dates(kind: str, plain: object) -> None:
    items = plain.items() if isinstance(plain, dict) else enumerate(plain) if isinstance(plain, list) else ()
    for key, value in items:
        if isinstance(value, dict | list):
            _check_dates(kind, value)
        elif isinstance(key, str) and key.endswith("_at"):
            parsed = parse_datetime(value) if isinstance(value, str) else None
            if parsed is None or timezone.is_naive(parsed):
                raise NotificationContextError(f"Context of {kind!r}: {key}={value!r} is not an aware datetime")
        elif isinstance(key, str) and key.endswith("_on") and not (isinstance(value, str) and parse_date(value)):
            raise NotificationContextError(f"Context of {kind!r}: {key}={value!r} is not a date")


def notification_channels_for(*, recipient: User, kind: str, requested: Iterable[str] | None = None) -> list[str]:
    """The channels a message goes out on: what the caller allows, filtered by the user's choice.

    The inbox always gets a copy; a decision always goes by email; SMS only when chosen and
    the user has a mobile number. A caller that read the recipient with
    ``select_related("notification_preference")`` saves the query for the preference.
    """
    candidates: list[str] = list(dict.fromkeys(requested)) if requested is not None else list(DEFAULT_CHANNELS)
    for channel in candidates:
        if channel not in Channel.values:
            raise NotificationContextError(f"Unknown channel {channel!r}")
    preference = _preference_of(recipient)
    email = preference.email and kind not in (preference.email_muted_kinds or ())
    return _channels_chosen(
        candidates, email=email, sms=preference.sms, mobile=recipient.mobile, decision=KINDS[kind].decision
    )


def _preference_of(recipient: User) -> NotificationPreference:
    """The recipient's preference, from the recipient when it was read with it (``None`` read
    there means the user has none: the defaults), else from the database."""
    if get_user_model().notification_preference.is_cached(recipient):
        try:
            return recipient.notification_preference
        except NotificationPreference.DoesNotExist:
            return NotificationPreference(user=recipient)
    return NotificationPreference.objects.filter(user=recipient).first() or NotificationPreference(user=recipient)


def _channels_chosen(candidates: list[str], *, email: bool, sms: bool, mobile: str | None, decision: bool) -> list[str]:
    """The rule of ``notification_channels_for`` on plain values (shared with the bulk queue)."""
    return [
        channel
        for channel in candidates
        if channel == Channel.INBOX
        or (channel == Channel.EMAIL and (email or decision))
        or (channel == Channel.SMS and sms and mobile)
    ]


def notification_queue(
    *,
    recipient: User,
    kind: str,
    context: dict[str, Any],
    event_key: str,
    channels: Iterable[str] | None = None,
    send_after: dt.datetime | None = None,
    new_event: bool = False,
) -> list[Notification]:
    """Create one outbox row per channel; publish delivery when the transaction commits.

    ``channels`` limits the channels (default: email, SMS and inbox, as the user chose).
    ``send_after`` holds the message until then (an announcement time, a reminder).
    Returns the rows created; rows that already existed for this event are not repeated.

    ``new_event`` says that ``event_key`` names something created in the caller's own
    transaction (``application:<the new id>:received``): nobody can have queued it, so the
    rows are inserted without the savepoint that otherwise lets a duplicate fall back to
    queueing each channel alone.
    """
    plain = notification_context_validate(kind=kind, context=context)
    if send_after is not None and timezone.is_naive(send_after):
        raise NotificationContextError("send_after must be an aware datetime")
    now = timezone.now()
    due = send_after or now
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    chosen = notification_channels_for(recipient=recipient, kind=kind, requested=channels)
    rows = [
        Notification(
            recipient=recipient,
            channel=channel,
            kind=kind,
            context=plain,
            language=language,
            event_key=event_key,
            send_after=due,
            created_at=now,
            updated_at=now,
        )
        for channel in chosen
    ]
    # A new event (the common case) costs one insert for all its channels. An event already
    # queued for this recipient (a retried service call) or queued concurrently makes the
    # unique constraint refuse the insert; then each channel is queued alone, skipping the
    # live rows, as before.
    if new_event:
        Notification.objects.bulk_create(rows)
    else:
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(rows)
        except IntegrityError:
            rows = [row for row in (_queue_one(row) for row in rows) if row is not None]
    ready = [row.pk for row in rows if row.send_after <= now]
    if ready:
        transaction.on_commit(lambda: notification_publish(notification_ids=ready), robust=True)
    return rows


def _queue_one(row: Notification) -> Notification | None:
    """Save ``row`` unless a live row of its recipient, channel and event exists (or appears
    meanwhile); returns it when saved."""
    live = Notification.objects.filter(
        recipient_id=row.recipient_id, channel=row.channel, event_key=row.event_key
    ).exclude(status=NotificationStatus.CANCELLED)
    if live.exists():
        return None
    try:
        with transaction.atomic():
            row.pk = None
            row.save(force_insert=True)
    except IntegrityError:
        return None  # queued concurrently for the same event: idempotent
    return row


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """One message of ``notification_queue_many``: to whom (a user id), what, and which event."""

    recipient_id: int
    context: dict[str, Any]
    event_key: str


def notification_queue_many(
    *,
    kind: str,
    messages: Sequence[QueuedMessage],
    channels: Iterable[str] | None = None,
    send_after: dt.datetime | None = None,
) -> list[int]:
    """``notification_queue`` for many recipients at once, set-based.

    Same contract as queueing each message alone — every context is checked against
    ``kind``, channels follow each user's choice, an event already live for a recipient and
    channel is not repeated, delivery is published once the caller's transaction commits —
    but the users, their preferences and the live rows are read with one query each per batch
    of recipients and the new rows are written with ``bulk_create``. A row queued
    concurrently for the same event makes the insert (and the caller's transaction) fail
    instead of being skipped: callers hold the locks that make that impossible (the students'
    rows, a cycle's status). Returns the recipient id of each row created (a recipient once
    per channel).
    """
    if not messages:
        return []
    if send_after is not None and timezone.is_naive(send_after):
        raise NotificationContextError("send_after must be an aware datetime")
    spec_keys = None
    plain_contexts = []
    for message in messages:
        # The full check (keys, JSON, dates) on the first context and on every one whose keys
        # differ from the last checked one's or that holds anything but strings; a context of
        # the same keys and plain strings only (what a caller builds in one loop) needs no
        # normalising, and its dates come from the same code as the checked one's.
        keys = message.context.keys()
        if spec_keys is None or keys != spec_keys or not all(type(v) is str for v in message.context.values()):
            plain_contexts.append(notification_context_validate(kind=kind, context=message.context))
            spec_keys = keys
        else:
            plain_contexts.append(message.context)
    candidates: list[str] = list(dict.fromkeys(channels)) if channels is not None else list(DEFAULT_CHANNELS)
    for channel in candidates:
        if channel not in Channel.values:
            raise NotificationContextError(f"Unknown channel {channel!r}")
    users: dict[int, tuple[str, str | None]] = {}
    preferences: dict[int, tuple[bool, bool]] = {}
    live: set[tuple[int, str, str]] = set()
    for batch in id_batches(m.recipient_id for m in messages):
        users.update(
            (pk, (language, mobile))
            for pk, language, mobile in get_user_model()
            .objects.filter(pk__in=batch)
            .values_list("pk", "language", "mobile")
        )
        preferences.update(
            (user_id, (email and kind not in (muted or ()), sms))
            for user_id, email, sms, muted in NotificationPreference.objects.filter(user_id__in=batch).values_list(
                "user_id", "email", "sms", "email_muted_kinds"
            )
        )
        live.update(
            Notification.objects.filter(recipient_id__in=batch, kind=kind)
            .exclude(status=NotificationStatus.CANCELLED)
            .values_list("recipient_id", "channel", "event_key")
        )
    decision = KINDS[kind].decision
    default_preference = (
        NotificationPreference._meta.get_field("email").default,
        NotificationPreference._meta.get_field("sms").default,
    )
    now = timezone.now()
    due = send_after or now
    rows = []
    for message, plain in zip(messages, plain_contexts, strict=True):
        language, mobile = users[message.recipient_id]
        email, sms = preferences.get(message.recipient_id, default_preference)
        for channel in _channels_chosen(candidates, email=email, sms=sms, mobile=mobile, decision=decision):
            key = (message.recipient_id, channel, message.event_key)
            if key in live:
                continue
            live.add(key)
            rows.append(
                Notification(
                    recipient_id=message.recipient_id,
                    channel=channel,
                    kind=kind,
                    context=plain,
                    language=language or settings.LANGUAGE_CODE,
                    event_key=message.event_key,
                    send_after=due,
                    created_at=now,
                    updated_at=now,
                )
            )
    Notification.objects.bulk_create(rows, batch_size=BATCH)
    if due <= now and rows:  # held rows wait for the sweeper
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: notification_publish(notification_ids=ids), robust=True)
    return [row.recipient_id for row in rows]


def notification_cancel(
    *,
    recipient: User | int | None = None,
    event_key: str | None = None,
    event_key_prefix: str | None = None,
    notification_ids: Iterable[int] | None = None,
) -> int:
    """Cancel QUEUED rows (superseded events, or rows staff picked); returns how many.

    A row already claimed by a worker (SENDING) or sent is left alone: it is on its way.
    """
    if event_key is None and event_key_prefix is None and notification_ids is None:
        raise NotificationContextError("notification_cancel needs event_key, event_key_prefix or notification_ids")
    qs = Notification.objects.filter(status=NotificationStatus.QUEUED)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    if event_key is not None:
        qs = qs.filter(event_key=event_key)
    if event_key_prefix is not None:
        qs = qs.filter(event_key__startswith=event_key_prefix)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return OUTBOX.move_many(qs, NotificationStatus.CANCELLED)


def notification_cancel_under(
    *, recipient_ids: Iterable[int], prefixes: Iterable[str] = (), keys: Iterable[str] = ()
) -> int:
    """Cancel the QUEUED rows of ``recipient_ids`` whose event key is one of ``keys`` or starts
    with one of ``prefixes``, for many events at once: one read of what is queued for them,
    then the cancellation of the rows found (a batch of ids at a time)."""
    wanted, exact = set(prefixes), set(keys)
    if not wanted and not exact:
        return 0
    lengths = sorted({len(prefix) for prefix in wanted})
    ids: set[int] = set()
    for batch in id_batches(recipient_ids):
        candidates = Notification.objects.filter(status=NotificationStatus.QUEUED, recipient_id__in=batch)
        ids.update(
            pk
            for pk, key in candidates.values_list("pk", "event_key")
            if key in exact or any(key[:n] in wanted for n in lengths)
        )
    return OUTBOX.move_ids(ids, NotificationStatus.CANCELLED)


@transaction.atomic
def notification_replace(
    *,
    recipient: User,
    kind: str,
    context: dict[str, Any],
    event_key: str,
    replaces: str | None = None,
    channels: Iterable[str] | None = None,
    send_after: dt.datetime | None = None,
) -> list[Notification]:
    """Cancel this recipient's queued messages for the event and queue the new one.

    ``replaces`` is a key prefix covering every state of the decision (default: exactly
    ``event_key``). Both steps share one transaction, so the old message is either
    cancelled together with the new one being queued, or (when a worker had already
    claimed it) sent — never cancelled without its replacement.
    """
    if replaces is None:
        notification_cancel(recipient=recipient, event_key=event_key)
    else:
        notification_cancel(recipient=recipient, event_key_prefix=replaces)
    return notification_queue(
        recipient=recipient, kind=kind, context=context, event_key=event_key, channels=channels, send_after=send_after
    )


@transaction.atomic
def notification_retry(*, notification_ids: Iterable[int]) -> int:
    """Put FAILED rows back in the queue with a fresh set of attempts (staff, from the admin)."""
    now = timezone.now()
    ids = list(
        Notification.objects.select_for_update()
        .filter(pk__in=list(notification_ids), status=NotificationStatus.FAILED)
        .values_list("pk", flat=True)
    )
    OUTBOX.move_many(
        Notification.objects.filter(pk__in=ids),
        NotificationStatus.QUEUED,
        at=now,
        fields={"attempts": 0, "send_after": now, "enqueued_at": None, "claimed_at": None},
    )
    if ids:
        transaction.on_commit(lambda: notification_publish(notification_ids=ids), robust=True)
    return len(ids)


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one inbox message (or all of them) of ``user`` read; returns how many changed."""
    qs = Notification.objects.filter(recipient=user, channel=Channel.INBOX, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def notification_preference_update(
    *, user: User, email: bool, sms: bool, email_muted_kinds: Iterable[str] | None = None
) -> NotificationPreference:
    """Save the user's channels; ``email_muted_kinds`` (recurring kinds not wanted by email) is
    left as it is when not given."""
    defaults: dict[str, Any] = {"email": email, "sms": sms}
    if email_muted_kinds is not None:
        defaults["email_muted_kinds"] = sorted(set(email_muted_kinds) & RECURRING_KINDS)
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults=defaults)
    return preference


@transaction.atomic
def notification_unsubscribe(*, user: User, kind: str) -> NotificationPreference:
    """One click from a recurring email's List-Unsubscribe: stop that kind by email.

    Idempotent (a mail provider may post twice); other kinds and channels are untouched.
    """
    if kind not in RECURRING_KINDS:
        raise NotificationContextError(f"{kind!r} is not a recurring kind")
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    muted = set(preference.email_muted_kinds or ())
    if kind not in muted:
        preference.email_muted_kinds = sorted(muted | {kind})
        preference.save(update_fields=["email_muted_kinds", "updated_at"])
    return preference
