import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signed_in_user_gets_their_preferred_language(client):
    user = UserFactory(language="en")
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body


def test_browser_cookie_wins_over_the_account_language(client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in body


def test_anonymous_visitor_gets_chinese(client):
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()


def test_language_switch_is_remembered_on_the_account(client):
    user = UserFactory(language="zh-hans")
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    user.refresh_from_db()
    assert user.language == "en"


def test_language_switch_refuses_unknown_language(client):
    user = UserFactory(language="zh-hans")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_language_switch_works_anonymously(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_an_english_browser_sees_the_chinese_home_page_on_its_first_visit(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert ">金种子</a>" in body


def test_english_is_one_click_away_and_remembered_by_the_browser(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.cookies["django_language"].value == "en"
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in body
    # The brand reads the same in both languages.
    assert ">金种子</a>" in body
