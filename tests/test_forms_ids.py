"""An id beyond the 64-bit range is a form error, never a 500 (jinseed/forms.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from applicants.models import Application
from jinseed.forms import MAX_ID, ModelChoiceField, ModelMultipleChoiceField, id_in_range
from tests import factories

pytestmark = pytest.mark.django_db

HUGE = "9" * 20


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), (str(MAX_ID), True), (str(MAX_ID + 1), False), ("0", False), ("-3", False), (HUGE, False)],
)
def test_id_in_range_bounds(value, expected):
    assert id_in_range(value) is expected


def test_id_in_range_leaves_non_numbers_to_django():
    assert id_in_range("abc") is True


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, str(MAX_ID + 1), "0"])
def test_model_multiple_choice_field_refuses_out_of_range_ids(value):
    field = ModelMultipleChoiceField(queryset=Application.objects.all())
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            field.clean([value])
        assert caught.value.messages == [f"“{value}”不是一个有效的值"]


def test_model_choice_field_refuses_out_of_range_ids():
    field = ModelChoiceField(queryset=Application.objects.all())
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            field.clean(HUGE)
        assert caught.value.messages == ["选择一个有效的选项： 该选择不在可用的选项中。"]


def test_bulk_decision_with_a_20_digit_id_is_a_form_error(client):
    coordinator = factories.CoordinatorFactory()
    post = factories.PostFactory(unit=coordinator.unit)
    application = factories.ApplicationFactory(post=post)
    client.force_login(coordinator.user)
    response = client.post(
        reverse("placements:post_applicants_bulk", args=[post.pk]),
        {"decision": "shortlist", "applications": [str(application.pk), HUGE]},
    )
    assert response.status_code == 400
    assert response.context["bulk_form"].errors == {"applications": [f"“{HUGE}”不是一个有效的值"]}
    application.refresh_from_db()
    assert application.status == "submitted"


def test_interview_slot_with_a_20_digit_interviewer_is_a_form_error(client):
    coordinator = factories.CoordinatorFactory()
    client.force_login(coordinator.user)
    response = client.post(
        reverse("placements:slot_list"),
        {"starts_at": "2099-01-01T10:00", "duration_minutes": "20", "mode": "video", "interviewers": [HUGE]},
    )
    assert response.status_code in {200, 400}
    assert response.context["form"].errors["interviewers"] == [f"“{HUGE}”不是一个有效的值"]


def test_admin_return_view_ignores_out_of_range_ids(client, staff_user):
    client.force_login(staff_user)
    post = factories.PostFactory()
    response = client.get(reverse("admin:positions_post_return"), {"ids": f"{post.pk},{HUGE}"})
    assert response.status_code == 200
    assert response.context["ids"] == str(post.pk)
