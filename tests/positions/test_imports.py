import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jinseed.accounts.enums import Role
from jinseed.jobs.enums import JobStatus
from positions.enums import PostStatus, UnitKind
from positions.imports import services as import_services
from positions.imports.preview import RowAction, preview_build
from positions.imports.sheet import sheet_read
from positions.models import Post, PostImport, PostTransition
from tests.factories import CoordinatorFactory, HostUnitFactory, PostFactory, UserFactory
from tests.positions.sheets import HEADERS, post_row, upload_sheet, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db):
    return {
        "hr": HostUnitFactory(name="金山区人力资源和社会保障局", kind=UnitKind.DISTRICT_BUREAU),
        "zhujing": HostUnitFactory(name="朱泾镇人民政府", kind=UnitKind.TOWN),
    }


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _upload(client, cycle, data: bytes, *, name="岗位.xlsx", status=PostStatus.DRAFT):
    return upload_sheet(client, {"cycle": cycle.pk, "target_status": status, "file": SimpleUploadedFile(name, data)})


def _import(client, cycle, data: bytes, capture, **kwargs) -> PostImport:
    preview = _upload(client, cycle, data, **kwargs)
    assert preview.status_code == 200
    with capture(execute=True):
        confirmed = client.post(reverse("admin:positions_post_import_confirm"), {"token": preview.context["token"]})
    post_import = PostImport.objects.latest("id")
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("admin:positions_post_import_detail", args=[post_import.pk])
    post_import.refresh_from_db()
    return post_import


def _outcome(preview) -> dict:
    return {row.number: (row.action, row.errors) for row in preview.rows}


# --- the template ---------------------------------------------------------------------------------


