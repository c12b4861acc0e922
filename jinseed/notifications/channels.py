"""Delivery of a rendered message on one channel.

Each sender takes the row, its rendered message and the batch's ``DeliverySession``,
returns the provider's message id where there is one (SMS), and raises
``TransientDeliveryError`` (or lets an ``OSError`` / SMTP error through)
for a failure worth retrying and ``PermanentDeliveryError`` for one that is not.
"""

import contextlib
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from jinseed.mail import reply_to, site_message_id

from .enums import Channel
from .errors import PermanentDeliveryError
from .kinds import KINDS
from .models import Notification
from .rendering import CalendarParty, RenderedMessage, calendar_file
from .sms import SmsBackend, get_sms_backend
from .sms_templates import sms_message
from .unsubscribe import unsubscribe_url


class NotificationEmail(EmailMultiAlternatives):
    """An email whose ``multipart/alternative`` ends, when the kind has one, with the iTIP
    calendar (``text/calendar; method=REQUEST`` or ``CANCEL``): the part Outlook, Apple Mail
    and Gmail act on, offering to accept or decline and updating the event they hold. The
    same calendar is attached as ``invite.ics`` for clients that only import files, so the
    message is ``multipart/mixed`` wrapping the alternative and the attachment."""

    calendar: bytes | None = None
    calendar_method: str = ""

    def message(self, *args, **kwargs):
        msg = super().message(*args, **kwargs)
        if self.calendar:
            alternative = next(part for part in msg.walk() if part.get_content_type() == "multipart/alternative")
            part = MIMEText(self.calendar.decode(), "calendar", "utf-8")
            part.set_param("method", self.calendar_method)
            alternative.attach(part)
        return msg


def build_email(row: Notification, message: RenderedMessage) -> EmailMultiAlternatives:
    """The email of an outbox row: text, HTML, the calendar of a calendar kind, the site's
    Message-ID and Reply-To, and for a recurring kind a one-click List-Unsubscribe (RFC 8058)
    with the same link at the foot of the text."""
    spec = KINDS[row.kind]
    headers = {
        "Message-ID": site_message_id(f"notification.{row.pk}"),
        "X-Jinseed-Notification": str(row.pk),
        "X-Jinseed-Kind": row.kind,
    }
    body = message.text
    if spec.recurring:
        url = unsubscribe_url(user=row.recipient, kind=row.kind)
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        with translation.override(row.language):
            body += "\n-- \n" + _("Stop these emails: %(url)s\nNotification settings: %(settings)s\n") % {
                "url": url,
                "settings": settings.SITE_URL.rstrip("/") + reverse("notifications:preferences"),
            }
    email = NotificationEmail(
        subject=message.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient.email],
        reply_to=reply_to(),
        headers=headers,
    )
    email.attach_alternative(message.html, "text/html")
    attendee = CalendarParty(email=row.recipient.email, name=row.context.get("student_name") or row.recipient.full_name)
    ics = calendar_file(kind=row.kind, context=row.context, attendee=attendee)
    if ics is not None:
        email.calendar, email.calendar_method = ics, spec.calendar or "REQUEST"
        email.attach("invite.ics", ics, "application/ics")
    return email


class DeliverySession:
    """What the messages of one batch share: one connection to the mail server, opened for
    the first email and kept for the rest (instead of a connect, EHLO and QUIT per message),
    and one SMS backend. A failed email discards the connection, which may be broken: the
    next email opens a new one. ``close`` ends both at the end of the batch."""

    def __init__(self) -> None:
        self._mail: BaseEmailBackend | None = None
        self._sms: SmsBackend | None = None

    def mail_connection(self) -> BaseEmailBackend:
        if self._mail is None:
            connection = get_connection(fail_silently=False)
            connection.open()
            self._mail = connection
        return self._mail

    def sms_backend(self) -> SmsBackend:
        if self._sms is None:
            self._sms = get_sms_backend()
        return self._sms

    def discard_mail_connection(self) -> None:
        connection, self._mail = self._mail, None
        if connection is not None:
            # A connection that failed may fail again on QUIT; it is of no more use either way.
            with contextlib.suppress(Exception):
                connection.close()

    def close(self) -> None:
        self.discard_mail_connection()
        self._sms = None


def send_email(row: Notification, message: RenderedMessage, session: DeliverySession) -> None:
    if not row.recipient.email:
        raise PermanentDeliveryError("the recipient has no email address")
    email = build_email(row, message)
    email.connection = session.mail_connection()
    if email.send(fail_silently=False) != 1:
        raise PermanentDeliveryError("the mail backend did not take the message")


def send_sms(row: Notification, message: RenderedMessage, session: DeliverySession) -> str:
    """Send the kind's template with its variables; returns the provider's message id."""
    if not row.recipient.mobile:
        raise PermanentDeliveryError("the recipient has no mobile number")
    sms = sms_message(kind=row.kind, context=row.context, text=message.sms)
    return session.sms_backend().send(row.recipient.mobile, sms)


def send_inbox(row: Notification, message: RenderedMessage, session: DeliverySession) -> None:
    """The inbox shows the stored subject and text: marking the row SENT is the delivery."""


SENDERS = {Channel.EMAIL: send_email, Channel.SMS: send_sms, Channel.INBOX: send_inbox}
