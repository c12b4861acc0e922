import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from positions.enums import PostStatus
from positions.signals import cycle_timeline_changed
from tests.factories import CycleFactory, PostFactory
from tests.positions.admin_forms import cycle_change_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_admin_approve_and_publish_action(admin_client):
    submitted = PostFactory(status=PostStatus.SUBMITTED)
    draft = PostFactory(status=PostStatus.DRAFT, cycle=submitted.cycle)
    response = admin_client.post(
        reverse("admin:positions_post_changelist"),
        {"action": "approve_and_publish", "_selected_action": [submitted.pk, draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.status == PostStatus.PUBLISHED
    assert draft.status == PostStatus.DRAFT
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 2
    assert draft.title in texts[0]  # the refused row, named, as it was refused
    assert texts[1] == "已更新1个岗位。"


def test_admin_return_action_asks_reason_then_returns(admin_client):
    post = PostFactory(status=PostStatus.SUBMITTED)
    response = admin_client.post(
        reverse("admin:positions_post_changelist"),
        {"action": "return_for_changes", "_selected_action": [post.pk]},
    )
    assert response.status_code == 302
    form_url = response["Location"]
    assert admin_client.get(form_url).status_code == 200

    empty = admin_client.post(reverse("admin:positions_post_return"), {"ids": str(post.pk), "reason": ""})
    assert empty.status_code == 200
    post.refresh_from_db()
    assert post.status == PostStatus.SUBMITTED

    admin_client.post(reverse("admin:positions_post_return"), {"ids": str(post.pk), "reason": "岗位人数请核实"})
    post.refresh_from_db()
    assert post.status == PostStatus.RETURNED
    assert post.return_reason == "岗位人数请核实"


def test_admin_close_action(admin_client):
    post = PostFactory(status=PostStatus.PUBLISHED)
    admin_client.post(
        reverse("admin:positions_post_changelist"), {"action": "close_posts", "_selected_action": [post.pk]}
    )
    post.refresh_from_db()
    assert post.status == PostStatus.CLOSED


def test_admin_changelists_render(admin_client):
    PostFactory()
    for name in [
        "positions_post",
        "positions_cycle",
        "positions_hostunit",
        "applicants_application",
        "applicants_studentprofile",
        "accounts_user",
        "placements_placement",
    ]:
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name


def test_admin_refused_to_non_staff(client, student):
    client.force_login(student.user)
    response = client.get(reverse("admin:positions_post_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- changing a cycle ----------------------------------------------------------------------------


@pytest.fixture
def timeline_changes():
    """What ``cycle_timeline_changed`` was sent with, for the duration of a test."""
    sent = []

    def record(sender, **kwargs):
        sent.append({"cycle": kwargs["cycle"].pk, "fields": kwargs["changed_fields"], "actor": kwargs["actor"]})

    cycle_timeline_changed.connect(record, dispatch_uid="tests.timeline_changes")
    yield sent
    cycle_timeline_changed.disconnect(dispatch_uid="tests.timeline_changes")


def _change_cycle(admin_client, cycle, **changes):
    return admin_client.post(
        reverse("admin:positions_cycle_change", args=[cycle.pk]), cycle_change_data(cycle, **changes)
    )


def test_admin_cycle_timeline_change_is_sent_once_with_the_changed_dates(admin_client, staff_user, timeline_changes):
    cycle = CycleFactory()
    announcement = timezone.now().replace(microsecond=0) + dt.timedelta(days=20)
    closes = cycle.registration_closes_at.replace(microsecond=0) + dt.timedelta(days=1)
    response = _change_cycle(
        admin_client, cycle, announcement_at=announcement, registration_closes_at=closes, title="第19届"
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.announcement_at, cycle.registration_closes_at, cycle.title) == (announcement, closes, "第19届")
    assert timeline_changes == [
        {"cycle": cycle.pk, "fields": frozenset({"announcement_at", "registration_closes_at"}), "actor": staff_user}
    ]


def test_admin_cycle_change_without_dates_sends_nothing(admin_client, timeline_changes):
    cycle = CycleFactory()
    assert _change_cycle(admin_client, cycle, max_applications=2).status_code == 302
    cycle.refresh_from_db()
    assert cycle.max_applications == 2
    assert timeline_changes == []
