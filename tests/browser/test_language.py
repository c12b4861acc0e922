"""An English phone opens the portal in Chinese; English is one click away and stays."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_english_browser_first_sees_chinese_and_english_stays_once_chosen(browser, live_server, settings):
    settings.AXES_ENABLED = False
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/")
        assert page.evaluate("navigator.language") == "en-US"
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.locator(".navbar-brand").inner_text() == "金种子"
        with page.expect_navigation():
            page.locator("form[action='/i18n/setlang/'] button[value=en]").click()
        page.goto("/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator(".navbar-brand").inner_text() == "金种子"
    finally:
        context.close()
