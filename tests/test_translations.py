"""The project's catalogue comes before Django's in the lookup, so a msgid of ours that is
also one of Django's replaces Django's wording everywhere, the admin included. These tests
keep Django's own words (the admin's "Change", "Add", "Delete", "History", "View site")
meaning what Django means, and our ambiguous words in a context of their own."""

import gettext
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests import factories
from tests.auth import login_verified

DJANGO_DIR = Path(django.__file__).resolve().parent
DJANGO_CATALOGUES = [
    DJANGO_DIR / "conf" / "locale",
    DJANGO_DIR / "contrib" / "admin" / "locale",
    DJANGO_DIR / "contrib" / "auth" / "locale",
    DJANGO_DIR / "contrib" / "contenttypes" / "locale",
    DJANGO_DIR / "contrib" / "humanize" / "locale",
]

# Where our wording differs from Django's on purpose, and still means the same thing.
SAME_MEANING = {
    "Administration": "管理后台 names the same place more plainly than 管理",
    "object id": "对象编号 is the house word for an id",
    "Log out": "退出登录 is what Chinese sites say for 注销 (which also reads 'cancel an account')",
    "Filter": "筛选 is the filter of a list, 过滤器 a device",
    "Email": "邮箱 is the everyday word for 电子邮件",
    "active": "启用 (enabled) is the account's and unit's switch, the same meaning as Django's is_active",
}


def _catalogue(localedir: Path) -> dict:
    return gettext.translation("django", localedir=str(localedir), languages=["zh_Hans"])._catalog


def test_django_msgids_keep_djangos_own_translation():
    ours = _catalogue(Path(settings.LOCALE_PATHS[0]))
    changed = []
    for localedir in DJANGO_CATALOGUES:
        for msgid, msgstr in _catalogue(localedir).items():
            if not isinstance(msgid, str) or not msgid or msgid in SAME_MEANING:
                continue
            if msgid in ours and ours[msgid] != msgstr:
                changed.append((msgid, msgstr, ours[msgid]))
    assert changed == []


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [("Change", "修改"), ("Add", "增加"), ("Delete", "删除"), ("History", "历史"), ("View site", "查看站点")],
)
def test_admin_words_read_as_django_translates_them(msgid, expected):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == expected


def test_ambiguous_words_of_ours_carry_a_context():
    with translation.override("zh-hans"):
        assert translation.pgettext("growth rate", "Change") == "增幅"
        assert translation.pgettext("record", "History") == "记录"
        assert translation.pgettext("student group", "group") == "小组"
        assert translation.gettext("group") == "组"


@pytest.mark.django_db
def test_admin_index_reads_chinese_for_changes_and_login_lockouts():
    staff = factories.StaffFactory(is_superuser=True)
    client = Client(headers={"accept-language": "zh-hans"})
    login_verified(client, staff)
    html = client.get("/admin/").content.decode()
    assert "增幅" not in html
    assert "修改" in html
    assert "登录锁定" in html
    assert ">Axes<" not in html
    assert "Access attempts" not in html


def test_the_accounts_app_keeps_its_own_configuration():
    from django.apps import apps

    assert type(apps.get_app_config("accounts")).__name__ == "AccountsConfig"
    assert str(apps.get_app_config("axes").verbose_name) == "登录锁定"
