"""The district-wide allocation round: known instances through the database, confirmation
once, inputs changed after the preview, the staff page, and the set-based sweeps."""

import datetime as dt
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from applicants.enums import ApplicationStatus as S
from applicants.models import Application
from jinseed.jobs.models import Job
from jinseed.notifications.enums import Channel
from jinseed.notifications.models import Notification
from placements.models import AllocationRound, Offer
from placements.selection import services
from placements.selection.enums import AllocationStatus, OfferStatus
from placements.selection.matching import instance_from_applications
from tests import factories
from tests.placements.conftest import make_applications

pytestmark = pytest.mark.django_db

BASE = timezone.now() - dt.timedelta(days=3)
_spare_ranks = itertools.count(100)  # created with a free rank, then given the one under test


def apply(student, post, preference: int, selection: int | None, *, submitted_minutes: int = 0, status=S.INTERVIEWED):
    """An application of ``student`` to ``post`` moved straight to ``status`` with its ranks."""
    app = factories.ApplicationFactory(student=student, post=post, preference_rank=next(_spare_ranks))
    Application.objects.filter(pk=app.pk).update(
        preference_rank=preference,
        status=status,
        published_status=status,
        selection_rank=selection,
        submitted_at=BASE + dt.timedelta(minutes=submitted_minutes),
    )
    app.refresh_from_db()
    return app


def offers_of(cycle) -> list[tuple[str, str]]:
    return sorted(
        Offer.objects.filter(cycle=cycle, status=OfferStatus.OPEN).values_list("student__legal_name", "post__title")
    )


@pytest.fixture
def three(cycle, unit):
    """Post A (1 place) and B (2 places); three students. A ranks s2, s1, s3; B ranks s1, s2.
    s1 and s2 prefer A to B, s3 lists only A. Stable: s2 → A, s1 → B, s3 unplaced."""
    a = factories.PostFactory(cycle=cycle, unit=unit, title="A", headcount=1)
    b = factories.PostFactory(cycle=cycle, unit=unit, title="B", headcount=2)
    s1, s2, s3 = (factories.StudentProfileFactory(legal_name=name) for name in ("s1", "s2", "s3"))
    apply(s1, a, 1, 2)
    apply(s1, b, 2, 1)
    apply(s2, a, 1, 1)
    apply(s2, b, 2, 2)
    apply(s3, a, 1, 3)
    return {"a": a, "b": b, "s1": s1, "s2": s2, "s3": s3}


def test_allocation_preview_gives_the_stable_student_optimal_result(cycle, three, staff_user):
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    assert (preview.status, preview.students, preview.posts, preview.places, preview.matched) == (
        AllocationStatus.PREVIEWED,
        3,
        2,
        3,
        2,
    )
    a, b = three["a"].pk, three["b"].pk
    assert sorted((s, p) for _app, s, p in preview.pairs) == sorted([(three["s2"].pk, a), (three["s1"].pk, b)])
    assert preview.unplaced == [three["s3"].pk]
    assert preview.empty_places == {str(b): 1}
    assert preview.units == [
        {"unit": three["a"].unit_id, "name": three["a"].unit.name, "posts": 2, "places": 3, "matched": 2, "empty": 1}
    ]
    assert Offer.objects.count() == 0  # a preview makes no offer


