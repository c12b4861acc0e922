"""Deadline-day submissions against a running portal: ``manage.py bench_apply``.

Two halves. ``bench_prepare`` writes, into the portal's own database, an open cycle with
published posts and ``n`` distinct students who may apply (verified mobile, consent to the ID
number and to the current privacy notice), each already signed in: their sessions are made
directly in the session store (exactly what a sign-in leaves there, the second-factor and
privacy choices included, so that no request of the run writes the session) and their
cookies written to a file. It must run with the server's ``SECRET_KEY``, which signs sessions.

``load_run`` then replays deadline day as an open loop: at each offered rate, submissions
start on a fixed schedule whatever the server answers (a server that falls behind only makes
requests overlap more, as real students do not wait for each other). Each submission is one
student's GET of the application form and POST of it with a small one-page PDF résumé. A 503
is a refusal (the portal's "busy, try again" answer) and counted apart from errors (anything
else but the redirect after a submit, and time-outs).
"""

import asyncio
import datetime as dt
import io
import json
import re
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applicants.enums import DegreeLevel, Gender
from applicants.identity import id_check_char
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.enums import Role
from jinseed.accounts.models import Consent, User
from jinseed.devtools.bench.signin import SESSION_PREFIX, session_data, session_key_new
from jinseed.devtools.bulk import bulk_delete
from jinseed.notifications.models import Notification
from positions.enums import CycleStatus, PostStatus, Season, TermType, Town, UnitKind
from positions.models import Cycle, HostUnit, Post

#: Every row the bench makes is found again by these.
EMAIL_DOMAIN = "apply.bench.invalid"
TITLE = "bench apply"
STATEMENT = "我在金山长大，希望在截止日前回到家乡的单位实践，了解基层工作。"


def _resume_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _id_number(n: int) -> str:
    """A valid Jinshan ID number, distinct for each ``n`` below 1,500 × 900."""
    first17 = f"310116{dt.date(2003, 1, 1) + dt.timedelta(days=n // 900):%Y%m%d}{n % 900 + 100:03d}"
    return first17 + id_check_char(first17)


@transaction.atomic
def bench_prepare(*, students: int, posts: int = 40) -> dict:
    """An open cycle of ``posts`` published posts and ``students`` signed-in students.

    Returns what the load needs: the session cookie's name and, per student, a session key
    and the post they apply to (spread evenly over the posts).
    """
    bench_clean()
    now = timezone.now()
    today = timezone.localdate()
    year = max(Cycle.objects.order_by("-year").values_list("year", flat=True).first() or today.year, 2990) + 1
    cycle = Cycle.objects.create(
        year=year,
        ordinal=year - 2011,
        title=f"{TITLE} {year}",
        status=CycleStatus.OPEN,
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=2),
        interviews_start_at=now + dt.timedelta(days=3),
        interviews_end_at=now + dt.timedelta(days=10),
        placement_starts_on=today + dt.timedelta(days=20),
        placement_ends_on=today + dt.timedelta(days=80),
        max_applications=3,
    )
    units = HostUnit.objects.bulk_create(
        HostUnit(name=f"{TITLE} unit {i}", kind=UnitKind.TOWN, town=list(Town)[i % len(Town)]) for i in range(posts)
    )
    post_rows = Post.objects.bulk_create(
        Post(
            cycle=cycle,
            unit=unit,
            title=f"综合办公室助理 {i}",
            description="协助办公室处理日常事务。",
            duties="文件整理、会议记录。",
            term=TermType.SHORT,
            season=Season.SUMMER,
            min_year_of_study=1,
            max_year_of_study=6,
            headcount=students,
            place_of_work="金山区",
            starts_on=cycle.placement_starts_on,
            ends_on=cycle.placement_ends_on,
            status=PostStatus.PUBLISHED,
            published_at=now,
        )
        for i, unit in enumerate(units)
    )
    users = User.objects.bulk_create(
        User(
            email=f"s{i}@{EMAIL_DOMAIN}",
            password=make_password(None),  # unusable: the bench signs in through sessions
            mobile=f"197{i:08d}",
            mobile_verified_at=now,
            full_name=f"截止日{i}",
            role=Role.STUDENT,
        )
        for i in range(students)
    )
    profiles = []
    for i, user in enumerate(users):
        number = _id_number(i)
        profile = StudentProfile(
            user=user,
            legal_name=f"截止日学生{i}",
            gender=Gender.MALE if int(number[16]) % 2 else Gender.FEMALE,
            hukou_town=Town.ZHUJING,
            university="华东师范大学",
            major="汉语言文学",
            degree_level=DegreeLevel.BACHELOR,
            year_of_study=2,
            expected_graduation=dt.date(year + 2, 6, 30),
            consent_at=now,
            consent_version=settings.PRIVACY_NOTICE_VERSION,
        )
        profile.set_id_number(number)
        profiles.append(profile)
    StudentProfile.objects.bulk_create(profiles)
    Consent.objects.bulk_create(
        Consent(user=user, kind=kind, version=settings.PRIVACY_NOTICE_VERSION, given_at=now)
        for user in users
        for kind in (Consent.Kind.ID_NUMBER, Consent.Kind.PRIVACY_NOTICE)
    )
    store = SessionStore()
    expires = now + dt.timedelta(days=1)
    sessions = [
        Session(session_key=session_key_new(), session_data=store.encode(session_data(user)), expire_date=expires)
        for user in users
    ]
    Session.objects.bulk_create(sessions)
    paths = [reverse("applicants:apply", args=[post.pk]) for post in post_rows]
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "submitted": reverse("applicants:my_applications"),
        "students": [{"session": s.session_key, "path": paths[i % len(paths)]} for i, s in enumerate(sessions)],
    }


