"""One way to authorize: the shared role predicates, the rule set and the view decorator."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from applicants.enums import ApplicationStatus
from applicants.models import Application
from jinseed.accounts.enums import Role
from jinseed.authz import can, is_programme_staff, is_signed_in, is_student
from positions.rules import is_unit_coordinator
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("predicate", "role"),
    [(is_programme_staff, Role.STAFF), (is_student, Role.STUDENT), (is_signed_in, Role.STUDENT)],
)
def test_role_predicates_refuse_an_inactive_account(predicate, role):
    user = factories.UserFactory(role=role)
    assert predicate(user) is True
    user.is_active = False
    assert predicate(user) is False


def test_coordinator_predicate_needs_an_active_account_with_a_unit():
    coordinator = factories.CoordinatorFactory()
    assert is_unit_coordinator(coordinator.user) is True
    assert is_unit_coordinator(factories.UserFactory(role=Role.COORDINATOR)) is False
    coordinator.user.is_active = False
    assert is_unit_coordinator(coordinator.user) is False


def test_a_superuser_passes_no_student_rule():
    staff = factories.StaffFactory()
    application = factories.ApplicationFactory()
    assert staff.is_superuser is True
    assert can("applicants.withdraw_application", staff, application) is False
    assert can("applicants.view_application", staff, application) is True


def test_a_superuser_cannot_withdraw_another_students_application(client):
    staff = factories.StaffFactory()
    application = factories.ApplicationFactory()
    client.force_login(staff)
    response = client.post(reverse("applicants:withdraw", args=[application.pk]))
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert Application.objects.filter(status=ApplicationStatus.WITHDRAWN).count() == 0


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("applicants:my_applications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_no_view_module_authorizes_outside_the_rule_set():
    forbidden = re.compile(r"\bhas_perm\([^()]*,|@login_required\b|permission_required\(|PermissionRequiredMixin")
    offenders = []
    for top in ["positions", "applicants", "placements", "jinseed"]:
        for path in (ROOT / top).rglob("*.py"):
            text = path.read_text()
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in forbidden.finditer(text)]
    assert offenders == []