def test_allocation_confirm_makes_the_offers_once(cycle, three, staff_user, django_capture_on_commit_callbacks):
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.allocation_confirm(allocation=preview, actor=staff_user)
        # The messages are queued by a worker once the offers are committed, not with them.
        assert not Notification.objects.filter(kind="offer_made").exists()
    done.refresh_from_db()
    assert done.messages_queued_at is not None
    assert (done.status, done.offers_made, done.confirmed_by) == (AllocationStatus.CONFIRMED, 2, staff_user)
    assert offers_of(cycle) == [("s1", "B"), ("s2", "A")]
    statuses = dict(Application.objects.filter(cycle=cycle).values_list("student__legal_name", "post__title"))
    assert sorted(Application.objects.filter(status=S.OFFERED).values_list("student__legal_name", "post__title")) == [
        ("s1", "B"),
        ("s2", "A"),
    ]
    assert statuses  # every application is still there
    offer = Offer.objects.get(student=three["s2"])
    assert (offer.made_by, offer.from_backup, offer.expires_at) == (
        staff_user,
        False,
        offer.made_at + dt.timedelta(hours=cycle.offer_valid_hours),
    )
    emails = Notification.objects.filter(kind="offer_made", channel=Channel.EMAIL)
    assert sorted(emails.values_list("recipient_id", "event_key")) == sorted(
        (o.student.user_id, f"application:{o.application_id}:decision:offer:{o.pk}")
        for o in Offer.objects.select_related("student")
    )

    with pytest.raises(services.AllocationError) as err:
        services.allocation_confirm(allocation=preview, actor=staff_user)
    assert err.value.code == "already_confirmed"
    assert Offer.objects.count() == 2
    # A new preview finds s3 alone (s1 and s2 hold offers), refused by A (full), unranked by B.
    again = services.allocation_preview(cycle=cycle, actor=staff_user)
    assert (again.students, again.matched, again.places) == (1, 0, 1)


def test_allocation_confirm_cancels_the_messages_it_makes_untrue(cycle, three, staff_user):
    """A queued "not selected" of a student now offered a place, and a queued decision about
    an application now offered, never go out; the others' messages stay queued."""
    from jinseed.notifications.services import notification_queue
    from placements.selection.services.notify import decision_key_prefix, not_selected_key

    context = {"student_name": "s", "cycle_title": cycle.title, "url": "/my/selection/"}

    def queue(student, key):
        return notification_queue(recipient=student.user, kind="not_selected", context=context, event_key=key)[0].pk

    s1, s3 = three["s1"], three["s3"]
    s1_app = Application.objects.get(student=s1, post=three["b"])
    untrue = [
        queue(s1, not_selected_key(cycle_id=cycle.pk, student_id=s1.pk)),
        queue(s1, f"{decision_key_prefix(s1_app.pk)}rejected"),
    ]
    still_true = [
        queue(s3, not_selected_key(cycle_id=cycle.pk, student_id=s3.pk)),  # s3 stays unplaced
        queue(s1, f"{not_selected_key(cycle_id=cycle.pk, student_id=s1.pk)}0"),  # another key, same start
        queue(s1, f"{decision_key_prefix(s1_app.pk + 1000)}rejected"),
    ]
    services.allocation_confirm(allocation=services.allocation_preview(cycle=cycle, actor=staff_user), actor=staff_user)
    status = dict(Notification.objects.values_list("pk", "status"))
    assert [status[pk] for pk in untrue] == ["cancelled", "cancelled"]
    assert [status[pk] for pk in still_true] == ["queued", "queued", "queued"]


def test_allocation_ranking_change_after_the_preview_is_refused(cycle, three, staff_user, coordinator):
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    ranked_b = list(
        Application.objects.filter(post=three["b"]).order_by("-selection_rank").values_list("pk", flat=True)
    )
    services.post_ranking_set(post=three["b"], ordered_application_ids=ranked_b, actor=coordinator.user)
    with translation.override("en"), pytest.raises(services.AllocationError) as err:
        services.allocation_confirm(allocation=preview, actor=staff_user)
    assert err.value.code == "inputs_changed"
    assert err.value.message == (
        "Rankings, preferences or free places have changed since this preview was run. "
        "Run the preview again, check it, then confirm the new one."
    )
    assert Offer.objects.count() == 0
    preview.refresh_from_db()
    assert preview.status == AllocationStatus.PREVIEWED
    # Rerun: B now prefers s2, so s2 takes B... and s1 takes A? A prefers s2 over s1, but s2
    # still proposes to A first and A keeps s2; s1 goes to B (ranked second now, one place free).
    rerun = services.allocation_preview(cycle=cycle, actor=staff_user)
    preview.refresh_from_db()
    assert preview.status == AllocationStatus.SUPERSEDED
    with pytest.raises(services.AllocationError) as err:
        services.allocation_confirm(allocation=preview, actor=staff_user)
    assert err.value.code == "superseded"
    services.allocation_confirm(allocation=rerun, actor=staff_user)
    assert offers_of(cycle) == [("s1", "B"), ("s2", "A")]


