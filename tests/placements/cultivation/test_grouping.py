import random

import pytest

from placements.cultivation.grouping import Member, group_count, group_sizes, propose_groups

TOWNS = ["caojing", "fengjing", "jinshanwei", "langxia", "shihua", "tinglin", "zhujing"]


def _members(n: int, seed: int = 7) -> list[Member]:
    rng = random.Random(seed)
    return [Member(student_id=i, town=rng.choice(TOWNS), unit_id=rng.randrange(60)) for i in range(1, n + 1)]


def test_propose_groups_270_students_makes_balanced_groups_of_10_to_15():
    groups = propose_groups(_members(270))
    assert len(groups) == 22
    assert all(10 <= len(g) <= 15 for g in groups)
    assert sum(len(g) for g in groups) == 270
    assert len({m.student_id for g in groups for m in g}) == 270


def test_propose_groups_is_deterministic_whatever_the_input_order():
    members = _members(150)
    shuffled = list(members)
    random.Random(1).shuffle(shuffled)
    first = [[m.student_id for m in g] for g in propose_groups(members)]
    second = [[m.student_id for m in g] for g in propose_groups(shuffled)]
    assert first == second


def test_propose_groups_keeps_a_town_together_when_it_fits():
    members = [Member(i, "zhujing", 1) for i in range(12)] + [Member(100 + i, "fengjing", 2) for i in range(12)]
    groups = propose_groups(members)
    assert [{m.town for m in g} for g in groups] == [{"fengjing"}, {"zhujing"}]


@pytest.mark.parametrize("total", [10, 11, 15, 20, 29, 30, 31, 100, 587, 1500])
def test_group_count_respects_size_bounds(total):
    sizes = group_sizes(total, group_count(total))
    assert sum(sizes) == total
    assert min(sizes) >= 10
    assert max(sizes) <= 15


@pytest.mark.parametrize(("total", "expected"), [(0, 0), (3, 1), (9, 1)])
def test_group_count_small_cohorts(total, expected):
    assert group_count(total) == expected


def test_group_count_between_bounds_prefers_smaller_groups_to_overfull_ones():
    # 16 students cannot make groups of 10–15: two groups of 8 rather than one of 16.
    assert group_sizes(16, group_count(16)) == [8, 8]
