"""Signing in through the login page, second factor included, as a person would."""

from jinseed.accounts.twofactor import second_factor_required
from tests import factories
from tests.auth import totp_code, totp_device


def sign_in(page, user, *, password: str = factories.PASSWORD, next_url: str = "") -> None:
    """Password, then (staff, coordinators) the code of the authenticator ``totp_device`` gives them."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", password)
    page.press("[name=password]", "Enter")
    page.wait_for_load_state()
    if second_factor_required(user):
        device = totp_device(user)
        if "/second-factor/verify/" not in page.url:
            page.goto("/accounts/second-factor/verify/" + (f"?next={next_url}" if next_url else ""))
        page.fill("[name=code]", totp_code(device))
        page.get_by_test_id("second-factor-submit").click()
        page.wait_for_load_state()
