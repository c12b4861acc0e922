"""What stopped a district office from piloting a cycle, walked again as its users walk it:
students on a phone (375 px), coordinators and staff on a desk screen (1280 px)."""

import datetime as dt

import pytest
from django.utils import timezone

from applicants.enums import ApplicationStatus
from applicants.models import Application, ApplicationEvent
from placements.cultivation.enums import ActivityKind, ActivityStatus, ChecklistParty, PlacementEventKind
from placements.models import Activity, ActivitySignup, OnboardingItem, PlacementEvent
from placements.selection import services
from positions.enums import CycleStatus, PostStatus
from tests import factories
from tests.browser.conftest import DESK, PHONE, login, scroll_width
from tests.placements.conftest import make_applications, make_slot
from tests.placements.cultivation.helpers import make_placement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = factories.PASSWORD


def _phone(context_for):
    return context_for(PHONE).new_page()


def _desk(context_for):
    return context_for(DESK).new_page()


# --- 1. the admin speaks Django's words ------------------------------------------------------------------


def test_admin_edit_links_read_xiugai_and_lockouts_are_named_in_chinese(context_for):
    staff = factories.StaffFactory()
    factories.PostFactory()
    page = _desk(context_for)
    login(page, staff.email, PASSWORD)
    page.goto("/admin/")
    body = page.locator("body").inner_text()
    assert "修改" in body and "增幅" not in body
    assert "登录锁定" in body and "Access attempts" not in body and "Axes" not in body
    page.goto("/admin/positions/post/")
    page.locator("#result_list tbody a").first.click()
    assert "增幅" not in page.locator("body").inner_text()
    assert page.locator("a.historylink").inner_text() == "历史"


# --- 2 and 8: posts stay readable after the deadline; the filters fold on a phone ---------------------------------


def test_placed_student_reads_their_post_after_registration_closed(context_for):
    cycle = factories.CycleFactory(
        status=CycleStatus.SELECTION_CLOSED,
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=20),
    )
    post = factories.PostFactory(cycle=cycle, title="文旅宣传助理")
    factories.PostFactory(cycle=cycle, status=PostStatus.CLOSED, title="社区事务助理")
    placement = make_placement(post=post)
    page = _phone(context_for)
    login(page, placement.student.user.email, PASSWORD)

    page.goto("/posts/")
    assert page.get_by_test_id("registration-closed").is_visible()
    assert "请减少筛选条件" not in page.locator("main").inner_text()
    assert page.get_by_test_id("post-card").count() == 2
    assert not page.locator("#post-filter-fields").is_visible()
    assert page.get_by_test_id("post-card").first.bounding_box()["y"] < PHONE["height"]
    page.get_by_test_id("filter-toggle").click()
    # Bootstrap marks the panel "show" once it has finished opening: nothing moves after that.
    page.locator("#post-filter-fields.show").wait_for(state="visible")
    assert scroll_width(page) <= PHONE["width"]

    page.goto("/my/applications/")
    page.get_by_role("link", name="文旅宣传助理").click()
    page.wait_for_url(f"**/posts/{post.pk}/")
    assert page.get_by_test_id("post-title").inner_text() == "文旅宣传助理"
    assert page.get_by_test_id("post-closed").inner_text() == "报名已截止"
    assert page.get_by_test_id("apply-button").count() == 0


# --- 3: histories in words --------------------------------------------------------------------------------------


def test_coordinator_reads_histories_in_words(context_for):
    coordinator = factories.CoordinatorFactory()
    post = factories.PostFactory(unit=coordinator.unit)
    placement = make_placement(post=post)
    PlacementEvent.objects.create(
        placement=placement, kind=PlacementEventKind.STATUS, from_value="upcoming", to_value="active"
    )
    PlacementEvent.objects.create(
        placement=placement,
        kind=PlacementEventKind.TERM,
        from_value=f"short {post.starts_on}–{post.ends_on}",
        to_value=f"long {post.starts_on}–{post.ends_on}",
    )
    application = placement.application
    ApplicationEvent.objects.create(
        application=application,
        from_status=ApplicationStatus.SUBMITTED,
        to_status=ApplicationStatus.SUBMITTED,
        reason="1 → 3",
    )
    page = _desk(context_for)
    login(page, coordinator.user.email, PASSWORD)
    page.goto(f"/placements/{placement.pk}/")
    history = page.get_by_test_id("history").inner_text()
    assert "未开始 → 进行中" in history and "短期岗位" in history and "长期岗位" in history
    for code in ("upcoming", "active", "short", "long"):
        assert code not in history
    page.goto(f"/unit/applications/{application.pk}/")
    history = page.get_by_test_id("history").inner_text()
    assert "志愿顺序调整：第1志愿 → 第3志愿" in history
    assert "已提交 → 已提交" not in history


