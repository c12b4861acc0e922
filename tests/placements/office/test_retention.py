"""Retention: a cycle past ``RETENTION_YEARS`` keeps its figures (snapshot first), forgets the
applications that led to no placement and the students with nothing else worth keeping."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applicants.models import Application, ApplicationEvent
from placements.models import CycleStatistics
from placements.office.selectors import dashboard_figures
from placements.office.services import ANONYMOUS_NAME, retention_run
from tests import factories
from tests.placements.office.helpers import archive, fill_cycle, make_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_cycle():
    """An archived cycle that ended four years ago: 2 placed students and 4 who were not."""
    cycle = make_cycle(2031)
    fill_cycle(cycle, 6, placed=2)
    return archive(cycle, ended_on=timezone.localdate() - dt.timedelta(days=4 * 366))


def _unplaced(cycle):
    return Application.objects.filter(cycle=cycle, placement__isnull=True).order_by("pk")


def _with_resume(application: Application) -> str:
    application.resume.save("cv.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    ApplicationEvent.objects.filter(application=application).update(reason="家里有事")
    return application.resume.name


def test_retention_keeps_the_dashboard_figures_of_the_cycle(old_cycle, django_capture_on_commit_callbacks):
    before = dashboard_figures(old_cycle.year)["figures"]
    with django_capture_on_commit_callbacks(execute=True):
        done = retention_run()
    assert done == [{"cycle": 2031, "applications": 4, "resumes": 0, "students": 4}]
    after = dashboard_figures(old_cycle.year)
    assert after["figures"] == before
    assert after["cycle"]["snapshot_at"] == CycleStatistics.objects.get(cycle=old_cycle).taken_at


def test_retention_dashboard_reads_the_snapshot(old_cycle, client, staff_user):
    retention_run()
    snapshot = CycleStatistics.objects.get(cycle=old_cycle)
    snapshot.figures = {**snapshot.figures, "applicants": 338}
    snapshot.save()
    client.force_login(staff_user)
    page = client.get(reverse("office:dashboard"), {"cycle": "2031"}).content.decode()
    assert 'data-testid="applicants">338<' in page
    assert 'data-testid="snapshot-note"' in page


def test_retention_deletes_resumes_and_free_text(old_cycle, django_capture_on_commit_callbacks):
    application = _unplaced(old_cycle).first()
    name = _with_resume(application)
    storage = application.resume.storage
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        retention_run()
    assert not storage.exists(name)
    application.refresh_from_db()
    assert (application.statement, application.resume.name) == ("", "")
    assert set(ApplicationEvent.objects.filter(application=application).values_list("reason", flat=True)) == {""}


def test_retention_anonymises_students_with_nothing_to_keep(old_cycle):
    student = _unplaced(old_cycle).first().student
    retention_run()
    student.refresh_from_db()
    user = student.user
    user.refresh_from_db()
    assert (student.legal_name, student.id_number_encrypted, student.id_number_masked, student.consent_at) == (
        ANONYMOUS_NAME,
        "",
        "",
        None,
    )
    assert student.id_number_digest == f"anonymised-{student.pk}"
    assert student.birth_date == dt.date(1990, 1, 1)
    assert (user.full_name, user.mobile, user.is_active, user.has_usable_password()) == (
        ANONYMOUS_NAME,
        None,
        False,
        False,
    )
    assert user.email == f"anonymised-{user.pk}@anonymised.invalid"


def test_retention_keeps_placed_students_and_students_of_later_cycles(old_cycle):
    placed = Application.objects.filter(cycle=old_cycle, placement__isnull=False).select_related("student__user")
    kept = {a.pk: (a.statement, a.student.legal_name, a.student.id_number, a.student.user.mobile) for a in placed}
    returning = _unplaced(old_cycle).last().student
    factories.ApplicationFactory(student=returning, post=factories.PostFactory(cycle=make_cycle(2035)))
    retention_run()
    for application in Application.objects.filter(pk__in=kept).select_related("student__user"):
        assert kept[application.pk] == (
            application.statement,
            application.student.legal_name,
            application.student.id_number,
            application.student.user.mobile,
        )
    returning.refresh_from_db()
    assert returning.legal_name != ANONYMOUS_NAME and returning.user.is_active
    assert Application.objects.get(student=returning, cycle=old_cycle).statement == ""


def test_retention_leaves_recent_cycles_alone():
    cycle = make_cycle(2031)
    fill_cycle(cycle, 3, placed=1)
    archive(cycle, ended_on=timezone.localdate() - dt.timedelta(days=2 * 365))
    assert retention_run() == []
    assert not CycleStatistics.objects.exists()
    assert set(Application.objects.values_list("statement", flat=True)) == {"我想回家乡锻炼。"}


def test_retention_years_is_a_setting(old_cycle, settings):
    settings.RETENTION_YEARS = 5
    assert retention_run() == []


def test_retention_run_twice_changes_nothing(old_cycle):
    retention_run()
    taken = CycleStatistics.objects.get(cycle=old_cycle).taken_at
    assert retention_run() == [{"cycle": 2031, "applications": 0, "resumes": 0, "students": 0}]
    assert CycleStatistics.objects.get(cycle=old_cycle).taken_at == taken


def test_retention_command_dry_run_changes_nothing(old_cycle):
    out = io.StringIO()
    call_command("retention_run", "--dry-run", stdout=out)
    assert "2031: would anonymise 4 applications, 0 résumés, 4 students" in out.getvalue()
    assert not CycleStatistics.objects.exists()
    assert not Application.objects.filter(statement="").exists()
    call_command("retention_run", stdout=out)
    assert "2031: anonymised 4 applications, 0 résumés, 4 students" in out.getvalue()


def test_retention_runs_daily_from_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["placements-retention-daily"]
    assert entry["task"] == "placements.office.tasks.retention_run_task"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {45})