def test_template_has_chinese_headers_dropdowns_and_an_example(admin_client):
    response = admin_client.get(reverse("admin:positions_post_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["岗位", "填写说明"]
    ws = workbook["岗位"]
    assert [cell.value for cell in ws[1]] == [
        "单位名称",
        "单位类型",
        "岗位名称",
        "岗位期限",
        "假期",
        "招募人数",
        "岗位简介",
        "工作职责",
        "任职要求",
        "专业倾向",
        "最低年级",
        "最高年级",
        "工作地点",
        "开始日期",
        "结束日期",
    ]
    assert [cell.value for cell in ws[1]] == HEADERS
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"}
    assert lists == {
        "D2:D2001": '"短期,长期"',
        "E2:E2001": '"暑假,寒假"',
        "B2:B2001": '"区委办局,街道、镇,村（居）委会,事业单位,企业"',
    }
    assert ws["A2"].value == "（示例，请删除本行）金山区文化和旅游局"
    assert (ws["D2"].value, ws["E2"].value, ws["F2"].value) == ("短期", "暑假", 2)


def test_template_read_back_flags_only_the_example_unit(cycle, units):
    from positions.imports.sheet import template_workbook

    preview = preview_build(sheet=sheet_read(template_workbook()), cycle=cycle)
    assert _outcome(preview) == {
        2: (
            RowAction.ERROR,
            {
                "unit": [
                    "没有名为“（示例，请删除本行）金山区文化和旅游局”的岗位单位。请核对名称，或先在后台添加该单位。"
                ]
            },
        )
    }


# --- the preview ------------------------------------------------------------------------------------


def test_preview_lists_each_error_in_its_cell(cycle, units):
    hr, town = units["hr"].name, units["zhujing"].name
    data = workbook_bytes(
        [
            post_row(hr, "综合办公室助理"),
            post_row("金山区不存在局", "档案整理"),
            post_row(hr, "就业服务窗口", headcount=0),
            post_row(hr, "劳动监察助理", starts_on="2026-13-01"),
            post_row(town, "社区服务", term="长期", season="暑假", ends_on=dt.date(2027, 6, 30)),
            post_row(town, "宣传助理", season=None),
            post_row(town, "党建助理", headcount="两人", unit_kind="企业"),
            post_row(hr, "人才服务专员"),
            post_row(hr, "人才服务专员", headcount=3),
            post_row(hr, "数据统计", ends_on=dt.date(2026, 7, 1), term="中期"),
        ]
    )
    preview = preview_build(sheet=sheet_read(data), cycle=cycle)
    assert _outcome(preview) == {
        2: (RowAction.CREATE, {}),
        3: (RowAction.ERROR, {"unit": ["没有名为“金山区不存在局”的岗位单位。请核对名称，或先在后台添加该单位。"]}),
        4: (RowAction.ERROR, {"headcount": ["招募人数须为不小于1的整数。"]}),
        5: (RowAction.ERROR, {"starts_on": ["不是有效日期，请写成 2026-07-06 的格式。"]}),
        6: (RowAction.ERROR, {"season": ["长期岗位不对应假期，此处请留空。"]}),
        7: (RowAction.ERROR, {"season": ["短期岗位须注明暑假或寒假。"]}),
        8: (
            RowAction.ERROR,
            {
                "unit_kind": ["“朱泾镇人民政府”登记的单位类型是“街道、镇”。"],
                "headcount": ["招募人数须为不小于1的整数。"],
            },
        ),
        9: (RowAction.ERROR, {"title": ["同一单位的岗位名称与第10行重复。"]}),
        10: (RowAction.ERROR, {"title": ["同一单位的岗位名称与第9行重复。"]}),
        11: (
            RowAction.ERROR,
            {"term": ["请填写以下之一：短期、长期。"], "ends_on": ["岗位结束日期不能早于开始日期。"]},
        ),
    }
    assert preview.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 9}


def test_preview_page_shows_each_reason_and_the_counts(admin_client, cycle, units):
    data = workbook_bytes(
        [post_row(units["hr"].name, "综合办公室助理"), post_row("无名单位", "档案整理", headcount=-1)]
    )
    response = _upload(admin_client, cycle, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有名为“无名单位”的岗位单位。请核对名称，或先在后台添加该单位。" in html
    assert "招募人数须为不小于1的整数。" in html
    assert "新建1个岗位" in html
    assert "1行有错误，不导入" in html
    assert 'value="导入1行"' in html
    assert Post.objects.count() == 0
    assert PostImport.objects.count() == 0


def test_preview_reads_english_headers_and_words(cycle, units):
    headers = [
        "Unit name",
        "Post title",
        "Term",
        "Vacation",
        "Headcount",
        "Description",
        "Duties",
        "Place of work",
        "Start date",
        "End date",
    ]
    keys = ["unit", "title", "term", "season", "headcount", "description", "duties", "place_of_work"]
    keys += ["starts_on", "ends_on"]
    data = workbook_bytes(
        [post_row(units["hr"].name, "Clerk", term="Long-term", season="", ends_on=dt.date(2027, 6, 30))],
        keys=keys,
        headers=headers,
    )
    [row] = preview_build(sheet=sheet_read(data), cycle=cycle).rows
    assert (row.action, row.errors) == (RowAction.CREATE, {})
    assert (row.data["term"], row.data["season"], row.data["min_year_of_study"]) == ("long", "", 1)


def test_preview_says_when_a_missing_optional_column_is_needed(cycle, units):
    keys = ["unit", "title", "term", "headcount", "description", "duties", "place_of_work", "starts_on", "ends_on"]
    data = workbook_bytes([post_row(units["hr"].name, "综合办公室助理")], keys=keys)
    [row] = preview_build(sheet=sheet_read(data), cycle=cycle).rows
    assert (row.action, row.errors) == (RowAction.ERROR, {"": ["假期：短期岗位须注明暑假或寒假。"]})


def test_preview_matches_existing_posts_by_unit_and_title(cycle, units):
    hr = units["hr"]
    kept = post_row(hr.name, "综合办公室助理")
    same = PostFactory(cycle=cycle, unit=hr, status=PostStatus.DRAFT, preferred_majors="", **_fields(kept))
    PostFactory(cycle=cycle, unit=hr, status=PostStatus.SUBMITTED, **_fields(post_row(hr.name, "就业服务窗口")))
    PostFactory(cycle=cycle, unit=hr, status=PostStatus.PUBLISHED, **_fields(post_row(hr.name, "劳动监察助理")))
    data = workbook_bytes(
        [
            kept,
            post_row(hr.name, "就业服务窗口", headcount=5),
            post_row(hr.name, "劳动监察助理", headcount=5),
            post_row(hr.name, "人才服务专员"),
        ]
    )
    preview = preview_build(sheet=sheet_read(data), cycle=cycle)
    assert _outcome(preview) == {
        2: (RowAction.UNCHANGED, {}),
        3: (RowAction.UPDATE, {}),
        4: (
            RowAction.ERROR,
            {"": ["该岗位已存在且状态为“已发布”，请在岗位页面修改，不能通过导入修改。"]},
        ),
        5: (RowAction.CREATE, {}),
    }
    assert preview.rows[0].post == same
    assert preview.rows[1].changed == ["headcount"]


def test_preview_costs_two_queries_whatever_the_rows(cycle, units, django_assert_num_queries):
    data = workbook_bytes([post_row(units["hr"].name, f"岗位{n}") for n in range(300)])
    sheet = sheet_read(data)
    with django_assert_num_queries(2):
        preview = preview_build(sheet=sheet, cycle=cycle)
    assert preview.counts == {"create": 300, "update": 0, "unchanged": 0, "error": 0}


def _fields(row: dict) -> dict:
    names = ["title", "headcount", "description", "duties", "requirements", "place_of_work", "starts_on", "ends_on"]
    names += ["min_year_of_study", "max_year_of_study"]
    return {name: row[name] for name in names} | {"term": "short", "season": "summer"}


# --- confirm --------------------------------------------------------------------------------------------


def test_confirm_creates_exactly_the_good_rows(
    admin_client, staff_user, cycle, units, django_capture_on_commit_callbacks
):
    hr, town = units["hr"], units["zhujing"]
    data = workbook_bytes(
        [
            post_row(hr.name, "综合办公室助理"),
            post_row("无名单位", "档案整理"),
            post_row(town.name, "社区服务", term="长期", season="", headcount=3, ends_on=dt.date(2027, 6, 30)),
            post_row(town.name, "宣传助理", headcount=0),
        ]
    )
    post_import = _import(admin_client, cycle, data, django_capture_on_commit_callbacks, name="六月岗位.xlsx")
    assert post_import.job.status == JobStatus.SUCCEEDED
    assert (post_import.job.progress_done, post_import.job.progress_total) == (4, 4)
    created = {(p.unit_id, p.title, p.status, p.term, p.headcount) for p in Post.objects.all()}
    assert created == {
        (hr.pk, "综合办公室助理", PostStatus.DRAFT, "short", 2),
        (town.pk, "社区服务", PostStatus.DRAFT, "long", 3),
    }
    assert (post_import.rows_total, post_import.rows_created, post_import.rows_updated) == (4, 2, 0)
    assert (post_import.rows_unchanged, post_import.rows_failed) == (0, 2)
    assert (post_import.created_by, post_import.file_name, post_import.cycle) == (staff_user, "六月岗位.xlsx", cycle)
    assert len(post_import.file_digest) == 64
    assert post_import.applied_at is not None
    assert set(Post.objects.values_list("created_by", flat=True)) == {staff_user.pk}
    assert PostTransition.objects.count() == 0

    detail = admin_client.get(reverse("admin:positions_post_import_detail", args=[post_import.pk]))
    assert "导入完成：新建2个，更新0个，无变化0个，跳过出错行2行。" in detail.content.decode()


def test_confirm_publishing_moves_posts_through_the_workflow(
    admin_client, staff_user, cycle, units, django_capture_on_commit_callbacks
):
    data = workbook_bytes([post_row(units["hr"].name, "综合办公室助理")])
    _import(admin_client, cycle, data, django_capture_on_commit_callbacks, status=PostStatus.PUBLISHED, name="a.xlsx")
    post = Post.objects.get()
    assert post.status == PostStatus.PUBLISHED
    assert post.published_at is not None
    moves = list(post.transitions.values_list("from_status", "to_status", "actor", "reason"))
    assert moves == [
        ("draft", "submitted", staff_user.pk, "从 a.xlsx 导入"),
        ("submitted", "published", staff_user.pk, "从 a.xlsx 导入"),
    ]


def test_reupload_of_the_same_sheet_creates_nothing(admin_client, cycle, units, django_capture_on_commit_callbacks):
    data = workbook_bytes([post_row(units["hr"].name, f"岗位{n}") for n in range(5)])
    first = _import(admin_client, cycle, data, django_capture_on_commit_callbacks)
    ids = set(Post.objects.values_list("id", flat=True))
    again = _upload(admin_client, cycle, data)
    assert again.context["preview"].counts == {"create": 0, "update": 0, "unchanged": 5, "error": 0}
    assert "没有可导入的内容：各行均无变化或有错误。" in again.content.decode()
    second = _import(admin_client, cycle, data, django_capture_on_commit_callbacks)
    assert (first.rows_created, second.rows_created, second.rows_updated, second.rows_unchanged) == (5, 0, 0, 5)
    assert set(Post.objects.values_list("id", flat=True)) == ids
    assert first.file_digest == second.file_digest
    assert first.file.name == second.file.name


def test_reupload_with_changes_updates_in_place(admin_client, cycle, units, django_capture_on_commit_callbacks):
    hr = units["hr"]
    _import(
        admin_client, cycle, workbook_bytes([post_row(hr.name, "综合办公室助理")]), django_capture_on_commit_callbacks
    )
    post = Post.objects.get()
    changed = workbook_bytes([post_row(hr.name, "综合办公室助理", headcount=4, duties="接待来访群众。")])
    second = _import(admin_client, cycle, changed, django_capture_on_commit_callbacks)
    assert (second.rows_created, second.rows_updated) == (0, 1)
    post.refresh_from_db()
    assert (Post.objects.count(), post.headcount, post.duties, post.status) == (1, 4, "接待来访群众。", "draft")


def test_confirm_writes_nothing_when_one_row_fails_to_save(
    admin_client, cycle, units, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    real_create = import_services.post_create

    def create_then_fail(**kwargs):
        calls.append(kwargs["data"]["title"])
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(import_services, "post_create", create_then_fail)
    data = workbook_bytes([post_row(units["hr"].name, f"岗位{n}") for n in range(5)])
    post_import = _import(admin_client, cycle, data, django_capture_on_commit_callbacks)
    assert calls == ["岗位0", "岗位1", "岗位2"]
    assert post_import.job.status == JobStatus.FAILED
    assert post_import.job.error == "任务因系统错误而中止，错误已记录，请重试。"
    assert (Post.objects.count(), post_import.rows_created, post_import.applied_at) == (0, 0, None)
    detail = admin_client.get(reverse("admin:positions_post_import_detail", args=[post_import.pk]))
    assert "导入未完成，没有保存任何内容。" in detail.content.decode()


def test_confirm_with_a_forged_token_is_refused(admin_client, cycle):
    response = admin_client.post(reverse("admin:positions_post_import_confirm"), {"token": "x:y:z"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["预览已失效，请重新上传表格。"]
    assert PostImport.objects.count() == 0


def test_import_page_shows_a_progress_bar_while_the_job_waits(admin_client, cycle, units):
    preview = _upload(admin_client, cycle, workbook_bytes([post_row(units["hr"].name, "综合办公室助理")]))
    admin_client.post(reverse("admin:positions_post_import_confirm"), {"token": preview.context["token"]})
    post_import = PostImport.objects.get()  # its job's task is published on commit, which never comes here
    html = admin_client.get(reverse("admin:positions_post_import_detail", args=[post_import.pk])).content.decode()
    assert f'data-job-status-url="/jobs/{post_import.job.pk}/status/"' in html
    assert "/static/js/jobs.js" in html
    assert Post.objects.count() == 0


# --- who may import -----------------------------------------------------------------------------------

IMPORT_URLS = [
    ("admin:positions_post_import", []),
    ("admin:positions_post_import_template", []),
    ("admin:positions_post_import_confirm", []),
]


@pytest.mark.parametrize(("name", "args"), IMPORT_URLS)
def test_import_sends_a_coordinator_to_the_admin_login(client, name, args):
    client.force_login(CoordinatorFactory().user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(("name", "args"), IMPORT_URLS)
def test_import_is_forbidden_to_staff_without_post_permissions(client, name, args):
    client.force_login(UserFactory(role=Role.STAFF, is_staff=True))
    assert client.post(reverse(name, args=args)).status_code == 403


def test_import_is_forbidden_to_an_admin_account_that_is_not_programme_staff(client):
    client.force_login(UserFactory(role=Role.MENTOR, is_staff=True, is_superuser=False))
    assert client.get(reverse("admin:positions_post_import")).status_code == 403


def test_import_link_shows_only_to_those_who_may_import(admin_client, client):
    assert "从 Excel 导入" in admin_client.get(reverse("admin:positions_post_changelist")).content.decode()


def test_import_record_of_another_import_is_forbidden_to_a_coordinator(
    admin_client, client, cycle, units, django_capture_on_commit_callbacks
):
    post_import = _import(
        admin_client,
        cycle,
        workbook_bytes([post_row(units["hr"].name, "综合办公室助理")]),
        django_capture_on_commit_callbacks,
    )
    client.force_login(CoordinatorFactory(unit=units["hr"]).user)
    for name in ("admin:positions_post_import_detail", "admin:positions_post_import_file"):
        response = client.get(reverse(name, args=[post_import.pk]))
        assert response.status_code == 302
    assert client.get(reverse("jobs:status", args=[post_import.job.pk])).status_code == 404


def test_import_records_and_jobs_are_listed_read_only_in_the_admin(
    admin_client, cycle, units, django_capture_on_commit_callbacks
):
    data = workbook_bytes([post_row(units["hr"].name, "综合办公室助理")])
    post_import = _import(admin_client, cycle, data, django_capture_on_commit_callbacks, name="七月岗位.xlsx")
    listing = admin_client.get(reverse("admin:positions_postimport_changelist")).content.decode()
    assert "七月岗位.xlsx" in listing
    record = admin_client.get(reverse("admin:positions_postimport_change", args=[post_import.pk]))
    assert record.status_code == 200
    assert 'name="_save"' not in record.content.decode()
    jobs = admin_client.get(reverse("admin:jobs_job_changelist")).content.decode()
    assert "岗位导入" in jobs
    original = admin_client.get(reverse("admin:positions_post_import_file", args=[post_import.pk]))
    assert b"".join(original.streaming_content) == data


def test_import_form_offers_the_template_and_lists_recent_imports(
    admin_client, cycle, units, django_capture_on_commit_callbacks
):
    _import(
        admin_client,
        cycle,
        workbook_bytes([post_row(units["hr"].name, "综合办公室助理")]),
        django_capture_on_commit_callbacks,
    )
    response = admin_client.get(reverse("admin:positions_post_import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "下载模板（.xlsx）" in html
    assert reverse("admin:positions_post_import_template") in html
    assert "不超过5.0\xa0MB；读取带有模板表头的工作表。" in html
    assert [item.file_name for item in response.context["recent"]] == ["岗位.xlsx"]


def test_a_preview_is_confirmed_once(admin_client, cycle, units, django_capture_on_commit_callbacks):
    preview = _upload(admin_client, cycle, workbook_bytes([post_row("朱泾镇人民政府", "社区助理")]))
    token = preview.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        first = admin_client.post(reverse("admin:positions_post_import_confirm"), {"token": token})
    second = admin_client.post(reverse("admin:positions_post_import_confirm"), {"token": token}, follow=True)

    assert first.status_code == 302
    assert [str(m) for m in second.context["messages"]] == ["此预览已确认过，导入记录见“岗位导入”。"]
    assert (PostImport.objects.count(), Post.objects.count()) == (1, 1)


def test_the_sheet_is_read_by_the_worker_not_the_web_request(admin_client, cycle, units):
    from unittest import mock

    from django.test import TestCase

    data = workbook_bytes([post_row("朱泾镇人民政府", "社区助理")])
    with mock.patch.object(import_services, "sheet_read", wraps=import_services.sheet_read) as read:
        with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
            response = admin_client.post(
                reverse("admin:positions_post_import"),
                {"cycle": cycle.pk, "target_status": PostStatus.DRAFT, "file": SimpleUploadedFile("a.xlsx", data)},
            )
        assert (response.status_code, read.call_count) == (302, 0)
        waiting = admin_client.get(response["Location"])
        assert 'data-job-status-url="' in waiting.content.decode()
        for callback in callbacks:
            callback()  # the job runs, as a worker would
        assert read.call_count == 1
    page = admin_client.get(response["Location"])
    assert page.context["preview"].counts == {"create": 1, "update": 0, "unchanged": 0, "error": 0}
    # Another staff member does not see this preview.
    admin_client.force_login(UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True))
    assert admin_client.get(response["Location"]).status_code == 404
