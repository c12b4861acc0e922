import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applicants.models import Application
from applicants.services import application_submit
from positions.enums import CycleStatus, PostStatus, Season, TermType, Town, UnitKind
from tests import factories
from tests.applicants.helpers import PDF_BYTES, pdf_upload, student_for

pytestmark = pytest.mark.django_db


def _token(response) -> str:
    return re.search(r'name="submit_token" value="([^"]+)"', response.content.decode()).group(1)


def _apply_data(token, rank=1, **overrides):
    data = {
        "preference_rank": str(rank),
        "statement": "我在金山长大，希望暑假回到家乡的街道实践。",
        "resume": pdf_upload(),
        "submit_token": token,
    }
    data.update(overrides)
    return data


@pytest.fixture
def applicant(cycle):
    return student_for(cycle)


@pytest.fixture
def post(cycle):
    return factories.PostFactory(cycle=cycle)


# --- post list and detail ---------------------------------------------------------------------


def test_post_list_shows_published_and_closed_posts_of_the_current_cycle(client, cycle):
    shown = factories.PostFactory(cycle=cycle, title="可见岗位")
    factories.PostFactory(cycle=cycle, status=PostStatus.DRAFT, title="草稿岗位")
    factories.PostFactory(cycle=cycle, status=PostStatus.SUBMITTED, title="待审岗位")
    closed = factories.PostFactory(cycle=cycle, status=PostStatus.CLOSED, title="关闭岗位")
    response = client.get(reverse("post_list"))
    assert {p.pk for p in response.context["page"]} == {shown.pk, closed.pk}
    html = response.content.decode()
    assert html.count('data-testid="post-closed"') == 1
    assert 'data-testid="registration-closed"' not in html


def test_post_list_after_the_deadline_stays_readable_and_says_registration_closed(client):
    cycle = factories.CycleFactory(status=CycleStatus.SELECTION_CLOSED)
    post = factories.PostFactory(cycle=cycle)
    response = client.get(reverse("post_list"))
    assert [p.pk for p in response.context["page"]] == [post.pk]
    html = response.content.decode()
    assert 'data-testid="registration-closed"' in html
    assert "报名已于" in html and "以下岗位仍可查阅，但不再接受报名" in html
    assert "请减少筛选条件" not in html


def test_post_list_of_an_open_cycle_past_its_deadline_says_so(client):
    cycle = factories.CycleFactory(registration_closes_at=timezone.now() - dt.timedelta(hours=1))
    factories.PostFactory(cycle=cycle)
    html = client.get(reverse("post_list")).content.decode()
    assert 'data-testid="registration-closed"' in html


def test_post_list_empty_cycle_says_nothing_is_published_not_blame_the_filters(client, cycle):
    html = client.get(reverse("post_list")).content.decode()
    assert "本届尚未发布岗位。" in html
    assert "请减少筛选条件" not in html
    filtered = client.get(reverse("post_list"), {"q": "没有这个岗位"}).content.decode()
    assert "请减少筛选条件" in filtered


def test_post_list_offers_the_posts_of_earlier_cycles(client, cycle):
    old = factories.CycleFactory(year=cycle.year - 1, status=CycleStatus.ARCHIVED)
    old_post = factories.PostFactory(cycle=old, status=PostStatus.CLOSED)
    draft = factories.CycleFactory(year=cycle.year + 1, status=CycleStatus.DRAFT)
    factories.PostFactory(cycle=cycle)
    html = client.get(reverse("post_list")).content.decode()
    assert f'href="/posts/?cycle={old.year}"' in html
    assert f"?cycle={draft.year}" not in html
    response = client.get(reverse("post_list"), {"cycle": old.year})
    assert [p.pk for p in response.context["page"]] == [old_post.pk]
    assert client.get(reverse("post_list"), {"cycle": draft.year}).status_code == 404


