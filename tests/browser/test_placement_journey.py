"""The placed student's path on a phone, in Chinese: log in, open "My placement", see the
mentor and the group, download the certificate, and check it on the public verify page."""

import pytest

from placements.cultivation import services
from placements.cultivation.enums import AssessorRole, Grade
from placements.models import Certificate
from placements.selection.enums import PlacementStatus
from tests import factories
from tests.factories import PASSWORD
from tests.placements.cultivation.helpers import assess_and_confirm, make_placement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_placed_student_opens_my_placement_downloads_and_verifies_the_certificate(page, transactional_db):
    cycle = factories.CycleFactory(title="2020年金山区“金种子”培育计划（第九届）")
    unit = factories.HostUnitFactory(name="金山区人力资源和社会保障局")
    coordinator = factories.CoordinatorFactory(unit=unit)
    mentor = factories.MentorFactory(unit=unit, user__full_name="沈建国")
    staff = factories.StaffFactory()
    post = factories.PostFactory(cycle=cycle, unit=unit, headcount=12)
    student = factories.StudentProfileFactory(legal_name="顾佳怡", user__email="jiayi@example.cn")
    placement = make_placement(post=post, student=student, mentor=mentor, status=PlacementStatus.COMPLETED)
    classmates = [make_placement(post=post) for _ in range(10)]
    (group,) = services.groups_form(cycle=cycle, actor=staff)
    services.group_set_leader(group=group, placement=classmates[0], actor=staff)
    assess_and_confirm(
        placement, assessor=coordinator.user, role=AssessorRole.COORDINATOR, grade=Grade.EXCELLENT, staff=staff
    )

    page.goto("/accounts/login/?next=/my/placement/")
    page.fill("#id_username", "jiayi@example.cn")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/my/placement/")

    assert "沈建国" in page.get_by_test_id("mentor").inner_text()
    assert page.get_by_test_id("group-name").inner_text() == group.name
    assert page.get_by_test_id("group-leader").inner_text() == classmates[0].student.legal_name
    members = page.get_by_test_id("group-members").inner_text()
    assert "顾佳怡" in members and classmates[-1].student.legal_name in members

    with page.expect_download() as download_info:
        page.get_by_test_id("download-certificate").click()
    download = download_info.value
    certificate = Certificate.objects.get(placement=placement)
    assert download.suggested_filename == f"certificate-{certificate.code}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.goto("/my/placement/")
    assert page.get_by_test_id("certificate-code").inner_text() == certificate.code
    page.get_by_test_id("verify-link").click()
    page.wait_for_url(f"**/verify/{certificate.code}/")
    assert page.get_by_test_id("verify-ok").is_visible()
    assert page.get_by_test_id("verify-name").inner_text() == "顾**"
    assert page.get_by_test_id("verify-unit").inner_text() == "金山区人力资源和社会保障局"

    # A code with one character changed is refused.
    changed = certificate.code[:-1] + ("2" if certificate.code[-1] != "2" else "3")
    page.goto(f"/verify/{changed}/")
    assert page.get_by_test_id("verify-refused").is_visible()
    assert page.get_by_test_id("verify-ok").count() == 0