# --- 4: deletion gives the true reason; the notice states the rule ------------------------------------------------


def test_placed_student_is_told_why_deletion_waits_and_reads_the_retention_rule(context_for):
    placement = make_placement()
    page = _phone(context_for)
    login(page, placement.student.user.email, PASSWORD)
    page.goto("/my/privacy/")
    assert scroll_width(page) <= PHONE["width"]
    page.get_by_test_id("deletion").locator("[name=confirm]").check()
    page.get_by_test_id("deletion").locator("[type=submit]").click()
    page.wait_for_load_state("load")
    body = page.locator("body").inner_text()
    assert "您的岗位实践尚在进行中" in body
    assert "请先撤回尚在评审中的报名" not in body
    page.goto("/privacy/")
    retention = page.get_by_test_id("retention").inner_text()
    assert "3 年后匿名化" in retention and "届次结束" not in page.locator("main").inner_text()


# --- 5: choices that can be told apart -----------------------------------------------------------------------------


def test_slot_posts_and_preference_boxes_can_be_told_apart(context_for):
    coordinator = factories.CoordinatorFactory()
    cycle = factories.CycleFactory()
    old = factories.CycleFactory(year=cycle.year - 1, status=CycleStatus.ARCHIVED)
    factories.PostFactory(unit=coordinator.unit, cycle=old, title="综合办公室助理", status=PostStatus.CLOSED)
    factories.PostFactory(unit=coordinator.unit, cycle=cycle, title="综合办公室助理")
    page = _desk(context_for)
    login(page, coordinator.user.email, PASSWORD)
    page.goto("/unit/interviews/")
    options = page.locator("select[name=post] option").all_inner_texts()
    assert [o for o in options if "综合办公室助理" in o] == [f"综合办公室助理（{cycle.year}年度）"]

    student = factories.StudentProfileFactory()
    for rank, name in ((3, "金山区亭林镇人民政府"), (1, "金山区朱泾镇人民政府"), (2, "金山区枫泾镇人民政府")):
        unit = factories.HostUnitFactory(name=name)
        factories.ApplicationFactory(
            student=student,
            post=factories.PostFactory(cycle=cycle, unit=unit, title="综合办公室助理"),
            preference_rank=rank,
        )
    phone = _phone(context_for)
    login(phone, student.user.email, PASSWORD)
    phone.goto("/my/applications/")
    labels = phone.locator("#reorder-form label").all_inner_texts()
    assert labels == [
        "综合办公室助理 · 金山区朱泾镇人民政府",
        "综合办公室助理 · 金山区枫泾镇人民政府",
        "综合办公室助理 · 金山区亭林镇人民政府",
    ]


# --- 6 and 7: the ranking page; asking before an irreversible step --------------------------------------------------


def test_ranking_saves_ranked_first_and_offers_stop_when_full_then_staff_close_after_asking(context_for, settings):
    coordinator = factories.CoordinatorFactory()
    cycle = factories.CycleFactory()
    post = factories.PostFactory(unit=coordinator.unit, cycle=cycle, headcount=1)
    first, second, third = make_applications(post, 3, status=ApplicationStatus.INTERVIEWED)
    page = _desk(context_for)
    login(page, coordinator.user.email, PASSWORD)
    page.goto(f"/unit/posts/{post.pk}/ranking/")
    page.fill(f"[name=rank_{third.pk}]", "1")
    page.fill(f"[name=rank_{first.pk}]", "2")
    page.get_by_test_id("save-ranking").click()
    page.wait_for_load_state("load")
    rows = page.locator("[data-testid^=ranked-]").evaluate_all("rows => rows.map(r => r.dataset.testid)")
    assert rows == [f"ranked-{third.pk}", f"ranked-{first.pk}", f"ranked-{second.pk}"]
    page.get_by_test_id(f"offer-{third.pk}").click()
    page.wait_for_load_state("load")
    assert page.get_by_test_id("no-free-place").is_visible()
    assert page.locator("[data-testid^=offer-]").count() == 0

    staff = factories.StaffFactory()
    office = _desk(context_for)
    login(office, staff.email, PASSWORD)
    office.goto(f"/selection/?cycle={cycle.pk}")
    office.get_by_test_id("close-selection").click()
    office.wait_for_url(f"**/selection/cycles/{cycle.pk}/close/")
    assert office.get_by_test_id("offers-lapsing").inner_text().startswith("1 份尚在答复期内的录用通知将失效")
    assert office.get_by_test_id("offers-with-days-left").is_visible()
    office.get_by_test_id("close-submit").click()
    office.get_by_test_id("close-done").wait_for(timeout=60_000)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SELECTION_CLOSED