def test_allocation_places_taken_by_offers_reduce_the_capacity(cycle, unit, staff_user, coordinator):
    post = factories.PostFactory(cycle=cycle, unit=unit, title="P", headcount=2)
    held, first, second = make_applications(post, 3, status=S.INTERVIEWED, ranked=True)
    services.offer_make(application=held, actor=coordinator.user)
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    assert (preview.students, preview.places, preview.matched) == (2, 1, 1)
    assert [s for _a, s, _p in preview.pairs] == [first.student_id]
    assert preview.unplaced == [second.student_id]


def test_allocation_ties_go_to_the_earlier_application_and_the_lower_post(cycle, unit, staff_user):
    low = factories.PostFactory(cycle=cycle, unit=unit, title="low", headcount=1)
    high = factories.PostFactory(cycle=cycle, unit=unit, title="high", headcount=1)
    early, late = (
        factories.StudentProfileFactory(legal_name="early"),
        factories.StudentProfileFactory(legal_name="late"),
    )
    # Both rank the posts equal (possible beside a not-selected application, which the
    # ranks' uniqueness leaves out); both posts rank both students 1; "early" applied first.
    apply(late, low, 1, 1, submitted_minutes=5, status=S.NOT_SELECTED)
    apply(late, high, 1, 1, submitted_minutes=5)
    apply(early, low, 1, 1, submitted_minutes=1)
    apply(early, high, 1, 1, submitted_minutes=1, status=S.NOT_SELECTED)
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    services.allocation_confirm(allocation=preview, actor=staff_user)
    # Each student tries the lower post id first; it keeps the earlier applicant.
    assert offers_of(cycle) == [("early", "low"), ("late", "high")]


def test_allocation_reads_the_instance_its_tie_rules_give(cycle, unit):
    """Whichever way the database is read (grouped and sorted by PostgreSQL, streamed
    elsewhere), the instance is the one ``instance_from_applications`` builds from the rows:
    a student's equal ranks by post id, a unit's by submission time, then student id."""
    posts = [factories.PostFactory(cycle=cycle, unit=unit, headcount=2) for _ in range(3)]
    students = [factories.StudentProfileFactory() for _ in range(4)]
    for i, student in enumerate(students):
        # One application not selected, ranked 1 like the first of the two interviewed ones
        # (the ranks' uniqueness leaves it out): equal preferences, by post id. Units rank
        # the even students 1 and the odd 2, each parity applying at the same time: equal
        # rankings, by submission time and then by student id. Student i is unranked at post i.
        interviewed = iter(range(1, 3))
        for j, post in enumerate(posts):
            not_selected = j == i % 3
            apply(
                student,
                post,
                1 if not_selected else next(interviewed),
                None if i == j else 1 + i % 2,
                submitted_minutes=i % 2,
                status=S.NOT_SELECTED if not_selected else S.INTERVIEWED,
            )
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    rows = [
        (student, post, preference, rank, (submitted - epoch) // dt.timedelta(microseconds=1))
        for student, post, preference, rank, submitted in Application.objects.filter(cycle=cycle).values_list(
            "student_id", "post_id", "preference_rank", "selection_rank", "submitted_at"
        )
    ]
    expected = instance_from_applications(rows, {post.pk: 2 for post in posts})
    inputs = services.allocation_inputs_read(cycle=cycle)
    assert dict(inputs.instance.preferences) == dict(expected.preferences)
    assert dict(inputs.instance.rankings) == dict(expected.rankings)
    for app in Application.objects.filter(cycle=cycle, selection_rank__isnull=False):
        assert inputs.application_of(app.student_id, app.post_id) == app.pk
    for app in Application.objects.filter(cycle=cycle, selection_rank__isnull=True):  # can match nothing
        assert app.post_id not in inputs.instance.preferences[app.student_id]
    assert inputs.applications == len(rows) == 12  # every application counts in the fingerprint


def test_the_read_in_chunks_gives_the_instance_and_fingerprint_of_a_read_at_once(cycle, monkeypatch):
    """The applications are fetched a chunk at a time: the instance, the application ids and
    the fingerprint do not depend on the chunk's size."""
    from jinseed.devtools.bench import allocation as bench
    from placements.selection.services import allocation as allocation_module

    built, _instance = bench.build_allocation_cycle(n_students=60, n_posts=12, prefs=4, seed=5)
    whole = services.allocation_inputs_read(cycle=built)
    monkeypatch.setattr(allocation_module, "READ_CHUNK", 7)
    chunked = services.allocation_inputs_read(cycle=built)
    assert chunked.instance == whole.instance
    assert chunked.application_ids == whole.application_ids
    assert (
        (chunked.applications, chunked.fingerprint)
        == (whole.applications, whole.fingerprint)
        == (240, whole.fingerprint)
    )
    fingerprint_only = services.allocation_inputs_read(cycle=built, with_instance=False)
    assert (fingerprint_only.instance, fingerprint_only.fingerprint) == (None, whole.fingerprint)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"selection_rank": None}, id="ranking"),
        pytest.param({"preference_rank": 9}, id="preference"),
        pytest.param({"submitted_at": BASE - dt.timedelta(days=1)}, id="submission"),
        pytest.param({"status": S.NOT_SELECTED}, id="status"),
    ],
)
def test_the_fingerprint_changes_with_any_input_of_the_matching(cycle, three, change):
    before = services.allocation_inputs_read(cycle=cycle, with_instance=False).fingerprint
    Application.objects.filter(student=three["s3"], post=three["a"]).update(**change)
    assert services.allocation_inputs_read(cycle=cycle, with_instance=False).fingerprint != before


