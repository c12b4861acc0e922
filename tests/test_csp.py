"""The Content-Security-Policy header: strict, on every page; relaxed only for email previews."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("url", ["/", "/posts/", "/accounts/login/", "/accounts/register/", "/verify/"])
def test_csp_header_is_strict_on_public_pages(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == STRICT


def test_csp_header_is_strict_in_the_admin(client):
    client.force_login(StaffFactory())
    response = client.get(reverse("admin:notifications_notification_changelist"))
    assert directives(response["Content-Security-Policy"]) == STRICT


def test_csp_email_preview_allows_inline_styles_and_same_origin_frames_only(client):
    client.force_login(StaffFactory())
    response = client.get(
        reverse("admin:notifications_notification_kind_preview", args=["application_received", "zh-hans"])
    )
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == {
        **STRICT,
        "style-src": "'self' 'unsafe-inline'",
        "frame-ancestors": "'self'",
    }
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_csp_pages_carry_no_inline_script_or_style(client):
    """What the policy would block is not in the pages: no inline script, handler or style."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    templates = [*root.glob("templates/**/*.html"), *root.glob("jinseed/notifications/templates/admin/**/*.html")]
    offending = []
    for path in templates:
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=|\sstyle=", text):
            offending.append(str(path.relative_to(root)))
    assert offending == []
