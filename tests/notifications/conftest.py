import pytest

from tests.factories import UserFactory


@pytest.fixture
def recipient(db):
    return UserFactory(email="xiaoming@example.cn", mobile="13912345678", full_name="张晓明", language="en")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the callbacks a block registers with ``transaction.on_commit`` when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