def test_the_fingerprint_changes_with_a_free_place(cycle, three):
    before = services.allocation_inputs_read(cycle=cycle, with_instance=False).fingerprint
    three["b"].headcount = 3
    three["b"].save(update_fields=["headcount"])
    assert services.allocation_inputs_read(cycle=cycle, with_instance=False).fingerprint != before


@pytest.mark.parametrize("how", ["force_debug_cursor", "settings_debug"])
def test_allocation_preview_and_confirm_run_with_query_logging_on(cycle, three, staff_user, settings, how):
    """With DEBUG on (``make run``) Django logs every query, formatting each with its
    parameters: the allocation's SQL must hold no stray ``%``. Run on SQLite and PostgreSQL."""
    if how == "force_debug_cursor":
        connection.force_debug_cursor = True
    else:
        settings.DEBUG = True
    try:
        with CaptureQueriesContext(connection) as queries:
            preview = services.allocation_preview(cycle=cycle, actor=staff_user)
            done = services.allocation_confirm(allocation=preview, actor=staff_user)
    finally:
        connection.force_debug_cursor = False
    assert (preview.matched, done.offers_made) == (2, 2)
    assert any("applicants_application" in q["sql"] and "ORDER BY" in q["sql"] for q in queries.captured_queries)
    assert offers_of(cycle) == [("s1", "B"), ("s2", "A")]


def test_allocation_students_without_an_acceptable_post_and_posts_nobody_ranked(cycle, unit, staff_user):
    ranked_nobody = factories.PostFactory(cycle=cycle, unit=unit, title="nobody", headcount=3)
    other = factories.PostFactory(cycle=cycle, unit=unit, title="other", headcount=1)
    unranked = factories.StudentProfileFactory(legal_name="unranked")
    placed = factories.StudentProfileFactory(legal_name="placed")
    apply(unranked, ranked_nobody, 1, None)
    apply(unranked, other, 2, None)
    apply(placed, other, 1, 1)
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    assert preview.unplaced == [unranked.pk]
    assert preview.empty_places == {str(ranked_nobody.pk): 3}
    services.allocation_confirm(allocation=preview, actor=staff_user)
    assert offers_of(cycle) == [("placed", "other")]