def test_student_declines_an_offer_only_after_confirming(context_for):
    post = factories.PostFactory(title="文旅宣传助理")
    (application,) = make_applications(post, 1, status=ApplicationStatus.INTERVIEWED)
    offer = services.offer_make(application=application, actor=factories.CoordinatorFactory(unit=post.unit).user)
    page = _phone(context_for)
    login(page, application.student.user.email, PASSWORD)
    page.goto("/my/selection/")
    page.get_by_test_id("decline-offer").click()
    page.wait_for_url(f"**/my/offers/{offer.pk}/decline/**")
    assert "文旅宣传助理" in page.get_by_test_id("decline-what").inner_text()
    assert scroll_width(page) <= PHONE["width"]
    page.get_by_test_id("decline-back").click()
    page.wait_for_url("**/my/selection/")
    offer.refresh_from_db()
    assert offer.status == "open"
    page.get_by_test_id("decline-offer").click()
    page.get_by_test_id("decline-confirm").click()
    page.wait_for_url("**/my/selection/")
    offer.refresh_from_db()
    assert offer.status == "declined"


# --- 8: phone and wording -------------------------------------------------------------------------------------------


def test_register_links_the_notice_and_verify_and_interviews_read_well(context_for):
    page = _phone(context_for)
    page.goto("/accounts/register/")
    with page.context.expect_page() as notice:
        page.get_by_test_id("privacy-notice-link").click()
    notice.value.wait_for_load_state()
    assert notice.value.url.endswith("/privacy/")
    page.fill("#id_email", "xiaoli@example.cn")  # nothing typed is lost: the notice opened beside the form
    assert page.input_value("#id_email") == "xiaoli@example.cn"

    student = factories.UserFactory(mobile_verified_at=None)
    login(page, student.email, PASSWORD)
    page.goto("/accounts/verify/")
    colour = page.get_by_test_id("mobile-unverified").evaluate("e => getComputedStyle(e).color")
    assert colour != "rgb(255, 193, 7)"  # Bootstrap's pale warning yellow

    coordinator = factories.CoordinatorFactory()
    cycle = factories.CycleFactory()
    post = factories.PostFactory(unit=coordinator.unit, cycle=cycle)
    (application,) = make_applications(post, 1, status=ApplicationStatus.SHORTLISTED)
    interview = services.interview_book(
        application=application, slot=make_slot(coordinator.unit, cycle, post=post), actor=coordinator.user
    )
    make_slot(coordinator.unit, cycle, hours=48, post=post)
    desk = _desk(context_for)
    login(desk, coordinator.user.email, PASSWORD)
    desk.goto("/unit/interviews/")
    assert "20 分钟" in desk.locator("main").inner_text() and "′" not in desk.locator("main").inner_text()
    desk.goto(f"/unit/interviews/{interview.pk}/")
    assert desk.locator("label[for=id_slot]").inner_text().startswith("改约到的场次")


# --- 10: finished placements are records; overlaps are flagged; released offers show a deadline ---------------------


