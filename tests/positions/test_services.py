import pytest

from positions.enums import POST_TRANSITIONS, PostStatus
from positions.models import PostTransition
from positions.services import PostError, post_close, post_publish, post_return, post_submit, post_transition
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_post_workflow_full_path_is_audited(staff_user):
    post = PostFactory(status=PostStatus.DRAFT)
    post_submit(post=post, actor=staff_user)
    post_return(post=post, actor=staff_user, reason="请补充岗位职责")
    post_submit(post=post, actor=staff_user)
    post_publish(post=post, actor=staff_user)
    post_close(post=post, actor=staff_user)

    post.refresh_from_db()
    assert post.status == PostStatus.CLOSED
    assert post.return_reason == "请补充岗位职责"
    assert post.published_at is not None
    moves = list(PostTransition.objects.filter(post=post).values_list("from_status", "to_status"))
    assert moves == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "published"),
        ("published", "closed"),
    ]


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(f, t) for f in PostStatus.values for t in PostStatus.values if t not in POST_TRANSITIONS[f] and t != f],
)
def test_post_transition_illegal_move_refused(staff_user, from_status, to_status):
    post = PostFactory(status=from_status)
    with pytest.raises(PostError) as excinfo:
        post_transition(post=post, to_status=to_status, actor=staff_user, reason="x")
    assert excinfo.value.code == "illegal_transition"
    post.refresh_from_db()
    assert post.status == from_status
    assert PostTransition.objects.count() == 0


def test_post_return_without_reason_refused(staff_user):
    post = PostFactory(status=PostStatus.SUBMITTED)
    with pytest.raises(PostError) as excinfo:
        post_return(post=post, actor=staff_user, reason="  ")
    assert excinfo.value.code == "reason_required"
    post.refresh_from_db()
    assert post.status == PostStatus.SUBMITTED


def test_post_publish_keeps_first_publication_time(staff_user):
    post = PostFactory(status=PostStatus.SUBMITTED)
    post_publish(post=post, actor=staff_user)
    first = post.published_at
    post_close(post=post, actor=staff_user)
    post_publish(post=post, actor=staff_user)
    post.refresh_from_db()
    assert post.published_at == first
