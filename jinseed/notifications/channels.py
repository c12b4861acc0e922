"""Delivery of a rendered message on one channel.

Each sender returns the provider's message id where there is one (SMS), and raises
``TransientDeliveryError`` (or lets an ``OSError`` / SMTP error through)
for a failure worth retrying and ``PermanentDeliveryError`` for one that is not.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .enums import Channel
from .errors import PermanentDeliveryError
from .models import Notification
from .rendering import RenderedMessage, calendar_file
from .sms import get_sms_backend
from .sms_templates import sms_message


def build_email(row: Notification, message: RenderedMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient.email],
        headers={"X-Jinseed-Notification": str(row.pk), "X-Jinseed-Kind": row.kind},
    )
    email.attach_alternative(message.html, "text/html")
    ics = calendar_file(kind=row.kind, context=row.context)
    if ics is not None:
        email.attach("interview.ics", ics, "text/calendar; charset=utf-8; method=" + _ics_method(ics))
    return email


def _ics_method(ics: bytes) -> str:
    return "CANCEL" if b"METHOD:CANCEL" in ics else "REQUEST"


def send_email(row: Notification, message: RenderedMessage) -> None:
    if not row.recipient.email:
        raise PermanentDeliveryError("the recipient has no email address")
    build_email(row, message).send(fail_silently=False)


def send_sms(row: Notification, message: RenderedMessage) -> str:
    """Send the kind's template with its variables; returns the provider's message id."""
    if not row.recipient.mobile:
        raise PermanentDeliveryError("the recipient has no mobile number")
    sms = sms_message(kind=row.kind, context=row.context, text=message.sms)
    return get_sms_backend().send(row.recipient.mobile, sms)


def send_inbox(row: Notification, message: RenderedMessage) -> None:
    """The inbox shows the stored subject and text: marking the row SENT is the delivery."""


SENDERS = {Channel.EMAIL: send_email, Channel.SMS: send_sms, Channel.INBOX: send_inbox}
