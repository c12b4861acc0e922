"""The demo builder behind ``manage.py seed_demo``: an open and an archived cycle, or bench data.

The command builds everything in one transaction with bulk inserts and does nothing when
the demo is already there, so running it again changes nothing.

The open cycle keeps the 2020 edition (第九届) as the article reports it: the 9-day
registration window, 587 applicants from 115 universities (overseas ones included), 270
posts and 270 selected students in 22 groups of 10–15; 44 more registered students
graduate in the cycle's year and may not apply. Its calendar, though, is moved by whole
days so that ``--as-of`` (default: now) falls on 20 June of that calendar, the fifth day of
registration: the demo is open for registration when it is loaded, with the first days'
history (screening, rolling video interviews, offers) behind it. The labels follow the
dates: the cycle is named by the year of its shifted registration dates (year, edition =
year − 2011, title), and students' ages and graduation dates move by as many years, so the
graduating-year rule has its examples. ``--as-of 2020-06-20`` gives the historical dates and
names themselves: 2020 (第九届) and 2019 (第八届).

Students join several years running, so the demo also holds the year before: the archived
cycle (named by its year, one less), on the same calendar one year earlier: 338 applicants
(the article's figure), each with one application. Its short-term posts ended months before
``--as-of``; its 21 placed students (the demo student among them, with the demo mentor) are
completed, assessed, graded and partly certified, and its forum has answered suggestions.
In the open cycle the demo student holds an accepted offer and an upcoming placement:
"My placement" shows the current one and links to the archived one and its certificate.

Below, "2020" and "2019" name the article's calendar years, which ``Calendar`` shifts.

It seeds every app (positions, applicants, placements), so it lives in ``jinseed.devtools``,
the development-only app that may depend on all the others.
"""

import datetime as dt
import hashlib
import itertools
import math
import random
import zoneinfo
from collections import Counter, defaultdict
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from applicants.enums import APPLICATION_TRANSITIONS, ApplicationStatus, DegreeLevel, EligibilityCode, Gender, Severity
from applicants.identity import digest_id_number, encrypt_id_number, id_check_char, mask_id_number
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.enums import Role
from jinseed.accounts.models import Consent, User
from jinseed.devtools.bulk import bulk_insert
from jinseed.devtools.demo import data
from jinseed.devtools.demo.accounts import demo_sign_in_setup
from placements.models import (
    Activity,
    ActivitySignup,
    AlumniRecord,
    Assessment,
    Certificate,
    Feedback,
    FinalGrade,
    Group,
    GroupMembership,
    Interview,
    Mentor,
    Offer,
    OnboardingTick,
    Placement,
    PlacementEvent,
    Review,
    ReviewCriterion,
    ReviewScore,
)
from placements.selection.enums import InterviewMode, InterviewOutcome, InterviewStatus, OfferStatus, PlacementStatus
from positions.enums import CycleStatus, PostStatus, RuleMode, Season, TermType, Town
from positions.models import Cycle, HostUnit, Post, PostTransition, UnitCoordinator

S = ApplicationStatus
CST = zoneinfo.ZoneInfo("Asia/Shanghai")
#: The year of the article's calendar, which ``Calendar`` shifts. It is not the cycles' label:
#: a cycle is named by the year of its shifted registration dates (``demo_years``).
YEAR = 2020
#: The programme's first edition was held in 2012: a cycle's ordinal is its year minus this.
ORDINAL_BASE = 2011
#: The day of the 2020 calendar that ``--as-of`` becomes: the fifth day of registration.
ANCHOR_DAY = dt.date(YEAR, 6, 20)
DEMO_UNIT = "金山区人力资源和社会保障局"
#: The archived cycle sits on the article's calendar of the year before.
ARCHIVE_YEAR = YEAR - 1
#: Headcounts of the archived cycle's posts: two at the demo unit, then one at each of seven
#: other units; all filled, 21 placed students in all (two groups of 10–15).
ARCHIVE_HEADCOUNTS = (3, 2, 3, 2, 2, 3, 2, 2, 2)
#: The archived cycle's final grades, in the order placements are graded (the demo student's
#: excellent one comes first): 5 of 21 excellent, under the 30 % cap.
ARCHIVE_GRADES = ("excellent",) * 5 + ("good",) * 12 + ("pass",) * 4
#: Distinct students who applied in 2019 (the article's 338, against 2020's 587): the 21
#: placed and the others, not placed.
ARCHIVE_APPLICANTS = 338
#: Other 2019 applicants, not placed, in turn: (final status, path index in PATHS).
ARCHIVE_UNPLACED = (
    (S.NOT_SELECTED, 0),
    (S.NOT_SELECTED, 0),
    (S.NOT_SELECTED, 0),
    (S.NOT_SELECTED, 0),
    (S.REJECTED, 0),
    (S.REJECTED, 1),
    (S.REJECTED, 0),
    (S.DECLINED, 1),
    (S.WITHDRAWN, 2),
    (S.WITHDRAWN, 2),
)
#: Registered students beyond the applicants, per applicant: they graduate in the cycle's
#: year, so the graduating-year rule blocks them (44 beside the demo's 587 applicants).
GRADUATING_SHARE = 0.075
DEMO_MOBILE = "13800000001"
BATCH = 2000

#: How often each final status is drawn for an application (before headcounts cut offers).
STATUS_WEIGHTS = {
    S.SUBMITTED: 14,
    S.SHORTLISTED: 10,
    S.REJECTED: 10,
    S.INTERVIEWED: 7,
    S.OFFERED: 6,
    # About 250 placed students, as the 270 of 2020: enough for 18-27 groups of 10-15 (form_groups).
    S.ACCEPTED: 60,
    S.DECLINED: 4,
    S.NOT_SELECTED: 11,
    S.WITHDRAWN: 8,
}
#: Whose move each status is: the student's own, or the unit's.
STUDENT_MOVES = frozenset({S.SUBMITTED, S.ACCEPTED, S.DECLINED, S.WITHDRAWN})
STUDENT_MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "198",
    "199",
]
STAFF_SIDE_MOBILE_PREFIX = "189"


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals, as an edition is numbered: 9 九, 10 十, 14 十四, 21 二十一."""
    if not 0 < n < 100:
        raise ValueError(f"no edition number for {n}")
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[units] if units else "")


def ordinal_of(year: int) -> int:
    return year - ORDINAL_BASE


def cycle_title(year: int) -> str:
    return f"{year}年金山区“金种子”培育计划（第{chinese_number(ordinal_of(year))}届）"


def demo_years(as_of: dt.datetime) -> tuple[int, int]:
    """The open cycle's year, that in which its shifted registration opens (when the window
    straddles New Year, as with an as-of day of 1–4 January, the year it opens in), and the
    archived one's, the year before."""
    year = Calendar(as_of).at(6, 16, 9).year
    return year, year - 1


def _paths_to(target: str) -> list[list[str]]:
    """Every loop-free walk from SUBMITTED to ``target`` along the transition table."""
    found: list[list[str]] = []

    def walk(path: list[str]) -> None:
        if path[-1] == target:
            found.append(path)
            return
        for nxt in sorted(APPLICATION_TRANSITIONS[path[-1]]):
            if nxt not in path:
                walk([*path, nxt])

    walk([S.SUBMITTED])
    return found


PATHS = {status: _paths_to(status) for status in S.values}


def _mobile(prefix: str, index: int) -> str:
    """A unique-looking 11-digit mobile number; distinct indexes give distinct bodies."""
    return f"{prefix}{(index * 48271 + 1357) % 10**8:08d}"


def vacation_of(day: dt.date) -> str:
    """The vacation a short post falls in by its real dates: the calendar is shifted to today,
    so 2020's summer posts may land in a winter."""
    return Season.WINTER if day.month in (11, 12, 1, 2, 3) else Season.SUMMER


