"""Certificates: issued for a completed, graded placement; the public page confirms a live
code and refuses a tampered, unknown or revoked one, showing only the masked name."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from placements.cultivation import services
from placements.cultivation.enums import AssessorRole, Grade
from placements.cultivation.services import CultivationError
from placements.models import Certificate
from placements.selection.enums import PlacementStatus
from tests import factories
from tests.placements.cultivation.helpers import assess_and_confirm, make_placement, put_in_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(post, coordinator, staff_user):
    """A completed placement of 顾佳怡 with a confirmed EXCELLENT grade."""
    student = factories.StudentProfileFactory(legal_name="顾佳怡")
    placement = make_placement(post=post, student=student, status=PlacementStatus.COMPLETED)
    assess_and_confirm(
        placement, assessor=coordinator.user, role=AssessorRole.COORDINATOR, grade=Grade.EXCELLENT, staff=staff_user
    )
    return placement


def _tamper(code: str) -> str:
    """The code with one body character changed (the keyed check no longer matches)."""
    i = 7
    return code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]


def test_certificate_issue_is_idempotent_and_carries_the_grade(graded):
    first = services.certificate_issue(placement=graded, actor=graded.student.user)
    again = services.certificate_issue(placement=graded, actor=graded.student.user)
    assert first == again
    assert (first.grade, first.code[:6]) == (Grade.EXCELLENT, f"JS{graded.post.cycle.year}")


def test_certificate_refused_before_completion_or_with_a_fail(post, coordinator, staff_user):
    placement = make_placement(post=post, status=PlacementStatus.ACTIVE)
    with pytest.raises(CultivationError) as exc:
        services.certificate_issue(placement=placement, actor=placement.student.user)
    assert exc.value.code == "not_eligible"
    assess_and_confirm(
        placement, assessor=coordinator.user, role=AssessorRole.COORDINATOR, grade=Grade.FAIL, staff=staff_user, score=1
    )
    put_in_status(placement, PlacementStatus.COMPLETED)
    with pytest.raises(CultivationError):
        services.certificate_issue(placement=placement, actor=placement.student.user)


def test_verify_page_confirms_a_live_certificate_with_masked_name(graded, client):
    client.cookies["django_language"] = "en"
    certificate = services.certificate_issue(placement=graded, actor=graded.student.user)
    response = client.get(reverse("cultivation:verify", args=[certificate.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This certificate is genuine." in page
    assert 'data-testid="verify-name">顾**<' in page
    assert "顾佳怡" not in page
    assert 'data-testid="verify-grade">Excellent<' in page
    assert graded.post.unit.name in page
    assert graded.post.cycle.title in page
    assert graded.student.id_number_masked not in page


def test_verify_page_accepts_lowercase_and_no_dashes(graded, client):
    certificate = services.certificate_issue(placement=graded, actor=graded.student.user)
    loose = certificate.code.replace("-", "").lower()
    assert client.get(reverse("cultivation:verify", args=[loose])).status_code == 200


def test_verify_page_refuses_a_tampered_code(graded, client):
    client.cookies["django_language"] = "en"
    certificate = services.certificate_issue(placement=graded, actor=graded.student.user)
    response = client.get(reverse("cultivation:verify", args=[_tamper(certificate.code)]))
    assert response.status_code == 404
    assert "No valid certificate has this code." in response.content.decode()


def test_verify_page_refuses_a_well_formed_unknown_code(graded, client):
    from placements.cultivation.certificates import certificate_code_new

    assert client.get(reverse("cultivation:verify", args=[certificate_code_new(year=2020)])).status_code == 404


def test_verify_page_refuses_a_revoked_certificate(graded, client, staff_user):
    certificate = services.certificate_issue(placement=graded, actor=graded.student.user)
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="考核结果复核中。")
    assert client.get(reverse("cultivation:verify", args=[certificate.code])).status_code == 404


def test_revoked_certificate_is_not_reissued_by_the_student_but_by_staff(graded, staff_user):
    certificate = services.certificate_issue(placement=graded, actor=graded.student.user)
    with pytest.raises(CultivationError):
        services.certificate_revoke(certificate=certificate, actor=graded.student.user, reason="x")
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="信息有误。")
    with pytest.raises(CultivationError) as exc:
        services.certificate_issue(placement=graded, actor=graded.student.user)
    assert exc.value.code == "revoked"
    new = services.certificate_issue(placement=graded, actor=staff_user)
    assert new.code != certificate.code
    assert Certificate.objects.filter(placement=graded, revoked_at__isnull=True).get() == new


def test_verify_form_redirects_to_the_code_page(client):
    response = client.get(reverse("cultivation:verify_form"), {"code": " js2020-abcd-efgh-jkmn "})
    assert response.status_code == 302
    assert response["Location"] == reverse("cultivation:verify", args=["JS2020-ABCD-EFGH-JKMN"])


def test_student_downloads_the_pdf_and_its_code_verifies(graded, client):
    client.force_login(graded.student.user)
    response = client.get(reverse("cultivation:certificate_download", args=[graded.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    certificate = Certificate.objects.get(placement=graded)
    assert certificate.code in response["Content-Disposition"]
    assert client.get(reverse("cultivation:verify", args=[certificate.code])).status_code == 200


def test_another_student_cannot_download_the_certificate(graded, client):
    client.force_login(factories.StudentProfileFactory().user)
    response = client.get(reverse("cultivation:certificate_download", args=[graded.pk]))
    assert response.status_code == 404
    assert not Certificate.objects.exists()


def test_verify_form_with_a_slash_in_the_code_refuses_it(client):
    response = client.get(reverse("cultivation:verify_form"), {"code": "JS2020/ABCD"})
    assert response.status_code == 404
    assert 'data-testid="verify-refused"' in response.content.decode()


# --- Keys rotate: an issued certificate stays verifiable --------------------------------------
SIGNING_KEY = "certificate-signing-key-for-tests-0123456789"


@pytest.mark.parametrize("old_secret_kept", [True, False])
def test_verify_page_still_confirms_a_certificate_after_secret_key_rotation(graded, client, settings, old_secret_kept):
    settings.CERTIFICATE_SIGNING_KEY = SIGNING_KEY
    certificate = services.certificate_issue(placement=graded, actor=graded.student.user)
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old_secret] if old_secret_kept else []
    assert client.get(reverse("cultivation:verify", args=[certificate.code])).status_code == 200


def test_the_printed_verification_address_is_on_the_site(graded, settings):
    settings.SITE_URL = "https://jinseed.jinshan.example.cn/"
    certificate = services.certificate_issue(placement=graded, actor=graded.student.user)
    pdf = services.certificate_render(certificate=certificate)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"真伪查询：https://jinseed.jinshan.example.cn/verify/{certificate.code}/" in text
    assert "顾佳怡 同学：" in text
