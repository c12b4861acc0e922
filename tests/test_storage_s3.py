"""Files in S3-compatible object storage (``STORAGE_BACKEND=s3``), against moto's S3 server on
loopback: a résumé uploaded and downloaded through the portal's views, and an export's file
written by a real worker process and served by the web process, all through ``storages``.
Marked ``s3``: runs in the PostgreSQL + Redis run (the worker must share the test database)."""

import csv
import io
import os

import environ
import pytest
from django.db import connection
from django.urls import reverse

from applicants.services import application_submit
from jinseed.devtools.bench.outbox import Worker, free_port, wait_for
from jinseed.jobs.enums import JobStatus
from jinseed.jobs.models import Job
from jinseed.storage import private_storage, storages_from_env
from tests import factories
from tests.applicants.helpers import PDF_BYTES, pdf_upload, student_for

pytestmark = [pytest.mark.s3, pytest.mark.django_db(transaction=True)]

BUCKET, PRIVATE_BUCKET = "jinseed-media", "jinseed-private"


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_server, monkeypatch, settings):
    """The environment an operator sets for MinIO or OSS, and the settings it gives."""
    import boto3

    values = {
        "STORAGE_BACKEND": "s3",
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_PRIVATE_BUCKET_NAME": PRIVATE_BUCKET,
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_S3_REGION_NAME": "cn-shanghai",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
        region_name="cn-shanghai",
    )
    for bucket in (BUCKET, PRIVATE_BUCKET):
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "cn-shanghai"})
    settings.STORAGES = {**settings.STORAGES, **storages_from_env(environ.Env())}
    yield values, client
    for bucket in (BUCKET, PRIVATE_BUCKET):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


def _keys(client, bucket) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_resume_is_stored_in_the_private_bucket_and_streamed_by_the_portal(client, s3_env, cycle, tmp_path):
    _, s3 = s3_env
    applicant = student_for(cycle)
    post = factories.PostFactory(cycle=cycle)
    application = application_submit(
        student=applicant, post=post, preference_rank=1, statement="x" * 30, resume=pdf_upload(), submit_token="s3"
    )
    name = application.resume.name
    assert _keys(s3, PRIVATE_BUCKET) == [name]
    assert _keys(s3, BUCKET) == []
    assert not list((tmp_path / "private").rglob("*.pdf"))  # nothing on this machine's disk
    with pytest.raises(ValueError, match="no public URL"):
        application.resume.url  # noqa: B018 - the property is the point

    client.force_login(applicant.user)
    response = client.get(reverse("applicants:resume", args=[application.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"


def test_private_objects_carry_no_public_grant(s3_env):
    _, s3 = s3_env
    from django.core.files.base import ContentFile

    name = private_storage().save("checks/secret.txt", ContentFile(b"secret"))
    grants = s3.get_object_acl(Bucket=PRIVATE_BUCKET, Key=name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all(g["Grantee"].get("URI") is None for g in grants)  # no AllUsers / AuthenticatedUsers
    assert private_storage().open(name).read() == b"secret"


@pytest.mark.postgres
@pytest.mark.broker  # published to the real broker, not run in this process
def test_export_file_written_by_a_worker_is_served_by_the_web(client, s3_env, settings, cycle):
    if connection.vendor != "postgresql" or not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        pytest.skip("the worker process must see the test database and a broker: PostgreSQL and Redis")
    values, s3 = s3_env
    factories.ApplicationFactory(post__cycle=cycle)
    staff = factories.StaffFactory(is_superuser=False)
    worker = Worker(
        broker_url=os.environ["CELERY_BROKER_URL"],
        smtp_port=free_port(),
        name="s3",
        # the worker's own disk is not where the file goes: a folder the web never reads
        extra_env={**values, "PRIVATE_MEDIA_ROOT": "/nonexistent/private"},
    )
    try:
        from placements.office.exports.services import export_start

        export = export_start(actor=staff, kind="applicants", file_format="csv")
        assert wait_for(lambda: Job.objects.get(pk=export.job_id).is_finished, timeout=90), worker.output()
    finally:
        worker.stop()
    job = Job.objects.get(pk=export.job_id)
    assert job.status == JobStatus.SUCCEEDED, (job.error, worker.output())
    assert _keys(s3, PRIVATE_BUCKET) == [job.result_file.name]

    client.force_login(staff)
    response = client.get(reverse("jobs:file", args=[job.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["届次", "单位", "岗位"]
    assert len(rows) == 2
