import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applicants.forms import ProfileForm
from applicants.identity import validate_id_number
from applicants.models import StudentProfile
from jinseed.accounts.models import ContactVerification
from tests import factories
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def _form_data(**overrides):
    data = {
        "legal_name": "金小明",
        "gender": "M",
        "mobile": "13912345678",
        "hukou_town": "zhujing",
        "university": "复旦大学",
        "major": "经济学",
        "degree_level": "bachelor",
        "year_of_study": "2",
        "expected_graduation": f"{timezone.localdate().year + 3}-06-30",
        "id_number": make_id_number(11),  # 17th digit odd: male
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("31011620000517001", "id_format"),
        ("3101162000051700AX", "id_format"),
        ("310116200013170010", "id_birth_date"),  # month 13
        ("310116190001010010", "id_birth_date"),  # 126 years old
        ("310116202501010010", "id_birth_date"),  # one year old
    ],
)
def test_validate_id_number_refuses(value, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        validate_id_number(value, today=TODAY)
    assert exc.value.code == code


def test_validate_id_number_checksum():
    from django.core.exceptions import ValidationError

    good = make_id_number(11)
    validate_id_number(good, today=TODAY)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        validate_id_number(wrong, today=TODAY)
    assert exc.value.code == "id_checksum"


def test_validate_id_number_lowercase_x_accepted():
    from applicants.identity import id_check_char, normalize_id_number

    first17 = "31011620000517003"
    assert id_check_char(first17) == "X"  # the number under test really ends in X
    typed = first17 + "x"
    validate_id_number(typed, today=TODAY)
    assert normalize_id_number(typed) == "31011620000517003X"
    with pytest.raises(ValidationError):
        validate_id_number(first17 + "1", today=TODAY)


def test_profile_form_valid():
    user = factories.UserFactory()
    form = ProfileForm(_form_data(), user=user)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"mobile": "1391234567"}, "mobile", "invalid_mobile"),
        ({"mobile": "23912345678"}, "mobile", "invalid_mobile"),
        ({"gender": "F"}, "id_number", "id_gender_mismatch"),
        ({"consent": ""}, "consent", "consent_required"),
        ({"expected_graduation": "2020-06-30"}, "expected_graduation", "graduation_past"),
        ({"year_of_study": "9"}, "year_of_study", "max_value"),
        ({"hukou_town": "pudong"}, "hukou_town", "invalid_choice"),
        ({"id_number": ""}, "id_number", "required"),
    ],
)
def test_profile_form_refuses(overrides, field, code):
    form = ProfileForm(_form_data(**overrides), user=factories.UserFactory())
    assert form.is_valid() is False
    assert [e.code for e in form.errors.as_data()[field]] == [code]


def test_profile_mobile_with_country_code_is_normalised():
    form = ProfileForm(_form_data(mobile="+86 139-1234-5678"), user=factories.UserFactory())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["mobile"] == "13912345678"


def test_profile_create_stores_consent_time_and_masked_id_and_verifies_the_new_mobile(
    client, sms_outbox, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(mobile="13900000001")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applicants:profile_edit"), _form_data())
    assert response.status_code == 302
    assert response.url == reverse("accounts:verify")
    profile = StudentProfile.objects.get(user=user)
    assert profile.consent_at is not None
    assert profile.consent_version == "2026-1"
    assert profile.id_number == make_id_number(11)
    assert profile.id_number_masked == make_id_number(11)[:6] + "********" + make_id_number(11)[-4:]
    user.refresh_from_db()
    # The new number is taken only once its code is confirmed.
    assert user.mobile == "13900000001"
    assert [mobile for mobile, _text in sms_outbox] == ["13912345678"]
    assert [(c.kind, c.version) for c in user.consents.order_by("kind")] == [
        ("id_number", "2026-1"),
        ("privacy_notice", "2026-1"),
    ]


def test_profile_duplicate_id_number_is_refused(client):
    factories.StudentProfileFactory(id_number=make_id_number(11))
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(reverse("applicants:profile_edit"), _form_data())
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["id_number"]] == ["duplicate_id_number"]
    assert not StudentProfile.objects.filter(user=user).exists()


def test_profile_correction_keeps_id_when_left_empty(client):
    profile = factories.StudentProfileFactory(id_number=make_id_number(11), gender="M")
    client.force_login(profile.user)
    data = _form_data(id_number="", university="同济大学", mobile=profile.user.mobile)
    response = client.post(reverse("applicants:profile_edit"), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.university, profile.id_number) == ("同济大学", make_id_number(11))


def test_profile_page_shows_masked_id_and_eligibility(client, cycle):
    profile = factories.StudentProfileFactory(
        id_number=make_id_number(11), expected_graduation=dt.date(cycle.year, 6, 30)
    )
    client.force_login(profile.user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("applicants:profile"))
    body = response.content.decode()
    assert response.status_code == 200
    assert profile.id_number_masked in body
    assert make_id_number(11) not in body
    assert 'data-eligible="no"' in body
    assert 'data-code="graduating"' in body


def test_privacy_notice_is_public(client):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("applicants:privacy"))
    assert response.status_code == 200
    assert "sensitive personal information" in response.content.decode()


def test_profile_new_mobile_code_is_counted_under_the_clients_address_behind_the_proxy(
    client, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    user = factories.UserFactory(mobile="13900000001")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applicants:profile_edit"),
            _form_data(),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    assert response.status_code == 302
    assert list(ContactVerification.objects.filter(user=user).values_list("ip_address", flat=True)) == ["198.51.100.7"]