def bench_clean() -> int:
    """Delete everything ``bench_prepare`` made and what the runs added; returns the students."""
    users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    cycles = Cycle.objects.filter(title__startswith=TITLE)
    bulk_delete(Notification.objects.filter(recipient__in=users))
    bulk_delete(ApplicationEvent.objects.filter(application__cycle__in=cycles))
    bulk_delete(Application.objects.filter(cycle__in=cycles))
    for post in Post.objects.filter(cycle__in=cycles):
        post.transitions.all().delete()
    bulk_delete(Post.objects.filter(cycle__in=cycles))
    bulk_delete(HostUnit.objects.filter(name__startswith=TITLE))
    bulk_delete(cycles)
    bulk_delete(Consent.objects.filter(user__in=users))
    bulk_delete(StudentProfile.objects.filter(user__in=users))
    bulk_delete(Session.objects.filter(session_key__startswith=SESSION_PREFIX))
    deleted, _ = users.delete()
    return deleted


# --- The load -------------------------------------------------------------------------------


#: A step whose submissions start later than this (p95) behind their schedule measured the
#: load generator, not the portal: it is flagged.
LATE_SECONDS = 0.1


@dataclass
class StepResult:
    rate: float
    seconds: float
    offered: int = 0
    served: int = 0
    refused: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    #: How long a refused student waited for the "busy, try again" page.
    refusal_latencies: list[float] = field(default_factory=list)
    #: How late each submission started against its schedule (the generator's own delay).
    lags: list[float] = field(default_factory=list)
    wall: float = 0.0
    #: CPU seconds the generator itself spent on the step.
    cpu: float = 0.0

    def refuse(self, started: float) -> None:
        self.refused += 1
        self.refusal_latencies.append(time.perf_counter() - started)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def holds(self) -> bool:
        return self.served == self.offered and percentile(self.latencies, 0.95) <= 1.0

    @property
    def generator_late(self) -> bool:
        """The generator could not keep to its schedule: the step measured it, not the portal."""
        return percentile(self.lags, 0.95) > LATE_SECONDS

    def served_rate(self) -> float:
        """Submissions served per second, from the first start to the last answer."""
        span = max(self.wall, self.seconds)
        return self.served / span if span else 0.0

    def generator_cpu_share(self) -> float:
        """The generator's CPU time over the step's wall time (1.0 is one core)."""
        return self.cpu / self.wall if self.wall else 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_FIELD = re.compile(r'name="submit_token" value="([^"]+)"')


