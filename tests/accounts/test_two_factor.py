"""The second factor: who must pass it, enrolment, verification, recovery codes, reset."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinseed.accounts import twofactor
from jinseed.audit.models import SecondFactorEvent
from tests import factories
from tests.auth import totp_code, totp_device

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:two_factor_enrol")
VERIFY = reverse("accounts:two_factor_verify")


def _enrolled(user) -> list[str]:
    """``user`` with a confirmed authenticator and recovery codes (returned)."""
    totp_device(user)
    return twofactor.recovery_codes_renew(user=user)


def _expect_redirect(response, page: str, nxt: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{page}?next={quote(nxt)}"


# --- who must pass it -----------------------------------------------------------------------------
def test_unverified_staff_without_device_is_sent_to_enrol_from_the_office(client, staff_user):
    client.force_login(staff_user, verified=False)
    _expect_redirect(client.get("/office/?tab=posts"), ENROL, "/office/?tab=posts")


def test_unverified_staff_with_device_is_sent_to_verify_from_the_admin(client, staff_user):
    _enrolled(staff_user)
    client.force_login(staff_user, verified=False)
    _expect_redirect(client.get("/admin/positions/cycle/"), VERIFY, "/admin/positions/cycle/")


def test_unverified_staff_is_sent_away_from_the_admin_index(client, staff_user):
    client.force_login(staff_user, verified=False)
    _expect_redirect(client.get("/admin/"), ENROL, "/admin/")


def test_unverified_coordinator_is_sent_to_enrol_from_the_unit_pages(client):
    coordinator = factories.CoordinatorFactory()
    client.force_login(coordinator.user, verified=False)
    _expect_redirect(client.get("/unit/"), ENROL, "/unit/")


def test_verified_staff_and_coordinator_open_their_pages(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/office/").status_code == 200
    assert client.get("/admin/").status_code == 200
    coordinator = factories.CoordinatorFactory()
    client.force_login(coordinator.user)
    assert client.get("/unit/").status_code == 200


def test_student_is_not_asked_for_a_second_factor(client, student):
    client.force_login(student.user, verified=False)
    response = client.get(reverse("applicants:my_applications"))
    assert response.status_code == 200


def test_student_who_turned_it_on_is_asked_for_it(client, student):
    _enrolled(student.user)
    client.force_login(student.user)
    _expect_redirect(client.get(reverse("applicants:my_applications")), VERIFY, reverse("applicants:my_applications"))


def test_unverified_staff_may_still_log_out(client, staff_user):
    client.force_login(staff_user, verified=False)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- enrolment ------------------------------------------------------------------------------------
def test_enrol_page_shows_the_qr_code_and_the_secret(client, staff_user):
    client.force_login(staff_user, verified=False)
    response = client.get(ENROL + "?next=/office/")
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in body
    assert twofactor.totp_secret(device) in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_enrol_with_a_correct_code_verifies_the_session_and_shows_ten_codes_once(client, staff_user):
    client.force_login(staff_user, verified=False)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    response = client.post(ENROL, {"code": totp_code(device), "next": "/office/"})
    codes_page = reverse("accounts:two_factor_recovery_codes")
    assert response.status_code == 302
    assert response["Location"] == f"{codes_page}?next=/office/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    shown = client.get(response["Location"])
    codes = list(StaticToken.objects.filter(device__user=staff_user).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in shown.content.decode() for code in codes)
    # Shown once: the page does not show them again.
    again = client.get(codes_page)
    assert again.status_code == 302
    assert again["Location"] == reverse("accounts:two_factor")
    assert client.get("/office/").status_code == 200
    assert SecondFactorEvent.objects.filter(user=staff_user, kind=SecondFactorEvent.Kind.ENROLLED).count() == 1


def test_enrol_with_a_wrong_code_is_refused_with_a_message(client, staff_user):
    client.force_login(staff_user, verified=False)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        "验证码不正确。请输入身份验证器应用中“金种子”当前显示的 6 位数字；并确认手机时间为自动设置。"
    ]
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_enrol_refuses_letters_with_a_message(client, staff_user):
    client.force_login(staff_user, verified=False)
    response = client.post(ENROL, {"code": "abc"})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["请输入身份验证器应用显示的 6 位数字。"]


def test_enrol_cannot_replace_a_device_without_passing_it(client, staff_user):
    _enrolled(staff_user)
    client.force_login(staff_user, verified=False)
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=False).exists()


# --- verification ---------------------------------------------------------------------------------
def test_verify_with_the_app_code_goes_to_next(client, staff_user):
    device = totp_device(staff_user)
    client.force_login(staff_user, verified=False)
    response = client.post(VERIFY, {"code": totp_code(device), "next": "/office/"})
    assert response.status_code == 302
    assert response["Location"] == "/office/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_verify_with_a_wrong_code_is_counted_and_then_locked(client, staff_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # a wait no slow machine outlasts between two posts
    device = totp_device(staff_user)
    client.force_login(staff_user, verified=False)
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    first = client.post(VERIFY, {"code": wrong})
    assert first.status_code == 400
    assert "验证码不正确" in first.context["form"].errors["code"][0]
    # Locked for a while after a wrong code: even the right one waits.
    second = client.post(VERIFY, {"code": totp_code(device)})
    assert second.status_code == 400
    assert second.context["form"].errors["code"][0].startswith("错误次数过多。请等到")
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert DEVICE_ID_SESSION_KEY not in client.session
    # Once the wait is over, the right code works.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1))
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302


def test_recovery_code_works_once(client, staff_user):
    codes = _enrolled(staff_user)
    client.force_login(staff_user, verified=False)
    response = client.post(VERIFY, {"code": codes[3].upper(), "next": "/office/"})
    assert response.status_code == 302
    assert response["Location"] == "/office/"
    assert client.session[DEVICE_ID_SESSION_KEY] == StaticDevice.objects.get(user=staff_user).persistent_id
    assert StaticToken.objects.filter(device__user=staff_user).count() == 9
    assert SecondFactorEvent.objects.filter(user=staff_user, kind=SecondFactorEvent.Kind.RECOVERY_CODE_USED).exists()
    client.logout()
    client.force_login(staff_user, verified=False)
    again = client.post(VERIFY, {"code": codes[3]})
    assert again.status_code == 400
    assert again.context["form"].errors["code"] == ["恢复码不正确，或已被使用过。"]


def test_verify_keeps_next_from_the_redirect(client, staff_user):
    device = totp_device(staff_user)
    client.force_login(staff_user, verified=False)
    first = client.get("/office/alumni/")
    assert first["Location"] == f"{VERIFY}?next=/office/alumni/"
    page = client.get(first["Location"])
    assert 'name="next" value="/office/alumni/"' in page.content.decode()
    done = client.post(VERIFY, {"code": totp_code(device), "next": "/office/alumni/"})
    assert done["Location"] == "/office/alumni/"


def test_password_login_then_verify_reaches_the_page_asked_for(client, staff_user):
    staff_user.set_password("Jinshan-2020-pass")
    staff_user.save()
    device = totp_device(staff_user)
    login = client.post(
        reverse("accounts:login") + "?next=/office/",
        {"username": staff_user.email, "password": "Jinshan-2020-pass"},
    )
    assert login["Location"] == "/office/"
    _expect_redirect(client.get("/office/"), VERIFY, "/office/")
    assert client.post(VERIFY, {"code": totp_code(device), "next": "/office/"})["Location"] == "/office/"
    assert client.get("/office/").status_code == 200


# --- optional for students, reset by staff ----------------------------------------------------------
def test_student_enrols_and_turns_it_off(client, student):
    client.force_login(student.user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=student.user, confirmed=False)
    assert client.post(ENROL, {"code": totp_code(device)}).status_code == 302
    assert twofactor.second_factor_enrolled(student.user)
    response = client.post(reverse("accounts:two_factor_disable"))
    assert response.status_code == 302
    assert not twofactor.second_factor_enrolled(student.user)


def test_coordinator_may_not_turn_it_off(client):
    coordinator = factories.CoordinatorFactory()
    client.force_login(coordinator.user)
    assert client.post(reverse("accounts:two_factor_disable")).status_code == 403
    assert twofactor.second_factor_enrolled(coordinator.user)


def test_staff_reset_a_second_factor_from_the_admin_and_it_is_recorded(client, staff_user):
    coordinator = factories.CoordinatorFactory()
    _enrolled(coordinator.user)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [coordinator.user.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator.user).exists()
    assert not StaticDevice.objects.filter(user=coordinator.user).exists()
    event = SecondFactorEvent.objects.get(user=coordinator.user, kind=SecondFactorEvent.Kind.RESET)
    assert event.actor == staff_user
