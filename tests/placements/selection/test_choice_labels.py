"""Choices people can tell apart: a post offered again next year, a title many units offer."""

import pytest
from django.urls import reverse

from applicants.forms import PreferenceForm
from positions.enums import CycleStatus, PostStatus
from tests import factories
from tests.placements.conftest import make_slot

pytestmark = pytest.mark.django_db


def test_slot_post_choices_name_the_cycle_and_leave_out_archived_cycles(client, unit, coordinator, cycle):
    last_year = factories.CycleFactory(year=cycle.year - 1, status=CycleStatus.ARCHIVED)
    factories.PostFactory(unit=unit, cycle=last_year, title="综合办公室助理", status=PostStatus.CLOSED)
    current = factories.PostFactory(unit=unit, cycle=cycle, title="综合办公室助理")
    client.force_login(coordinator.user)
    form = client.get(reverse("placements:slot_list")).context["form"]
    choices = [(value, label) for value, label in form.fields["post"].choices if value]
    assert [(value.value, label) for value, label in choices] == [(current.pk, f"综合办公室助理（{cycle.year}年度）")]


def test_reschedule_choice_is_labelled_as_a_move_and_names_the_post(client, unit, coordinator, cycle):
    post = factories.PostFactory(unit=unit, cycle=cycle, title="文旅宣传助理")
    slot = make_slot(unit, cycle, post=post)
    from placements.selection.forms import RescheduleForm

    form = RescheduleForm(queryset=type(slot).objects.filter(pk=slot.pk).select_related("post"))
    assert str(form.fields["slot"].label) == "改约到的场次"
    labels = [label for value, label in form.fields["slot"].choices if value]
    assert len(labels) == 1
    assert labels[0].endswith(" · 文旅宣传助理")


def test_preference_choices_name_the_unit_in_the_students_order(cycle):
    student = factories.StudentProfileFactory()
    names = ["金山区朱泾镇人民政府", "金山区枫泾镇人民政府", "金山区亭林镇人民政府"]
    applications = [
        factories.ApplicationFactory(
            student=student,
            post=factories.PostFactory(cycle=cycle, title="综合办公室助理", unit=factories.HostUnitFactory(name=name)),
            preference_rank=rank,
        )
        for rank, name in zip((3, 1, 2), names, strict=True)
    ]
    form = PreferenceForm(applications=applications, max_applications=3)
    assert [field.label for field in form] == [
        "综合办公室助理 · 金山区枫泾镇人民政府",
        "综合办公室助理 · 金山区亭林镇人民政府",
        "综合办公室助理 · 金山区朱泾镇人民政府",
    ]


def test_my_applications_lists_the_preference_boxes_in_rank_order_with_units(client, cycle):
    student = factories.StudentProfileFactory()
    for rank, name in ((2, "金山区枫泾镇人民政府"), (1, "金山区朱泾镇人民政府")):
        factories.ApplicationFactory(
            student=student,
            post=factories.PostFactory(cycle=cycle, title="综合办公室助理", unit=factories.HostUnitFactory(name=name)),
            preference_rank=rank,
        )
    client.force_login(student.user)
    html = client.get(reverse("applicants:my_applications")).content.decode()
    first = html.index("综合办公室助理 · 金山区朱泾镇人民政府</label>")
    second = html.index("综合办公室助理 · 金山区枫泾镇人民政府</label>")
    assert first < second