class Calendar:
    """The 2020 calendar moved by whole days so that ``ANCHOR_DAY`` is the as-of day."""

    def __init__(self, as_of: dt.datetime):
        self.shift = as_of.astimezone(CST).date() - ANCHOR_DAY

    def at(self, month: int, day: int, hour: int = 0, minute: int = 0, year: int = YEAR) -> dt.datetime:
        return dt.datetime(year, month, day, hour, minute, tzinfo=CST) + self.shift

    def on(self, month: int, day: int, year: int = YEAR) -> dt.date:
        return dt.date(year, month, day) + self.shift


def _year_back(value):
    """The same day (and time) one year earlier; 29 February becomes the 28th."""
    try:
        return value.replace(year=value.year - 1)
    except ValueError:
        return value.replace(year=value.year - 1, day=28)


class YearBefore(Calendar):
    """The archived cycle's calendar: every date of ``Calendar`` one year earlier, so that
    ``--as-of 2020-06-20`` gives 2019's own dates and any other day keeps the two cycles
    a year apart, day for day."""

    def __init__(self, calendar: Calendar):
        self.shift = calendar.shift

    def at(self, month: int, day: int, hour: int = 0, minute: int = 0, year: int = ARCHIVE_YEAR) -> dt.datetime:
        return _year_back(super().at(month, day, hour, minute, year + 1))

    def on(self, month: int, day: int, year: int = ARCHIVE_YEAR) -> dt.date:
        return _year_back(super().on(month, day, year + 1))


def demo_counts() -> dict[str, int]:
    models = [
        User,
        Cycle,
        HostUnit,
        UnitCoordinator,
        Mentor,
        Post,
        PostTransition,
        StudentProfile,
        Application,
        ApplicationEvent,
        Interview,
        Interview.interviewers.through,
        Offer,
        Placement,
        PlacementEvent,
        OnboardingTick,
        Group,
        GroupMembership,
        Activity,
        ActivitySignup,
        Assessment,
        FinalGrade,
        Certificate,
        Feedback,
        ReviewCriterion,
        Review,
        ReviewScore,
        AlumniRecord,
    ]
    return {m._meta.label: m.objects.count() for m in models}


