"""Staff set up an authenticator in the browser (QR code, secret, a code), see their recovery
codes once, and sign in again with a code; a coordinator signs in with a recovery code."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinseed.accounts import twofactor
from tests import factories
from tests.auth import totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password(page, user, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", factories.PASSWORD)
    page.press("[name=password]", "Enter")
    page.wait_for_load_state()


def test_staff_enrol_then_sign_in_again_with_a_code(page, live_server):
    staff = factories.StaffFactory(is_superuser=False)
    _password(page, staff, "/office/")
    assert page.url == f"{live_server.url}/accounts/second-factor/set-up/?next=/office/"
    qr = page.get_by_test_id("totp-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    totp = TOTP(b32decode(secret))
    page.fill("[name=code]", f"{totp.token():06d}")
    page.get_by_test_id("totp-confirm").click()
    page.wait_for_load_state()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_test_id("recovery-codes-done").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/office/"

    page.context.clear_cookies()
    _password(page, staff, "/office/")
    assert page.url == f"{live_server.url}/accounts/second-factor/verify/?next=/office/"
    # A code is spent once used: as if the next 30-second period had come, whatever the time now.
    TOTPDevice.objects.filter(user=staff).update(last_t=-1, drift=0)
    page.fill("[name=code]", f"{totp.token():06d}")
    page.get_by_test_id("second-factor-submit").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/office/"


def test_coordinator_signs_in_with_a_recovery_code_once(page, live_server):
    coordinator = factories.CoordinatorFactory()
    totp_device(coordinator.user)
    codes = twofactor.recovery_codes_renew(user=coordinator.user)
    _password(page, coordinator.user, "/unit/")
    page.fill("[name=code]", codes[0])
    page.get_by_test_id("second-factor-submit").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/unit/"

    page.context.clear_cookies()
    _password(page, coordinator.user, "/unit/")
    page.fill("[name=code]", codes[0])
    page.get_by_test_id("second-factor-submit").click()
    page.wait_for_load_state()
    assert "/accounts/second-factor/verify/" in page.url
    assert page.get_by_text("恢复码不正确，或已被使用过。").is_visible()
