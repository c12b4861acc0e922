"""Every page of the demo, as each role reaches it by following links, in Chinese.

On each page: no stored code shown raw (a status, a term, a kind), no English sentence
outside names, addresses and links, no serious or critical accessibility issue (axe-core),
and on the student's phone no sideways scrolling.
"""

import re

import pytest
from django.core.management import call_command
from django.db.models import TextChoices

from tests.browser.conftest import DESK, PHONE, axe_serious, login, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = {
    "student@jinseed.demo": (
        PHONE,
        [
            "/",
            "/posts/",
            "/my/profile/",
            "/my/applications/",
            "/my/selection/",
            "/my/placement/",
            "/my/privacy/",
            "/my/alumni/",
            "/notifications/",
            "/privacy/",
        ],
    ),
    "coordinator@jinseed.demo": (DESK, ["/unit/", "/unit/interviews/", "/unit/exports/", "/placements/"]),
    "mentor@jinseed.demo": (DESK, ["/placements/"]),
    "staff@jinseed.demo": (DESK, ["/office/", "/office/alumni/", "/office/exports/", "/selection/", "/placements/"]),
}
# Not pages to read: leaving, files, the admin (Django's own), switches and JSON.
SKIP = re.compile(r"/accounts/logout|/admin/|\.csv|\.pdf|/file/|/resume/|/jobs/|/media/|/i18n/|read-all|/copy/")
PAGES_PER_ROLE = 45


def _codes() -> set[str]:
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    ours = ("applicants", "placements", "positions", "jinseed")
    codes = set()
    for enum in walk(TextChoices):
        if enum.__module__.split(".")[0] in ours:
            codes |= {value for value in enum.values if re.fullmatch(r"[a-z][a-z_]{2,}", value)}
    return codes


# What a page may show in Latin letters: addresses, links and file names are removed first.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|(?<!\w)/[\w/.-]*|\S+\.(?:xlsx|csv|pdf|zip)\b")
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,]+[A-Za-z][a-z']+){2,}")


def _path_key(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def _problems(page, path: str, codes: set[str], *, phone: bool) -> list[str]:
    text = NOT_WORDS.sub(" ", page.evaluate("document.body.innerText"))
    found = []
    raw = sorted({word for word in re.findall(r"[A-Za-z_]+", text) if word in codes})
    if raw:
        found.append(f"{path}: raw codes {raw}")
    english = ENGLISH_SENTENCE.findall(text)
    if english:
        found.append(f"{path}: English {english[:3]}")
    if phone and scroll_width(page) > PHONE["width"]:
        found.append(f"{path}: {scroll_width(page)} px wide at {PHONE['width']}")
    found += [f"{path}: axe {issue}" for issue in axe_serious(page)]
    return found


def _walk(page, starts: list[str], codes: set[str], *, phone: bool) -> tuple[list[str], list[str]]:
    queue, seen, problems = list(starts), {}, []
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0).split("#")[0]
        key = _path_key(path)
        if key in seen or SKIP.search(path):
            continue
        response = page.goto(path)
        seen[key] = path
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        problems += _problems(page, path, codes, phone=phone)
        links = page.eval_on_selector_all(
            "a[href^='/']:not([target=_blank])", "links => links.map(a => a.getAttribute('href'))"
        )
        queue += [link for link in links if _path_key(link) not in seen]
    return sorted(seen.values()), problems


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", students=60, posts=24, verbosity=0)


@pytest.mark.parametrize("email", list(START))
def test_every_page_reads_chinese_fits_and_passes_axe(demo, context_for, email):
    viewport, starts = START[email]
    page = context_for(viewport, bypass_csp=True).new_page()
    login(page, email)
    visited, problems = _walk(page, starts, _codes(), phone=viewport == PHONE)
    assert len(visited) >= len(starts)
    assert problems == []