def test_allocation_held_results_wait_for_the_announcement(
    cycle, three, staff_user, django_capture_on_commit_callbacks
):
    cycle.announcement_at = timezone.now() + dt.timedelta(days=2)
    cycle.save(update_fields=["announcement_at"])
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.allocation_confirm(allocation=preview, actor=staff_user)
    app = Application.objects.get(student=three["s2"], post=three["a"])
    assert (app.status, app.published_status) == (S.OFFERED, S.INTERVIEWED)
    assert Offer.objects.get(application=app).expires_at is None
    row = Notification.objects.get(kind="offer_made", channel=Channel.EMAIL, recipient=three["s2"].user)
    assert row.send_after == cycle.announcement_at
    assert (
        row.context["respond_by_at"]
        == (cycle.announcement_at + dt.timedelta(hours=cycle.offer_valid_hours)).isoformat()
    )


def _confirm_with_the_worker_lost(cycle, staff_user, django_capture_on_commit_callbacks):
    """Confirm a preview of ``cycle`` and lose the task its commit publishes."""
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = services.allocation_confirm(allocation=preview, actor=staff_user)
    assert len(callbacks) == 1  # the task that queues the messages, dropped here
    return done


def test_allocation_messages_lost_at_the_commit_are_queued_by_the_hook(
    cycle, three, staff_user, django_capture_on_commit_callbacks
):
    from placements.selection.notification_hooks import allocation_offer_messages_owed

    done = _confirm_with_the_worker_lost(cycle, staff_user, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind="offer_made").exists()
    # The hook leaves the commit's own task a few minutes before it steps in.
    assert allocation_offer_messages_owed(timezone.now()) == 0
    AllocationRound.objects.filter(pk=done.pk).update(confirmed_at=F("confirmed_at") - dt.timedelta(minutes=6))
    Offer.objects.filter(cycle=cycle).update(made_at=F("made_at") - dt.timedelta(minutes=6))
    assert services.allocation_offer_messages_pending() == [done.pk]
    assert allocation_offer_messages_owed(timezone.now()) == 2
    told = sorted(Notification.objects.filter(kind="offer_made").values_list("recipient_id", "channel"))
    assert told == sorted(
        (student.user_id, channel) for student in (three["s1"], three["s2"]) for channel in ("email", "inbox")
    )
    # Once queued, never again: not by the hook, not by a late copy of the task.
    assert services.allocation_offer_messages_pending() == []
    assert allocation_offer_messages_owed(timezone.now()) == 0
    assert services.allocation_offer_messages_queue(allocation_id=done.pk) == 0
    assert Notification.objects.filter(kind="offer_made").count() == len(told)


def test_allocation_messages_skip_an_offer_answered_before_they_are_queued(
    cycle, three, staff_user, django_capture_on_commit_callbacks
):
    done = _confirm_with_the_worker_lost(cycle, staff_user, django_capture_on_commit_callbacks)
    offer = Offer.objects.get(student=three["s1"])
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_decline(offer=offer, actor=three["s1"].user)
    assert services.allocation_offer_messages_queue(allocation_id=done.pk) == 1
    assert set(Notification.objects.filter(kind="offer_made").values_list("recipient_id", flat=True)) == {
        three["s2"].user_id
    }


def test_allocation_is_refused_to_a_coordinator(cycle, three, coordinator):
    with pytest.raises(services.AllocationError) as err:
        services.allocation_preview(cycle=cycle, actor=coordinator.user)
    assert err.value.code == "forbidden"


# --- the staff page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "student"])
def test_allocation_pages_are_staff_only(client, cycle, coordinator, student, who):
    preview = services.allocation_preview(cycle=cycle, actor=None)
    client.force_login(coordinator.user if who == "coordinator" else student.user)
    assert client.get(reverse("placements:allocation", args=[cycle.pk])).status_code == 403
    assert client.post(reverse("placements:allocation_preview", args=[cycle.pk])).status_code == 403
    assert client.post(reverse("placements:allocation_confirm", args=[preview.pk])).status_code == 403
    assert Job.objects.count() == 0


