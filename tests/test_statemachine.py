"""The one transition helper: every status field belongs to a machine, nothing else writes one."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from jinseed.audit.models import StatusChange
from jinseed.errors import DomainError
from jinseed.notifications.enums import NotificationStatus
from jinseed.notifications.models import OUTBOX, Notification
from jinseed.statemachine import StatusGuarded, StatusGuardedError
from positions.enums import CycleStatus, PostStatus
from positions.models import Cycle, Post, PostTransition
from positions.services import CYCLE_MACHINE, POST_MACHINE
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["positions", "applicants", "placements", "jinseed"]
#: The helper itself, and the dev-side tools that build demo rows in bulk.
ALLOWED = {Path("jinseed/statemachine.py")}
ALLOWED_DIRS = (Path("jinseed/devtools"),)


def _product_sources():
    for top in PRODUCT:
        for path in (ROOT / top).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or rel in ALLOWED or any(d in rel.parents for d in ALLOWED_DIRS):
                continue
            yield rel, path.read_text()


def test_every_status_field_of_our_apps_belongs_to_a_machine():
    ours = {"positions", "applicants", "placements", "notifications", "accounts", "audit"}
    with_status = sorted(
        m.__name__
        for m in apps.get_models()
        if m._meta.app_label in ours
        and any(f.name == "status" for f in m._meta.fields)
        # The configuration history's copies (jinseed/history.py) record a status, never move it.
        and not any(f.name == "history_id" for f in m._meta.fields)
    )
    assert with_status == sorted(
        [
            "Activity",
            "AllocationRound",
            "Application",
            "Cycle",
            "DeletionRequest",
            "Interview",
            "Notification",
            "Offer",
            "Placement",
            "Post",
            "TermSwitchRequest",
        ]
    )
    for name in with_status:
        model = next(m for m in apps.get_models() if m.__name__ == name)
        assert issubclass(model, StatusGuarded), name


def test_no_product_code_assigns_or_updates_a_status_by_hand():
    assignment = re.compile(r"\.status\s*=(?!=)")
    update = re.compile(r"\.update\((?:[^()]|\([^()]*\))*\bstatus\s*=", re.S)
    offenders = []
    for rel, text in _product_sources():
        for lineno, line in enumerate(text.splitlines(), start=1):
            if assignment.search(line):
                offenders.append(f"{rel}:{lineno}: {line.strip()}")
        offenders += [f"{rel}: {m.group(0)[:60]}" for m in update.finditer(text)]
    assert offenders == []


def test_saving_a_changed_status_outside_its_machine_raises():
    post = factories.PostFactory(status=PostStatus.DRAFT)
    post.status = PostStatus.PUBLISHED
    with pytest.raises(StatusGuardedError):
        post.save()
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    post.title = "新标题"
    post.save(update_fields=["title"])  # other fields save as usual


def test_move_checks_the_table_saves_and_audits():
    post = factories.PostFactory(status=PostStatus.DRAFT)
    staff = factories.StaffFactory()
    with pytest.raises(DomainError) as refused:
        POST_MACHINE.move(post, PostStatus.PUBLISHED, actor=staff)
    assert refused.value.code == "illegal_transition"
    POST_MACHINE.move(post, PostStatus.SUBMITTED, actor=staff, reason="ready")
    assert Post.objects.get(pk=post.pk).status == PostStatus.SUBMITTED
    assert post.status == PostStatus.SUBMITTED
    assert list(
        PostTransition.objects.filter(post=post).values_list("from_status", "to_status", "actor", "reason")
    ) == [(PostStatus.DRAFT, PostStatus.SUBMITTED, staff.pk, "ready")]


def test_a_machine_without_a_history_table_writes_status_changes():
    cycle = factories.CycleFactory(status=CycleStatus.OPEN)
    staff = factories.StaffFactory()
    CYCLE_MACHINE.move(cycle, CycleStatus.SELECTION_CLOSED, actor=staff, reason="closing")
    change = StatusChange.objects.get(content_type=ContentType.objects.get_for_model(Cycle), object_id=cycle.pk)
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        CycleStatus.OPEN,
        CycleStatus.SELECTION_CLOSED,
        staff,
        "closing",
    )


def _queries_to_close(n: int) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(n):
        factories.CycleFactory(status=CycleStatus.OPEN)
    ContentType.objects.get_for_model(Cycle)  # cached, as in a running process
    with CaptureQueriesContext(connection) as queries:
        moved = CYCLE_MACHINE.move_many(Cycle.objects.filter(status=CycleStatus.OPEN), CycleStatus.SELECTION_CLOSED)
    return moved, len(queries)


def test_move_many_moves_only_rows_allowed_to_in_queries_that_do_not_grow():
    factories.CycleFactory(status=CycleStatus.DRAFT)  # DRAFT may not close
    assert Cycle.objects.filter(status=CycleStatus.DRAFT).count() == 1
    moved_one, queries_one = _queries_to_close(1)
    moved_many, queries_many = _queries_to_close(40)
    assert (moved_one, moved_many) == (1, 40)
    assert queries_one == queries_many
    assert Cycle.objects.filter(status=CycleStatus.SELECTION_CLOSED).count() == 41
    assert Cycle.objects.filter(status=CycleStatus.DRAFT).count() == 1
    assert StatusChange.objects.count() == 41


def test_outbox_claim_is_one_conditional_update_that_a_second_claim_loses():
    user = factories.UserFactory()
    row = Notification.objects.create(recipient=user, kind="application_received", channel="inbox", event_key="k")
    assert OUTBOX.move_many(Notification.objects.filter(pk=row.pk), NotificationStatus.SENDING) == 1
    assert OUTBOX.move_many(Notification.objects.filter(pk=row.pk), NotificationStatus.SENDING) == 0
    assert Notification.objects.get(pk=row.pk).status == NotificationStatus.SENDING


@pytest.mark.parametrize("how", ["move_many", "move_ids"])
def test_moving_many_audits_each_row_with_the_status_it_had_and_saves_the_fields(how):
    """``move_many`` over a queryset and ``move_ids`` over ids move, save and audit alike."""

    from applicants.enums import ApplicationStatus as S
    from applicants.models import Application, ApplicationEvent
    from applicants.services import APPLICATION_MACHINE

    post = factories.PostFactory()
    submitted = factories.ApplicationFactory(post=post, status=S.SUBMITTED)
    shortlisted = factories.ApplicationFactory(post=post, status=S.SHORTLISTED)
    accepted = factories.ApplicationFactory(post=post, status=S.ACCEPTED)  # may not be rejected
    elsewhere = factories.ApplicationFactory(status=S.SUBMITTED)  # another cycle's post, not named
    staff = factories.StaffFactory()
    move = {"actor": staff, "reason": "closing", "fields": {"published_status": S.REJECTED}}
    if how == "move_many":
        # A join: the lock and the update still meet.
        moved = APPLICATION_MACHINE.move_many(Application.objects.filter(post__cycle=post.cycle), S.REJECTED, **move)
    else:
        moved = APPLICATION_MACHINE.move_ids([submitted.pk, shortlisted.pk, accepted.pk, 10**9], S.REJECTED, **move)
    assert moved == 2
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[submitted.pk] == statuses[shortlisted.pk] == S.REJECTED
    assert (statuses[accepted.pk], statuses[elsewhere.pk]) == (S.ACCEPTED, S.SUBMITTED)
    assert Application.objects.get(pk=shortlisted.pk).published_status == S.REJECTED
    events = set(
        ApplicationEvent.objects.filter(to_status=S.REJECTED).values_list(
            "application_id", "from_status", "actor", "reason"
        )
    )
    assert events == {
        (submitted.pk, S.SUBMITTED, staff.pk, "closing"),
        (shortlisted.pk, S.SHORTLISTED, staff.pk, "closing"),
    }
    assert APPLICATION_MACHINE.move_many(Application.objects.none(), S.REJECTED) == 0
    assert APPLICATION_MACHINE.move_ids(set(), S.REJECTED) == 0


def test_move_ids_moves_more_ids_than_a_statement_may_name(monkeypatch):
    """Ids go into the queries a batch at a time (SQLite refuses a statement with more
    variables than its limit): every batch moves and is audited."""
    from applicants.enums import ApplicationStatus as S
    from applicants.models import Application, ApplicationEvent
    from applicants.services import APPLICATION_MACHINE
    from jinseed import bulk

    monkeypatch.setattr(bulk, "BATCH", 2)
    apps_ = [factories.ApplicationFactory(status=S.SUBMITTED) for _ in range(5)]
    assert APPLICATION_MACHINE.move_ids([a.pk for a in apps_], S.REJECTED, reason="closing") == 5
    assert set(Application.objects.values_list("status", flat=True)) == {S.REJECTED}
    events = ApplicationEvent.objects.filter(to_status=S.REJECTED)
    assert events.count() == 5
    assert len(set(events.values_list("created_at", flat=True))) == 1  # one move, one moment
