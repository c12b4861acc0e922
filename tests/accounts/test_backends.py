"""The signed-in user is read with their student profile, in one query."""

import pytest

from applicants.selectors import student_profile_of
from jinseed.accounts.backends import EmailOrMobileBackend
from tests import factories

pytestmark = pytest.mark.django_db


def test_get_user_loads_the_student_profile_with_the_user(django_assert_num_queries):
    profile = factories.StudentProfileFactory()

    with django_assert_num_queries(1):
        user = EmailOrMobileBackend().get_user(profile.user.pk)
        assert student_profile_of(user) == profile


def test_get_user_without_a_profile_reads_as_none(django_assert_num_queries):
    staff = factories.StaffFactory()

    with django_assert_num_queries(1):
        user = EmailOrMobileBackend().get_user(staff.pk)
        assert student_profile_of(user) is None


def test_get_user_of_an_inactive_or_unknown_user_is_none():
    user = factories.UserFactory(is_active=False)

    assert EmailOrMobileBackend().get_user(user.pk) is None
    assert EmailOrMobileBackend().get_user(user.pk + 1000) is None
