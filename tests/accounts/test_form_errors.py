"""A refused registration comes back with what was typed and the error, and creates no account."""

import pytest
from django.urls import reverse

from jinseed.accounts.models import User

pytestmark = pytest.mark.django_db


def test_register_with_different_passwords_keeps_the_address(client):
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("accounts:register"),
        {
            "email": "jin.xiaoming@example.cn",
            "mobile": "13955550001",
            "password1": "Jinshan-Seed-42",
            "password2": "Jinshan-Seed-43",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="jin.xiaoming@example.cn"' in page
    assert 'value="13955550001"' in page
    assert "The two passwords differ." in page
    assert 'value="Jinshan-Seed-42"' not in page
    assert not User.objects.exists()