def test_staff_preview_and_confirm_from_the_page(client, cycle, three, staff_user, django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    overview = client.get(reverse("placements:overview"), {"cycle": cycle.pk})
    assert reverse("placements:allocation", args=[cycle.pk]) in overview.content.decode()
    page = reverse("placements:allocation", args=[cycle.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placements:allocation_preview", args=[cycle.pk]))
    assert response.status_code == 302 and response["Location"] == page
    preview = AllocationRound.objects.get()
    body = client.get(page).content.decode()
    assert "s2" in body and "s3" in body
    assert reverse("placements:allocation_confirm", args=[preview.pk]) in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("placements:allocation_confirm", args=[preview.pk]))
    assert offers_of(cycle) == [("s1", "B"), ("s2", "A")]
    assert "学生的录用消息已于" in client.get(page).content.decode()
    # Confirming again is refused with a message and makes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placements:allocation_confirm", args=[preview.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["该分配已确认，录用通知已发出。"]
    assert Offer.objects.count() == 2


def test_staff_page_shows_a_changed_ranking_refusal(
    client, cycle, three, staff_user, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    preview = services.allocation_preview(cycle=cycle, actor=staff_user)
    Application.objects.filter(post=three["a"], student=three["s3"]).update(selection_rank=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("placements:allocation_confirm", args=[preview.pk]))
    job = Job.objects.get(kind="placements.allocation_confirm")
    refusal = "自运行此预览以来，排名、志愿或空余名额已有变化。请重新运行预览，核对后再确认新的预览。"
    assert (job.status, job.error) == ("failed", refusal)
    body = client.get(reverse("placements:allocation", args=[cycle.pk])).content.decode()
    assert refusal in body
    assert "重新运行预览" in body  # the preview button, to run it again
    assert Offer.objects.count() == 0


def test_allocate_command(cycle, three, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("allocate", "--cycle", str(cycle.pk), "--dry-run", stdout=out)
    assert Offer.objects.count() == 0
    preview = AllocationRound.objects.get(cycle=cycle)
    assert preview.status == AllocationStatus.PREVIEWED
    assert f"round {preview.pk} previewed; students=3 posts=2 places=3 matched=2 unplaced=1" in out.getvalue()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("allocate", "--cycle", str(cycle.pk), stdout=out)
    done = AllocationRound.objects.exclude(pk=preview.pk).get(cycle=cycle)
    assert f"round {done.pk} confirmed; students=3 posts=2 places=3 matched=2 unplaced=1 offers_made=2" in (
        out.getvalue()
    )
    assert offers_of(cycle) == [("s1", "B"), ("s2", "A")]
    # One pass: the waiting preview is superseded, the new round recorded and confirmed at once,
    # with the same result, audit and messages as a confirmed preview.
    preview.refresh_from_db()
    assert preview.status == AllocationStatus.SUPERSEDED
    assert (done.status, done.offers_made, done.confirmed_by, done.fingerprint) == (
        AllocationStatus.CONFIRMED,
        2,
        None,
        preview.fingerprint,
    )
    assert sorted(done.pairs) == sorted(preview.pairs)
    assert done.messages_queued_at is not None
    assert Notification.objects.filter(kind="offer_made", channel=Channel.EMAIL).count() == 2
    assert sorted(
        Application.objects.filter(events__to_status=S.OFFERED).values_list("student__legal_name", flat=True)
    ) == ["s1", "s2"]

    # Run again: s1 and s2 hold offers; s3 alone is left and A is full.
    out = StringIO()
    call_command("allocate", "--cycle", str(cycle.pk), stdout=out)
    assert "matched=0 unplaced=1 offers_made=0" in out.getvalue()
    assert Offer.objects.count() == 2


def test_allocation_run_offers_nothing_when_an_application_changes_while_it_runs(cycle, three, staff_user, monkeypatch):
    """The applications are read under the posts' locks but not locked themselves: one
    withdrawn between the read and the write makes the whole run refuse."""
    from placements.selection.services import allocation as allocation_module

    record = allocation_module._round_record

    def withdraw_then_record(**kwargs):
        Application.objects.filter(student=three["s2"], post=three["a"]).update(status=S.WITHDRAWN)
        return record(**kwargs)

    monkeypatch.setattr(allocation_module, "_round_record", withdraw_then_record)
    with translation.override("en"), pytest.raises(services.AllocationError) as err:
        services.allocation_run(cycle=cycle, actor=staff_user)
    assert err.value.code == "inputs_changed"
    assert "withdrawn or decided while the allocation ran" in str(err.value.message)
    assert Offer.objects.count() == 0
    assert not AllocationRound.objects.exists()  # the round was rolled back with the rest
    assert Application.objects.get(student=three["s2"], post=three["a"]).status == S.INTERVIEWED


def test_allocation_run_is_staff_only_and_refused_after_the_selection(cycle, three, coordinator, staff_user):
    with pytest.raises(services.AllocationError) as err:
        services.allocation_run(cycle=cycle, actor=coordinator.user)
    assert err.value.code == "forbidden"
    services.cycle_selection_close(cycle=cycle, actor=staff_user)
    with pytest.raises(services.AllocationError) as err:
        services.allocation_run(cycle=cycle, actor=staff_user)
    assert err.value.code == "selection_closed"
    assert Offer.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes no row locks")
def test_allocation_run_locks_in_the_house_order(cycle, three, staff_user):
    """Rounds, then posts, then students, as a confirmation takes them: a run and a
    confirmation of the same cycle queue behind each other instead of deadlocking."""
    services.allocation_preview(cycle=cycle, actor=staff_user)
    with CaptureQueriesContext(connection) as queries:
        services.allocation_run(cycle=cycle, actor=staff_user)
    locked = [
        q["sql"].split(" FROM ", 1)[1].split()[0].strip('"')
        for q in queries.captured_queries
        if "FOR UPDATE" in q["sql"] and q["sql"].lstrip().startswith("SELECT")
    ]
    # Each table's first lock, in order (the rounds' move to SUPERSEDED locks them again).
    assert list(dict.fromkeys(locked))[:3] == [
        "placements_allocationround",
        "positions_post",
        "applicants_studentprofile",
    ]


# --- set-based sweeps: the queries do not grow with the applications -----------------------------------


def _statements(queries) -> int:
    """Queries other than INSERTs: SQLite caps a statement at 999 parameters, so Django splits
    a bulk insert of many rows into batches there (PostgreSQL writes it in one statement)."""
    return len([q for q in queries if not q["sql"].startswith("INSERT")])


def _closing_field(cycle, unit, coordinator, n: int) -> None:
    post = factories.PostFactory(cycle=cycle, unit=unit, headcount=n)
    apps = make_applications(post, 3 * n, status=S.INTERVIEWED, ranked=True)
    for app in apps[:n]:
        services.offer_make(application=app, actor=coordinator.user)
    for app in apps[n : 2 * n]:
        Application.objects.filter(pk=app.pk).update(status=S.SUBMITTED, published_status=S.SUBMITTED)


def _close_queries(cycle, unit, coordinator, n: int) -> int:
    _closing_field(cycle, unit, coordinator, n)
    ContentType.objects.clear_cache()  # both runs look the audit's content types up
    with CaptureQueriesContext(connection) as queries:
        counts = services.cycle_selection_close(cycle=cycle, actor=None)
    assert counts == {"offers_lapsed": n, "applications_ended": 2 * n, "students_told": 3 * n}
    return _statements(queries) if connection.vendor == "sqlite" else len(queries)


def test_close_selection_queries_do_not_grow_with_the_applications(unit, coordinator):
    few = _close_queries(factories.CycleFactory(), unit, coordinator, 5)
    many = _close_queries(factories.CycleFactory(), unit, coordinator, 50)
    assert few == many


def _expire_queries(cycle, unit, coordinator, n: int) -> int:
    post = factories.PostFactory(cycle=cycle, unit=unit, headcount=n)
    for app in make_applications(post, n, status=S.INTERVIEWED, ranked=True):
        services.offer_make(application=app, actor=coordinator.user)
    later = timezone.now() + dt.timedelta(hours=cycle.offer_valid_hours + 1)
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        assert services.offer_expire_due(at=later) == n
    return _statements(queries) if connection.vendor == "sqlite" else len(queries)


def test_offer_expire_due_queries_do_not_grow_with_the_offers(unit, coordinator):
    few = _expire_queries(factories.CycleFactory(), unit, coordinator, 5)
    many = _expire_queries(factories.CycleFactory(), unit, coordinator, 50)
    assert few == many
