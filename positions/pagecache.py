"""The public pages' fragment cache: its version and its keys.

The home page and the post list are what most visitors open, the same for everyone, and
their rendering (a card per post, the post count) costs more than the rest of the request.
Their shared parts are kept in the cache (``{% cache %}`` in the templates) under a key made
of the version below, the language and what the page shows; whatever differs between
visitors (the navigation, the filter form, a student's "fits my year") stays outside.

The version is a number in the database (``PublicPagesVersion``), not in the cache: each web
process may keep its own cache (``CACHE_URL`` unset), and a change made through one of them
must reach them all. It grows after every committed save or delete of a cycle, a host unit or
a post, whoever makes it (the services, the admin, an import), through the receivers below:
a cache, not the programme's own flow, so a signal is the right hook. It grows after the
commit, never inside the writer's transaction, so it holds no lock another writer would wait
for; a page rendered between the commit and the bump is kept under the old version, which
nobody asks for afterwards.
"""

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from .models import Cycle, HostUnit, Post, PublicPagesVersion

#: The one row of ``PublicPagesVersion``.
VERSION_PK = 1


def public_pages_version() -> int:
    """The current version (0 before the first change)."""
    value = PublicPagesVersion.objects.filter(pk=VERSION_PK).values_list("value", flat=True).first()
    return value or 0


def public_pages_version_bump() -> None:
    """A new version, now: every fragment kept under the old one is stale."""
    if not PublicPagesVersion.objects.filter(pk=VERSION_PK).update(value=F("value") + 1):
        # No row yet (a new database): creating it is the change; a concurrent bump that
        # created it first changed the version just as well.
        PublicPagesVersion.objects.get_or_create(pk=VERSION_PK, defaults={"value": 1})


def public_pages_changed(**_kwargs) -> None:
    """Bump the version once the current transaction commits (at once outside one)."""
    transaction.on_commit(public_pages_version_bump, robust=True)


def receivers_connect() -> None:
    for model in (Cycle, HostUnit, Post):
        post_save.connect(public_pages_changed, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(public_pages_changed, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
