"""Staff export applicants to Excel in the browser and download the file; the name that is a
formula comes out as text."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_export_applicants_and_download_the_sheet(page, live_server, transactional_db, settings):
    settings.AXES_ENABLED = False
    cycle = factories.CycleFactory(year=timezone.localdate().year)
    factories.ApplicationFactory(post__cycle=cycle, post__unit__name="金山区档案局", student__legal_name="=1+1")
    staff = factories.StaffFactory(is_superuser=False)
    sign_in(page, staff)

    page.goto("/office/exports/")
    card = page.get_by_test_id("export-applicants")
    card.locator("[name=applicants-cycle]").select_option(str(cycle.pk))
    card.get_by_role("button").click()
    page.wait_for_load_state()
    page.get_by_test_id("export-done").wait_for()
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()

    sheet = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    assert sheet.cell(row=1, column=5).value == "姓名"
    assert sheet.cell(row=2, column=2).value == "金山区档案局"
    assert sheet.cell(row=2, column=5).value == "'=1+1"
    assert sheet.cell(row=2, column=5).data_type == "s"
