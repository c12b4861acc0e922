"""STORAGES from the environment (jinseed.storage), and private files through ``storages``."""

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile

from jinseed.storage import PrivateStorage, private_storage, storages_from_env


def _storages(monkeypatch, **values):
    for key in ("STORAGE_BACKEND", "AWS_PRIVATE_BUCKET_NAME", "AWS_PRIVATE_LOCATION", "AWS_STORAGE_BUCKET_NAME"):
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return storages_from_env(environ.Env())


def test_filesystem_is_the_default(monkeypatch):
    assert _storages(monkeypatch) == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "jinseed.storage.PrivateFileSystemStorage"},
    }


def test_s3_private_bucket_has_private_objects_and_no_signed_links(monkeypatch):
    storages = _storages(
        monkeypatch,
        STORAGE_BACKEND="s3",
        AWS_S3_ENDPOINT_URL="https://oss-cn-shanghai.aliyuncs.com",
        AWS_STORAGE_BUCKET_NAME="jinseed-media",
        AWS_PRIVATE_BUCKET_NAME="jinseed-private",
        AWS_S3_ADDRESSING_STYLE="virtual",
    )
    private = storages["private"]
    assert private["BACKEND"] == "jinseed.storage_s3.PrivateS3Storage"
    assert {k: private["OPTIONS"][k] for k in ("bucket_name", "location", "default_acl", "querystring_auth")} == {
        "bucket_name": "jinseed-private",
        "location": "",
        "default_acl": "private",
        "querystring_auth": False,
    }
    default = storages["default"]["OPTIONS"]
    assert (default["bucket_name"], default["location"], default["file_overwrite"]) == ("jinseed-media", "media", False)
    assert default["endpoint_url"] == "https://oss-cn-shanghai.aliyuncs.com"
    assert default["addressing_style"] == "virtual"


def test_s3_one_bucket_keeps_private_files_under_their_own_prefix(monkeypatch):
    storages = _storages(monkeypatch, STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="jinseed")
    assert (storages["private"]["OPTIONS"]["bucket_name"], storages["private"]["OPTIONS"]["location"]) == (
        "jinseed",
        "private",
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be 'filesystem' or 's3', not 'ftp'."),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND is s3: set AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL)."),
    ],
)
def test_storage_settings_refused_with_a_clear_message(monkeypatch, values, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        _storages(monkeypatch, **values)
    assert str(refused.value) == message


def test_model_fields_follow_the_private_alias(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    field_storage = PrivateStorage()
    name = field_storage.save("jobs/report.txt", ContentFile(b"rows"))
    assert private_storage().open(name).read() == b"rows"
    assert field_storage.exists(name) and field_storage.size(name) == 4
    assert not (tmp_path / "private").exists()
    with pytest.raises(ValueError, match="no public URL"):
        field_storage.url(name)
    field_storage.delete(name)
    assert not private_storage().exists(name)
