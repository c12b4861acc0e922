"""``manage.py setup_roles``: the programme staff group, exactly, however often it runs."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from jinseed.accounts.enums import Role
from jinseed.accounts.roles import PROGRAMME_STAFF_GROUP, programme_staff_permissions
from tests import factories

pytestmark = pytest.mark.django_db


def setup_roles() -> str:
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    return out.getvalue()


def test_setup_roles_creates_the_group_then_changes_nothing():
    first = setup_roles()
    group = Group.objects.get(name=PROGRAMME_STAFF_GROUP)
    count = group.permissions.count()
    assert f"{count} permission(s) added, 0 removed" in first
    assert "0 permission(s) added, 0 removed" in setup_roles()
    assert group.permissions.count() == count


def test_setup_roles_puts_back_what_was_changed_by_hand():
    setup_roles()
    group = Group.objects.get(name=PROGRAMME_STAFF_GROUP)
    group.permissions.remove(Permission.objects.get(codename="change_cycle"))
    group.permissions.add(Permission.objects.get(codename="view_id_number"))
    assert "1 permission(s) added, 1 removed" in setup_roles()
    assert set(group.permissions.all()) == set(programme_staff_permissions())


def test_programme_staff_group_grants_no_sensitive_permission():
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in programme_staff_permissions()}
    sensitive = {
        "applicants.view_id_number",
        "placements.export_unmasked_id",
        "auth.change_group",
        "auth.add_permission",
        "otp_totp.change_totpdevice",
        "axes.delete_accessattempt",
    }
    assert sensitive.isdisjoint(granted)
    assert {"positions.change_cycle", "positions.add_post", "accounts.change_user"} <= granted


def test_staff_in_the_group_cannot_make_themselves_superuser(client):
    setup_roles()
    staff = factories.UserFactory(role=Role.STAFF, is_staff=True)
    staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF_GROUP))
    operator = factories.UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True)
    client.force_login(staff)
    form = client.get(reverse("admin:accounts_user_change", args=[staff.pk])).context["adminform"]
    assert {"is_staff", "is_superuser", "groups", "user_permissions"} <= set(form.readonly_fields)
    coordinator = factories.UserFactory(role=Role.COORDINATOR)
    role_choices = client.get(reverse("admin:accounts_user_change", args=[coordinator.pk])).context["adminform"]
    assert [value for value, _ in role_choices.form.fields["role"].choices] == ["student", "coordinator", "mentor"]
    assert client.get(reverse("admin:accounts_user_change", args=[operator.pk])).status_code == 200
    assert client.post(reverse("admin:accounts_user_change", args=[operator.pk]), {}).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[operator.pk])).status_code == 403


def test_staff_in_the_group_reset_a_coordinator_second_factor_but_not_the_operator(client):
    from jinseed.accounts.twofactor import second_factor_enrolled
    from tests.auth import totp_device

    setup_roles()
    staff = factories.UserFactory(role=Role.STAFF, is_staff=True)
    staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF_GROUP))
    operator = factories.UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True)
    coordinator = factories.UserFactory(role=Role.COORDINATOR)
    totp_device(operator)
    totp_device(coordinator)
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [operator.pk, coordinator.pk]},
    )
    assert response.status_code == 302
    assert second_factor_enrolled(operator)
    assert not second_factor_enrolled(coordinator)
