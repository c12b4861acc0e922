"""A student's refused form comes back as typed, with its error, and changes nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from applicants.models import Application, ApplicationEvent, StudentProfile
from applicants.services import application_submit
from tests import factories
from tests.applicants.helpers import student_for
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(cycle):
    return student_for(cycle)


@pytest.fixture
def three_applications(cycle, applicant):
    posts = factories.PostFactory.create_batch(3, cycle=cycle)
    return [
        application_submit(
            student=applicant, post=post, preference_rank=rank, statement="x" * 30, submit_token=f"t{rank}"
        )
        for rank, post in enumerate(posts, start=1)
    ]


def _form_data(**overrides):
    return {
        "legal_name": "金小明",
        "gender": "M",
        "mobile": "13912345678",
        "hukou_town": "zhujing",
        "university": "复旦大学",
        "major": "经济学",
        "degree_level": "bachelor",
        "year_of_study": "2",
        "expected_graduation": f"{timezone.localdate().year + 3}-06-30",
        "id_number": make_id_number(11),
        "consent": "on",
        **overrides,
    }


def _login(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _ranks(applications) -> list[int]:
    return [Application.objects.get(pk=a.pk).preference_rank for a in applications]


def test_reorder_with_the_same_preference_twice_keeps_the_choices(client, applicant, three_applications):
    a1, a2, a3 = three_applications
    response = _login(client, applicant.user).post(
        reverse("applicants:reorder"), {f"rank_{a1.pk}": "3", f"rank_{a2.pk}": "3", f"rank_{a3.pk}": "1"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give each application a different preference." in page
    assert response.context["reorder_form"].data.getlist(f"rank_{a1.pk}") == ["3"]
    for app, rank in ((a1, 3), (a2, 3), (a3, 1)):
        select = page[page.index(f'id="rank-{app.pk}"') :].split("</select>")[0]
        assert f'<option value="{rank}" selected>Preference {rank}</option>' in select
    assert _ranks(three_applications) == [1, 2, 3]
    assert not ApplicationEvent.objects.filter(from_status="submitted", to_status="submitted").exists()


def test_reorder_with_a_missing_or_unknown_preference_says_so(client, applicant, three_applications):
    a1, a2, _a3 = three_applications
    response = _login(client, applicant.user).post(
        reverse("applicants:reorder"), {f"rank_{a1.pk}": "2", f"rank_{a2.pk}": "first"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Choose a preference for each application.") == 2
    select = page[page.index(f'id="rank-{a1.pk}"') :].split("</select>")[0]
    assert '<option value="2" selected>Preference 2</option>' in select
    assert _ranks(three_applications) == [1, 2, 3]


def test_profile_with_a_bad_id_number_keeps_what_was_typed(client):
    user = factories.UserFactory()
    data = _form_data(id_number="31011619990101001X", university="华东师范大学", major="汉语言文学")
    response = _login(client, user).post(reverse("applicants:profile_edit"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "华东师范大学" in page
    assert "汉语言文学" in page
    message = "The ID number's last character does not match: please check it for a typing error."
    assert response.context["form"].errors["id_number"] == [message]
    assert escape(message) in page
    assert not StudentProfile.objects.filter(user=user).exists()


def test_profile_refused_by_the_service_keeps_what_was_typed(client):
    factories.StudentProfileFactory(id_number=make_id_number(11))
    user = factories.UserFactory()
    response = _login(client, user).post(reverse("applicants:profile_edit"), _form_data(major="城乡规划"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "城乡规划" in page
    assert "This ID number is already registered with another account." in page
    assert not StudentProfile.objects.filter(user=user).exists()
