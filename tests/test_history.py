"""The configuration history (jinseed/history.py): who changed what, from what to what."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from jinseed.accounts.enums import Role
from positions.enums import RuleMode
from tests import factories
from tests.positions.admin_forms import cycle_change_data

pytestmark = pytest.mark.django_db


def test_changing_a_cycle_rule_in_the_admin_records_who_when_old_and_new(client, staff_user):
    cycle = factories.CycleFactory(graduating_rule=RuleMode.BLOCK)
    client.force_login(staff_user)
    url = reverse("admin:positions_cycle_change", args=[cycle.pk])
    response = client.post(url, cycle_change_data(cycle, graduating_rule=RuleMode.WARN))
    assert response.status_code == 302
    latest, before = cycle.history.order_by("-history_id")[:2]
    assert latest.history_user == staff_user
    assert latest.history_type == "~"
    delta = latest.diff_against(before)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("graduating_rule", "block", "warn")]
    page = client.get(reverse("admin:positions_cycle_history", args=[cycle.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "修改人" in body and "变更内容" in body
    assert "<strong>毕业年份规则:</strong> 不允许报名 → 允许报名，并提示单位联络员" in " ".join(body.split())


def test_adding_a_user_to_a_group_is_recorded_with_its_author(client, staff_user):
    group = Group.objects.create(name="团区委工作人员")
    coordinator = factories.UserFactory(role=Role.COORDINATOR)
    client.force_login(staff_user)
    # Through the admin's own form: the history names the signed-in author.
    url = reverse("admin:accounts_user_change", args=[coordinator.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"groups": [group.pk], "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00"})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = coordinator.history.order_by("-history_id").first()
    assert latest.history_user == staff_user
    assert [m.group_id for m in latest.groups.all()] == [group.pk]
    before = latest.prev_record
    change = latest.diff_against(before).changes
    assert [c.field for c in change] == ["groups"]


def test_a_group_permission_change_is_recorded():
    group = Group.objects.create(name="团区委工作人员")
    permission = Permission.objects.get(codename="change_cycle")
    group.permissions.add(permission)
    latest = group.history.order_by("-history_id").first()
    assert [p.permission_id for p in latest.permissions.all()] == [permission.pk]


def test_the_user_history_keeps_no_contact_details_and_skips_logins(client):
    user = factories.UserFactory(role=Role.MENTOR)
    fields = {f.name for f in user.history.model._meta.fields}
    assert {"email", "mobile", "full_name", "password", "last_login"}.isdisjoint(fields)
    assert {"role", "is_staff", "is_superuser", "is_active"} <= fields
    before = user.history.count()
    client.force_login(user)
    assert user.history.count() == before
