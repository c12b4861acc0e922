"""Alumni tracking: the survey goes once to each completed student, the student answers and
updates from their account, staff record answers marked as theirs, and the list filters."""

import pytest
from django.urls import reverse

from jinseed.notifications.models import Notification
from placements.cultivation import services
from placements.cultivation.enums import AlumniSource
from placements.cultivation.services import CultivationError
from placements.models import AlumniRecord
from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db

ANSWER = {
    "graduation_year": "2032",
    "graduation_month": "6",
    "activity": "working",
    "sector": "公共管理",
    "employer": "金山区人力资源和社会保障局",
    "back_in_jinshan": "yes",
    "contact_consent": "on",
}


@pytest.fixture
def completed(cycle):
    post = factories.PostFactory(cycle=cycle, headcount=3)
    return [make_placement(post=post, status="completed") for _ in range(2)]


def test_alumni_survey_is_queued_once_per_completed_student(cycle, completed, staff_user):
    make_placement(post=completed[0].post, status="active")  # not completed: no survey
    assert services.alumni_survey_send(cycle=cycle, actor=staff_user) == 2
    surveys = Notification.objects.filter(kind="alumni_survey")
    recipients = set(surveys.values_list("recipient_id", flat=True))
    assert recipients == {p.student.user_id for p in completed}
    count = surveys.count()
    assert services.alumni_survey_send(cycle=cycle, actor=staff_user) == 0
    assert surveys.count() == count
    keys = set(surveys.values_list("event_key", flat=True))
    assert keys == {f"alumni_survey:{cycle.pk}:{p.student_id}" for p in completed}


def test_alumni_survey_is_for_staff_only(cycle, completed):
    with pytest.raises(CultivationError):
        services.alumni_survey_send(cycle=cycle, actor=completed[0].student.user)


def test_alumni_survey_button_sends_and_says_how_many(client, staff_user, cycle, completed):
    client.force_login(staff_user)
    response = client.post(reverse("office:alumni_survey"), {"cycle": str(cycle.year)}, follow=True)
    assert response.status_code == 200
    assert Notification.objects.filter(kind="alumni_survey").values("recipient").distinct().count() == 2


