"""``manage.py seed_demo``: the demo cycle's size, coherence, idempotency and logins, and the
archived cycle of the year before it. The cycles are named by the year of their (shifted)
registration dates: 2020 and 2019 only with ``--as-of 2020-06-20``, so the tests that read
the default demo take the years from its own cycles (``demo_cycles``)."""

import datetime as dt
import io
import itertools
import zoneinfo
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from applicants.enums import APPLICATION_TRANSITIONS, ApplicationStatus
from applicants.identity import digest_id_number, mask_id_number, validate_id_number
from applicants.models import Application, ApplicationEvent, StudentProfile
from jinseed.accounts.enums import Role
from jinseed.accounts.models import User
from jinseed.devtools.demo.builder import chinese_number, cycle_title, demo_counts, demo_fingerprint
from jinseed.devtools.demo.data import DEMO_PASSWORD
from placements.cultivation.enums import Grade, PlacementEventKind
from placements.models import Certificate, Feedback, FinalGrade, Group, Interview, Offer, Placement, PlacementEvent
from placements.selection.enums import InterviewStatus, PlacementStatus
from positions.enums import CycleStatus, PostStatus, UnitKind
from positions.models import Cycle, HostUnit, Post
from positions.selectors import cycle_current

pytestmark = pytest.mark.django_db
CST = zoneinfo.ZoneInfo("Asia/Shanghai")


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(demo_seeded, db):
    return demo_seeded


def demo_cycles() -> tuple[Cycle, Cycle]:
    """The demo's open cycle and its archived one, whatever years they bear."""
    return Cycle.objects.get(status=CycleStatus.OPEN), Cycle.objects.get(status=CycleStatus.ARCHIVED)


def assert_named_by_their_dates(expected: tuple[int, int] | None = None) -> None:
    """Each demo cycle's year, edition and title match its registration dates; the archived
    cycle is the year before the open one."""
    current, archive = demo_cycles()
    for cycle in (current, archive):
        year = cycle.registration_opens_at.astimezone(CST).year
        assert cycle.registration_closes_at.astimezone(CST).year in (year, year + 1)
        assert (cycle.year, cycle.ordinal, cycle.title) == (year, year - 2011, cycle_title(year))
        assert f"{year}年" in cycle.title and f"第{chinese_number(year - 2011)}届" in cycle.title
    assert archive.year == current.year - 1
    if expected is not None:
        assert (current.year, archive.year) == expected


# Tests that need an empty database come first: the module's seeded data exists from the
# first test that asks for ``demo`` to the end of the module.


def test_chinese_edition_numbers():
    assert [chinese_number(n) for n in (1, 8, 9, 10, 11, 14, 15, 20, 21, 99)] == [
        "一",
        "八",
        "九",
        "十",
        "十一",
        "十四",
        "十五",
        "二十",
        "二十一",
        "九十九",
    ]
    assert cycle_title(2020) == "2020年金山区“金种子”培育计划（第九届）"
    assert cycle_title(2026) == "2026年金山区“金种子”培育计划（第十五届）"


