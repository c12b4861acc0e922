"""Playwright driving Debian's Chromium against Django's live server.

The browser tests are marked ``browser``. When Chromium is not installed they are skipped
with a message that says how to install it; CI installs it, so there they always run.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there (fixtures, assertions) are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


def pytest_collection_modifyitems(config, items):
    if chromium_available():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: `apt-get install chromium` to run browser tests")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module of journeys. Playwright's sync API keeps an event loop running
    in this thread while it is open; closing it after the module means the tests that follow
    in the same process (an async view such as /health/ through Django's test client) run
    outside any loop, whatever order the tests come in."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    """A phone-sized page (375 px wide) in Chinese, against the live server."""
    settings.AXES_ENABLED = False
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    # Every wait is on a condition (a URL, a load state, an element) and ends as soon as it
    # holds; the limit only stops a test that will never pass, so it is generous enough for a
    # loaded machine.
    context.set_default_timeout(120_000)
    context.set_default_navigation_timeout(120_000)
    page = context.new_page()
    yield page
    context.close()


# --- helpers shared by the journeys ---------------------------------------------------------------

DEMO_PASSWORD = "jinseed-demo-2020"
AXE_JS = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "axe-core", "axe.min.js")
PHONE = {"width": 375, "height": 667}
DESK = {"width": 1280, "height": 800}


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form, as every role does. Staff and coordinator logins go
    through this one function, so a second factor added to them changes it here only."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from jinseed.accounts.twofactor import second_factor_required
    from tests.auth import totp_code, totp_device

    page.goto("/accounts/login/")
    page.fill("[name=username]", email)
    page.fill("[name=password]", password)
    with page.expect_navigation():
        page.locator("[name=password]").press("Enter")
    assert "/accounts/login/" not in page.url, f"{email} could not log in"
    user = get_user_model().objects.filter(Q(email__iexact=email) | Q(mobile=email)).first()
    if user is not None and second_factor_required(user):
        device = totp_device(user)
        # A code is taken once per period: a second login in the same test may reuse it.
        type(device).objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
        if "/second-factor/verify/" not in page.url:
            page.goto("/accounts/second-factor/verify/")
        page.fill("[name=code]", totp_code(device))
        with page.expect_navigation():
            page.get_by_test_id("second-factor-submit").click()
        assert "/second-factor/" not in page.url, f"{email}: the second factor was refused"


@pytest.fixture
def context_for(browser, live_server, settings):
    """``context_for(viewport)``: a new Chinese browser context against the live server; the
    CSP is bypassed only so that axe-core can be injected (tests of the CSP use their own)."""
    settings.AXES_ENABLED = False
    made = []

    def make(viewport=PHONE, *, bypass_csp: bool = False):
        context = browser.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            base_url=live_server.url,
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(20_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def axe_serious(page) -> list[str]:
    """axe-core's serious and critical WCAG 2 A/AA violations on the page, one line each."""
    if not os.path.exists(AXE_JS):
        pytest.skip("axe-core is not installed: run `npm ci` at the repository root")
    page.add_script_tag(path=AXE_JS)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "best-practice"]});
            return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")
