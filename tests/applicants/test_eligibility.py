import datetime as dt

import pytest

from applicants.eligibility import eligibility_check
from positions.enums import RuleMode
from tests import factories
from tests.applicants.helpers import student_for

pytestmark = pytest.mark.django_db


def _codes(result):
    return {r.rule: (r.code, r.severity) for r in result.results}


def test_eligibility_without_profile_blocks_as_incomplete(cycle):
    result = eligibility_check(profile=None, cycle=cycle)
    assert result.is_eligible is False
    assert _codes(result) == {"profile": ("profile_incomplete", "block")}


def test_eligibility_non_graduating_student_is_eligible(cycle):
    student = factories.StudentProfileFactory(expected_graduation=dt.date(cycle.year + 2, 6, 30))
    result = eligibility_check(profile=student, cycle=cycle)
    assert result.is_eligible is True
    assert _codes(result) == {"profile": ("ok", "ok"), "consent": ("ok", "ok"), "graduating": ("ok", "ok")}


@pytest.mark.parametrize(
    ("mode", "eligible", "severity"),
    [(RuleMode.BLOCK, False, "block"), (RuleMode.WARN, True, "warn"), (RuleMode.OFF, True, "off")],
)
def test_eligibility_graduating_in_cycle_year_follows_cycle_rule(mode, eligible, severity):
    cycle = factories.CycleFactory(graduating_rule=mode)
    student = factories.StudentProfileFactory(expected_graduation=dt.date(cycle.year, 6, 30))
    result = eligibility_check(profile=student, cycle=cycle)
    assert result.is_eligible is eligible
    expected_code = "ok" if mode == RuleMode.OFF else "graduating"
    assert _codes(result)["graduating"] == (expected_code, severity)


def test_eligibility_no_consent_blocks(cycle):
    student = student_for(cycle, consent_at=None)
    result = eligibility_check(profile=student, cycle=cycle)
    assert _codes(result)["consent"] == ("no_consent", "block")
    assert result.is_eligible is False


@pytest.mark.parametrize(
    ("year", "long_term", "code"),
    [
        (1, False, "ok"),
        (2, False, "ok"),
        (3, False, "short_term_senior"),
        (2, True, "long_term_junior"),
        (3, True, "ok"),
        (5, True, "ok"),
    ],
)
def test_eligibility_term_and_year_warns_by_default(year, long_term, code):
    cycle = factories.CycleFactory()  # term_year_rule defaults to WARN
    post = factories.PostFactory(cycle=cycle, long_term=long_term, min_year_of_study=1, max_year_of_study=6)
    student = student_for(cycle, year_of_study=year)
    result = eligibility_check(profile=student, cycle=cycle, post=post)
    assert _codes(result)["term_year"] == (code, "ok" if code == "ok" else "warn")
    assert result.is_eligible is True
    assert result.needs_review is (code != "ok")


def test_eligibility_term_rule_set_to_block_refuses():
    cycle = factories.CycleFactory(term_year_rule=RuleMode.BLOCK)
    post = factories.PostFactory(cycle=cycle, long_term=True, min_year_of_study=1)
    student = student_for(cycle, year_of_study=1)
    result = eligibility_check(profile=student, cycle=cycle, post=post)
    assert [r.code for r in result.blocks] == ["long_term_junior"]


def test_eligibility_year_outside_post_range_is_recorded():
    cycle = factories.CycleFactory()
    post = factories.PostFactory(cycle=cycle, min_year_of_study=1, max_year_of_study=1)
    student = student_for(cycle, year_of_study=2)
    result = eligibility_check(profile=student, cycle=cycle, post=post)
    assert _codes(result)["post_years"] == ("year_out_of_range", "warn")


def test_stored_results_read_back_with_rule_and_outcome_labels():
    from django.utils import translation

    from applicants.eligibility import Eligibility

    stored = [
        {"rule": "graduating", "code": "ok", "severity": "ok"},
        {"rule": "term_year", "code": "short_term_senior", "severity": "warn"},
        {"rule": "post_years", "code": "ok", "severity": "off"},
    ]
    with translation.override("en"):
        rows = [(str(r.rule_label), str(r.outcome_label), r.failed) for r in Eligibility.from_list(stored).results]
    assert rows == [
        ("Not graduating in the cycle's year", "Passed", False),
        ("Term suits the year of study", "Short-term posts are meant for years 1–2", True),
        ("Year of study within the post's range", "Not checked", False),
    ]
    assert Eligibility.from_list(stored).needs_review is True
    assert Eligibility.from_list(None).results == []