def test_seed_demo_as_of_2020_gives_the_historical_calendar(db):
    seed("--as-of", "2020-06-20")
    cycle = Cycle.objects.get(year=2020)
    assert (cycle.ordinal, cycle.title) == (9, "2020年金山区“金种子”培育计划（第九届）")
    assert_named_by_their_dates((2020, 2019))
    assert cycle.registration_opens_at == dt.datetime(2020, 6, 16, 9, tzinfo=CST)
    assert cycle.registration_closes_at == dt.datetime(2020, 6, 24, 17, tzinfo=CST)
    assert Post.objects.filter(status=PostStatus.PUBLISHED).latest("published_at").published_at == dt.datetime(
        2020, 6, 16, 9, tzinfo=CST
    )
    # The year before, on the same calendar: the archived 2019 cycle, its placements over.
    archive = Cycle.objects.get(year=2019)
    assert (archive.ordinal, archive.title) == (8, "2019年金山区“金种子”培育计划（第八届）")
    assert archive.registration_opens_at == dt.datetime(2019, 6, 16, 9, tzinfo=CST)
    assert archive.registration_closes_at == dt.datetime(2019, 6, 24, 17, tzinfo=CST)
    assert archive.placement_ends_on < dt.date(2020, 6, 20)
    demo = Placement.objects.get(student__user__email="student@jinseed.demo", post__cycle=archive)
    assert (demo.starts_on, demo.ends_on) == (dt.date(2019, 7, 8), dt.date(2019, 8, 11))
    assert_nothing_finished_after(dt.datetime(2020, 6, 20, 12, tzinfo=CST))
    # The article's calendar and names: the students' years are those of 2020.
    assert StudentProfile.objects.filter(expected_graduation__year__lte=2020).count() == 44
    demo_student = StudentProfile.objects.get(user__email="student@jinseed.demo")
    assert (demo_student.birth_date, demo_student.expected_graduation) == (dt.date(2000, 9, 12), dt.date(2022, 6, 30))
    assert Feedback.objects.filter(cycle=archive, action_taken__startswith="第九届").count() == 2


@pytest.mark.parametrize(
    ("as_of", "years"),
    [("2031-03-01", (2031, 2030)), ("2024-09-10", (2024, 2023)), ("2023-01-02", (2022, 2021))],
)
def test_seed_demo_names_its_cycles_by_their_registration_year(db, as_of, years):
    """Any other as-of day moves the names with the dates: year, edition and title, and the
    students' graduation years the rules compare with them; the article's figures stay."""
    output = seed("--as-of", as_of)
    assert_named_by_their_dates(years)
    current, archive = demo_cycles()
    assert f"Seeded “{current.title}” and the archived “{archive.title}”" in output
    graduating = StudentProfile.objects.filter(expected_graduation__year__lte=current.year)
    assert graduating.count() == 44
    assert not Application.objects.filter(student__in=graduating, cycle=current).exists()
    assert Application.objects.filter(cycle=current).values("student").distinct().count() == 587
    assert Application.objects.filter(cycle=archive).values("student").distinct().count() == 338
    demo_student = StudentProfile.objects.get(user__email="student@jinseed.demo")
    assert demo_student.expected_graduation == dt.date(current.year + 2, 6, 30)
    assert not demo_student.graduates_in(current.year)
    next_edition = f"第{chinese_number(current.ordinal)}届"
    assert Feedback.objects.filter(cycle=archive, action_taken__startswith=next_edition).count() == 2
    assert_nothing_finished_after(dt.datetime.fromisoformat(as_of).replace(hour=12, tzinfo=CST))


def assert_nothing_finished_after(as_of: dt.datetime) -> None:
    """No placement completed (nor started, nor graded, nor certified) after ``as_of``."""
    today = as_of.astimezone(CST).date()
    assert not Placement.objects.filter(status=PlacementStatus.COMPLETED, ends_on__gt=today).exists()
    assert not Placement.objects.filter(status=PlacementStatus.ACTIVE, starts_on__gt=today).exists()
    assert not PlacementEvent.objects.filter(created_at__gt=as_of).exists()
    assert not FinalGrade.objects.filter(confirmed_at__gt=as_of).exists()
    assert not Certificate.objects.filter(issued_at__gt=as_of).exists()
    assert not Feedback.objects.filter(answered_at__gt=as_of).exists()


def test_seed_demo_benchmark_options_scale_up(db):
    output = seed("--students", "2000", "--posts", "200", "--seed", "7")
    current, _archive = demo_cycles()
    # 2,000 applicants of the open cycle and 150 registered students who graduate in its year.
    assert StudentProfile.objects.count() == 2150
    assert Application.objects.filter(cycle=current).values("student").distinct().count() == 2000
    assert Post.objects.filter(status=PostStatus.PUBLISHED).count() == 200
    assert Placement.objects.filter(post__cycle=current).count() == 200
    assert Application.objects.count() > 2000
    assert "s:" in output


