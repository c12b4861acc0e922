"""The other exports: placements, groups, interviews, assessments — their exact rows and scope."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applicants.identity import mask_id_number
from jinseed.audit.models import DataAccess
from jinseed.jobs.services import job_execute
from placements.models import AlumniRecord, Assessment, FinalGrade, Group, GroupMembership, Interview
from placements.office.exports import services
from tests import factories
from tests.placements.cultivation.helpers import make_placement

pytestmark = pytest.mark.django_db

INTERVIEW_AT = dt.datetime(2031, 6, 10, 6, 0, tzinfo=dt.UTC)  # 14:00 Beijing time


@pytest.fixture
def placed(cycle):
    """A placement in unit A with mentor, group (as leader), assessment and final grade; one in unit B."""
    unit_a = factories.HostUnitFactory(name="金山区档案局")
    unit_b = factories.HostUnitFactory(name="金山区科技馆")
    mentor = factories.MentorFactory(unit=unit_a, user__full_name="陈导师", phone="021-57920000")
    post_a = factories.PostFactory(cycle=cycle, unit=unit_a, title="档案整理助理")
    post_b = factories.PostFactory(cycle=cycle, unit=unit_b, title="科普讲解助理")
    id_a = factories.make_id_number(21)
    student_a = factories.StudentProfileFactory(
        legal_name="@林同学", id_number=id_a, user__mobile="13800002222", user__email="lin@example.cn"
    )
    a = make_placement(post=post_a, student=student_a, mentor=mentor)
    b = make_placement(post=post_b, student=factories.StudentProfileFactory(legal_name="钱外单位"))
    group = Group.objects.create(cycle=cycle, number=1, name="第一组", leader=a)
    GroupMembership.objects.create(group=group, placement=a)
    GroupMembership.objects.create(group=group, placement=b)
    Assessment.objects.create(
        placement=a,
        assessor_role="mentor",
        assessor=mentor.user,
        attendance=5,
        work_quality=4,
        initiative=5,
        teamwork=4,
        comments="-认真负责",
        proposed_grade="excellent",
    )
    FinalGrade.objects.create(placement=a, grade="excellent")
    interview = Interview.objects.create(
        application=a.application,
        starts_at=INTERVIEW_AT,
        duration_minutes=20,
        mode="video",
        meeting_link="https://meeting.tencent.com/dm/9",
        score=88,
        outcome="passed",
    )
    interview.interviewers.add(mentor.user)
    Interview.objects.create(application=b.application, starts_at=INTERVIEW_AT + dt.timedelta(hours=1))
    coordinator = factories.CoordinatorFactory(unit=unit_a)
    for placement, back, source in ((a, True, "student"), (b, False, "staff")):
        AlumniRecord.objects.create(
            student=placement.student,
            cycle=cycle,
            graduation_year=2032,
            graduation_month=6,
            activity="working",
            sector="=公共管理",
            employer="金山区某街道",
            back_in_jinshan=back,
            contact_consent=back,
            source=source,
            recorded_at=INTERVIEW_AT,
        )
    return {"cycle": cycle, "a": a, "b": b, "id_a": id_a, "coordinator": coordinator, "unit_a": unit_a}


def _export(actor, kind, django_capture_on_commit_callbacks, **filters) -> list[list[str]]:
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_start(actor=actor, kind=kind, file_format="csv", filters=filters)
    export.refresh_from_db()
    with export.job.result_file.open("rb") as f:
        text = f.read().decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_placements_export_has_mentor_group_and_grade(placed, django_capture_on_commit_callbacks):
    staff = factories.StaffFactory(is_superuser=False)

    rows = _export(staff, "placements", django_capture_on_commit_callbacks, cycle=placed["cycle"].pk)

    a = placed["a"]
    assert rows[0] == [
        "届次", "单位", "岗位", "姓名", "性别", "身份证号", "手机", "邮箱", "学校",
        "期限", "开始日期", "结束日期", "状态", "导师", "导师电话", "小组", "最终等级",
    ]  # fmt: skip
    assert rows[1] == [
        placed["cycle"].title,
        "金山区档案局",
        "档案整理助理",
        "'@林同学",
        "女",
        mask_id_number(placed["id_a"]),
        "138****2222",
        "lin@example.cn",
        "华东师范大学",
        "短期岗位",
        a.starts_on.isoformat(),
        a.ends_on.isoformat(),
        "未开始",
        "陈导师",
        "021-57920000",
        "第一组",
        "优秀",
    ]
    assert [r[3] for r in rows[1:]] == ["'@林同学", "钱外单位"]
    assert rows[2][13:] == ["", "", "第一组", ""]


def test_groups_export_lists_members_with_the_leader(placed, django_capture_on_commit_callbacks):
    staff = factories.StaffFactory(is_superuser=False)

    rows = _export(staff, "groups", django_capture_on_commit_callbacks)

    assert rows[0] == ["届次", "组号", "小组", "组长", "姓名", "性别", "手机", "学校", "单位", "岗位"]
    assert [r[1:6] for r in rows[1:]] == [
        ["1", "第一组", "是", "'@林同学", "女"],
        ["1", "第一组", "否", "钱外单位", "女"],
    ]


def test_interview_schedule_export(placed, django_capture_on_commit_callbacks):
    staff = factories.StaffFactory(is_superuser=False)

    rows = _export(staff, "interviews", django_capture_on_commit_callbacks, unit=placed["unit_a"].pk)

    assert rows == [
        ["面试时间（北京时间）", "时长（分钟）", "方式", "地点或会议链接", "单位", "岗位",
         "姓名", "手机", "面试官", "状态", "结果", "得分"],
        ["2031-06-10 14:00", "20", "视频", "https://meeting.tencent.com/dm/9", "金山区档案局", "档案整理助理",
         "'@林同学", "138****2222", "陈导师", "已安排", "建议录用", "88"],
    ]  # fmt: skip


def test_assessments_export_with_final_grade(placed, django_capture_on_commit_callbacks):
    staff = factories.StaffFactory(is_superuser=False)

    rows = _export(staff, "assessments", django_capture_on_commit_callbacks)

    assert rows == [
        ["届次", "单位", "岗位", "姓名", "评价身份", "评价人", "出勤", "工作质量", "主动性",
         "团队合作", "建议等级", "评语", "最终等级"],
        [placed["cycle"].title, "金山区档案局", "档案整理助理", "'@林同学", "带教老师", "陈导师", "5", "4", "5", "4",
         "优秀", "'-认真负责", "优秀"],
    ]  # fmt: skip


def test_alumni_export_with_the_source_and_back_in_jinshan(placed, django_capture_on_commit_callbacks):
    staff = factories.StaffFactory(is_superuser=False)

    rows = _export(staff, "alumni", django_capture_on_commit_callbacks, cycle=placed["cycle"].pk)

    assert rows[0] == [
        "届次", "姓名", "性别", "身份证号", "手机", "邮箱", "学校", "毕业年份", "毕业月份", "现状",
        "行业", "工作单位或学校", "回金山", "同意联系", "来源", "记录时间（北京时间）",
    ]  # fmt: skip
    assert [r[1] for r in rows[1:]] == ["'@林同学", "钱外单位"]
    assert rows[1][3] == mask_id_number(placed["id_a"])
    assert rows[1][7:] == [
        "2032", "6", "就业", "'=公共管理", "金山区某街道", "是", "是", "学生本人填写", "2031-06-10 14:00",
    ]  # fmt: skip
    assert rows[2][12:15] == ["否", "否", "工作人员通过其他渠道记录"]


@pytest.mark.parametrize("kind", ["applicants", "placements", "groups", "interviews", "assessments", "alumni"])
def test_a_coordinators_export_of_every_kind_holds_only_their_unit(placed, kind, django_capture_on_commit_callbacks):
    rows = _export(placed["coordinator"].user, kind, django_capture_on_commit_callbacks)

    text = repr(rows)
    assert "钱外单位" not in text
    assert "金山区科技馆" not in text
    assert "'@林同学" in text
    assert DataAccess.objects.get().row_count == len(rows) - 1


@pytest.mark.parametrize("kind", ["applicants", "placements", "groups", "interviews", "assessments", "alumni"])
def test_the_export_reads_its_rows_in_a_fixed_number_of_queries(placed, kind):
    """The export, its count and its rows (the job's own progress writes aside, throttled to about
    one per percent) do not grow with the rows: 1 export row and 2 cost the same."""
    staff = factories.StaffFactory(is_superuser=False)

    def reads(**filters) -> int:
        export = services.export_start(actor=staff, kind=kind, file_format="xlsx", filters=filters)
        with CaptureQueriesContext(connection) as captured:
            job_execute(job_id=export.job_id)
        return sum(
            1 for q in captured.captured_queries if q["sql"].startswith("SELECT") and '"jobs_job"' not in q["sql"]
        )

    one_row, two_rows = reads(unit=placed["unit_a"].pk), reads()
    # The export, its count, its rows (the interviewers too): PostgreSQL reads the rows through a
    # server-side cursor, which the capture does not see.
    assert one_row == two_rows <= (4 if kind == "interviews" else 3)
