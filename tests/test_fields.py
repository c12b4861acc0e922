"""``jinseed.fields``: the links of the models' own forms (the admin's) read as https."""

import warnings

from django.forms import modelform_factory

from placements.models import Activity, InterviewSlot


def test_a_link_typed_without_a_scheme_is_https_in_a_form_built_from_the_model():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning of Django 6.0's change of the default
        slot_form = modelform_factory(InterviewSlot, fields=["meeting_link"])(data={"meeting_link": "meet.cn/a"})
        activity_form = modelform_factory(Activity, fields=["stream_url"])(data={"stream_url": "live.example.cn"})
    assert slot_form.is_valid() and slot_form.cleaned_data["meeting_link"] == "https://meet.cn/a"
    assert activity_form.is_valid() and activity_form.cleaned_data["stream_url"] == "https://live.example.cn"
