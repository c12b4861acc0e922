"""The statistics dashboard in a real browser, the Content-Security-Policy enforced: the
charts are drawn (SVG bars with a size) and nothing is blocked."""

import pytest
from django.urls import reverse

from tests import factories
from tests.auth import PortalClient
from tests.browser.test_csp import WATCH
from tests.placements.office.helpers import fill_cycle, make_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_dashboard_draws_its_charts_under_the_csp(browser, live_server, settings):
    settings.AXES_ENABLED = False
    fill_cycle(make_cycle(2031), 8, placed=3)
    fill_cycle(make_cycle(2032), 12, placed=4)
    staff = factories.StaffFactory()
    client = PortalClient()
    client.force_login(staff)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    context.add_init_script(WATCH)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    for url in (reverse("office:dashboard"), reverse("office:alumni_list")):
        response = page.goto(url)
        assert response.status == 200
        assert "style-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert page.evaluate("window.__cspViolations") == []
        assert [text for text in console if "Content Security Policy" in text] == []
    page.goto(reverse("office:dashboard"))
    funnel = page.get_by_test_id("chart-funnel")
    assert funnel.locator("rect").count() == 9
    widths = funnel.locator("rect").evaluate_all("rects => rects.map(r => r.getBBox().width)")
    assert widths[0] > widths[-1] > 0
    fill = page.locator(".office-chart-bar-a").first.evaluate("r => getComputedStyle(r).fill")
    assert fill == "rgb(200, 16, 46)"  # the stylesheet, not an inline style, colours the bars
    assert page.get_by_test_id("growth").inner_text() == "+50.0 %"
    context.close()