def test_finished_placement_is_read_only_and_a_new_application_warns_of_an_overlap(context_for):
    cycle = factories.CycleFactory()
    student = factories.StudentProfileFactory(expected_graduation=dt.date(cycle.year + 3, 6, 30))
    placement = make_placement(
        post=factories.PostFactory(cycle=cycle, long_term=True), student=student, status="active"
    )
    OnboardingItem.objects.create(cycle=cycle, title="阅读安全须知", party=ChecklistParty.STUDENT)
    overlapping = factories.PostFactory(cycle=cycle, title="暑期调研助理", max_year_of_study=6)
    last_year = factories.CycleFactory(year=cycle.year - 1, status=CycleStatus.ARCHIVED)
    done = make_placement(post=factories.PostFactory(cycle=last_year), student=placement.student, status="completed")
    OnboardingItem.objects.create(cycle=last_year, title="签订挂职协议", party=ChecklistParty.STUDENT)
    past = Activity.objects.create(
        cycle=last_year,
        kind=ActivityKind.ORIENTATION,
        title="走进金山",
        starts_at=timezone.now() - dt.timedelta(days=200),
        ends_at=timezone.now() - dt.timedelta(days=200) + dt.timedelta(hours=3),
        place="金山区青少年活动中心",
        capacity=30,
        status=ActivityStatus.PUBLISHED,
        proposed_by=factories.StaffFactory(),
    )
    ActivitySignup.objects.create(activity=past, placement=done)
    Application.objects.filter(pk=placement.application_id).update(preference_rank=1)
    page = _phone(context_for)
    login(page, placement.student.user.email, PASSWORD)
    page.goto(f"/my/placement/{done.pk}/")
    assert page.get_by_test_id(f"signed-up-{past.pk}").is_visible()
    assert page.get_by_test_id(f"cancel-{past.pk}").count() == 0
    assert page.locator("[data-testid^=tick-]").count() == 0
    page.goto(f"/posts/{overlapping.pk}/")
    panel = page.get_by_test_id("apply-panel").inner_text()
    assert "与本人尚未结束的挂职时间重叠" in panel
    assert page.get_by_test_id("apply-button").is_visible()


def test_student_moves_then_cancels_a_booked_interview_on_the_phone(context_for):
    cycle = factories.CycleFactory()
    post = factories.PostFactory(cycle=cycle, title="文旅宣传助理")
    (application,) = make_applications(post, 1, status=ApplicationStatus.SHORTLISTED)
    first = make_slot(post.unit, cycle, hours=72, self_booking=True, post=post)
    later = make_slot(post.unit, cycle, hours=96, self_booking=True, post=post)
    interview = services.interview_book(
        application=application, slot=first, actor=application.student.user, by_student=True
    )
    page = _phone(context_for)
    login(page, application.student.user.email, PASSWORD)
    page.goto("/my/selection/")
    assert scroll_width(page) <= PHONE["width"]
    page.select_option(f"#move-{interview.pk}", str(later.pk))
    page.get_by_test_id(f"move-{interview.pk}").click()
    page.wait_for_load_state("load")
    interview.refresh_from_db()
    assert interview.slot_id == later.pk
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id(f"cancel-interview-{interview.pk}").click()
    page.get_by_test_id(f"bookable-{application.pk}").wait_for()
    interview.refresh_from_db()
    assert interview.status == "cancelled"


def test_staff_place_a_late_student_in_a_group_and_take_attendance(context_for):
    cycle = factories.CycleFactory()
    early = make_placement(post=factories.PostFactory(cycle=cycle))
    staff = factories.StaffFactory()
    page = _desk(context_for)
    login(page, staff.email, PASSWORD)
    page.goto(f"/office/groups/?cycle={cycle.year}")
    page.get_by_test_id("form-groups").click()
    page.get_by_test_id("groups").wait_for()
    late = make_placement(post=factories.PostFactory(cycle=cycle))
    page.goto(f"/office/groups/?cycle={cycle.year}")
    assert late.student.legal_name in page.get_by_test_id("unassigned").inner_text()
    page.get_by_test_id("place-unassigned").click()
    page.get_by_test_id("groups").wait_for()
    assert page.get_by_test_id("unassigned").count() == 0

    activity = Activity.objects.create(
        cycle=cycle,
        kind=ActivityKind.ORIENTATION,
        title="走进金山",
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
        place="金山区青少年活动中心",
        capacity=30,
        status=ActivityStatus.PUBLISHED,
        proposed_by=staff,
    )
    for placement in (early, late):
        ActivitySignup.objects.create(activity=activity, placement=placement)
    page.goto(f"/office/activities/?cycle={cycle.year}")
    page.get_by_test_id(f"attendance-{activity.pk}").click()
    page.get_by_label(f"{early.student.legal_name} · {early.post.unit.name}").check()
    page.get_by_test_id("attendance-save").click()
    page.get_by_test_id("activities").wait_for()
    assert dict(ActivitySignup.objects.values_list("placement_id", "attended")) == {early.pk: True, late.pk: False}