def demo_fingerprint() -> str:
    """A digest of every seeded table's size and latest change, to prove a rerun changes nothing."""
    parts = [f"{k}={v}" for k, v in demo_counts().items()]
    for model in (User, Cycle, Post, StudentProfile, Application, Interview, Offer, Placement):
        field = {User: "date_joined", Offer: "made_at"}.get(model, "updated_at")
        parts.append(f"{model._meta.label}:{model.objects.aggregate(m=Max(field))['m']}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class DemoBuilder:
    def __init__(self, *, rng: random.Random, n_students: int, n_posts: int, as_of: dt.datetime, log):
        self.rng = rng
        self.n_students = n_students
        self.n_posts = n_posts
        self.cal = Calendar(as_of)
        self.archive_cal = YearBefore(self.cal)
        # The cycles' labels, and the students' years that the rules compare with them, follow
        # the shifted dates: ``years`` is how far the labels move from the article's 2020.
        self.year, self.archive_year = demo_years(as_of)
        self.years = self.year - YEAR
        self.log = log
        self.password = make_password(data.DEMO_PASSWORD)
        self.staff_side_index = 0
        self.raw_models: list = []
        # SQLite stores naive datetimes in the connection's zone; PostgreSQL takes aware ones.
        self.naive_datetimes = None if connection.features.supports_timezones else connection.timezone

    # --- helpers ----------------------------------------------------------------------------
    def name(self, gender: str) -> str:
        rng = self.rng
        surname = rng.choice(data.COMMON_SURNAMES) if rng.random() < 0.6 else rng.choice(data.SURNAMES)
        chars = data.GIVEN_MALE if gender == Gender.MALE else data.GIVEN_FEMALE
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
        return surname + given

    def staff_side_user(self, email: str, role: str, full_name: str | None = None, **extra) -> User:
        self.staff_side_index += 1
        return User(
            email=email,
            mobile=_mobile(STAFF_SIDE_MOBILE_PREFIX, self.staff_side_index),
            full_name=full_name or self.name(self.rng.choice(Gender.values)),
            role=role,
            password=self.password,
            date_joined=self.cal.at(5, 20, 9),
            **extra,
        )

    def timeline(self, start: dt.datetime, end: dt.datetime, steps: int) -> list[dt.datetime]:
        span = (end - start).total_seconds()
        return sorted(start + dt.timedelta(seconds=self.rng.uniform(0.05, 0.98) * span) for _ in range(steps))

    # --- build ------------------------------------------------------------------------------
    def build(self) -> None:
        self.build_cycle()
        self.build_units()
        self.build_posts()
        self.build_students()
        self.build_applications()
        self.build_archive()
        build_cultivation_demo(self)
        build_archive_cultivation(self)
        build_archive_alumni(self)
        build_reviews(self)
        demo_sign_in_setup(staff=self.staff)

    def build_cycle(self) -> None:
        cal = self.cal
        self.opens_at = cal.at(6, 16, 9)
        self.history_ends_at = cal.at(6, 20)  # midnight starting the as-of day
        self.cycle = Cycle.objects.create(
            year=self.year,
            ordinal=ordinal_of(self.year),
            title=cycle_title(self.year),
            status=CycleStatus.OPEN,
            registration_opens_at=self.opens_at,
            registration_closes_at=cal.at(6, 24, 17),
            # Video interviews are held as applications come in, so that the demo has them.
            interviews_start_at=self.opens_at,
            interviews_end_at=cal.at(7, 3, 18),
            placement_starts_on=cal.on(7, 6),
            placement_ends_on=cal.on(6, 30, YEAR + 1),
            announcement_at=None,
            max_applications=3,
            graduating_rule=RuleMode.BLOCK,
            term_year_rule=RuleMode.WARN,
        )
        # Programme staff, not a superuser: the staff group's permissions (demo_sign_in_setup).
        self.staff = self.staff_side_user("staff@jinseed.demo", Role.STAFF, "团区委 金老师", is_staff=True)
        self.staff.save()

    def build_units(self) -> None:
        rng = self.rng
        specs = list(data.UNITS)
        wanted = max(len(specs), math.ceil(self.n_posts / 4.5))
        towns = list(Town.values)
        n = 0
        while len(specs) < wanted:
            kind, pattern = data.EXTRA_UNIT_PATTERNS[n % len(data.EXTRA_UNIT_PATTERNS)]
            town = towns[(n // len(data.EXTRA_UNIT_PATTERNS)) % len(towns)]
            n += 1
            specs.append((pattern.format(town=data.TOWN_NAMES[town], n=n), kind, town, "基层服务单位。"))
        units = []
        for i, (name, kind, town, about) in enumerate(specs):
            street = rng.choice(data.STREETS[town])
            units.append(
                HostUnit(
                    name=name,
                    kind=kind,
                    town=town,
                    address=f"上海市金山区{data.TOWN_NAMES[town]}{street}{rng.randint(1, 2999)}号",
                    contact_name=rng.choice(data.SURNAMES) + rng.choice(["老师", "科长", "主任", "书记"]),
                    contact_phone=f"021-5{rng.randint(7000000, 7999999)}",
                    contact_email=f"unit{i + 1:04d}@jinseed.demo",
                    description=about,
                )
            )
        self.units = HostUnit.objects.bulk_create(units, batch_size=BATCH)
        self.demo_unit = next(u for u in self.units if u.name == DEMO_UNIT)
        self.log(f"units: {len(self.units)}")

        coord_users, mentor_users, mentor_units = [], [], []
        for i, unit in enumerate(self.units):
            if unit is self.demo_unit:
                coord_users.append(self.staff_side_user("coordinator@jinseed.demo", Role.COORDINATOR, "陆晓红"))
                mentor_users.append(self.staff_side_user("mentor@jinseed.demo", Role.MENTOR, "沈建国"))
                mentor_units.append(unit)
            else:
                coord_users.append(self.staff_side_user(f"coordinator{i + 1:04d}@jinseed.demo", Role.COORDINATOR))
            for _ in range(rng.choice((1, 2, 2, 3))):
                mentor_users.append(
                    self.staff_side_user(f"mentor{len(mentor_users) + 1:05d}@jinseed.demo", Role.MENTOR)
                )
                mentor_units.append(unit)
        User.objects.bulk_create(coord_users + mentor_users, batch_size=BATCH)
        self.coordinators = UnitCoordinator.objects.bulk_create(
            [
                UnitCoordinator(user=user, unit=unit, phone=unit.contact_phone)
                for user, unit in zip(coord_users, self.units, strict=True)
            ],
            batch_size=BATCH,
        )
        self.coordinator_user = {c.unit_id: c.user for c in self.coordinators}
        mentors = Mentor.objects.bulk_create(
            [
                Mentor(user=user, unit=unit, job_title=rng.choice(data.MENTOR_TITLES), phone=unit.contact_phone)
                for user, unit in zip(mentor_users, mentor_units, strict=True)
            ],
            batch_size=BATCH,
        )
        self.mentors_by_unit: dict[int, list[Mentor]] = defaultdict(list)
        for mentor in mentors:
            self.mentors_by_unit[mentor.unit_id].append(mentor)
        self.demo_mentor = next(m for m in mentors if m.user.email == "mentor@jinseed.demo")

    def post_for(self, unit: HostUnit, template, status: str) -> Post:
        rng, cal = self.rng, self.cal
        title, description, duties, requirements, majors = template
        roll = rng.random()
        if roll < 0.55:
            term, season = TermType.SHORT, Season.SUMMER
            starts = cal.on(7, 6) + dt.timedelta(days=rng.choice((0, 7, 14)))
            ends = starts + dt.timedelta(days=rng.choice((27, 34, 41)))
            years = (1, rng.choice((2, 2, 3)))
        elif roll < 0.70:
            term, season = TermType.SHORT, Season.WINTER
            starts = cal.on(1, 18, YEAR + 1)
            ends = cal.on(2, 26, YEAR + 1)
            years = (1, rng.choice((2, 2, 3)))
        else:
            term, season = TermType.LONG, ""
            starts, ends = cal.on(7, 13), cal.on(6, 30, YEAR + 1)
            years = (rng.choice((3, 3, 3, 2)), rng.choice((5, 6)))
        if season:
            season = vacation_of(starts)
        return Post(
            cycle=self.cycle,
            unit=unit,
            title=title,
            description=f"{description}{unit.description}",
            duties=duties,
            requirements=requirements,
            term=term,
            season=season,
            min_year_of_study=years[0],
            max_year_of_study=years[1],
            preferred_majors="" if majors == "不限" else majors,
            headcount=rng.choices((1, 2, 3), weights=(45, 35, 20))[0],
            place_of_work=unit.address,
            starts_on=starts,
            ends_on=ends,
            status=status,
            created_by=self.coordinator_user[unit.pk],
            published_at=self.opens_at if status == PostStatus.PUBLISHED else None,
            return_reason="请补充岗位的具体工作内容和带教安排。" if status == PostStatus.RETURNED else "",
        )

    def build_posts(self) -> None:
        rng, cal = self.rng, self.cal
        order = [self.demo_unit] * 6 + [u for u in self.units if u is not self.demo_unit]
        per_unit: dict[int, int] = Counter()
        posts = []
        for i in range(self.n_posts):
            unit = order[i % len(order)] if i < len(order) else rng.choice(self.units)
            templates = data.POST_TEMPLATES[unit.kind]
            template = templates[per_unit[unit.pk] % len(templates)]
            per_unit[unit.pk] += 1
            posts.append(self.post_for(unit, template, PostStatus.PUBLISHED))
        workflow = [PostStatus.DRAFT, PostStatus.SUBMITTED, PostStatus.RETURNED]
        for i in range(max(12, self.n_posts // 100)):
            unit = self.demo_unit if i < 3 else rng.choice(self.units)
            status = workflow[i % 3]
            posts.append(self.post_for(unit, rng.choice(data.POST_TEMPLATES[unit.kind]), status))
        self.posts = Post.objects.bulk_create(posts, batch_size=BATCH)
        Post.objects.filter(cycle=self.cycle).update(created_at=cal.at(6, 1, 10), updated_at=self.opens_at)
        transitions = []
        for post in self.posts:
            coordinator = self.coordinator_user[post.unit_id]
            if post.status == PostStatus.DRAFT:
                continue
            submitted_at = cal.at(6, rng.randint(5, 12), rng.randint(9, 17))
            transitions.append(
                PostTransition(
                    post=post,
                    from_status=PostStatus.DRAFT,
                    to_status=PostStatus.SUBMITTED,
                    actor=coordinator,
                    created_at=submitted_at,
                )
            )
            if post.status in (PostStatus.PUBLISHED, PostStatus.RETURNED):
                transitions.append(
                    PostTransition(
                        post=post,
                        from_status=PostStatus.SUBMITTED,
                        to_status=post.status,
                        actor=self.staff,
                        reason=post.return_reason,
                        created_at=self.opens_at if post.status == PostStatus.PUBLISHED else cal.at(6, 15, 16),
                    )
                )
        PostTransition.objects.bulk_create(transitions, batch_size=BATCH)
        self.published = [p for p in self.posts if p.status == PostStatus.PUBLISHED]
        self.log(f"posts: {len(self.posts)}")

    def student_facts(self, university: str, overseas: bool) -> dict:
        rng = self.rng
        major = rng.choice(data.MAJORS)
        if any(marker in university for marker in data.VOCATIONAL_MARKERS):
            degree, length = DegreeLevel.ASSOCIATE, 3
            year = rng.choices((1, 2, 3), weights=(45, 45, 10))[0]
        else:
            roll = rng.random()
            if roll < (0.70 if overseas else 0.85):
                degree = DegreeLevel.BACHELOR
                length = 5 if major in data.FIVE_YEAR_MAJORS else 4
                year = rng.choices(range(1, length + 1), weights=(32, 32, 28, 8, 6)[:length])[0]
            elif roll < 0.97:
                degree, length = DegreeLevel.MASTER, 3
                year = rng.choices((1, 2, 3), weights=(45, 45, 10))[0]
            else:
                degree, length = DegreeLevel.DOCTORATE, 4
                year = rng.randint(1, 3)
        entry_age = {DegreeLevel.MASTER: 22, DegreeLevel.DOCTORATE: 25}.get(degree, 18)
        # September of this year, the academic year before the cycle's summer being year ``year``.
        entered = self.year - year
        birth = dt.date(entered - entry_age, 1, 1) + dt.timedelta(days=rng.randrange(365 + 240))
        return {
            "major": major,
            "degree_level": degree,
            "year_of_study": year,
            "expected_graduation": dt.date(entered + length, 6, 30),
            "birth": birth,
        }

    def id_number(self, birth: dt.date, gender: str) -> str:
        region = "310228" if birth.year <= 1996 else "310116"
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            value = first17 + id_check_char(first17)
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def build_students(self) -> None:
        rng = self.rng
        self.used_ids: set[str] = set()
        universities = list(data.UNIVERSITIES)
        rng.shuffle(universities)
        weights = [1 if overseas else (6 if name.startswith("上海") else 2) for name, overseas in universities]
        towns = list(Town.values)
        town_weights = [14, 12, 10, 6, 12, 7, 5, 8, 6, 14, 6]
        user_ids, profile_ids = self.table_ids(User), self.table_ids(StudentProfile)
        consent_ids = self.table_ids(Consent)
        consents = []
        users, profiles, self.students = [], [], []
        now = self.sql_datetime(timezone.now())
        n_graduating = round(self.n_students * GRADUATING_SHARE)
        for i in range(self.n_students + n_graduating):
            demo = i == 0
            graduating = i >= self.n_students
            if demo:
                university, overseas = "华东师范大学", False
                gender = Gender.FEMALE
                facts = {
                    "major": "汉语言文学",
                    "degree_level": DegreeLevel.BACHELOR,
                    "year_of_study": 2,
                    "expected_graduation": dt.date(self.year + 2, 6, 30),
                    "birth": dt.date(2000 + self.years, 9, 12),
                }
                full_name, email, mobile = "顾佳怡", "student@jinseed.demo", DEMO_MOBILE
            else:
                # Every university once, then by weight: about 115 universities in the demo.
                if i - 1 < len(universities):
                    university, overseas = universities[i - 1]
                else:
                    university, overseas = rng.choices(universities, weights=weights)[0]
                gender = rng.choice(Gender.values)
                facts = self.student_facts(university, overseas)
                while (facts["expected_graduation"].year <= self.year) != graduating:
                    facts = self.student_facts(university, overseas)
                full_name = self.name(gender)
                email = f"student{i:06d}@jinseed.demo"
                mobile = _mobile(STUDENT_MOBILE_PREFIXES[i % len(STUDENT_MOBILE_PREFIXES)], i)
            joined = self.opens_at + dt.timedelta(minutes=rng.randint(5, 60 * 60))
            joined = self.sql_datetime(min(joined, self.history_ends_at - dt.timedelta(minutes=rng.randint(10, 600))))
            user_id, profile_id = next(user_ids), next(profile_ids)
            users.append(
                (
                    user_id,
                    self.password,
                    False,
                    email,
                    mobile,
                    full_name,
                    Role.STUDENT,
                    "zh-hans",
                    True,
                    False,
                    joined,
                    joined,
                )
            )
            # Demo students proved their number at sign-up, consented to the ID number under
            # the notice of their year and accepted the current notice since.
            consents.append((next(consent_ids), user_id, Consent.Kind.ID_NUMBER, "2020-1", joined))
            consents.append(
                (next(consent_ids), user_id, Consent.Kind.PRIVACY_NOTICE, settings.PRIVACY_NOTICE_VERSION, joined)
            )
            id_number = self.id_number(facts["birth"], gender)
            profiles.append(
                (
                    profile_id,
                    user_id,
                    full_name,
                    gender,
                    encrypt_id_number(id_number),
                    digest_id_number(id_number),
                    mask_id_number(id_number),
                    self.sql_date(facts["birth"]),
                    Town.ZHUJING if demo else rng.choices(towns, weights=town_weights)[0],
                    university,
                    overseas,
                    facts["major"],
                    facts["degree_level"],
                    facts["year_of_study"],
                    self.sql_date(facts["expected_graduation"]),
                    joined,
                    "2020-1",
                    now,
                    now,
                )
            )
            self.students.append(
                Student(profile_id, user_id, facts["year_of_study"], facts["major"], facts["expected_graduation"].year)
            )
        bulk_insert(
            User,
            "id password is_superuser email mobile full_name role language is_active is_staff date_joined "
            "mobile_verified_at",
            users,
        )
        bulk_insert(Consent, "id user kind version given_at", consents)
        bulk_insert(
            StudentProfile,
            "id user legal_name gender id_number_encrypted id_number_digest id_number_masked birth_date hukou_town "
            "university university_overseas major degree_level year_of_study expected_graduation consent_at "
            "consent_version created_at updated_at",
            profiles,
        )
        self.demo_student = self.students[0]
        self.log(f"students: {len(self.students)}")

    # --- raw inserts --------------------------------------------------------------------------
    # The large tables are written with ``jinseed.devtools.bulk.bulk_insert`` and ids chosen here.
    def table_ids(self, model):
        start = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.raw_models.append(model)
        return itertools.count(start)

    def sql_datetime(self, value: dt.datetime):
        """What ``connection.ops.adapt_datetimefield_value`` gives, without its per-call cost."""
        if self.naive_datetimes is None:
            return value
        return str(value.astimezone(self.naive_datetimes).replace(tzinfo=None))

    def sql_date(self, value: dt.date):
        return connection.ops.adapt_datefield_value(value)

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), self.raw_models)
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    # --- applications -------------------------------------------------------------------------
    def build_applications(self) -> None:
        rng = self.rng
        by_year: dict[int, tuple[list[Post], list[float]]] = {}
        for year in range(1, 9):
            fitting = [p for p in self.published if p.fits_year_of_study(year)]
            weights = [(3.0 if p.unit_id == self.demo_unit.pk else 1.0) * rng.uniform(0.3, 2.0) for p in fitting]
            by_year[year] = (fitting, list(itertools.accumulate(weights)))
        room = {p.pk: p.headcount for p in self.published}
        placed: set[int] = set()
        plans: list[tuple[Student, Post, int, list[str]]] = []

        # The demo student: placed with the demo unit, and one application withdrawn.
        demo_post = next(
            p
            for p in self.published
            if p.unit_id == self.demo_unit.pk and p.term == TermType.SHORT and p.fits_year_of_study(2)
        )
        other_post = next(p for p in by_year[2][0] if p.unit_id != self.demo_unit.pk)
        plans.append((self.demo_student, demo_post, 1, PATHS[S.ACCEPTED][0]))
        plans.append((self.demo_student, other_post, 2, [S.SUBMITTED, S.SHORTLISTED, S.WITHDRAWN]))
        room[demo_post.pk] -= 1
        placed.add(self.demo_student.pk)

        # As many placed students as published posts (270 in the demo, as in the article).
        target_placed, accepted = len(self.published), 1
        statuses, status_weights = list(STATUS_WEIGHTS), list(itertools.accumulate(STATUS_WEIGHTS.values()))
        others = [s for s in STATUS_WEIGHTS if s not in (S.OFFERED, S.ACCEPTED)]
        other_weights = list(itertools.accumulate(STATUS_WEIGHTS[s] for s in others))
        for student in self.students[1:]:
            if student.graduation_year <= self.year:
                continue  # the graduating-year rule blocks them: registered, no application
            fitting, cumulative = by_year[student.year_of_study]
            if not fitting:
                continue
            k = rng.choices((1, 2, 3), cum_weights=(40, 70, 100))[0]
            chosen: list[Post] = []
            for _ in range(k * 3):
                post = rng.choices(fitting, cum_weights=cumulative)[0]
                if post not in chosen:
                    chosen.append(post)
                if len(chosen) == k:
                    break
            for rank, post in enumerate(chosen, start=1):
                target = rng.choices(statuses, cum_weights=status_weights)[0]
                if target in (S.OFFERED, S.ACCEPTED):
                    if target == S.ACCEPTED and accepted >= target_placed:
                        # The places are all taken: the application ends as the others do.
                        target = rng.choices(others, cum_weights=other_weights)[0]
                    elif student.pk in placed or room[post.pk] < 1:
                        target = S.NOT_SELECTED
                    else:
                        room[post.pk] -= 1
                        placed.add(student.pk)
                        accepted += target == S.ACCEPTED
                paths = PATHS[target]
                path = paths[0] if len(paths) == 1 or rng.random() < 0.8 else rng.choice(paths[1:])
                plans.append((student, post, rank, path))
        # Short of the target: students not selected took a place from the backup list, then
        # others were selected where their post still had room.
        direct = min(PATHS[S.ACCEPTED], key=len)
        for backup in (True, False):
            for i, (student, post, rank, path) in enumerate(plans):
                if accepted >= target_placed:
                    break
                if student.pk in placed or room[post.pk] < 1 or path[-1] in (S.OFFERED, S.ACCEPTED):
                    continue
                if backup and path[-1] != S.NOT_SELECTED:
                    continue
                plans[i] = (student, post, rank, [*path, S.OFFERED, S.ACCEPTED] if backup else direct)
                room[post.pk] -= 1
                placed.add(student.pk)
                accepted += 1
        self.write_applications(plans)
        self.reset_sequences()

    # --- the archived cycle (2019 on the article's calendar) ---------------------------------
    def build_archive(self) -> None:
        """The archived cycle, the year before the open one (2019, 第八届, on the article's
        calendar): the same calendar one year earlier.

        Short-term posts only (summer 2019, one in the winter vacation), so that every
        placement ended months before ``--as-of`` (2019's long-term posts would still run on
        20 June 2020). The posts are closed and full; 21 students were placed (the demo
        student with the demo mentor, in their first year), 317 more applied in vain.
        Its placed students are also the open cycle's students, a year further in their studies.
        """
        rng, cal, year = self.rng, self.archive_cal, ARCHIVE_YEAR
        opens_at = cal.at(6, 16, 9, year=year)
        selection_ends_at = cal.at(7, 1, 18, year=year)
        summer = cal.on(7, 8, year)
        winter = (cal.on(1, 18, YEAR), cal.on(2, 26, YEAR))
        self.archive = Cycle.objects.create(
            year=self.archive_year,
            ordinal=ordinal_of(self.archive_year),
            title=cycle_title(self.archive_year),
            status=CycleStatus.ARCHIVED,
            registration_opens_at=opens_at,
            registration_closes_at=cal.at(6, 24, 17, year=year),
            interviews_start_at=opens_at,
            interviews_end_at=cal.at(7, 3, 18, year=year),
            placement_starts_on=summer,
            placement_ends_on=winter[1],
            announcement_at=None,
            max_applications=3,
            graduating_rule=RuleMode.BLOCK,
            term_year_rule=RuleMode.WARN,
        )
        Cycle.objects.filter(pk=self.archive.pk).update(
            created_at=cal.at(5, 20, 10, year=year), updated_at=cal.at(4, 15, 10, year=YEAR)
        )

        named = [u for u in self.units[: len(data.UNITS)] if u is not self.demo_unit]
        demo_templates = data.POST_TEMPLATES[self.demo_unit.kind]
        slots = [(self.demo_unit, demo_templates[2]), (self.demo_unit, demo_templates[4])]
        for unit in rng.sample(named, len(ARCHIVE_HEADCOUNTS) - 2):
            slots.append((unit, rng.choice(data.POST_TEMPLATES[unit.kind])))
        posts = []
        for i, ((unit, template), headcount) in enumerate(zip(slots, ARCHIVE_HEADCOUNTS, strict=True)):
            title, description, duties, requirements, majors = template
            in_winter = i == len(slots) - 1
            starts = winter[0] if in_winter else summer + dt.timedelta(days=7 * (i % 2))
            posts.append(
                Post(
                    cycle=self.archive,
                    unit=unit,
                    title=title,
                    description=f"{description}{unit.description}",
                    duties=duties,
                    requirements=requirements,
                    term=TermType.SHORT,
                    season=vacation_of(starts),
                    min_year_of_study=1,
                    max_year_of_study=3,
                    preferred_majors="" if majors == "不限" else majors,
                    headcount=headcount,
                    place_of_work=unit.address,
                    starts_on=starts,
                    ends_on=winter[1] if in_winter else starts + dt.timedelta(days=34),
                    status=PostStatus.CLOSED,
                    created_by=self.coordinator_user[unit.pk],
                    published_at=opens_at,
                )
            )
        posts = Post.objects.bulk_create(posts)
        Post.objects.filter(cycle=self.archive).update(
            created_at=cal.at(6, 1, 10, year=year), updated_at=selection_ends_at
        )
        transitions = []
        for post in posts:
            moves = [
                (
                    PostStatus.DRAFT,
                    PostStatus.SUBMITTED,
                    self.coordinator_user[post.unit_id],
                    cal.at(6, 10, 10, year=year),
                ),
                (PostStatus.SUBMITTED, PostStatus.PUBLISHED, self.staff, opens_at),
                (PostStatus.PUBLISHED, PostStatus.CLOSED, self.staff, selection_ends_at),
            ]
            transitions += [
                PostTransition(post=post, from_status=a, to_status=b, actor=actor, created_at=at)
                for a, b, actor, at in moves
            ]
        PostTransition.objects.bulk_create(transitions)

        # Students a year earlier in their studies, not in the archived cycle's graduating year.
        def earlier(student: Student) -> Student:
            return student._replace(year_of_study=student.year_of_study - 1)

        candidates = [s for s in self.students[1:] if 2 <= s.year_of_study <= 4]
        chosen = rng.sample(candidates, min(len(candidates), ARCHIVE_APPLICANTS - 1))
        direct = min(PATHS[S.ACCEPTED], key=len)
        plans = [(earlier(self.demo_student), posts[0], 1, direct)]
        seats = [post for post, n in zip(posts, ARCHIVE_HEADCOUNTS, strict=True) for _ in range(n)][1:]
        placed, unplaced = chosen[: len(seats)], chosen[len(seats) :]
        for student, post in zip(placed, seats, strict=False):
            path = PATHS[S.ACCEPTED][0] if rng.random() < 0.15 else direct  # some from the backup list
            plans.append((earlier(student), post, 1, path))
        for student, (status, which) in zip(unplaced, itertools.cycle(ARCHIVE_UNPLACED)):
            plans.append((earlier(student), rng.choice(posts), 1, PATHS[status][which]))
        self.write_applications(plans, cycle=self.archive, window=(opens_at, selection_ends_at))
        self.reset_sequences()

        # Their accounts date from their first registration, in the archived cycle.
        first_submitted = dict(
            Application.objects.filter(cycle=self.archive).values_list("student__user_id", "submitted_at")
        )
        users = list(User.objects.filter(pk__in=first_submitted))
        for user in users:
            user.date_joined = first_submitted[user.pk] - dt.timedelta(minutes=rng.randint(10, 600))
        User.objects.bulk_update(users, ["date_joined"])
        self.log(f"archive: {len(posts)} posts, {len(plans)} applications, {len(placed) + 1} placements")

    def eligibility_for(self, student: "Student", post: Post) -> tuple[object, bool]:
        """The stored eligibility results, as ``applicants.eligibility`` writes them."""
        year = student.year_of_study
        term_code = None
        if post.term == TermType.SHORT and year > 2:
            term_code = EligibilityCode.SHORT_TERM_SENIOR
        elif post.term == TermType.LONG and year < 3:
            term_code = EligibilityCode.LONG_TERM_JUNIOR
        key = term_code or "ok"
        if key not in self.eligibility_cache:
            results = [
                {"rule": "profile", "code": EligibilityCode.OK.value, "severity": "ok"},
                {"rule": "consent", "code": EligibilityCode.OK.value, "severity": "ok"},
                {"rule": "graduating", "code": EligibilityCode.OK.value, "severity": "ok"},
                {
                    "rule": "term_year",
                    "code": term_code.value if term_code else "ok",
                    "severity": Severity.WARN.value if term_code else "ok",
                },
                {"rule": "post_years", "code": EligibilityCode.OK.value, "severity": "ok"},
            ]
            field = Application._meta.get_field("eligibility")
            self.eligibility_cache[key] = (field.get_db_prep_save(results, connection), term_code is not None)
        return self.eligibility_cache[key]

    def write_applications(self, plans, *, cycle: Cycle | None = None, window=None) -> None:
        """Write ``plans`` for ``cycle`` (default: the demo cycle), their history inside ``window``
        (start, end; default: from the opening of registration to the as-of day)."""
        rng = self.rng
        cycle = cycle or self.cycle
        self.eligibility_cache: dict[str, tuple[object, bool]] = {}
        app_ids, interview_ids = self.table_ids(Application), self.table_ids(Interview)
        now = self.sql_datetime(timezone.now())
        reasons = {
            S.REJECTED: data.REJECT_REASONS,
            S.WITHDRAWN: data.WITHDRAW_REASONS,
            S.DECLINED: data.DECLINE_REASONS,
            S.NOT_SELECTED: data.NOT_SELECTED_REASONS,
        }
        applications, events, interviews, interviewers, offers, placements = [], [], [], [], [], []
        #: post id -> (interview score, application id) of its applicants awaiting a decision
        awaiting: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        offer_status = {S.OFFERED: OfferStatus.OPEN, S.ACCEPTED: OfferStatus.ACCEPTED, S.DECLINED: OfferStatus.DECLINED}
        valid = dt.timedelta(hours=cycle.offer_valid_hours)
        statements = {}
        start, later = window or (self.opens_at, self.history_ends_at)
        for student, post, rank, path in plans:
            app_id = next(app_ids)
            if len(path) == 1:
                submitted_at = self.timeline(start, later, 1)[0]
            else:
                submitted_at = self.timeline(start, start + (later - start) * 0.5, 1)[0]
            times = [submitted_at, *self.timeline(submitted_at, later, len(path) - 1)]
            key = (rng.randrange(len(data.STATEMENTS)), post.unit_id, student.major)
            if key not in statements:
                statements[key] = data.STATEMENTS[key[0]].format(unit=post.unit.name, major=student.major)
            eligibility, flagged = self.eligibility_for(student, post)
            applications.append(
                (
                    app_id,
                    student.pk,
                    post.pk,
                    cycle.pk,
                    rank,
                    statements[key],
                    "",
                    path[-1],
                    path[-1],
                    eligibility,
                    flagged,
                    self.sql_datetime(submitted_at),
                    now,
                )
            )
            coordinator_id = self.coordinator_user[post.unit_id].pk
            previous = ""
            for status, moment in zip(path, times, strict=True):
                reason = rng.choice(reasons[status]) if status in reasons else ""
                if status == S.OFFERED and previous == S.NOT_SELECTED:
                    reason = "备选名单递补录用。"
                when = self.sql_datetime(moment)
                actor = student.user_id if status in STUDENT_MOVES else coordinator_id
                events.append((app_id, previous, status, actor, reason, when, when))
                previous = status
            interview = self.interview_for(app_id, path, times)
            if interview is not None:
                interview_id = next(interview_ids)
                interviews.append((interview_id, app_id, *interview))
                interviewers.append((interview_id, coordinator_id))
                if path[-1] == S.INTERVIEWED:
                    awaiting[post.pk].append((interview[6], app_id))
            if S.OFFERED in path:
                at = path.index(S.OFFERED)
                made_at = times[at]
                expires_at = made_at + valid
                if path[-1] == S.OFFERED:
                    expires_at = max(expires_at, later + valid)
                offers.append(
                    (
                        app_id,
                        post.pk,
                        student.pk,
                        cycle.pk,
                        offer_status[path[-1]],
                        path[at - 1] == S.NOT_SELECTED,
                        coordinator_id,
                        self.sql_datetime(made_at),
                        self.sql_datetime(expires_at),
                        None if path[-1] == S.OFFERED else self.sql_datetime(times[-1]),
                    )
                )
            if path[-1] == S.ACCEPTED:
                mentor = (
                    self.demo_mentor
                    if student.pk == self.demo_student.pk
                    else rng.choice(self.mentors_by_unit[post.unit_id])
                )
                placements.append(
                    (
                        app_id,
                        student.pk,
                        post.pk,
                        mentor.pk,
                        post.term,
                        self.sql_date(post.starts_on),
                        self.sql_date(post.ends_on),
                        PlacementStatus.UPCOMING,
                        now,
                        now,
                    )
                )
        rank_of = self.rankings(awaiting)
        bulk_insert(
            Application,
            "id student post cycle preference_rank statement resume status published_status eligibility "
            "needs_review submitted_at updated_at selection_rank",
            [(*row, rank_of.get(row[0])) for row in applications],
        )
        bulk_insert(ApplicationEvent, "application from_status to_status actor reason created_at visible_at", events)
        bulk_insert(
            Interview,
            "id application starts_at duration_minutes mode meeting_link address status score outcome notes",
            interviews,
        )
        through = Interview.interviewers.through
        bulk_insert(through, "interview user", interviewers)
        bulk_insert(
            Offer,
            "application post student cycle status from_backup made_by made_at expires_at responded_at",
            offers,
        )
        bulk_insert(
            Placement,
            "application student post mentor term starts_on ends_on status created_at updated_at",
            placements,
        )
        self.log(
            f"applications: {len(applications)}, events: {len(events)}, interviews: {len(interviews)}, "
            f"placements: {len(placements)}"
        )

    @staticmethod
    def rankings(awaiting: dict[int, list[tuple[int, int]]]) -> dict[int, int]:
        """Application id -> its rank on the post, so that staff can try the allocation on the
        demo: each unit has ranked the interviewed applicants awaiting its decision, best
        interview score first (the earlier application at an equal score)."""
        return {
            app_id: rank
            for scored in awaiting.values()
            for rank, (_score, app_id) in enumerate(sorted(scored, key=lambda item: (-item[0], item[1])), start=1)
        }

    def interview_for(self, app_id: int, path: list[str], times: list[dt.datetime]) -> tuple | None:
        """An interview for every application that reached the shortlist, as a row's middle columns."""
        if S.SHORTLISTED not in path:
            return None
        rng = self.rng
        shortlisted_at = times[path.index(S.SHORTLISTED)]
        if S.INTERVIEWED in path:
            interviewed_at = times[path.index(S.INTERVIEWED)]
            starts = shortlisted_at + (interviewed_at - shortlisted_at) / 2
            good = S.OFFERED in path
            status, score = InterviewStatus.COMPLETED, rng.randint(80, 98) if good else rng.randint(60, 85)
            outcome = InterviewOutcome.PASSED if good else InterviewOutcome.NOT_PASSED
        elif path[-1] == S.REJECTED:
            starts = shortlisted_at + (times[-1] - shortlisted_at) / 2
            status, score, outcome = InterviewStatus.NO_SHOW, None, ""
        else:
            # Still to come (shortlisted) or called off (withdrawn): a slot in the interview window.
            day = self.cal.on(6, 22) + dt.timedelta(days=rng.randrange(11))
            starts = dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.choice((0, 20, 40))), tzinfo=CST)
            status = InterviewStatus.SCHEDULED if path[-1] == S.SHORTLISTED else InterviewStatus.CANCELLED
            score, outcome = None, ""
        return (
            self.sql_datetime(starts.replace(second=0, microsecond=0)),
            20,
            InterviewMode.VIDEO,
            f"https://meeting.jinseed.demo/j/{app_id:07d}",
            "",
            status,
            score,
            outcome,
            "表达清晰，对岗位有较充分的了解。" if score and score >= 80 else "",
        )


class Student(NamedTuple):
    """What the application step needs to know of a student written by raw insert."""

    pk: int
    user_id: int
    year_of_study: int
    major: str
    graduation_year: int


# --- cultivation (placements after selection) ------------------------------------------------------

ONBOARDING_ITEMS = [
    ("阅读《金种子挂职安全须知》", "student"),
    ("参加岗前培训（金山区情介绍）", "student"),
    ("签订挂职锻炼协议", "coordinator"),
    ("到岗报到", "coordinator"),
]
ONBOARDING_NOTES = "请携带身份证、学生证和一寸照片两张。"


def _cycle_setup(cycle: Cycle, cal: Calendar, staff: User, year: int):
    """A cycle's cultivation settings, onboarding checklist and staff-published activities;
    ``year`` is the article's calendar year, which ``cal`` shifts, the titles name the cycle's."""
    from placements.cultivation.enums import ActivityKind, ActivityMode, ActivityStatus
    from placements.models import CycleCultivationSettings, OnboardingItem

    CycleCultivationSettings.objects.create(cycle=cycle, excellent_cap_percent=30)
    items = OnboardingItem.objects.bulk_create(
        [
            OnboardingItem(cycle=cycle, title=title, party=party, position=i)
            for i, (title, party) in enumerate(ONBOARDING_ITEMS)
        ]
    )
    activities = [
        (
            ActivityKind.KICKOFF,
            f"{cycle.year}年“金种子”培育计划启动仪式",
            ActivityMode.ON_SITE,
            (7, 4, 14),
            "金山区青少年活动中心",
        ),
        (ActivityKind.ORIENTATION, "金山区情介绍", ActivityMode.LIVESTREAM, (7, 6, 9), ""),
        (
            ActivityKind.JINSHAN_VISIT,
            "学子看金山：枫泾古镇与金山嘴渔村",
            ActivityMode.ON_SITE,
            (7, 18, 8),
            "枫泾古镇游客中心",
        ),
        (ActivityKind.ETIQUETTE, "职场礼仪培训", ActivityMode.ON_SITE, (7, 11, 14), "金山区青年中心多功能厅"),
        (ActivityKind.CAREER, "职业规划与创新创业指导", ActivityMode.LIVESTREAM, (8, 1, 14), ""),
    ]
    activities = Activity.objects.bulk_create(
        [
            Activity(
                cycle=cycle,
                kind=kind,
                title=title,
                mode=mode,
                starts_at=cal.at(*when, year=year),
                ends_at=cal.at(*when, year=year) + dt.timedelta(hours=2),
                place=place,
                stream_url="" if place else f"https://live.jinseed.demo/{cycle.year}",
                capacity=300,
                status=ActivityStatus.PUBLISHED,
                proposed_by=staff,
                decided_by=staff,
            )
            for kind, title, mode, when, place in activities
        ]
    )
    Activity.objects.filter(cycle=cycle).update(created_at=cal.at(6, 28, 10, year=year))
    return items, activities


def _report_at(placement: Placement) -> dt.datetime:
    return dt.datetime.combine(placement.starts_on, dt.time(8, 30), tzinfo=CST)


def build_cultivation_demo(builder: DemoBuilder) -> None:
    """The 2020 cycle's cultivation set-up: groups (the demo student leads hers and sits on
    the class committee), activities, the checklist, and the demo student's onboarding.

    Uses the cultivation services where they have rules (groups), so the demo holds nothing
    the portal could not produce. The 2020 placements are all upcoming: the cycle stands in
    its registration window. The finished journey is the 2019 one (``build_archive_cultivation``).
    """
    from placements.cultivation import services as cultivation
    from placements.cultivation.enums import ChecklistParty, CommitteeRoleKind
    from placements.models import CommitteeRole, Onboarding

    cycle, staff = builder.cycle, builder.staff
    items, _activities = _cycle_setup(cycle, builder.cal, staff, YEAR)
    groups = cultivation.groups_form(cycle=cycle, actor=staff)
    demo_placement = Placement.objects.select_related("post__unit", "student__user").get(
        student_id=builder.demo_student.pk, post__cycle=cycle
    )
    for group in groups:
        members = list(group.memberships.order_by("placement_id").values_list("placement_id", flat=True))
        leader = demo_placement.pk if demo_placement.pk in members else members[0]
        Group.objects.filter(pk=group.pk).update(leader_id=leader)
    leaders = list(Group.objects.filter(cycle=cycle).exclude(leader=demo_placement).order_by("number"))
    roles = [r for r in CommitteeRoleKind.values if r != CommitteeRoleKind.STUDY]
    CommitteeRole.objects.bulk_create(
        [
            CommitteeRole(cycle=cycle, role=role, placement_id=g.leader_id)
            for role, g in zip(roles, leaders, strict=False)
        ]
        + [CommitteeRole(cycle=cycle, role=CommitteeRoleKind.STUDY, placement=demo_placement)]
    )

    # The demo student's coming placement: the unit has set the reporting time and place,
    # she has read the safety notice; the rest of the checklist is for the visitor to try.
    unit = demo_placement.post.unit
    Onboarding.objects.create(
        placement=demo_placement,
        report_place=f"{unit.address}（人事科）",
        report_at=_report_at(demo_placement),
        notes=ONBOARDING_NOTES,
        updated_by=builder.coordinator_user[unit.pk],
    )
    first = next(item for item in items if item.party == ChecklistParty.STUDENT)
    OnboardingTick.objects.create(
        placement=demo_placement,
        item=first,
        ticked_by=demo_placement.student.user,
        ticked_at=builder.history_ends_at - dt.timedelta(hours=3),
    )
    builder.log(f"cultivation {builder.year}: {len(groups)} groups")


def build_archive_cultivation(builder: DemoBuilder) -> None:
    """The 2019 cycle lived through: onboarding, groups, activities attended, placements
    started and completed, mentor and coordinator assessments, final grades confirmed by
    staff (5 of 21 excellent, the demo student's among them), certificates downloaded, and
    the forum's suggestions answered.

    The writes go through the cultivation services (transitions, assessments, certificates,
    feedback) and then get the dates they would have had; the final grade is written as
    ``grade_confirm`` writes it (grade and ``PlacementEvent``) without queueing the student's
    message, as the seed sends none.
    """
    from placements.cultivation import services as cultivation
    from placements.cultivation.enums import AssessorRole, ChecklistParty, Grade, PlacementEventKind
    from placements.models import Onboarding

    rng, cycle, cal, staff = builder.rng, builder.archive, builder.archive_cal, builder.staff
    items, activities = _cycle_setup(cycle, cal, staff, ARCHIVE_YEAR)
    placements = list(
        Placement.objects.filter(post__cycle=cycle)
        .select_related("post__unit", "post__cycle", "student__user", "mentor__user", "application")
        .order_by("pk")
    )
    demo = next(p for p in placements if p.student_id == builder.demo_student.pk)
    others = [p for p in placements if p is not demo]

    groups = cultivation.groups_form(cycle=cycle, actor=staff)
    for group in groups:
        members = list(group.memberships.order_by("placement_id").values_list("placement_id", flat=True))
        Group.objects.filter(pk=group.pk).update(leader_id=next(m for m in members if m != demo.pk))

    accepted_at = dict(
        ApplicationEvent.objects.filter(application__cycle=cycle, to_status=S.ACCEPTED).values_list(
            "application_id", "created_at"
        )
    )
    onboardings, ticks, signups = [], [], []
    for p in placements:
        coordinator = builder.coordinator_user[p.post.unit_id]
        onboardings.append(
            Onboarding(
                placement=p,
                report_place=f"{p.post.unit.address}（办公室）",
                report_at=_report_at(p),
                notes=ONBOARDING_NOTES,
                updated_by=coordinator,
            )
        )
        for item in items:
            student_item = item.party == ChecklistParty.STUDENT
            ticks.append(
                OnboardingTick(
                    placement=p,
                    item=item,
                    ticked_by=p.student.user if student_item else coordinator,
                    ticked_at=_report_at(p) - dt.timedelta(days=3 if student_item else 0, hours=-1),
                )
            )
        for activity in activities:
            if p is demo or rng.random() < 0.8:
                signups.append(ActivitySignup(activity=activity, placement=p, attended=rng.random() < 0.92))
    onboardings = Onboarding.objects.bulk_create(onboardings)
    for onboarding, p in zip(onboardings, placements, strict=True):
        onboarding.updated_at = _report_at(p) - dt.timedelta(days=6)
    Onboarding.objects.bulk_update(onboardings, ["updated_at"])
    OnboardingTick.objects.bulk_create(ticks)
    ActivitySignup.objects.bulk_create(signups)
    for activity in activities:
        ActivitySignup.objects.filter(activity=activity).update(created_at=activity.starts_at - dt.timedelta(days=4))

    # Started, completed, assessed, graded; the grades in ARCHIVE_GRADES order.
    grades = dict(zip([demo.pk] + [p.pk for p in others], ARCHIVE_GRADES, strict=False))
    scores = {Grade.EXCELLENT: (5, 4), Grade.GOOD: (4, 3), Grade.PASS: (3, 3)}
    capped = others[4].pk if len(others) > 4 else None  # the first "good" one
    when: dict[tuple[int, str, str], dt.datetime] = {}
    for p in placements:
        grade = grades.get(p.pk, Grade.GOOD)
        coordinator = builder.coordinator_user[p.post.unit_id]
        started = _report_at(p)
        finished = dt.datetime.combine(p.ends_on, dt.time(17, 30), tzinfo=CST)
        graded = dt.datetime.combine(p.ends_on + dt.timedelta(days=10), dt.time(10), tzinfo=CST)
        when |= {
            (p.pk, PlacementEventKind.STATUS, PlacementStatus.ACTIVE): started,
            (p.pk, PlacementEventKind.STATUS, PlacementStatus.COMPLETED): finished,
            (p.pk, PlacementEventKind.GRADE, grade): graded,
        }
        for status in (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED):
            cultivation.placement_transition(placement=p, to_status=status, actor=coordinator)
        high, low = scores[grade]
        for role, user, comment in (
            (AssessorRole.MENTOR, p.mentor.user, data.DEMO_ASSESSMENT_COMMENTS[0]),
            (AssessorRole.COORDINATOR, coordinator, data.DEMO_ASSESSMENT_COMMENTS[1]),
        ):
            # One mentor proposed excellent where staff, holding to the cap, confirmed good.
            proposed = Grade.EXCELLENT if (p.pk == capped and role == AssessorRole.MENTOR) else grade
            cultivation.assessment_submit(
                placement=p,
                actor=user,
                role=role,
                attendance=high,
                work_quality=rng.choice((high, low)),
                initiative=rng.choice((high, low)),
                teamwork=high,
                proposed_grade=proposed,
                comments=comment if p is demo else rng.choice(data.ASSESSMENT_COMMENTS[proposed]),
            )
        FinalGrade.objects.create(placement=p, grade=grade, confirmed_by=staff, confirmed_at=graded)
        PlacementEvent.objects.create(
            placement=p, kind=PlacementEventKind.GRADE, from_value="", to_value=grade, actor=staff, created_at=graded
        )
        Assessment.objects.filter(placement=p).update(
            created_at=finished + dt.timedelta(days=2), updated_at=finished + dt.timedelta(days=2)
        )

    # The demo student, every excellent student and most others downloaded their certificate.
    certified = [p for p in placements if p is demo or grades.get(p.pk) == Grade.EXCELLENT or rng.random() < 0.6]
    for p in certified:
        p = Placement.objects.select_related("post__cycle", "final_grade").get(pk=p.pk)
        certificate = cultivation.certificate_issue(placement=p, actor=p.student.user)
        issued = p.final_grade.confirmed_at + dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 9))
        Certificate.objects.filter(pk=certificate.pk).update(issued_at=issued)

    events = list(PlacementEvent.objects.filter(placement__post__cycle=cycle))
    for event in events:
        event.created_at = when[(event.placement_id, event.kind, event.to_value)]
    PlacementEvent.objects.bulk_update(events, ["created_at"])
    for p in placements:
        p.created_at = accepted_at[p.application_id]
        p.updated_at = when[(p.pk, PlacementEventKind.STATUS, PlacementStatus.COMPLETED)]
    Placement.objects.bulk_update(placements, ["created_at", "updated_at"])

    # The forum: suggestions sent during the placement, answered by staff after it.
    authors = [others[0], others[len(others) // 2], demo, others[-2]] if len(others) >= 3 else [demo] * 4
    forum_day = cal.at(8, 20, 14, year=ARCHIVE_YEAR)
    for i, (author, (topic, body, answer, adopted, action)) in enumerate(
        zip(authors, data.ARCHIVE_FEEDBACK, strict=True)
    ):
        item = cultivation.feedback_submit(
            placement=author, actor=author.student.user, topic=topic, body=body, anonymous_to_unit=i % 2 == 1
        )
        action = action.format(next=chinese_number(ordinal_of(builder.year)))
        cultivation.feedback_answer(feedback=item, actor=staff, answer=answer, adopted=adopted, action_taken=action)
        Feedback.objects.filter(pk=item.pk).update(
            created_at=forum_day - dt.timedelta(days=10 - i), answered_at=forum_day + dt.timedelta(days=3, hours=i)
        )
    builder.log(f"cultivation {builder.archive_year}: {len(groups)} groups, {len(certified)} certificates")


def build_archive_alumni(builder: DemoBuilder) -> None:
    """Answers to the 2019 alumni survey: the survey went to the cycle's completed students
    in spring 2020 and most answered; staff recorded one answer learnt at a reunion. Those
    who graduate in 2020 have work or a business lined up (some back in Jinshan), the others
    are still studying. The demo student has not answered yet: the survey is hers to try."""
    from placements.cultivation.enums import AlumniActivity, AlumniSource

    cal, staff = builder.cal, builder.staff
    placements = list(
        Placement.objects.filter(post__cycle=builder.archive)
        .exclude(student_id=builder.demo_student.pk)
        .select_related("student__user", "student")
        .order_by("pk")
    )
    records = []
    jobs = itertools.cycle(data.ALUMNI_JOBS)
    for i, p in enumerate(placements[: len(placements) * 3 // 4]):
        graduated = p.student.expected_graduation
        if graduated.year <= builder.year:
            activity, sector, employer, back = next(jobs)
        else:
            activity, sector, employer, back = AlumniActivity.STUDYING, "", p.student.university, False
        by_staff = i == 1
        records.append(
            AlumniRecord(
                student=p.student,
                cycle=builder.archive,
                graduation_year=graduated.year,
                graduation_month=graduated.month,
                activity=activity,
                sector=sector,
                employer=employer,
                back_in_jinshan=back,
                contact_consent=i % 3 != 2,
                source=AlumniSource.STAFF if by_staff else AlumniSource.STUDENT,
                recorded_by=staff if by_staff else p.student.user,
                recorded_at=cal.at(3, 10 + i, 20),
            )
        )
    AlumniRecord.objects.bulk_create(records)
    builder.log(f"alumni {builder.archive_year}: {len(records)} answers")


#: What coordinators score applicants on (1–5 each), the same in both demo cycles.
REVIEW_CRITERIA = [
    ("专业匹配度", "所学专业与岗位职责的契合程度"),
    ("综合素质", "学习成绩、实践经历与获奖情况"),
    ("表达与沟通", "个人陈述的条理与表达"),
    ("岗位意愿", "对岗位和家乡发展的了解与投入"),
]

#: Reviews are written for at most this many screened applications (those of the demo
#: unit always), so that benchmark-sized runs stay fast.
REVIEWED_APPLICATIONS_MAX = 3000


def build_reviews(builder: DemoBuilder) -> None:
    """Review criteria for both cycles, and the unit coordinator's scored review of every
    application the unit has screened (anything past "submitted")."""
    rng = builder.rng
    criteria = {}
    for cycle in (builder.cycle, builder.archive):
        criteria[cycle.pk] = ReviewCriterion.objects.bulk_create(
            ReviewCriterion(cycle=cycle, name=name, description=description, position=i)
            for i, (name, description) in enumerate(REVIEW_CRITERIA)
        )
    screened = (
        Application.objects.exclude(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN])
        .order_by("pk")
        .values_list("pk", "cycle_id", "status", "post__unit_id")
    )
    demo_first = sorted(screened, key=lambda row: row[3] != builder.demo_unit.pk)  # stable: then by id
    reviews, marks = [], []
    for app_id, cycle_id, status, unit_id in demo_first[:REVIEWED_APPLICATIONS_MAX]:
        reviewer = builder.coordinator_user.get(unit_id)
        if reviewer is None:
            continue
        low, high = (1, 3) if status == ApplicationStatus.REJECTED else (3, 5)
        scores = [(criterion, rng.randint(low, high)) for criterion in criteria[cycle_id]]
        reviews.append(
            Review(
                application_id=app_id,
                reviewer=reviewer,
                notes=rng.choice(data.REVIEW_NOTES[status == ApplicationStatus.REJECTED]),
                average=round(sum(score for _, score in scores) / len(scores), 2),
            )
        )
        marks.append(scores)
    reviews = Review.objects.bulk_create(reviews, batch_size=BATCH)
    ReviewScore.objects.bulk_create(
        (
            ReviewScore(review=review, criterion=criterion, score=score)
            for review, scores in zip(reviews, marks, strict=True)
            for criterion, score in scores
        ),
        batch_size=BATCH,
    )
