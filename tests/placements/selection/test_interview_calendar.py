"""Interview invitations as calendar clients read them: the iTIP REQUEST / CANCEL names its
organiser and attendee (RFC 5546), travels as a ``text/calendar; method=…`` part of the
``multipart/alternative`` and as an attachment; read by two independent parsers."""

import email
from email import policy

import icalendar
import pytest
import vobject

from applicants.enums import ApplicationStatus as S
from jinseed.notifications.channels import build_email
from jinseed.notifications.models import Notification
from jinseed.notifications.rendering import render_message
from placements.selection import services
from tests.placements.conftest import make_applications, make_slot

pytestmark = pytest.mark.django_db


def _email_of(row: Notification) -> email.message.EmailMessage:
    rendered = render_message(kind=row.kind, context=row.context, language=row.language, recipient=row.recipient)
    return email.message_from_bytes(build_email(row, rendered).message().as_bytes(), policy=policy.default)


def _structure(part, depth=0) -> list[str]:
    lines = ["  " * depth + part.get_content_type()]
    if part.is_multipart():
        for child in part.iter_parts():
            lines += _structure(child, depth + 1)
    return lines


@pytest.fixture
def calendar_emails(post, unit, cycle, coordinator, settings):
    settings.PROGRAMME_OFFICE_EMAIL = "金山区团区委金种子办公室 <jinzhongzi@jinshan.example.cn>"
    (app,) = make_applications(post, 1, status=S.SHORTLISTED)
    student = app.student.user
    interview = services.interview_book(application=app, slot=make_slot(unit, cycle), actor=coordinator.user)
    Notification.objects.filter(kind="interview_invitation").update(status="sent")
    moved = services.interview_reschedule(
        interview=interview, slot=make_slot(unit, cycle, hours=48), actor=coordinator.user
    )
    Notification.objects.filter(kind="interview_rescheduled").update(status="sent")
    services.interview_cancel(interview=moved, actor=coordinator.user, reason="公务")
    rows = {
        row.kind: row
        for row in Notification.objects.filter(recipient=student, channel="email", kind__startswith="interview_")
        .exclude(kind__startswith="interview_reminder")
        .select_related("recipient")
    }
    # The attendee is named as the messages greet the student: by the name on the application.
    student.calendar_name = rows["interview_invitation"].context["student_name"]
    return student, {kind: _email_of(row) for kind, row in rows.items()}


def _calendar_parts(message):
    inline = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    attached = next(p for p in message.walk() if p.get_filename() == "invite.ics")
    return inline, attached


def test_each_message_is_mixed_around_an_alternative_with_the_calendar_part(calendar_emails):
    _student, emails = calendar_emails
    assert sorted(emails) == ["interview_cancelled", "interview_invitation", "interview_rescheduled"]
    for kind, message in emails.items():
        assert _structure(message) == [
            "multipart/mixed",
            "  multipart/alternative",
            "    text/plain",
            "    text/html",
            "    text/calendar",
            "  application/ics",
        ], kind
        inline, attached = _calendar_parts(message)
        method = "CANCEL" if kind == "interview_cancelled" else "REQUEST"
        assert (inline.get_param("method"), inline.get_content_charset()) == (method, "utf-8")
        assert inline.get_content_disposition() is None
        assert attached.get_content_disposition() == "attachment"
        assert inline.get_payload(decode=True) == attached.get_payload(decode=True)


def test_icalendar_reads_organizer_attendee_and_the_update_chain(calendar_emails):
    student, emails = calendar_emails
    events = {}
    for kind, message in emails.items():
        cal = icalendar.Calendar.from_ical(_calendar_parts(message)[0].get_payload(decode=True))
        [event] = cal.walk("VEVENT")
        events[kind] = (str(cal["METHOD"]), event)
        organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
        assert (str(organizer), organizer.params["CN"]) == (
            "mailto:jinzhongzi@jinshan.example.cn",
            "金山区团区委金种子办公室",
        )
        assert str(attendee) == f"mailto:{student.email}"
        assert attendee.params["CN"] == student.calendar_name
        assert (attendee.params["ROLE"], attendee.params["PARTSTAT"]) == ("REQ-PARTICIPANT", "NEEDS-ACTION")
    invitation, moved, cancelled = (
        events[k] for k in ("interview_invitation", "interview_rescheduled", "interview_cancelled")
    )
    assert len({str(e["UID"]) for _m, e in (invitation, moved, cancelled)}) == 1
    assert [e["SEQUENCE"] for _m, e in (invitation, moved, cancelled)] == [0, 1, 2]
    assert [m for m, _e in (invitation, moved, cancelled)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [str(e["STATUS"]) for _m, e in (invitation, moved, cancelled)] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert invitation[1]["ATTENDEE"].params["RSVP"] == "TRUE"
    assert moved[1].decoded("DTSTART") > invitation[1].decoded("DTSTART")


def test_vobject_reads_the_same_invitation(calendar_emails):
    student, emails = calendar_emails
    text = _calendar_parts(emails["interview_rescheduled"])[0].get_payload(decode=True).decode()
    cal = vobject.readOne(text)
    assert cal.method.value == "REQUEST"
    event = cal.vevent
    assert event.organizer.value == "mailto:jinzhongzi@jinshan.example.cn"
    assert event.organizer.params["CN"] == ["金山区团区委金种子办公室"]
    assert event.attendee.value == f"mailto:{student.email}"
    assert {k: event.attendee.params[k] for k in ("RSVP", "ROLE", "PARTSTAT", "CN")} == {
        "RSVP": ["TRUE"],
        "ROLE": ["REQ-PARTICIPANT"],
        "PARTSTAT": ["NEEDS-ACTION"],
        "CN": [student.calendar_name],
    }
    assert event.sequence.value == "1"
    assert event.dtstart.value.tzinfo is not None
    cancel = vobject.readOne(_calendar_parts(emails["interview_cancelled"])[0].get_payload(decode=True).decode())
    assert (cancel.method.value, cancel.vevent.status.value, cancel.vevent.uid.value) == (
        "CANCEL",
        "CANCELLED",
        event.uid.value,
    )
