"""The deadline-day submit within its query budget, as production runs it: the request's
own transaction (no test transaction around it) and delivery published after the commit."""

import re

import pytest
from django.urls import reverse

from applicants.models import Application
from jinseed.notifications.models import Notification, NotificationPreference
from tests import factories
from tests.applicants.helpers import pdf_upload, student_for

pytestmark = pytest.mark.django_db(transaction=True)

#: Session, user with profile, post; the lock (with the user, their message preference and the
#: placement check), the token and active applications, the application, its history row,
#: the outbox rows (one insert); BEGIN and COMMIT; the outbox rows marked published after
#: the commit.
SUBMIT_QUERY_BUDGET = 11


@pytest.fixture
def broker_not_eager():
    """Publish to the in-memory broker instead of running the delivery in the request."""
    from jinseed.celery import app

    app.conf["CELERY_TASK_ALWAYS_EAGER"] = False
    yield
    app.conf["CELERY_TASK_ALWAYS_EAGER"] = True


def test_apply_post_stays_within_its_query_budget(client, broker_not_eager, django_assert_max_num_queries):
    cycle = factories.CycleFactory(max_applications=3)
    applicant = student_for(cycle)
    posts = factories.PostFactory.create_batch(2, cycle=cycle)
    factories.ApplicationFactory(student=applicant, post=posts[0], cycle=cycle, preference_rank=1)
    NotificationPreference.objects.create(user=applicant.user, sms=True)
    client.force_login(applicant.user)
    url = reverse("applicants:apply", args=[posts[1].pk])
    page = client.get(url)
    token = re.search(r'name="submit_token" value="([^"]+)"', page.content.decode()).group(1)
    data = {"preference_rank": "2", "statement": "我在金山长大，希望暑假回到家乡的街道实践。", "submit_token": token}

    with django_assert_max_num_queries(SUBMIT_QUERY_BUDGET):
        response = client.post(url, {**data, "resume": pdf_upload()})

    assert response.status_code == 302
    application = Application.objects.get(post=posts[1])
    assert application.preference_rank == 2
    assert sorted(Notification.objects.filter(recipient=applicant.user).values_list("channel", flat=True)) == [
        "email",
        "inbox",
        "sms",
    ]
    assert Notification.objects.filter(enqueued_at__isnull=True).count() == 0


#: Session, user with profile, post; the student's active applications of the cycle (this post
#: among them? the preferences taken), the placement check, the unread messages of the
#: navigation, the earlier cycles the student took part in.
APPLY_PAGE_QUERY_BUDGET = 7


def test_apply_page_stays_within_its_query_budget(client, django_assert_max_num_queries):
    cycle = factories.CycleFactory(max_applications=3)
    applicant = student_for(cycle)
    posts = factories.PostFactory.create_batch(2, cycle=cycle)
    factories.ApplicationFactory(student=applicant, post=posts[0], cycle=cycle, preference_rank=1)
    client.force_login(applicant.user)

    with django_assert_max_num_queries(APPLY_PAGE_QUERY_BUDGET):
        page = client.get(reverse("applicants:apply", args=[posts[1].pk]))

    assert page.status_code == 200
    assert [value for value, _label in page.context["form"].fields["preference_rank"].choices] == [2, 3]


def test_apply_page_of_a_post_applied_to_sends_to_my_applications(client, django_assert_max_num_queries):
    cycle = factories.CycleFactory(max_applications=3)
    applicant = student_for(cycle)
    post = factories.PostFactory(cycle=cycle)
    factories.ApplicationFactory(student=applicant, post=post, cycle=cycle, preference_rank=2)
    client.force_login(applicant.user)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("applicants:apply", args=[post.pk]))

    assert response.status_code == 302
    assert response.url == reverse("applicants:my_applications")