def test_post_detail_of_a_closed_cycle_is_readable_without_apply_button(client):
    cycle = factories.CycleFactory(status=CycleStatus.ARCHIVED)
    post = factories.PostFactory(cycle=cycle, status=PostStatus.CLOSED, title="已结束届次的岗位")
    response = client.get(reverse("post_detail", args=[post.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "已结束届次的岗位" in html
    assert 'data-testid="post-closed"' in html
    assert 'data-state="closed"' in html
    assert 'data-testid="apply-button"' not in html


def test_post_detail_of_a_draft_post_or_cycle_is_not_found(client):
    draft_post = factories.PostFactory(status=PostStatus.DRAFT)
    post_of_draft_cycle = factories.PostFactory(cycle=factories.CycleFactory(status=CycleStatus.DRAFT))
    assert client.get(reverse("post_detail", args=[draft_post.pk])).status_code == 404
    assert client.get(reverse("post_detail", args=[post_of_draft_cycle.pk])).status_code == 404


def test_apply_to_a_closed_post_goes_back_to_the_post_with_a_message(client):
    cycle = factories.CycleFactory(status=CycleStatus.SELECTION_CLOSED)
    post = factories.PostFactory(cycle=cycle)
    client.force_login(student_for(cycle).user)
    response = client.get(reverse("applicants:apply", args=[post.pk]), follow=True)
    assert response.redirect_chain == [(reverse("post_detail", args=[post.pk]), 302)]
    html = response.content.decode()
    assert html.count("报名已截止，不再接受报名。") == 2  # the message, and the panel in place of the button
    assert 'data-state="closed"' in html


def test_post_list_filters(client, cycle):
    town_unit = factories.HostUnitFactory(kind=UnitKind.TOWN, town=Town.FENGJING)
    a = factories.PostFactory(cycle=cycle, title="社区治理助理", season=Season.WINTER)
    b = factories.PostFactory(cycle=cycle, unit=town_unit, long_term=True, description="乡村振兴调研")
    get = lambda **q: [p.pk for p in client.get(reverse("post_list"), q).context["page"]]  # noqa: E731
    assert get(term=TermType.LONG) == [b.pk]
    assert get(season=Season.WINTER) == [a.pk]
    assert get(kind=UnitKind.TOWN) == [b.pk]
    assert get(town=Town.FENGJING) == [b.pk]
    assert get(q="社区") == [a.pk]
    assert get(q="乡村振兴") == [b.pk]


def test_post_list_fits_my_year(client, cycle):
    junior = factories.PostFactory(cycle=cycle, min_year_of_study=1, max_year_of_study=2)
    factories.PostFactory(cycle=cycle, long_term=True)  # years 3-6
    student = student_for(cycle, year_of_study=1)
    client.force_login(student.user)
    response = client.get(reverse("post_list"), {"fits": "on"})
    assert [p.pk for p in response.context["page"]] == [junior.pk]


def test_post_list_paginates_and_keeps_filters(client, cycle):
    factories.PostFactory.create_batch(25, cycle=cycle)
    response = client.get(reverse("post_list"), {"term": "short"})
    assert len(response.context["page"]) == 20
    assert "term=short&amp;page=2" in response.content.decode()
    assert len(client.get(reverse("post_list"), {"term": "short", "page": 2}).context["page"]) == 5


def test_post_list_query_count_does_not_grow(
    client, cycle, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    factories.PostFactory(cycle=cycle)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("post_list"))
    # Committed, as a real change is: the cached list is then stale and rendered again.
    with django_capture_on_commit_callbacks(execute=True):
        factories.PostFactory.create_batch(30, cycle=cycle)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("post_list"))
    assert len(many) == len(one)


def test_post_detail_404_for_unpublished(client, cycle):
    draft = factories.PostFactory(cycle=cycle, status=PostStatus.SUBMITTED)
    assert client.get(reverse("post_detail", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize(
    ("setup", "state"),
    [
        ("anonymous", "anonymous"),
        ("student", "can_apply"),
        ("no_profile", "no_profile"),
        ("graduating", "not_eligible"),
        ("applied", "applied"),
    ],
)
def test_post_detail_apply_panel_state(client, cycle, post, setup, state):
    if setup != "anonymous":
        if setup == "no_profile":
            user = factories.UserFactory()
        else:
            grad = dt.date(cycle.year, 6, 30) if setup == "graduating" else dt.date(cycle.year + 2, 6, 30)
            profile = factories.StudentProfileFactory(expected_graduation=grad)
            user = profile.user
            if setup == "applied":
                factories.ApplicationFactory(student=profile, post=post)
        client.force_login(user)
    response = client.get(reverse("post_detail", args=[post.pk]))
    assert response.status_code == 200
    assert f'data-state="{state}"' in response.content.decode()
    assert ('data-testid="apply-button"' in response.content.decode()) is (state == "can_apply")


def test_post_detail_closed_registration_has_no_apply_button(client, applicant):
    cycle = factories.CycleFactory(registration_closes_at=timezone.now() - dt.timedelta(seconds=1))
    post = factories.PostFactory(cycle=cycle)
    student = student_for(cycle)
    client.force_login(student.user)
    response = client.get(reverse("post_detail", args=[post.pk]))
    assert 'data-state="closed"' in response.content.decode()


# --- applying ------------------------------------------------------------------------------------


def test_apply_creates_application_once_on_double_submit(client, applicant, post):
    client.force_login(applicant.user)
    token = _token(client.get(reverse("applicants:apply", args=[post.pk])))
    first = client.post(reverse("applicants:apply", args=[post.pk]), _apply_data(token))
    second = client.post(reverse("applicants:apply", args=[post.pk]), _apply_data(token))
    assert first.status_code == 302
    assert second.status_code == 302
    assert Application.objects.filter(student=applicant, post=post).count() == 1
    app = Application.objects.get()
    assert app.resume.open("rb").read() == PDF_BYTES


def test_apply_after_deadline_refused_and_keeps_typed_text(client, applicant, post, monkeypatch):
    client.force_login(applicant.user)
    client.cookies["django_language"] = "en"
    token = _token(client.get(reverse("applicants:apply", args=[post.pk])))
    post.cycle.registration_closes_at = timezone.now() - dt.timedelta(seconds=1)
    post.cycle.save()
    statement = "这是我认真写的个人陈述，不能丢失。一二三四五六七八九十。"
    response = client.post(reverse("applicants:apply", args=[post.pk]), _apply_data(token, statement=statement))
    assert response.status_code == 400
    assert Application.objects.count() == 0
    assert statement in response.content.decode()
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["deadline"]
    assert "Applications are no longer accepted." in response.content.decode()


def test_apply_refusal_by_service_keeps_typed_text(client, cycle, applicant):
    p1, p2 = factories.PostFactory.create_batch(2, cycle=cycle)
    factories.ApplicationFactory(student=applicant, post=p1, preference_rank=1)
    client.force_login(applicant.user)
    client.cookies["django_language"] = "en"
    token = _token(client.get(reverse("applicants:apply", args=[p2.pk])))
    # rank 1 is taken: the form does not offer it, and the service refuses it on the field
    statement = "我想去第二个岗位，这段文字应当保留在页面上。"
    response = client.post(reverse("applicants:apply", args=[p2.pk]), _apply_data(token, rank=1, statement=statement))
    assert response.status_code == 400
    assert statement in response.content.decode()
    assert [e.code for e in response.context["form"].errors.as_data()["preference_rank"]] == ["rank_taken"]
    assert [value for value, _label in response.context["form"].fields["preference_rank"].choices] == [2, 3]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"PK\x03\x04 this is a docx", "resume.pdf", "resume_not_pdf"),
        (b"%PDF-1.4 truncated without end marker", "resume.pdf", "resume_not_pdf"),
        (b"\x89PNG\r\n\x1a\n", "resume.pdf", "resume_not_pdf"),
    ],
)
def test_apply_resume_checked_by_content(client, applicant, post, content, name, code):
    client.force_login(applicant.user)
    token = _token(client.get(reverse("applicants:apply", args=[post.pk])))
    response = client.post(
        reverse("applicants:apply", args=[post.pk]), _apply_data(token, resume=pdf_upload(name, content))
    )
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["resume"]] == [code]


