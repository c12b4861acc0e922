import datetime as dt
import hashlib
import hmac

from placements.cultivation.certificates import (
    CertificateText,
    certificate_code_is_well_formed,
    certificate_code_new,
    certificate_code_normalize,
    certificate_pdf,
)


def test_certificate_code_round_trip():
    code = certificate_code_new(year=2020)
    assert code.startswith("JS2020-")
    assert len(code) == 21
    assert certificate_code_is_well_formed(code) is True
    assert certificate_code_is_well_formed(code.lower()) is True
    assert certificate_code_normalize(code.lower().replace("-", "")) == code


def test_certificate_code_altered_character_is_refused():
    code = certificate_code_new(year=2020)
    i = 8
    swapped = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
    assert certificate_code_is_well_formed(swapped) is False
    assert certificate_code_is_well_formed("JS2020-XXXX") is False
    assert certificate_code_is_well_formed("") is False


def test_certificate_pdf_is_a_pdf_with_the_chinese_font():
    text = CertificateText(
        student_name="金同学",
        cycle_title="2020年金山区“金种子”培育计划（第九届）",
        unit_name="金山区图书馆",
        post_title="读者服务助理",
        starts_on=dt.date(2020, 7, 13),
        ends_on=dt.date(2020, 8, 28),
        grade_label="优秀",
        code="JS2020-7KQ2-M9XD-4HTR",
        verify_url="http://127.0.0.1:8000/verify/JS2020-7KQ2-M9XD-4HTR/",
        issued_on=dt.date(2020, 9, 1),
    )
    pdf = certificate_pdf(text)
    assert pdf.startswith(b"%PDF-")
    assert b"WenQuanYiMicroHei" in pdf


# --- The signing key, its fallbacks and the codes made before it existed ---------------------
def _legacy_code(secret_key: str, body: str = "JS2020-7KQ2M9XD") -> str:
    """A code made as before CERTIFICATE_SIGNING_KEY: keyed with SECRET_KEY itself."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    digest = hmac.new(f"jinseed:certificate:{secret_key}".encode(), body.encode(), hashlib.sha256).digest()
    full = body.replace("-", "") + "".join(alphabet[b % len(alphabet)] for b in digest[:4])
    return certificate_code_normalize(full)


def test_certificate_code_rotating_secret_key_keeps_codes_signed_with_the_signing_key(settings):
    settings.CERTIFICATE_SIGNING_KEY = "s" * 40
    code = certificate_code_new(year=2020)
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = []
    assert certificate_code_is_well_formed(code) is True


def test_certificate_code_signing_key_rotates_through_its_fallbacks(settings):
    settings.CERTIFICATE_SIGNING_KEY = "old-signing-key-" + "o" * 30
    code = certificate_code_new(year=2020)
    settings.CERTIFICATE_SIGNING_KEY = "new-signing-key-" + "n" * 30
    assert certificate_code_is_well_formed(code) is False
    settings.CERTIFICATE_SIGNING_KEY_FALLBACKS = ["old-signing-key-" + "o" * 30]
    assert certificate_code_is_well_formed(code) is True


def test_certificate_code_development_signs_as_before_the_signing_key_existed(settings):
    """Without a signing key (development), codes are keyed with SECRET_KEY exactly as they
    were: codes in an existing development database stay valid."""
    settings.CERTIFICATE_SIGNING_KEY = ""
    legacy = _legacy_code(settings.SECRET_KEY)
    assert certificate_code_is_well_formed(legacy) is True
    code = certificate_code_new(year=2021)
    assert code == _legacy_code(settings.SECRET_KEY, body=code[:11] + code[12:16])


def test_certificate_code_made_before_the_signing_key_verifies_while_its_secret_is_listed(settings):
    old_secret = settings.SECRET_KEY
    legacy = _legacy_code(old_secret)
    settings.CERTIFICATE_SIGNING_KEY = "s" * 40
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert certificate_code_is_well_formed(legacy) is True
    settings.SECRET_KEY_FALLBACKS = []
    assert certificate_code_is_well_formed(legacy) is False
