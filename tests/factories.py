"""factory_boy factories for every model the tests build."""

import datetime as dt

import factory
from django.conf import settings
from django.utils import timezone

from applicants.enums import DegreeLevel, Gender
from applicants.identity import id_check_char
from applicants.models import Application, StudentProfile
from jinseed.accounts.enums import Role
from jinseed.accounts.models import Consent, User
from placements.models import Mentor
from positions.enums import CycleStatus, PostStatus, Season, TermType, Town, UnitKind
from positions.models import Cycle, HostUnit, Post, UnitCoordinator

PASSWORD = "Seed-Pass-2020!"


def make_id_number(n: int, birth: dt.date = dt.date(2000, 5, 17)) -> str:
    """A checksum-valid ID number for a Jinshan (310116) birth registration."""
    first17 = f"310116{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.STUDENT
    # A factory account has proved its mobile number and accepted the current privacy notice
    # (tests about verification and re-consent build their own states).
    mobile_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
            if instance.role == Role.STUDENT:
                Consent.objects.create(
                    user=instance, kind=Consent.Kind.PRIVACY_NOTICE, version=settings.PRIVACY_NOTICE_VERSION
                )


class StaffFactory(UserFactory):
    role = Role.STAFF
    is_staff = True
    is_superuser = True


class CycleFactory(factory.django.DjangoModelFactory):
    """An open cycle whose registration window contains now."""

    class Meta:
        model = Cycle
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2030 + n)
    ordinal = factory.LazyAttribute(lambda o: o.year - 2011)
    title = factory.LazyAttribute(lambda o: f"{o.year}年金山区“金种子”培育计划")
    status = CycleStatus.OPEN
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    interviews_start_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=8))
    interviews_end_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    placement_starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))
    placement_ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=80))


class HostUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HostUnit

    name = factory.Sequence(lambda n: f"金山区测试单位{n}")
    kind = UnitKind.DISTRICT_BUREAU
    town = Town.ZHUJING
    address = "金山区朱泾镇测试路1号"
    contact_name = "王老师"
    contact_phone = "021-57921234"


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitCoordinator

    user = factory.SubFactory(UserFactory, role=Role.COORDINATOR)
    unit = factory.SubFactory(HostUnitFactory)


class MentorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentor

    user = factory.SubFactory(UserFactory, role=Role.MENTOR)
    unit = factory.SubFactory(HostUnitFactory)
    job_title = "科长"


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    cycle = factory.SubFactory(CycleFactory)
    unit = factory.SubFactory(HostUnitFactory)
    title = factory.Sequence(lambda n: f"综合办公室助理{n}")
    description = "协助办公室处理日常事务。"
    duties = "文件整理、会议记录。"
    requirements = "认真负责。"
    term = TermType.SHORT
    season = Season.SUMMER
    min_year_of_study = 1
    max_year_of_study = 4
    headcount = 2
    place_of_work = "金山区朱泾镇"
    starts_on = factory.LazyAttribute(lambda o: o.cycle.placement_starts_on)
    ends_on = factory.LazyAttribute(lambda o: o.cycle.placement_ends_on)
    status = PostStatus.PUBLISHED

    class Params:
        long_term = factory.Trait(term=TermType.LONG, season="", min_year_of_study=3, max_year_of_study=6)


def _unique_ids():
    """Distinct valid ID numbers for factory-made students, born in 1999 so that they never
    meet the numbers tests spell out with ``make_id_number`` (born 2000-05-17)."""
    n = 0
    while True:
        yield make_id_number(n, birth=dt.date(1999, 1, 1) + dt.timedelta(days=n // 1000))
        n += 1


_factory_ids = _unique_ids()


class StudentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentProfile

    user = factory.SubFactory(UserFactory)
    legal_name = factory.Sequence(lambda n: f"金同学{n}")
    gender = Gender.FEMALE
    hukou_town = Town.ZHUJING
    university = "华东师范大学"
    major = "汉语言文学"
    degree_level = DegreeLevel.BACHELOR
    year_of_study = 2
    expected_graduation = factory.LazyFunction(lambda: dt.date(timezone.localdate().year + 6, 6, 30))
    consent_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-1"

    @classmethod
    def _create(cls, model_class, *args, id_number=None, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.set_id_number(id_number or next(_factory_ids))
        obj.save()
        if obj.consent_at:
            Consent.objects.create(
                user=obj.user, kind=Consent.Kind.ID_NUMBER, version=obj.consent_version, given_at=obj.consent_at
            )
        return obj


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    student = factory.SubFactory(StudentProfileFactory)
    post = factory.SubFactory(PostFactory)
    cycle = factory.LazyAttribute(lambda o: o.post.cycle)
    preference_rank = 1
    statement = "我想回家乡锻炼。"