def test_apply_resume_over_5mb_refused(client, settings, applicant, post):
    client.force_login(applicant.user)
    token = _token(client.get(reverse("applicants:apply", args=[post.pk])))
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n"
    response = client.post(
        reverse("applicants:apply", args=[post.pk]), _apply_data(token, resume=pdf_upload(content=big))
    )
    assert [e.code for e in response.context["form"].errors.as_data()["resume"]] == ["resume_too_large"]


def test_apply_requires_profile(client, post):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.get(reverse("applicants:apply", args=[post.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("applicants:profile_edit"))


def test_apply_forbidden_for_coordinator(client, post):
    coordinator = factories.CoordinatorFactory()
    client.force_login(coordinator.user)
    assert client.get(reverse("applicants:apply", args=[post.pk])).status_code == 403


# --- My applications --------------------------------------------------------------------------------


def test_my_applications_lists_status_rank_and_history(client, cycle, applicant):
    p1, p2 = factories.PostFactory.create_batch(2, cycle=cycle)
    for rank, post in enumerate((p1, p2), start=1):
        application_submit(
            student=applicant, post=post, preference_rank=rank, statement="x" * 30, submit_token=f"t{rank}"
        )
    client.force_login(applicant.user)
    response = client.get(reverse("applicants:my_applications"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="application"') == 2
    assert 'data-rank="1"' in body and 'data-rank="2"' in body
    assert 'id="reorder-form"' in body
    assert body.count('data-testid="withdraw"') == 2


def test_my_applications_held_decision_keeps_the_page_as_it_was(client, cycle, applicant):
    post = factories.PostFactory(cycle=cycle)
    application = application_submit(
        student=applicant, post=post, preference_rank=1, statement="x" * 30, submit_token="held"
    )
    # Interviewed and then not selected while the results are held until the announcement.
    Application.objects.filter(pk=application.pk).update(status="not_selected", published_status="interviewed")
    client.force_login(applicant.user)
    body = client.get(reverse("applicants:my_applications")).content.decode()
    assert 'data-status="interviewed"' in body
    assert 'data-testid="rank"' in body


def test_my_applications_query_count_does_not_grow(client, cycle, applicant):
    def make(n):
        for _ in range(n):
            factories.ApplicationFactory(
                student=applicant,
                post=factories.PostFactory(cycle=cycle),
                status="rejected",
                published_status="rejected",
            )

    make(1)
    client.force_login(applicant.user)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("applicants:my_applications"))
    make(20)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("applicants:my_applications"))
    assert len(many) == len(one) <= 10


def test_reorder_view_swaps(client, cycle, applicant):
    p1, p2 = factories.PostFactory.create_batch(2, cycle=cycle)
    a1 = application_submit(student=applicant, post=p1, preference_rank=1, statement="x" * 30, submit_token="a")
    a2 = application_submit(student=applicant, post=p2, preference_rank=2, statement="x" * 30, submit_token="b")
    client.force_login(applicant.user)
    response = client.post(reverse("applicants:reorder"), {f"rank_{a1.pk}": "2", f"rank_{a2.pk}": "1"})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.preference_rank == 2


def test_withdraw_view_refuses_other_student(client, cycle, applicant, post):
    app = factories.ApplicationFactory(student=applicant, post=post)
    other = student_for(cycle)
    client.force_login(other.user)
    assert client.post(reverse("applicants:withdraw", args=[app.pk])).status_code == 403
    client.force_login(applicant.user)
    assert client.post(reverse("applicants:withdraw", args=[app.pk])).status_code == 302
    app.refresh_from_db()
    assert app.status == "withdrawn"


# --- résumé download --------------------------------------------------------------------------------


@pytest.fixture
def app_with_resume(applicant, post):
    return application_submit(
        student=applicant, post=post, preference_rank=1, statement="x" * 30, resume=pdf_upload(), submit_token="r"
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("unit_coordinator", 200),
        ("staff", 200),
        ("other_coordinator", 403),
        ("other_student", 403),
        ("mentor", 403),
    ],
)
def test_resume_download_permissions(client, app_with_resume, who, status):
    users = {
        "owner": lambda: app_with_resume.student.user,
        "unit_coordinator": lambda: factories.CoordinatorFactory(unit=app_with_resume.post.unit).user,
        "staff": lambda: factories.StaffFactory(),
        "other_coordinator": lambda: factories.CoordinatorFactory().user,
        "other_student": lambda: factories.StudentProfileFactory().user,
        "mentor": lambda: factories.MentorFactory(unit=app_with_resume.post.unit).user,
    }
    client.force_login(users[who]())
    response = client.get(reverse("applicants:resume", args=[app_with_resume.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_resume_download_anonymous_redirects_to_login(client, app_with_resume):
    response = client.get(reverse("applicants:resume", args=[app_with_resume.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_resume_has_no_public_url(app_with_resume):
    with pytest.raises(ValueError):
        app_with_resume.resume.url  # noqa: B018
