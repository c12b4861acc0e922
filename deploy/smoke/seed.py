"""The smallest programme the smoke test needs, made through the services as staff would.

Run by deploy/smoke/run as ``manage.py shell < deploy/smoke/seed.py`` against the fresh
database: an open cycle with one published post, one member of programme staff and one
student with a complete profile and a verified mobile. Writes the logins and the post's id
as JSON to the file named by SMOKE_DATA.
"""

import datetime as dt
import json
import os
import secrets

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from applicants.enums import DegreeLevel, Gender
from applicants.identity import id_check_char
from applicants.services import student_profile_save
from jinseed.accounts.enums import Role
from jinseed.accounts.models import User
from jinseed.accounts.roles import PROGRAMME_STAFF_GROUP
from jinseed.accounts.services import user_register
from positions.enums import CycleStatus, Season, TermType, Town, UnitKind
from positions.models import Cycle, HostUnit
from positions.services import post_create, post_publish, post_submit

PASSWORD = "Smoke-Test-Pass-2026!"  # noqa: S105 - a throw-away database of the smoke test
now, today = timezone.now(), timezone.localdate()

staff = User.objects.create_user(
    email="staff@smoke.example.cn",
    password=PASSWORD,
    mobile="13800000001",
    full_name="冒烟测试管理员",
    role=Role.STAFF,
    is_staff=True,
)
# As an operator sets up staff: the role's group, and an authenticator for the second factor.
call_command("setup_roles")
staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF_GROUP))
TOTP_KEY = secrets.token_hex(20)
TOTPDevice.objects.create(user=staff, name="smoke", key=TOTP_KEY, confirmed=True)
cycle = Cycle.objects.create(
    year=today.year,
    ordinal=today.year - 2011,
    title=f"{today.year}年金山区“金种子”培育计划",
    status=CycleStatus.OPEN,
    registration_opens_at=now - dt.timedelta(days=1),
    registration_closes_at=now + dt.timedelta(days=7),
    interviews_start_at=now + dt.timedelta(days=8),
    interviews_end_at=now + dt.timedelta(days=14),
    placement_starts_on=today + dt.timedelta(days=20),
    placement_ends_on=today + dt.timedelta(days=80),
)
unit = HostUnit.objects.create(
    name="金山区冒烟测试局",
    kind=UnitKind.DISTRICT_BUREAU,
    town=Town.ZHUJING,
    address="金山区朱泾镇测试路1号",
    contact_name="王老师",
    contact_phone="021-57921234",
)
post = post_create(
    cycle=cycle,
    unit=unit,
    actor=staff,
    data={
        "title": "综合办公室助理",
        "description": "协助办公室处理日常事务。",
        "duties": "文件整理、会议记录。",
        "requirements": "认真负责。",
        "term": TermType.SHORT,
        "season": Season.SUMMER,
        "min_year_of_study": 1,
        "max_year_of_study": 4,
        "headcount": 2,
        "place_of_work": "金山区朱泾镇",
        "starts_on": cycle.placement_starts_on,
        "ends_on": cycle.placement_ends_on,
    },
)
post_submit(post=post, actor=staff)
post_publish(post=post, actor=staff)

student = user_register(email="student@smoke.example.cn", password=PASSWORD, mobile="13900000002", language="zh-hans")
# The mobile number is proved by an SMS code in real life; the smoke test sends no SMS.
student.mobile_verified_at = now
student.save(update_fields=["mobile_verified_at"])
first17 = "310116200005170" + "22"
student_profile_save(
    user=student,
    id_number=first17 + id_check_char(first17),
    consent=True,
    data={
        "legal_name": "金冒烟",
        "gender": Gender.FEMALE,
        "hukou_town": Town.ZHUJING,
        "university": "华东师范大学",
        "major": "汉语言文学",
        "degree_level": DegreeLevel.BACHELOR,
        "year_of_study": 2,
        "expected_graduation": dt.date(today.year + 3, 6, 30),
    },
)

with open(os.environ["SMOKE_DATA"], "w", encoding="utf-8") as out:
    json.dump(
        {"password": PASSWORD, "staff": staff.email, "staff_totp": TOTP_KEY, "student": student.email, "post": post.pk},
        out,
    )
print(f"smoke data: cycle {cycle.year}, post {post.pk}, staff {staff.email}, student {student.email}")