def test_seed_demo_builds_the_open_cycle_named_by_its_dates(demo):
    cycle = cycle_current()
    year = timezone.now().astimezone(CST).date() - dt.timedelta(days=4)  # registration opened 4 days ago
    assert (cycle.year, cycle.ordinal, cycle.status) == (year.year, year.year - 2011, CycleStatus.OPEN)
    assert_named_by_their_dates((year.year, year.year - 1))
    assert cycle.registration_is_open()
    assert cycle.registration_closes_at - cycle.registration_opens_at == dt.timedelta(days=8, hours=8)
    assert Post.objects.filter(cycle=cycle, status=PostStatus.PUBLISHED).count() == 270
    unpublished = Post.objects.filter(cycle=cycle).exclude(status=PostStatus.PUBLISHED)
    assert set(unpublished.values_list("status", flat=True)) == {
        PostStatus.DRAFT,
        PostStatus.SUBMITTED,
        PostStatus.RETURNED,
    }
    # The article's 587 applicants, and 44 registered students the graduating-year rule blocks.
    assert StudentProfile.objects.count() == 631
    applications = Application.objects.filter(cycle=cycle)
    assert applications.values("student").distinct().count() == 587
    assert applications.values("student__university").distinct().count() == 115
    assert Placement.objects.filter(post__cycle=cycle).count() == 270
    assert Group.objects.filter(cycle=cycle).count() == 22
    assert 55 <= HostUnit.objects.count() <= 70
    assert set(HostUnit.objects.values_list("kind", flat=True)) == set(UnitKind.values)
    assert StudentProfile.objects.values("university").distinct().count() == 115
    assert StudentProfile.objects.filter(university_overseas=True).exists()
    assert "Seeded" in demo


