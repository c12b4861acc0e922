"""Turning an outbox row into words: subject, HTML and plain text, SMS text, calendar file.

Templates live in ``templates/notifications/<kind>/``: ``subject.txt`` (one line) and
``body.html`` (an HTML fragment written with ``{% translate %}`` / ``{% blocktranslate %}``
around English source text). The email's HTML part wraps the fragment in
``notifications/layout/email.html``; its plain-text part and the inbox text are derived
from the same fragment, so the two parts never say different things.
"""

import re
from dataclasses import dataclass
from email.utils import parseaddr
from html import unescape
from html.parser import HTMLParser
from typing import Any

import icalendar
from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime

from .kinds import KINDS
from .unsubscribe import unsubscribe_url


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    sms: str


def template_context(context: dict) -> dict:
    """The stored JSON context with ``*_at`` as datetimes, ``*_on`` as dates and ``url`` absolute."""

    def convert(key: str, value):
        if isinstance(value, dict):
            return {k: convert(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(key, v) for v in value]
        if isinstance(value, str) and value:
            if key.endswith("_at"):
                parsed = parse_datetime(value)
                return timezone.localtime(parsed) if parsed else value
            if key.endswith("_on"):
                return parse_date(value) or value
            if key.endswith("url") and value.startswith("/"):
                return settings.SITE_URL.rstrip("/") + value
        return value

    return {k: convert(k, v) for k, v in context.items()}


class _TextExtractor(HTMLParser):
    """A small HTML → text conversion for the fragments our templates produce."""

    BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "table", "tr", "ul", "ol"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("  ")
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            if href and not href.startswith("mailto:"):
                self.parts.append(f" <{href}>")

    def handle_data(self, data):
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(fragment: str) -> str:
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    text = unescape("".join(parser.parts))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _render_plain(name: str, ctx: dict[str, Any]) -> str:
    """A plain-text template (subject, SMS) rendered without HTML escaping: a post called
    "R&D" must read "R&D" in a subject line or a text message, not "R&amp;D"."""
    template: Any = get_template(name)
    return str(template.template.render(Context(ctx, autoescape=False)))


def render_message(*, kind: str, context: dict, language: str, recipient=None) -> RenderedMessage:
    """Render ``kind`` with ``context`` in ``language`` (times in Asia/Shanghai)."""
    ctx = {**template_context(context), "recipient": recipient, "site_url": settings.SITE_URL, "kind": kind}
    if recipient is not None and KINDS[kind].recurring:
        ctx["unsubscribe_url"] = unsubscribe_url(user=recipient, kind=kind)
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        subject = " ".join(_render_plain(f"notifications/{kind}/subject.txt", ctx).split())
        fragment = render_to_string(f"notifications/{kind}/body.html", ctx)
        html = render_to_string(
            "notifications/layout/email.html", {**ctx, "subject": subject, "body": fragment, "LANGUAGE_CODE": language}
        )
        sms = " ".join(_render_plain("notifications/layout/sms.txt", {**ctx, "subject": subject}).split())
    return RenderedMessage(subject=subject[:200], text=html_to_text(fragment), html=html, sms=sms)


@dataclass(frozen=True)
class CalendarParty:
    """An organiser or attendee of an invitation: an address and the name calendars show."""

    email: str
    name: str = ""


def programme_office() -> CalendarParty:
    """The organiser of every invitation: the programme office (``PROGRAMME_OFFICE_EMAIL``)."""
    name, address = parseaddr(settings.PROGRAMME_OFFICE_EMAIL)
    return CalendarParty(email=address, name=name)


def _party(party: CalendarParty, **params) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{party.email}")
    if party.name:
        address.params["CN"] = icalendar.vText(party.name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = icalendar.vText(value)
    return address


def calendar_file(
    *,
    kind: str,
    context: dict,
    organizer: CalendarParty | None = None,
    attendee: CalendarParty | None = None,
) -> bytes | None:
    """The iTIP (RFC 5546) calendar of a calendar kind, or None for other kinds.

    One VEVENT with TZID=Asia/Shanghai and the matching VTIMEZONE, so that any calendar
    application shows the interview at the right local time; UID and SEQUENCE let a
    rescheduled or cancelled interview update the event already in the calendar. A REQUEST
    or CANCEL names its ORGANIZER (the programme office unless given) and the ATTENDEE (the
    student, asked to reply), as RFC 5546 requires, so that calendar clients offer to
    accept or decline and apply updates to the event they hold.
    """
    spec = KINDS.get(kind)
    if spec is None or spec.calendar is None:
        return None
    ctx = template_context(context)
    zone = timezone.get_default_timezone()
    cancel = spec.calendar == "CANCEL"
    organizer = organizer or programme_office()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Jinshan Golden Seed programme//jinseed//EN")
    cal.add("version", "2.0")
    cal.add("method", spec.calendar)
    event = icalendar.Event()
    event.add("uid", ctx["interview_uid"])
    event.add("sequence", int(ctx.get("sequence") or 0))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", ctx["starts_at"].astimezone(zone))
    event.add("dtend", ctx["ends_at"].astimezone(zone))
    event.add("summary", f"{ctx['unit_name']} · {ctx['post_title']}")
    where = ctx.get("meeting_url") or ctx.get("address") or ""
    if where:
        event.add("location", where)
    if ctx.get("meeting_url"):
        event.add("url", ctx["meeting_url"])
    event.add("description", "\n".join(filter(None, [ctx["post_title"], where, ctx.get("notes") or ""])))
    event.add("organizer", _party(organizer))
    if attendee is not None:
        event.add(
            "attendee",
            _party(
                CalendarParty(email=attendee.email, name=attendee.name or ctx.get("student_name", "")),
                cutype="INDIVIDUAL",
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                rsvp="FALSE" if cancel else "TRUE",
            ),
        )
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
