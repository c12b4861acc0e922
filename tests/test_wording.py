"""Wording and small layout fixes a pilot asked for, checked on the pages themselves."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from positions.models import PostImport
from tests import factories
from tests.placements.conftest import make_slot

pytestmark = pytest.mark.django_db


def test_register_consent_links_the_privacy_notice_in_a_new_tab():
    html = Client().get(reverse("accounts:register")).content.decode()
    link = '<a href="/privacy/" target="_blank" rel="noopener" data-testid="privacy-notice-link">'
    assert f"{link}阅读个人信息处理告知</a>" in html


def test_unverified_contact_is_written_in_the_dark_warning_colour(client):
    student = factories.UserFactory(mobile_verified_at=None)
    client.force_login(student)
    html = client.get(reverse("accounts:verify")).content.decode()
    assert 'class="text-warning-emphasis" data-testid="mobile-unverified"' in html
    assert 'class="text-warning"' not in html


def test_post_import_counts_are_named_as_counts():
    with translation.override("zh-hans"):
        names = [
            str(PostImport._meta.get_field(f).verbose_name) for f in ("rows_created", "rows_updated", "rows_unchanged")
        ]
    assert names == ["新建行数", "更新行数", "未变行数"]


def test_slot_durations_read_in_minutes(client, cycle):
    coordinator = factories.CoordinatorFactory()
    make_slot(coordinator.unit, cycle)
    client.force_login(coordinator.user)
    html = client.get(reverse("placements:slot_list")).content.decode()
    assert "20 分钟" in html
    assert "′" not in html


def test_export_cycle_filter_says_jieci():
    with translation.override("zh-hans"):
        assert translation.gettext("All cycles") == "全部届次"
        assert translation.pgettext("export column", "Cycle") == "届次"
