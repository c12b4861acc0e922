"""Exports to Excel and CSV: the rows and headers, masking, injection safety, scope, audit."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applicants.identity import mask_id_number
from jinseed.audit.models import DataAccess
from jinseed.jobs.models import Job
from jinseed.logmask import mask_mobile
from placements.models import Export
from placements.office.exports import services
from placements.office.exports.registry import export_kind_get
from placements.office.exports.writers import neutralise
from tests import factories

from .conftest import EVIL_NAME

pytestmark = pytest.mark.django_db

APPLICANT_HEADERS = [
    "届次", "单位", "岗位", "志愿", "姓名", "性别", "身份证号", "手机", "邮箱", "户籍镇", "学校", "境外院校", "专业",
    "学历", "年级", "预计毕业", "状态", "资格待核", "资格提示", "评审均分", "面试得分", "提交时间（北京时间）",
]  # fmt: skip


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (the job, eagerly) as the request or service returns."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _post_export(client, run, kind="applicants", **fields):
    data = {"export_kind": kind, f"{kind}-file_format": fields.pop("file_format", "xlsx")}
    data.update({f"{kind}-{key}": value for key, value in fields.items()})
    with run():
        return client.post(reverse("office_exports:staff"), data)


def _download(client, export: Export) -> bytes:
    response = client.get(reverse("jobs:file", args=[export.job_id]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _xlsx_rows(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


def _csv_rows(content: bytes):
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("王安全", "王安全"),
        (3, 3),
        (None, ""),
    ],
)
def test_neutralise_prefixes_text_that_could_start_a_formula(value, expected):
    assert neutralise(value) == expected


def test_staff_xlsx_export_of_a_cycle_has_the_exact_rows_masked_and_inert(client, world, plain_staff, run):
    client.force_login(plain_staff)

    response = _post_export(client, run, cycle=world.cycle.pk)

    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("office_exports:detail", args=[export.pk])
    assert export.job.status == "succeeded"
    sheet, rows = _xlsx_rows(_download(client, export))
    assert rows[0] == APPLICANT_HEADERS
    evil_row = rows[1]
    assert evil_row == [
        world.cycle.title,
        "金山区档案局",
        "档案整理助理",
        1,
        "'" + EVIL_NAME,
        "女",
        mask_id_number(world.evil_id),
        "138****1111",
        "evil@example.cn",
        "朱泾镇",
        "复旦大学",
        "否",
        "汉语言文学",
        "本科",
        2,
        evil_row[15],
        "已提交",
        "是",
        "在本届年度毕业",
        None,
        None,
        evil_row[21],
    ]
    assert evil_row[15].date().isoformat() == "2034-06-30"
    assert evil_row[21].strftime("%Y-%m-%d %H:%M") == "2031-03-02 09:30"
    name_cell = sheet.cell(row=2, column=5)
    assert name_cell.data_type == "s"
    assert name_cell.data_type != "f"
    assert str(name_cell.value).startswith("'")
    assert [r[4] for r in rows[1:]] == ["'" + EVIL_NAME, "王安全", "钱外单位"]
    assert world.evil_id not in str(rows)


def test_staff_csv_export_filtered_by_unit_and_status(client, world, plain_staff, run):
    client.force_login(plain_staff)

    _post_export(client, run, file_format="csv", cycle=world.cycle.pk, unit=world.unit_a.pk, status="shortlisted")

    rows = _csv_rows(_download(client, Export.objects.get()))
    assert rows[0] == APPLICANT_HEADERS
    assert [(r[1], r[4], r[16]) for r in rows[1:]] == [("金山区档案局", "王安全", "入围面试")]


def test_csv_export_keeps_the_formula_name_inert(client, world, plain_staff, run):
    client.force_login(plain_staff)

    _post_export(client, run, file_format="csv", unit=world.unit_a.pk)

    rows = _csv_rows(_download(client, Export.objects.get()))
    assert rows[1][4] == "'" + EVIL_NAME
    assert rows[1][6] == mask_id_number(world.evil_id)
    assert rows[1][21] == "2031-03-02 09:30"


def test_each_export_writes_one_data_access_row(client, world, plain_staff, run):
    client.force_login(plain_staff)

    _post_export(client, run, cycle=world.cycle.pk, unit=world.unit_a.pk)

    access = DataAccess.objects.get()
    assert (
        access.kind,
        access.actor,
        access.subject,
        access.filters,
        access.row_count,
        access.masked,
        access.reason,
    ) == (
        DataAccess.Kind.EXPORT,
        plain_staff,
        "报名学生",
        {"cycle": world.cycle.pk, "unit": world.unit_a.pk},
        2,
        True,
        "",
    )
    assert Export.objects.get().row_count == 2


def test_coordinator_exports_only_their_unit(client, world, run):
    client.force_login(world.coordinator.user)

    with run():
        response = client.post(
            reverse("office_exports:unit"),
            {"export_kind": "applicants", "applicants-file_format": "xlsx", "applicants-unit": world.unit_b.pk},
        )

    export = Export.objects.get()
    assert response.status_code == 302
    assert export.scope_unit == world.unit_a
    _, rows = _xlsx_rows(_download(client, export))
    assert [(r[1], r[4]) for r in rows[1:]] == [("金山区档案局", "'" + EVIL_NAME), ("金山区档案局", "王安全")]
    assert DataAccess.objects.get(kind=DataAccess.Kind.EXPORT).filters == {"unit": world.unit_a.pk}


def test_coordinator_export_through_the_service_ignores_another_unit_filter(world, run):
    with run():
        export = services.export_start(
            actor=world.coordinator.user, kind="applicants", file_format="csv", filters={"unit": world.unit_b.pk}
        )

    export.refresh_from_db()
    assert export.filters == {"unit": world.unit_a.pk}
    assert export.row_count == 2


def test_coordinator_cannot_export_unmasked(world):
    with pytest.raises(services.ExportError) as refused:
        services.export_start(
            actor=world.coordinator.user, kind="applicants", file_format="csv", unmasked=True, reason="核对"
        )

    assert refused.value.code == "forbidden"
    assert Export.objects.count() == 0


def test_unmasked_without_the_permission_is_refused_with_the_message(client, world, plain_staff, run):
    client.force_login(plain_staff)

    response = _post_export(client, run, unmasked="on", reason="与学校核对学籍")

    assert response.status_code == 400
    assert "您的账号没有导出未脱敏身份证号的权限。" in response.content.decode()
    assert "与学校核对学籍" in response.content.decode()
    assert Export.objects.count() == 0
    assert DataAccess.objects.count() == 0


def test_superuser_does_not_hold_the_unmasked_permission_by_being_one(world, staff_user):
    with pytest.raises(services.ExportError) as refused:
        services.export_start(actor=staff_user, kind="applicants", file_format="csv", unmasked=True, reason="核对")

    assert refused.value.code == "forbidden"


def test_unmasked_without_a_reason_is_refused_and_keeps_the_form(client, world, unmasking_staff, run):
    client.force_login(unmasking_staff)

    response = _post_export(client, run, file_format="csv", cycle=world.cycle.pk, unmasked="on", reason="  ")

    html = response.content.decode()
    assert response.status_code == 400
    assert "请说明导出未脱敏身份证号的理由。" in html
    assert f'<option value="{world.cycle.pk}" selected>' in html
    assert re.search(r'name="applicants-file_format" value="csv"[^>]*checked', html)
    assert Export.objects.count() == 0


def test_a_coordinators_export_masks_mobiles(client, world, run):
    client.force_login(world.coordinator.user)
    with run():
        client.post(reverse("office_exports:unit"), {"export_kind": "applicants", "applicants-file_format": "xlsx"})

    _, rows = _xlsx_rows(_download(client, Export.objects.get()))

    assert [r[7] for r in rows[1:]] == ["138****1111", mask_mobile(world.plain.student.user.mobile)]
    assert "13800001111" not in str(rows)


def test_unmasked_with_the_permission_and_a_reason_exports_clear_id_numbers(client, world, unmasking_staff, run):
    client.force_login(unmasking_staff)

    _post_export(client, run, unit=world.unit_a.pk, unmasked="on", reason="与学校核对学籍")

    export = Export.objects.get()
    _, rows = _xlsx_rows(_download(client, export))
    assert (rows[1][6], rows[1][7]) == (world.evil_id, "13800001111")
    access = DataAccess.objects.get(kind=DataAccess.Kind.EXPORT)
    assert (access.masked, access.reason, access.row_count) == (False, "与学校核对学籍", 2)


def test_service_refuses_unmasked_without_reason_even_with_the_permission(world, unmasking_staff):
    with pytest.raises(services.ExportError) as refused:
        services.export_start(actor=unmasking_staff, kind="applicants", file_format="xlsx", unmasked=True)

    assert refused.value.code == "reason_required"


def test_unknown_kind_is_refused_with_400(client, world, plain_staff):
    client.force_login(plain_staff)

    response = client.post(reverse("office_exports:staff"), {"export_kind": "everything"})

    assert response.status_code == 400
    assert "没有这种导出。" in response.content.decode()


@pytest.mark.parametrize("who", ["student", "coordinator", "mentor"])
def test_others_cannot_reach_the_staff_exports(client, world, who, run):
    users = {
        "student": lambda: world.evil.student.user,
        "coordinator": lambda: world.coordinator.user,
        "mentor": lambda: factories.MentorFactory().user,
    }
    client.force_login(users[who]())

    assert client.get(reverse("office_exports:staff")).status_code == 403
    assert _post_export(client, run).status_code == 403
    assert Export.objects.count() == 0


def test_students_and_staff_cannot_use_the_unit_export(client, world, plain_staff):
    for user in (world.evil.student.user, plain_staff):
        client.force_login(user)
        assert client.get(reverse("office_exports:unit")).status_code == 403


def test_an_export_page_and_file_are_the_creators_and_staffs_only(client, world, plain_staff, run):
    with run():
        export = services.export_start(actor=world.coordinator.user, kind="applicants", file_format="csv")
    other = factories.CoordinatorFactory(unit=world.unit_b)

    client.force_login(other.user)
    assert client.get(reverse("office_exports:detail", args=[export.pk])).status_code == 404
    assert client.get(reverse("jobs:file", args=[export.job_id])).status_code == 404
    client.force_login(world.coordinator.user)
    page = client.get(reverse("office_exports:detail", args=[export.pk]))
    assert page.status_code == 200
    assert reverse("jobs:file", args=[export.job_id]) in page.content.decode()
    client.force_login(plain_staff)
    assert client.get(reverse("office_exports:detail", args=[export.pk])).status_code == 200


def test_the_export_pages_show_a_form_per_kind(client, world, plain_staff):
    client.force_login(plain_staff)

    html = client.get(reverse("office_exports:staff")).content.decode()

    for kind in ("applicants", "placements", "groups", "interviews", "assessments"):
        assert f'data-testid="export-{kind}"' in html
    assert 'name="applicants-unmasked"' in html
    client.force_login(world.coordinator.user)
    unit_html = client.get(reverse("office_exports:unit")).content.decode()
    assert 'name="applicants-unit"' not in unit_html
    assert 'name="applicants-unmasked"' not in unit_html
    workspace = client.get(reverse("placements:workspace")).content.decode()
    assert reverse("office_exports:unit") in workspace


def test_the_job_reports_progress_per_row(world, plain_staff, run):
    with run():
        export = services.export_start(actor=plain_staff, kind="applicants", file_format="csv")

    job = Job.objects.get(pk=export.job_id)
    assert (job.progress_done, job.progress_total, job.result) == (
        3,
        3,
        {"rows": 3, "file_name": job.result["file_name"], "masked": True},
    )
    assert job.result["file_name"].startswith("applicants-") and job.result["file_name"].endswith(".csv")


def test_a_registered_kind_declares_headers_in_chinese_whatever_the_language(settings):
    from django.utils import translation

    with translation.override("en"):
        assert export_kind_get("applicants").headers() == APPLICANT_HEADERS
