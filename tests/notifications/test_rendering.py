import email

import icalendar
import pytest
from django.core import mail

from jinseed.notifications.kinds import KINDS
from jinseed.notifications.rendering import calendar_file, html_to_text, render_message
from jinseed.notifications.services import notification_queue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_its_example(kind, language):
    message = render_message(kind=kind, context=KINDS[kind].example, language=language)
    assert message.subject
    assert "\n" not in message.subject
    assert message.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in message.html
    assert message.text.strip()
    assert "{{" not in message.text
    assert "<" not in message.text.replace("<http", "")
    assert message.sms.startswith("【")


def test_onboarding_notice_lists_what_the_student_needs():
    message = render_message(
        kind="offer_accepted_onboarding", context=KINDS["offer_accepted_onboarding"].example, language="en"
    )
    assert message.subject == "Welcome to 共青团上海市金山区委员会: you start on 2020-07-13"
    assert message.text == (
        "Dear 张晓明,\n\n"
        "Thank you for accepting the post 团区委青年发展部实习岗. Here is what you need for your first day.\n\n"
        "- Unit: 共青团上海市金山区委员会\n"
        "- Address: 金山区龙山路555号\n"
        "- Start date: 2020-07-13\n"
        "- Report at: 2020-07-13 08:30 Beijing time (UTC+8)\n"
        "- Mentor: 李老师 (021-57921234)\n"
        "- Group: 第三小组\n\n"
        "Please bring:\n\n"
        "- 身份证\n- 学生证\n- 一寸照片两张\n\n"
        "Open it on the Golden Seed portal <http://127.0.0.1:8000/my/selection/>\n"
    )


def test_times_are_shown_in_shanghai_whatever_the_offset_given():
    context = {**KINDS["offer_expiring"].example, "respond_by_at": "2020-07-03T09:00:00+00:00"}
    message = render_message(kind="offer_expiring", context=context, language="en")
    assert message.subject == "Reminder: answer the offer for 团区委青年发展部实习岗 by 2020-07-03 17:00"


def test_not_shortlisted_states_the_reason():
    message = render_message(
        kind="application_not_shortlisted", context=KINDS["application_not_shortlisted"].example, language="en"
    )
    assert "Reason: 岗位要求的专业方向与您的专业不符。" in message.text


def test_html_to_text_keeps_links_and_lists():
    assert html_to_text('<p>Hi &amp; <a href="https://x.cn/a">there</a></p><ul><li>one</li><li>two</li></ul>') == (
        "Hi & there <https://x.cn/a>\n\n- one\n- two\n"
    )


def test_invitation_calendar_is_a_vevent_in_shanghai_time():
    ics = calendar_file(kind="interview_invitation", context=KINDS["interview_invitation"].example)
    assert b"DTSTART;TZID=Asia/Shanghai:20200628T093000" in ics
    assert b"DTEND;TZID=Asia/Shanghai:20200628T095000" in ics
    cal = icalendar.Calendar.from_ical(ics)
    assert cal["METHOD"] == "REQUEST"
    assert [c["TZID"] for c in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == "interview-7@jinseed"
    assert str(event["LOCATION"]) == "https://meeting.tencent.com/dm/123456789"
    assert event.decoded("DTSTART").isoformat() == "2020-06-28T09:30:00+08:00"


def test_cancelled_calendar_cancels_the_same_event_with_a_higher_sequence():
    cal = icalendar.Calendar.from_ical(
        calendar_file(kind="interview_cancelled", context=KINDS["interview_cancelled"].example)
    )
    [event] = cal.walk("VEVENT")
    assert (cal["METHOD"], str(event["UID"]), event["SEQUENCE"], event["STATUS"]) == (
        "CANCEL",
        "interview-7@jinseed",
        2,
        "CANCELLED",
    )


def test_non_calendar_kind_has_no_calendar():
    assert calendar_file(kind="offer_made", context=KINDS["offer_made"].example) is None


def test_invitation_email_has_text_html_and_ics_parts(recipient, run_on_commit):
    with run_on_commit():
        notification_queue(
            recipient=recipient,
            kind="interview_invitation",
            context=KINDS["interview_invitation"].example,
            event_key="interview:7:invitation",
            channels=["email"],
        )
    [sent] = mail.outbox
    parsed = email.message_from_bytes(sent.message().as_bytes())
    types = [part.get_content_type() for part in parsed.walk() if not part.is_multipart()]
    assert types == ["text/plain", "text/html", "text/calendar", "application/ics"]
    calendar_part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_filename() is None
    assert b"TZID=Asia/Shanghai" in calendar_part.get_payload(decode=True)
    assert b"ATTENDEE;CN=" in calendar_part.get_payload(decode=True)
    assert sent.subject == "Interview invitation: 团区委青年发展部实习岗, 2020-06-28 09:30"


def test_subject_and_sms_are_plain_text_while_the_html_is_escaped():
    context = {**KINDS["application_received"].example, "post_title": 'R&D "Lab" <north>'}
    message = render_message(kind="application_received", context=context, language="en")
    assert message.subject == 'Application received: R&D "Lab" <north>'
    assert 'R&D "Lab" <north>' in message.sms
    assert "R&amp;D &quot;Lab&quot; &lt;north&gt;" in message.html
    assert "<north>" not in message.html
