"""With the Content-Security-Policy enforced, the main pages of every role run without a
single violation: nothing inline is blocked, nothing is loaded from elsewhere."""

import pytest
from django.urls import reverse

from tests.auth import PortalClient
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _pages(world) -> dict[str, list[str]]:
    a = world.a
    return {
        "anonymous": [
            reverse("home"),
            reverse("post_list"),
            reverse("post_detail", args=[a.post.pk]),
            reverse("accounts:login"),
            reverse("accounts:register"),
            reverse("accounts:password_reset"),
            reverse("cultivation:verify_form"),
        ],
        "student": [
            reverse("applicants:profile"),
            reverse("applicants:profile_edit"),
            reverse("applicants:my_applications"),
            reverse("applicants:apply", args=[world.b.post.pk]),
            reverse("placements:my_selection"),
            reverse("cultivation:my_placement_detail", args=[a.placement.pk]),
            reverse("notifications:inbox"),
            reverse("notifications:preferences"),
            reverse("accounts:verify"),
            reverse("privacy:overview"),
            reverse("accounts:logout"),
        ],
        "coordinator": [
            reverse("placements:workspace"),
            reverse("placements:post_create"),
            reverse("placements:post_applicants", args=[a.post.pk]),
            reverse("placements:post_ranking", args=[a.shortlisted.post.pk]),
            reverse("placements:application_detail", args=[a.shortlisted.pk]),
            reverse("placements:slot_list"),
            reverse("placements:interview_detail", args=[a.interview.pk]),
            reverse("cultivation:placement_detail", args=[a.placement.pk]),
            reverse("office_exports:unit"),
            reverse("office_exports:detail", args=[a.export.pk]),
        ],
        "staff": [
            reverse("placements:overview"),
            reverse("accounts:two_factor"),
            # The QR code is an SVG in a data: URI, which img-src allows.
            reverse("accounts:two_factor_enrol"),
            reverse("office_exports:staff"),
            reverse("placements:allocation", args=[world.cycle.pk]),
            reverse("admin:index"),
            reverse("admin:applicants_application_change", args=[a.application.pk]),
            reverse("admin:placements_interview_change", args=[a.interview.pk]),
            reverse("admin:notifications_notification_changelist"),
            reverse("admin:notifications_notification_change", args=[a.notification.pk]),
            reverse("admin:notifications_notification_kinds"),
        ],
    }


def test_csp_main_pages_of_every_role_have_no_violation(browser, live_server, settings):
    settings.AXES_ENABLED = False
    world = build_world()
    users = {"student": world.a.student.user, "coordinator": world.a.coordinator.user, "staff": world.staff}
    problems = []
    for role, urls in _pages(world).items():
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        if role in users:
            client = PortalClient()
            client.force_login(users[role])
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
            )
        context.add_init_script(WATCH)
        page = context.new_page()
        console = []
        page.on("console", lambda message, console=console: console.append(message.text))
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, (role, url, response.status)
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
            page.wait_for_load_state("load")
            violations = page.evaluate("window.__cspViolations")
            blocked = [text for text in console if "Content Security Policy" in text]
            if violations or blocked:
                problems.append((role, url, violations, blocked))
            console.clear()
        context.close()
    assert problems == []


def test_csp_confirm_buttons_still_ask_before_acting(page, live_server):
    """The confirmations moved from inline onclick to static/js: cancelling keeps the
    application, accepting withdraws it."""
    world = build_world()
    client = PortalClient()
    client.force_login(world.a.student.user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.goto(reverse("applicants:my_applications"))
    withdraw = page.get_by_test_id("withdraw").first
    page.once("dialog", lambda dialog: dialog.dismiss())
    withdraw.click()
    page.wait_for_load_state("load")
    world.a.shortlisted.refresh_from_db()
    assert world.a.shortlisted.status == "shortlisted"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        withdraw.click()
    world.a.shortlisted.refresh_from_db()
    assert world.a.shortlisted.status == "withdrawn"
