"""Mail as receiving servers and clients judge it: Message-ID on the site's domain, Reply-To the
programme office, one-click List-Unsubscribe (RFC 8058) on recurring kinds, and preview
examples whose links lead somewhere."""

import email
from email import policy
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.urls import Resolver404, resolve, reverse

from jinseed.notifications.channels import build_email
from jinseed.notifications.kinds import KINDS, RECURRING_KINDS
from jinseed.notifications.models import Notification, NotificationPreference
from jinseed.notifications.rendering import render_message
from jinseed.notifications.services import QueuedMessage, notification_queue, notification_queue_many
from jinseed.notifications.unsubscribe import unsubscribe_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://jinseed.jinshan.example.cn"
    settings.REPLY_TO_EMAIL = "金种子办公室 <office@jinshan.example.cn>"


def _email(recipient, kind, run_on_commit, key="e1"):
    with run_on_commit():
        notification_queue(
            recipient=recipient, kind=kind, context=KINDS[kind].example, event_key=key, channels=["email"]
        )
    [sent] = mail.outbox
    return email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)


def test_recurring_kinds_are_the_digest_the_survey_and_the_reminders():
    assert {
        "coordinator_daily_digest",
        "alumni_survey",
        "interview_reminder_24h",
        "interview_reminder_1h",
        "offer_expiring",
    } == RECURRING_KINDS


def test_a_recurring_email_has_one_click_unsubscribe_and_site_headers(recipient, run_on_commit):
    parsed = _email(recipient, "alumni_survey", run_on_commit)
    link = unsubscribe_url(user=recipient, kind="alumni_survey")
    assert link.startswith("https://jinseed.jinshan.example.cn/notifications/unsubscribe/")
    assert parsed["List-Unsubscribe"].strip() == f"<{link}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Message-ID"].endswith("@jinseed.jinshan.example.cn>")
    assert parsed["Reply-To"] == "金种子办公室 <office@jinshan.example.cn>"
    text = parsed.get_body(("plain",)).get_content()
    assert f"Stop these emails: {link}" in text
    assert "Notification settings: https://jinseed.jinshan.example.cn/notifications/preferences/" in text
    assert f'href="{link}"' in parsed.get_body(("html",)).get_content()
    assert resolve(urlsplit(link).path).view_name == "notifications:unsubscribe"


def test_a_one_off_email_has_site_headers_but_no_unsubscribe(recipient, run_on_commit):
    parsed = _email(recipient, "offer_made", run_on_commit)
    assert parsed["List-Unsubscribe"] is None
    assert parsed["Message-ID"].endswith("@jinseed.jinshan.example.cn>")
    assert parsed["Reply-To"] == "金种子办公室 <office@jinshan.example.cn>"


def test_one_click_post_stops_that_kind_by_email_only(client, recipient, run_on_commit):
    link = unsubscribe_url(user=recipient, kind="alumni_survey")
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=recipient).email_muted_kinds == ["alumni_survey"]
    assert csrf_client.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert NotificationPreference.objects.get(user=recipient).email_muted_kinds == ["alumni_survey"]
    with run_on_commit():
        for kind in ("alumni_survey", "offer_expiring"):
            notification_queue(recipient=recipient, kind=kind, context=KINDS[kind].example, event_key=kind)
    assert sorted(Notification.objects.values_list("kind", "channel")) == [
        ("alumni_survey", "inbox"),
        ("offer_expiring", "email"),
        ("offer_expiring", "inbox"),
    ]


def test_the_bulk_queue_respects_an_unsubscribed_kind(recipient):
    other = UserFactory()
    NotificationPreference.objects.create(user=recipient, email_muted_kinds=["alumni_survey"])
    notification_queue_many(
        kind="alumni_survey",
        messages=[
            QueuedMessage(recipient_id=u.pk, context=KINDS["alumni_survey"].example, event_key="s")
            for u in (recipient, other)
        ],
    )
    assert sorted(Notification.objects.values_list("recipient_id", "channel")) == sorted(
        [(recipient.pk, "inbox"), (other.pk, "email"), (other.pk, "inbox")]
    )


def test_the_link_asks_before_stopping_and_refuses_a_forged_token(client, recipient):
    link = urlsplit(unsubscribe_url(user=recipient, kind="coordinator_daily_digest")).path
    response = client.get(link)
    assert response.status_code == 200
    assert '<form method="post">' in response.content.decode()
    assert not NotificationPreference.objects.filter(user=recipient).exists()
    forged = link.replace("/unsubscribe/", "/unsubscribe/x")
    assert client.post(forged).status_code == 404
    assert not NotificationPreference.objects.filter(user=recipient).exists()


def test_preferences_page_turns_a_recurring_kind_back_on(client, recipient):
    NotificationPreference.objects.create(user=recipient, email_muted_kinds=["alumni_survey", "offer_expiring"])
    client.force_login(recipient)
    response = client.get(reverse("notifications:preferences"))
    assert response.context["form"].fields["recurring_email"].initial == sorted(
        RECURRING_KINDS - {"alumni_survey", "offer_expiring"}
    )
    wanted = sorted(RECURRING_KINDS - {"offer_expiring"})
    assert (
        client.post(reverse("notifications:preferences"), {"email": "on", "recurring_email": wanted}).status_code == 302
    )
    assert NotificationPreference.objects.get(user=recipient).email_muted_kinds == ["offer_expiring"]


def test_other_mail_gets_the_site_message_id_and_reply_to(settings, tmp_path):
    settings.EMAIL_BACKEND = "jinseed.mail.LoggingFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    send_mail("验证码", "您的验证码为123456。", None, ["xiaoming@example.cn"])
    [written] = list(tmp_path.iterdir())
    parsed = email.message_from_bytes(written.read_bytes().split(b"\n" + b"-" * 79)[0], policy=policy.default)
    assert parsed["Message-ID"].endswith("@jinseed.jinshan.example.cn>")
    assert parsed["Reply-To"] == "金种子办公室 <office@jinshan.example.cn>"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_preview_example_links_to_routes_that_exist(kind, recipient, settings):
    message = render_message(kind=kind, context=KINDS[kind].example, language="zh-hans", recipient=recipient)
    parser = _Links()
    parser.feed(message.html)
    internal = [href for href in parser.hrefs if href.startswith(settings.SITE_URL)]
    assert internal, parser.hrefs
    for href in internal:
        try:
            resolve(urlsplit(href).path)
        except Resolver404:
            pytest.fail(f"{kind}: {href} leads nowhere")
    row = Notification(pk=1, recipient=recipient, kind=kind, context=KINDS[kind].example, language="zh-hans")
    for word in build_email(row, message).body.split():
        if word.strip("<>").startswith(settings.SITE_URL):
            resolve(urlsplit(word.strip("<>")).path)
