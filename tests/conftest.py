import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def cycle(db):
    return factories.CycleFactory()


@pytest.fixture
def staff_user(db):
    return factories.StaffFactory()


@pytest.fixture
def student(db):
    return factories.StudentProfileFactory()
