"""Backups restore: the database dumped with ``pg_dump -Fc`` and restored with ``pg_restore``
into a fresh database (the commands of docs/operations.md, "Backup and restore") holds the
same rows, and with the same keys the portal reads it: certificates verify, ID numbers decrypt."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from applicants.models import Application, StudentProfile
from jinseed.accounts.models import Consent, User
from jinseed.jobs.models import Job
from jinseed.notifications.models import Notification
from placements.cultivation import services
from placements.cultivation.enums import AssessorRole, Grade
from placements.models import Assessment, Certificate, Export, FinalGrade, Placement
from placements.selection.enums import PlacementStatus
from positions.models import Cycle, HostUnit, Post
from tests import factories
from tests.placements.cultivation.helpers import assess_and_confirm, make_placement
from tests.world import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
MAIN_TABLES = (
    User,
    Consent,
    Cycle,
    HostUnit,
    Post,
    StudentProfile,
    Application,
    Placement,
    Assessment,
    FinalGrade,
    Certificate,
    Notification,
    Job,
    Export,
)
VERIFY_IN_RESTORED = """
import json
from django.apps import apps
from django.test import Client
from applicants.models import StudentProfile
from placements.cultivation.selectors import certificate_by_code
args = json.loads(input())
page = Client().get(args["url"])
certificate = certificate_by_code(args["code"])
print(json.dumps({
    "counts": {label: apps.get_model(label).objects.count() for label in args["tables"]},
    "status": page.status_code,
    "genuine": 'data-testid="verify-name">顾**<' in page.content.decode(),
    "certificate": certificate.pk if certificate else None,
    "id_number": StudentProfile.objects.get(pk=args["profile"]).id_number,
}))
"""


@pytest.fixture(autouse=True)
def _postgres_tools():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")


def _pg_env() -> dict:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    env["PGUSER"] = db["USER"] or "postgres"
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.fixture
def restored_name():
    """A fresh, empty database for the restore, dropped afterwards whatever happens."""
    name = f"{connection.settings_dict['NAME']}_restored"
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def test_backup_restores_every_row_and_the_certificate_still_verifies(tmp_path, restored_name):
    world = build_world()
    staff = factories.StaffFactory()
    placement = make_placement(
        student=factories.StudentProfileFactory(legal_name="顾佳怡"), status=PlacementStatus.COMPLETED
    )
    coordinator = factories.CoordinatorFactory(unit=placement.post.unit)
    assess_and_confirm(
        placement, assessor=coordinator.user, role=AssessorRole.COORDINATOR, grade=Grade.EXCELLENT, staff=staff
    )
    certificate = services.certificate_issue(placement=placement, actor=placement.student.user)
    counts = {model._meta.label: model.objects.count() for model in MAIN_TABLES}
    assert min(counts.values()) >= 1

    dump = tmp_path / "jinseed.dump"
    database = connection.settings_dict["NAME"]
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", database], env=_pg_env(), check=True, timeout=120)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}", str(dump)],
        env=_pg_env(),
        check=True,
        timeout=120,
    )

    # A fresh process that knows only the restored database and the same keys reads it.
    db = connection.settings_dict
    server = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{server}/{restored_name}"
    request = {
        "url": reverse("cultivation:verify", args=[certificate.code]),
        "code": certificate.code,
        "profile": world.a.student.pk,
        "tables": list(counts),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", VERIFY_IN_RESTORED],
        cwd=ROOT,
        input=json.dumps(request) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": ""},
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {
        "counts": counts,
        "status": 200,
        "genuine": True,
        "certificate": certificate.pk,
        "id_number": world.a.id_number,
    }