def test_seed_demo_home_page_shows_the_open_cycle(demo, client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"第{chinese_number(cycle_current().ordinal)}届" in page
    assert 'data-testid="published-posts">270<' in page


def test_seed_demo_has_every_application_status(demo):
    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert not Application.objects.exclude(published_status=F("status")).exists()


def test_seed_demo_never_offers_more_than_a_posts_headcount(demo):
    taken = Count("applications", filter=Q(applications__status__in=[ApplicationStatus.OFFERED, "accepted"]))
    over = [p.pk for p in Post.objects.annotate(taken=taken) if p.taken > p.headcount]
    assert over == []
    # and a student holds at most one offer or place in a cycle
    holders = (
        Application.objects.filter(status__in=[ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED])
        .values("student", "cycle")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(holders) == []


def test_seed_demo_history_follows_the_transition_table(demo):
    events = defaultdict(list)
    for e in ApplicationEvent.objects.order_by("created_at", "id"):
        events[e.application_id].append(e)
    for app in Application.objects.all():
        chain = events[app.pk]
        assert chain[0].from_status == "" and chain[0].to_status == ApplicationStatus.SUBMITTED
        for before, after in itertools.pairwise(chain):
            assert after.from_status == before.to_status
            assert after.to_status in APPLICATION_TRANSITIONS[before.to_status]
        assert chain[-1].to_status == app.status


def test_seed_demo_interviews_offers_and_placements_match_the_statuses(demo):
    reached_shortlist = Application.objects.filter(events__to_status=ApplicationStatus.SHORTLISTED).distinct()
    assert Interview.objects.count() == reached_shortlist.count()
    assert not Interview.objects.filter(
        application__status=ApplicationStatus.SHORTLISTED, status=InterviewStatus.COMPLETED
    ).exists()
    accepted = Application.objects.filter(status=ApplicationStatus.ACCEPTED)
    assert Placement.objects.count() == accepted.count() > 0
    assert Offer.objects.filter(status="accepted").count() == accepted.count()
    assert not Placement.objects.filter(mentor__isnull=True).exists()


def test_seed_demo_id_numbers_are_valid_and_decryptable(demo):
    for profile in StudentProfile.objects.order_by("?")[:50]:
        number = profile.id_number
        validate_id_number(number, today=timezone.localdate())
        assert number[:6] in {"310116", "310228"}
        assert profile.id_number_digest == digest_id_number(number)
        assert profile.id_number_masked == mask_id_number(number)
        assert profile.has_consent
        assert profile.user.mobile


def test_seed_demo_graduating_students_have_no_applications(demo):
    current, _archive = demo_cycles()
    graduating = StudentProfile.objects.filter(expected_graduation__year__lte=current.year)
    assert graduating.count() == 44
    assert not Application.objects.filter(student__in=graduating, cycle=current).exists()


def test_seed_demo_twice_changes_nothing(demo):
    counts, fingerprint = demo_counts(), demo_fingerprint()
    output = seed()
    assert "nothing to do" in output
    assert demo_counts() == counts
    assert demo_fingerprint() == fingerprint


@pytest.mark.parametrize(
    "login", ["staff@jinseed.demo", "coordinator@jinseed.demo", "mentor@jinseed.demo", "student@jinseed.demo"]
)
def test_seed_demo_accounts_log_in(demo, client, login):
    response = client.post(reverse("accounts:login"), {"username": login, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email=login).pk


def test_seed_demo_student_logs_in_by_mobile(demo, client):
    response = client.post(reverse("accounts:login"), {"username": "13800000001", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_seed_demo_accounts_fit_together(demo):
    staff = User.objects.get(email="staff@jinseed.demo")
    assert (staff.role, staff.is_staff, staff.is_superuser) == (Role.STAFF, True, False)
    unit = User.objects.get(email="coordinator@jinseed.demo").coordinator.unit
    mentor = User.objects.get(email="mentor@jinseed.demo").mentor
    assert mentor.unit == unit
    student = User.objects.get(email="student@jinseed.demo").student_profile
    current, archive = demo_cycles()
    assert student.year_of_study == 2 and student.has_consent and not student.graduates_in(current.year)
    assert len({a.status for a in student.applications.all()}) >= 2
    placements = {p.post.cycle.year: p for p in student.placements.select_related("post__cycle")}
    assert set(placements) == {archive.year, current.year}
    for placement in placements.values():
        assert (placement.post.unit, placement.mentor) == (unit, mentor)
    statuses = set(Application.objects.filter(post__unit=unit).values_list("status", flat=True))
    assert {ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED} <= statuses


def test_seed_demo_archives_the_year_before_the_current_cycle(demo, client):
    current, archive = demo_cycles()
    assert (archive.year, archive.ordinal) == (current.year - 1, current.ordinal - 1)
    assert archive.title == cycle_title(current.year - 1)
    assert cycle_current() == current
    # The current cycle's (shifted) calendar one year earlier, its placements all in the past.
    opens, opens_before = (c.registration_opens_at.astimezone(CST) for c in (current, archive))
    assert opens_before.replace(year=opens_before.year + 1) == opens
    assert archive.placement_ends_on < timezone.localdate()
    assert set(Post.objects.filter(cycle=archive).values_list("status", flat=True)) == {PostStatus.CLOSED}
    response = client.get(reverse("home"))
    published = int(response.content.decode().split('data-testid="published-posts">')[1].split("<")[0])
    assert published >= 250


def test_seed_demo_archive_looks_lived_in(demo, client):
    _current, archive = demo_cycles()
    placements = Placement.objects.filter(post__cycle=archive)
    assert placements.count() == 21
    # The article's 338 applicants (of 2019 there), one application each.
    assert Application.objects.filter(cycle=archive).values("student").distinct().count() == 338
    assert set(placements.values_list("status", flat=True)) == {PlacementStatus.COMPLETED}
    grades = list(FinalGrade.objects.filter(placement__in=placements).values_list("grade", flat=True))
    assert len(grades) == placements.count()
    excellent = grades.count(Grade.EXCELLENT)
    assert excellent >= 2 and excellent * 100 <= 30 * len(grades)  # under the cycle's cap
    assert grades.count(Grade.GOOD) > excellent
    for placement in placements.prefetch_related("events", "assessments"):
        kinds = [(e.kind, e.to_value) for e in placement.events.all()]
        assert (PlacementEventKind.STATUS, PlacementStatus.COMPLETED) in kinds
        assert (PlacementEventKind.GRADE, placement.final_grade.grade) in kinds
        assert len(placement.assessments.all()) == 2
        assert hasattr(placement, "group_membership")
    response = client.get(reverse("cultivation:forum", args=[archive.year]))
    assert response.status_code == 200
    assert Feedback.objects.filter(cycle=archive, adopted=True).count() >= 3
    for item in Feedback.objects.filter(cycle=archive, adopted=True):
        assert item.action_taken in response.content.decode()


def test_seed_demo_nothing_is_finished_before_it_ends(demo):
    assert_nothing_finished_after(timezone.now())
    current = Placement.objects.filter(post__cycle=cycle_current())
    assert set(current.values_list("status", flat=True)) == {PlacementStatus.UPCOMING}
    assert not FinalGrade.objects.filter(placement__in=current).exists()
    assert not Certificate.objects.filter(placement__in=current).exists()


def test_seed_demo_units_have_scored_their_screened_applicants(demo):
    from placements.models import Review, ReviewCriterion

    for cycle in Cycle.objects.all():
        assert ReviewCriterion.objects.filter(cycle=cycle).count() == 4
    unit = User.objects.get(email="coordinator@jinseed.demo").coordinator.unit
    screened = Application.objects.filter(post__unit=unit).exclude(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN]
    )
    reviews = Review.objects.filter(application__in=screened).prefetch_related("scores")
    assert reviews.count() == screened.count() > 0
    for review in reviews:
        scores = [s.score for s in review.scores.all()]
        assert len(scores) == 4
        assert float(review.average) == round(sum(scores) / 4, 2)
        assert review.reviewer.coordinator.unit == unit


def test_seed_demo_short_posts_are_labelled_with_the_vacation_they_fall_in(demo):
    from positions.enums import Season, TermType

    for post in Post.objects.filter(term=TermType.SHORT):
        expected = Season.WINTER if post.starts_on.month in (11, 12, 1, 2, 3) else Season.SUMMER
        assert post.season == expected, (post.title, post.starts_on)


def test_allocate_dry_run_on_the_demo_matches_students(demo):
    """The demo's units have ranked their interviewed applicants, so staff can try the
    allocation: ``allocate --dry-run`` (as ``make run`` serves it, queries logged) previews
    real matches, each an interviewed applicant ranked by the post."""
    from django.db import connection

    from placements.models import AllocationRound

    cycle = cycle_current()
    ranked = Application.objects.filter(cycle=cycle, selection_rank__isnull=False)
    assert set(ranked.values_list("status", flat=True)) == {ApplicationStatus.INTERVIEWED}
    connection.force_debug_cursor = True
    try:
        out = io.StringIO()
        call_command("allocate", "--cycle", str(cycle.pk), "--dry-run", stdout=out)
    finally:
        connection.force_debug_cursor = False
    preview = AllocationRound.objects.get(cycle=cycle)
    assert preview.matched > 0
    assert f"matched={preview.matched} " in out.getvalue()
    assert not Offer.objects.filter(cycle=cycle, made_at__gte=preview.created_at).exists()
    for application_id, student, post in preview.pairs:
        assert ranked.filter(pk=application_id, student_id=student, post_id=post).exists()
