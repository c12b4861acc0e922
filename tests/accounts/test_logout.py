"""Logging out: a POST ends the session; a GET shows the button instead of a 405."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_logout_by_get_shows_a_page_with_the_logout_button(client):
    client.force_login(UserFactory())
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "确定要退出门户登录吗？" in body
    assert '<form method="post" action="/accounts/logout/" data-testid="logout-form">' in body
    assert "_auth_user_id" in client.session


def test_logout_by_post_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert "_auth_user_id" not in client.session


def test_logout_by_get_when_logged_out_goes_home(client):
    response = client.get("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/")
