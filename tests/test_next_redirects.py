"""A ``next`` that is not a path of this site is ignored, never taken for a URL name (a 500)."""

import pytest
from django.urls import reverse

from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["0", "home", "https://evil.example/", "//evil.example/"])
def test_offer_decline_with_a_bad_next_goes_to_my_selection(client, target):
    world = build_world()
    client.force_login(world.a.student.user)
    response = client.post(reverse("placements:offer_decline", args=[world.a.offer.pk]), {"next": target})
    assert (response.status_code, response["Location"]) == (302, reverse("placements:my_selection"))


def test_offer_decline_with_a_path_next_goes_there(client):
    world = build_world()
    client.force_login(world.a.student.user)
    response = client.post(reverse("placements:offer_decline", args=[world.a.offer.pk]), {"next": "/my/applications/"})
    assert (response.status_code, response["Location"]) == (302, "/my/applications/")


@pytest.mark.parametrize("target", ["0", "home"])
def test_profile_edit_with_a_bare_word_next_goes_to_the_profile(client, target):
    world = build_world()
    student = world.a.student
    client.force_login(student.user)
    data = {
        "legal_name": student.legal_name,
        "gender": student.gender,
        "hukou_town": student.hukou_town,
        "university": student.university,
        "major": student.major,
        "degree_level": student.degree_level,
        "year_of_study": "2",
        "expected_graduation": str(student.expected_graduation),
        "mobile": student.user.mobile,
        "consent": "on",
    }
    response = client.post(reverse("applicants:profile_edit") + f"?next={target}", data)
    assert (response.status_code, response["Location"]) == (302, reverse("applicants:profile"))
