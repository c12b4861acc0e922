"""The student's path on a phone, in Chinese: register, complete the profile, filter the
posts, apply to two of them with preferences, and find both in "My applications"."""

import re

import pytest
from django.utils import timezone

from applicants.models import Application, StudentProfile
from positions.enums import Season, UnitKind
from tests import factories
from tests.applicants.helpers import PDF_BYTES
from tests.factories import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways: {width}px"


def test_student_journey_register_verify_profile_filter_apply_follow(page, live_server, transactional_db, sms_outbox):
    year = timezone.localdate().year
    cycle = factories.CycleFactory(year=year, max_applications=3)
    unit = factories.HostUnitFactory(kind=UnitKind.TOWN, name="金山区朱泾镇人民政府")
    first = factories.PostFactory(cycle=cycle, unit=unit, title="社区事务助理", season=Season.SUMMER)
    second = factories.PostFactory(cycle=cycle, title="文旅宣传助理", season=Season.SUMMER)
    factories.PostFactory(cycle=cycle, title="长期项目助理", long_term=True)  # years 3+: filtered out

    # Register.
    page.goto("/accounts/register/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    _fits_phone(page)
    page.fill("#id_email", "xiaoming@example.cn")
    page.fill("#id_mobile", "13966668888")
    page.fill("#id_password1", "Jinshan-Seed-2026")
    page.fill("#id_password2", "Jinshan-Seed-2026")
    page.check("#id_privacy")
    page.locator("#register-form [type=submit]").click()
    page.wait_for_url("**/accounts/register/code/")

    # Prove the mobile number with the code the SMS brought: that finishes the registration.
    _fits_phone(page)
    assert [mobile for mobile, _ in sms_outbox] == ["13966668888"]
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms_outbox[0][1]).group(1)
    page.fill("#id_sms-code", code)
    page.get_by_test_id("confirm-sms").click()
    page.wait_for_url("**/accounts/verify/")
    assert page.get_by_test_id("mobile-verified").is_visible()
    page.get_by_test_id("to-profile").click()
    page.wait_for_url("**/my/profile/edit/")

    # Complete the profile, with the separate consent.
    _fits_phone(page)
    page.fill("[name=legal_name]", "金小明")
    page.select_option("[name=gender]", "M")
    page.select_option("[name=hukou_town]", "zhujing")
    page.fill("[name=university]", "复旦大学")
    page.fill("[name=major]", "经济学")
    page.select_option("[name=degree_level]", "bachelor")
    page.fill("[name=year_of_study]", "1")
    page.fill("[name=expected_graduation]", f"{year + 3}-06-30")
    page.fill("[name=id_number]", make_id_number(11))
    page.check("[name=consent]")
    page.get_by_test_id("profile-submit").click()
    page.wait_for_url("**/my/profile/")
    _fits_phone(page)
    assert page.get_by_test_id("cycle-eligibility").get_attribute("data-eligible") == "yes"
    profile = StudentProfile.objects.get(user__email="xiaoming@example.cn")
    assert profile.consent_at is not None

    # Filter the posts: short-term ones that fit a first-year student.
    page.goto("/posts/")
    _fits_phone(page)
    assert page.get_by_test_id("post-card").count() == 3
    page.get_by_test_id("filter-toggle").click()  # folded on a phone, so that the posts come first
    # Bootstrap marks the panel "show" once it has finished opening: nothing moves after that.
    page.locator("#post-filter-fields.show").wait_for(state="visible")
    page.select_option("[name=term]", "short")
    page.check("[name=fits]")
    page.get_by_test_id("filter-submit").click()
    page.wait_for_url("**/posts/?*")
    assert page.get_by_test_id("post-card").count() == 2
    _fits_phone(page)

    # Apply to both, first and second preference.
    for post, rank in ((first, 1), (second, 2)):
        page.goto(f"/posts/{post.pk}/")
        _fits_phone(page)
        page.get_by_test_id("apply-button").click()
        page.wait_for_url(f"**/posts/{post.pk}/apply/")
        _fits_phone(page)
        page.select_option("[name=preference_rank]", str(rank))
        page.fill("[name=statement]", "我在金山长大，希望利用暑假回到家乡，了解基层工作。")
        page.set_input_files(
            "[name=resume]", files=[{"name": "简历.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
        )
        page.get_by_test_id("application-submit").click()
        page.wait_for_url("**/my/applications/")

    # Follow them.
    _fits_phone(page)
    cards = page.get_by_test_id("application")
    assert cards.count() == 2
    shown = {(c.get_attribute("data-rank"), c.get_attribute("data-status")) for c in cards.all()}
    assert shown == {("1", "submitted"), ("2", "submitted")}
    stored = list(
        Application.objects.filter(student=profile).order_by("preference_rank").values_list("post", flat=True)
    )
    assert stored == [first.pk, second.pk]
    assert Application.objects.filter(student=profile).exclude(resume="").count() == 2