class Load:
    """One run against ``base`` with the prepared ``students`` (each submits once).

    Each student is a browser of their own: one new connection (and TLS handshake) per
    submission, kept for its GET and POST, as a phone on deadline day would. The client is
    aiohttp, whose cost per request is small enough for one process to offer the rates the
    portal serves on the same machine; the step still reports how late its submissions
    started and the CPU it used, so that a run that measured the generator says so.
    """

    def __init__(self, *, base: str, data: dict, timeout: float, verify: bool = True):
        self.base = base.rstrip("/")
        self.cookie = data["cookie"]
        self.submitted = data["submitted"]
        self.csrf_cookie = data["csrf_cookie"]
        self.students = list(data["students"])
        self.timeout = timeout
        self.ssl = ssl.create_default_context()
        if not verify:
            self.ssl.check_hostname = False
            self.ssl.verify_mode = ssl.CERT_NONE
        self.resume = _resume_pdf()

    async def submit(self, student: dict, scheduled: float, result: StepResult) -> None:
        started = time.perf_counter()
        result.lags.append(started - scheduled)
        url = self.base + student["path"]
        cookies = {self.cookie: student["session"]}
        try:
            async with asyncio.timeout(self.timeout):
                await self._submit(url, cookies, result, started)
        except TimeoutError:
            result.error("timeout")

    async def _submit(self, url: str, cookies: dict, result: StepResult, started: float) -> None:
        """GET the form, POST it. A submission not answered within ``timeout`` (both requests)
        is a student who gave up: a time-out, counted among the errors."""
        connector = aiohttp.TCPConnector(ssl=self.ssl, limit=1)
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as session:
            try:
                async with session.get(url, headers={"Cookie": _cookies(cookies)}, allow_redirects=False) as page:
                    text = await page.text()
                    if page.status == 503:
                        result.refuse(started)
                        return
                    csrf, token = CSRF_FIELD.search(text), TOKEN_FIELD.search(text)
                    if page.status != 200 or csrf is None or token is None:
                        result.error(f"GET {page.status}")
                        return
                    if self.csrf_cookie in page.cookies:
                        cookies[self.csrf_cookie] = page.cookies[self.csrf_cookie].value
                form = aiohttp.FormData()
                form.add_field("csrfmiddlewaretoken", csrf.group(1))
                form.add_field("submit_token", token.group(1))
                form.add_field("preference_rank", "1")
                form.add_field("statement", STATEMENT)
                form.add_field("resume", self.resume, filename="resume.pdf", content_type="application/pdf")
                headers = {"Cookie": _cookies(cookies), "Referer": url, "Origin": self.base}
                async with session.post(url, headers=headers, data=form, allow_redirects=False) as response:
                    await response.read()
                    status, location = response.status, response.headers.get("Location", "")
            except (aiohttp.ClientError, OSError) as exc:
                result.error(type(exc).__name__)
                return
        if status == 503:
            result.refuse(started)
        elif status == 302 and location.endswith(self.submitted):
            result.served += 1
            result.latencies.append(time.perf_counter() - started)
        else:
            result.error(f"POST {status}")

    async def step(self, rate: float, seconds: float) -> StepResult:
        """Start ``rate × seconds`` submissions on schedule, then wait for the last one."""
        result = StepResult(rate=rate, seconds=seconds)
        count = round(rate * seconds)
        if count > len(self.students):
            raise ValueError(f"{count} submissions need as many prepared students; {len(self.students)} are left")
        batch, self.students = self.students[:count], self.students[count:]
        tasks = []
        cpu = time.process_time()
        began = time.perf_counter()
        for i, student in enumerate(batch):
            scheduled = began + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.submit(student, scheduled, result)))
        await asyncio.gather(*tasks)
        result.wall = time.perf_counter() - began
        result.cpu = time.process_time() - cpu
        result.offered = count
        return result


def _cookies(values: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in values.items())


def load_run(
    *, base: str, data: dict, rates: list[float], seconds: float, timeout: float, pause: float, verify: bool = True
):
    """Each rate in turn (a generator of ``StepResult``), with ``pause`` seconds between."""
    load = Load(base=base, data=data, timeout=timeout, verify=verify)
    for n, rate in enumerate(rates):
        if n:
            time.sleep(pause)
        yield asyncio.run(load.step(rate, seconds))


def students_needed(rates: list[float], seconds: float) -> int:
    return sum(round(rate * seconds) for rate in rates)


def data_write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def data_read(path: Path) -> dict:
    return json.loads(path.read_text())
