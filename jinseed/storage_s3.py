"""The private alias in S3-compatible object storage (``STORAGE_BACKEND=s3``, jinseed.storage)."""

from storages.backends.s3 import S3Storage

from jinseed.storage import no_url


class PrivateS3Storage(S3Storage):
    """Objects with a private ACL and no URL handed out: the portal streams them."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        no_url(name)
