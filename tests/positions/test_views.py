import pytest
from django.urls import reverse

from positions.enums import PostStatus
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_home_shows_cycle_in_chinese_with_zone(client, cycle):
    PostFactory.create_batch(3, cycle=cycle)
    PostFactory(cycle=cycle, status=PostStatus.DRAFT)
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert cycle.title in body
    assert "报名截止" in body
    assert "北京时间" in body
    assert '<div class="display-6" data-testid="published-posts">3</div>' in body


def test_home_in_english(client, cycle):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Registration closes" in body
    assert "Beijing time (UTC+8)" in body


def test_home_without_cycle(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["facts"].cycle is None
    assert "目前没有开放的届次" in response.content.decode()
