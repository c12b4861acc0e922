"""Where files live: Django's ``STORAGES``, set from the environment (docs/background-work.md).

Two aliases matter to the portal:

- ``default``: public media, on disk under ``MEDIA_ROOT`` or in an object storage bucket;
- ``private``: files about people (résumés, imported sheets, export and job result files,
  personal data copies), on disk under ``PRIVATE_MEDIA_ROOT`` or in a private bucket (or a
  prefix of the public one). They have no URL: the portal streams them through views that
  check who is asking.

``STORAGE_BACKEND=s3`` puts both in S3-compatible object storage (Alibaba Cloud OSS, MinIO)
through django-storages. Every read and write of a private file goes through
``storages["private"]`` (``private_storage()``), never through a path on this machine: a file a
worker writes on one machine is read by a web process on another.

Model fields name ``PrivateStorage()``, a stand-in that hands each call to
``storages["private"]`` as configured at that moment, so a field declared once follows the
settings (and tests that change them).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible

PRIVATE_STORAGE_ALIAS = "private"


def private_storage() -> Storage:
    """The storage of private files (``STORAGES["private"]``)."""
    return storages[PRIVATE_STORAGE_ALIAS]


def no_url(name):
    raise ValueError("Private files have no public URL; serve them through a view that checks permission.")


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_MEDIA_ROOT``, read at each use so tests can move it."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        no_url(name)


@deconstructible
class PrivateStorage(Storage):
    """What model fields name: every call goes to ``storages["private"]``."""

    def _backend(self) -> Storage:
        return private_storage()

    def open(self, name, mode="rb"):
        return self._backend().open(name, mode)

    def save(self, name, content, max_length=None):
        return self._backend().save(name, content, max_length=max_length)

    def generate_filename(self, filename):
        return self._backend().generate_filename(filename)

    def get_valid_name(self, name):
        return self._backend().get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self._backend().get_available_name(name, max_length=max_length)

    def delete(self, name):
        return self._backend().delete(name)

    def exists(self, name):
        return self._backend().exists(name)

    def listdir(self, path):
        return self._backend().listdir(path)

    def size(self, name):
        return self._backend().size(name)

    def url(self, name):
        no_url(name)

    def path(self, name):
        return self._backend().path(name)

    def get_accessed_time(self, name):
        return self._backend().get_accessed_time(name)

    def get_created_time(self, name):
        return self._backend().get_created_time(name)

    def get_modified_time(self, name):
        return self._backend().get_modified_time(name)


def storages_from_env(env) -> dict:
    """``STORAGES["default"]`` and ``["private"]`` from the environment (see the settings)."""
    backend = env.str("STORAGE_BACKEND", default="filesystem").lower()
    if backend == "filesystem":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            PRIVATE_STORAGE_ALIAS: {"BACKEND": "jinseed.storage.PrivateFileSystemStorage"},
        }
    if backend != "s3":
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'filesystem' or 's3', not {backend!r}.")
    common = {
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
        "signature_version": env.str("AWS_S3_SIGNATURE_VERSION", default="s3v4"),
        # a second upload under a taken name gets a new name, as on disk
        "file_overwrite": False,
    }
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
    private_bucket = env.str("AWS_PRIVATE_BUCKET_NAME", default="")
    if not bucket:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("STORAGE_BACKEND is s3: set AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL).")
    private_location = env.str("AWS_PRIVATE_LOCATION", default="" if private_bucket else "private")
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": bucket,
                "location": env.str("AWS_LOCATION", default="media"),
                # the bucket's policy decides who reads public media; no per-object ACL by default
                "default_acl": env.str("AWS_DEFAULT_ACL", default="") or None,
                "querystring_auth": False,
            },
        },
        PRIVATE_STORAGE_ALIAS: {
            "BACKEND": "jinseed.storage_s3.PrivateS3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": private_bucket or bucket,
                "location": private_location,
                "default_acl": "private",
                # never a link: the portal streams private files through its checked views
                "querystring_auth": False,
            },
        },
    }