def test_alumni_student_answers_and_updates(client, completed):
    placement = completed[0]
    client.force_login(placement.student.user)
    url = reverse("cultivation:my_alumni_edit", args=[placement.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, ANSWER)
    assert response.status_code == 302
    record = AlumniRecord.objects.get(student=placement.student, cycle=placement.post.cycle)
    assert (record.activity, record.employer, record.back_in_jinshan, record.contact_consent, record.source) == (
        "working",
        "金山区人力资源和社会保障局",
        True,
        True,
        AlumniSource.STUDENT,
    )
    assert record.recorded_by == placement.student.user
    page = client.get(url).content.decode()
    assert 'value="金山区人力资源和社会保障局"' in page
    response = client.post(url, {**ANSWER, "activity": "studying", "employer": "复旦大学", "back_in_jinshan": "no"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.activity, record.employer, record.back_in_jinshan) == ("studying", "复旦大学", False)
    assert AlumniRecord.objects.count() == 1
    listing = client.get(reverse("cultivation:my_alumni")).content.decode()
    assert "复旦大学" in listing


def test_alumni_student_form_errors_come_back_with_what_was_typed(client, completed):
    placement = completed[0]
    client.force_login(placement.student.user)
    url = reverse("cultivation:my_alumni_edit", args=[placement.pk])
    response = client.post(url, {**ANSWER, "employer": "", "sector": "乡村旅游", "graduation_month": "13"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="乡村旅游"' in page
    assert set(response.context["form"].errors) == {"employer", "graduation_month"}
    assert not AlumniRecord.objects.exists()


def test_alumni_another_student_cannot_see_or_edit_the_record(client, completed):
    mine, theirs = completed
    services.alumni_record_answer(placement=theirs, actor=theirs.student.user, data={**_clean(ANSWER)})
    client.force_login(mine.student.user)
    url = reverse("cultivation:my_alumni_edit", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**ANSWER, "employer": "别人改的"}).status_code == 404
    assert AlumniRecord.objects.get(student=theirs.student).employer == "金山区人力资源和社会保障局"
    assert "金山区人力资源和社会保障局" not in client.get(reverse("cultivation:my_alumni")).content.decode()
    with pytest.raises(CultivationError):
        services.alumni_record_answer(placement=theirs, actor=mine.student.user, data=_clean(ANSWER))


def test_alumni_needs_a_completed_placement(client, cycle):
    placement = make_placement(post=factories.PostFactory(cycle=cycle), status="active")
    client.force_login(placement.student.user)
    assert client.get(reverse("cultivation:my_alumni_edit", args=[placement.pk])).status_code == 404
    with pytest.raises(CultivationError):
        services.alumni_record_answer(placement=placement, actor=placement.student.user, data=_clean(ANSWER))


def _clean(answer: dict) -> dict:
    return {
        "graduation_year": int(answer["graduation_year"]),
        "graduation_month": int(answer["graduation_month"]),
        "activity": answer["activity"],
        "sector": answer["sector"],
        "employer": answer["employer"],
        "back_in_jinshan": answer["back_in_jinshan"] == "yes",
        "contact_consent": bool(answer.get("contact_consent")),
    }


def test_alumni_staff_recorded_answers_are_marked(client, staff_user, completed):
    placement = completed[0]
    services.alumni_record_answer(placement=placement, actor=placement.student.user, data=_clean(ANSWER))
    client.force_login(staff_user)
    response = client.post(
        reverse("office:alumni_record", args=[placement.pk]), {**ANSWER, "employer": "上海金石化工新材料有限公司"}
    )
    assert response.status_code == 302
    record = AlumniRecord.objects.get(student=placement.student)
    assert (record.source, record.recorded_by, record.employer) == (
        AlumniSource.STAFF,
        staff_user,
        "上海金石化工新材料有限公司",
    )
    page = client.get(reverse("office:alumni_list")).content.decode()
    assert page.count('data-testid="staff-recorded"') == 1
    client.force_login(placement.student.user)
    page = client.get(reverse("cultivation:my_alumni_edit", args=[placement.pk])).content.decode()
    assert 'data-testid="staff-recorded"' in page


def test_alumni_staff_form_errors_come_back_with_status_400(client, staff_user, completed):
    client.force_login(staff_user)
    response = client.post(reverse("office:alumni_record", args=[completed[0].pk]), {**ANSWER, "activity": "x"})
    assert response.status_code == 400
    assert 'value="金山区人力资源和社会保障局"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"A", "B", "C"}),
        ({"back_in_jinshan": "yes"}, {"A"}),
        ({"back_in_jinshan": "no"}, {"B"}),
        ({"source": "staff"}, {"B"}),
        ({"source": "student"}, {"A"}),
        ({"consent": "yes"}, {"A"}),
        ({"status": "none"}, {"C"}),
        ({"status": "studying"}, {"B"}),
    ],
)
def test_alumni_list_filters(client, staff_user, cycle, query, expected):
    post = factories.PostFactory(cycle=cycle, headcount=3)
    people = {}
    for name in "ABC":
        people[name] = make_placement(
            post=post, status="completed", student=factories.StudentProfileFactory(legal_name=f"校友{name}")
        )
    services.alumni_record_answer(placement=people["A"], actor=people["A"].student.user, data=_clean(ANSWER))
    services.alumni_record_by_staff(
        placement=people["B"],
        actor=staff_user,
        data={**_clean(ANSWER), "activity": "studying", "back_in_jinshan": False, "contact_consent": False},
    )
    other_cycle = factories.CycleFactory()
    make_placement(
        post=factories.PostFactory(cycle=other_cycle),
        status="completed",
        student=factories.StudentProfileFactory(legal_name="校友D"),
    )
    client.force_login(staff_user)
    response = client.get(reverse("office:alumni_list"), {"cycle": str(cycle.pk), **query})
    assert response.status_code == 200
    shown = {p.student.legal_name[-1] for p, _record in response.context["rows"]}
    assert shown == expected
