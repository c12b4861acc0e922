"""The pure matching core: known instances worked by hand, the tie-break rule, the verifiers,
and properties on random instances checked against a brute force on tiny ones."""

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinseed.devtools.bench.allocation import random_instance
from placements.selection.matching import (
    MatchingInputError,
    MatchingInstance,
    MatchResult,
    RankedApplication,
    blocking_pairs,
    capacity_violations,
    deferred_acceptance,
    instance_from_applications,
    post_ranking_key,
    student_preference_key,
    unacceptable_assignments,
)

# No example database: the suite leaves nothing behind in the work tree.
PROPERTY = settings(database=None, deadline=None, max_examples=150)
BRUTE_FORCE = settings(database=None, deadline=None, max_examples=120)


def instance(preferences, rankings, capacities):
    return MatchingInstance(preferences=preferences, rankings=rankings, capacities=capacities)


# --- brute force ---------------------------------------------------------------------------


def is_stable(inst, assignment):
    """Stability by definition, written apart from both the algorithm and blocking_pairs."""
    for student, listed in inst.preferences.items():
        current = assignment.get(student)
        better = listed[: listed.index(current)] if current in listed else listed
        for post in better:
            ranked = inst.rankings.get(post, [])
            if student not in ranked:
                continue
            given_to = [s for s, p in assignment.items() if p == post]
            if len(given_to) < inst.capacities[post]:
                return False
            # A student given to a post that does not rank them is worse than anyone it ranks.
            if any(other not in ranked or ranked.index(student) < ranked.index(other) for other in given_to):
                return False
    return True


def all_stable_matchings(inst):
    """Every stable matching of a tiny instance (<= 6 students, <= 4 posts), by enumeration."""
    students = sorted(inst.preferences)
    assert len(students) <= 6
    assert len(inst.capacities) <= 4
    options = [[None, *(p for p in inst.preferences[s] if s in inst.rankings.get(p, []))] for s in students]
    found = []
    for choice in itertools.product(*options):
        assignment = {s: p for s, p in zip(students, choice, strict=True) if p is not None}
        counts = {}
        for post in assignment.values():
            counts[post] = counts.get(post, 0) + 1
        if all(count <= inst.capacities[post] for post, count in counts.items()) and is_stable(inst, assignment):
            found.append(assignment)
    return found


def choice_index(inst, student, post):
    """0 for a student's first choice, ...; the length of their list when unplaced."""
    listed = inst.preferences[student]
    return listed.index(post) if post is not None else len(listed)


# --- strategies ----------------------------------------------------------------------------


@st.composite
def tiny_instances(draw, max_students=6, max_posts=4, max_capacity=3):
    students = list(range(1, draw(st.integers(0, max_students)) + 1))
    posts = list(range(101, 101 + draw(st.integers(0, max_posts))))
    subsets_of_posts = st.lists(st.sampled_from(posts), unique=True) if posts else st.just([])
    subsets_of_students = st.lists(st.sampled_from(students), unique=True) if students else st.just([])
    # A ranking may name students who did not list the post: they must be ignored.
    return instance(
        preferences={s: draw(subsets_of_posts) for s in students},
        rankings={p: draw(subsets_of_students) for p in posts},
        capacities={p: draw(st.integers(0, max_capacity)) for p in posts},
    )


random_instances = st.builds(
    random_instance,
    n_students=st.integers(0, 300),
    n_posts=st.integers(1, 40),
    prefs=st.integers(1, 10),
    seed=st.integers(0, 2**32),
)

any_instances = st.one_of(tiny_instances(), random_instances)


def reordered(inst, rng):
    """The same instance with its students and posts given in another order."""

    def shuffled(mapping):
        items = list(mapping.items())
        rng.shuffle(items)
        return dict(items)

    return instance(shuffled(inst.preferences), shuffled(inst.rankings), shuffled(inst.capacities))


# --- known instances -----------------------------------------------------------------------


def test_deferred_acceptance_classic_three_by_three_has_its_unique_stable_match():
    # Students 1..3, posts 10/20/30 with one place each.
    #   1: 10 > 20 > 30      10: 2 > 3 > 1
    #   2: 20 > 10 > 30      20: 1 > 2 > 3
    #   3: 10 > 20 > 30      30: 1 > 2 > 3
    # 1->10 held; 2->20 held; 3->10: 10 prefers 3, frees 1; 1->20: 20 prefers 1, frees 2;
    # 2->10: 10 prefers 2, frees 3; 3->20: refused (20 holds 1); 3->30 held.
    # Proposals 2 + 2 + 3 = 7. Post-proposing gives the same match, so it is the only stable one.
    inst = instance(
        {1: [10, 20, 30], 2: [20, 10, 30], 3: [10, 20, 30]},
        {10: [2, 3, 1], 20: [1, 2, 3], 30: [1, 2, 3]},
        {10: 1, 20: 1, 30: 1},
    )

    result = deferred_acceptance(inst)

    assert result == MatchResult(assignment={1: 20, 2: 10, 3: 30}, unplaced=[], empty_places={}, proposals=7)
    assert all_stable_matchings(inst) == [{1: 20, 2: 10, 3: 30}]


def test_deferred_acceptance_two_stable_matchings_gives_the_students_optimal_one():
    # 1: 10 > 20, 2: 20 > 10; 10: 2 > 1, 20: 1 > 2. Both "everyone their first choice" and
    # "every post its first choice" are stable; students proposing get their first choices.
    inst = instance({1: [10, 20], 2: [20, 10]}, {10: [2, 1], 20: [1, 2]}, {10: 1, 20: 1})

    result = deferred_acceptance(inst)

    assert result == MatchResult(assignment={1: 10, 2: 20}, unplaced=[], empty_places={}, proposals=2)
    assert all_stable_matchings(inst) == [{1: 10, 2: 20}, {1: 20, 2: 10}]


def test_deferred_acceptance_college_admissions_with_capacity_two():
    # Post 100 has two places, post 200 one.
    #   1: 100 > 200     100: 3 > 4 > 1 > 2
    #   2: 100 > 200     200: 2 > 1 > 4
    #   3: 100
    #   4: 200 > 100
    # 1->100 {1}; 2->100 {1,2}; 3->100: full, worst 2, 3 better: {1,3}, frees 2; 2->200 {2};
    # 4->200: refused (2 better); 4->100: worst 1, 4 better: {3,4}, frees 1; 1->200: refused.
    # 1 is unplaced; proposals 2 + 2 + 1 + 2 = 7. The post-proposing run ends the same way.
    inst = instance(
        {1: [100, 200], 2: [100, 200], 3: [100], 4: [200, 100]},
        {100: [3, 4, 1, 2], 200: [2, 1, 4]},
        {100: 2, 200: 1},
    )

    result = deferred_acceptance(inst)

    assert result == MatchResult(assignment={2: 200, 3: 100, 4: 100}, unplaced=[1], empty_places={}, proposals=7)
    assert all_stable_matchings(inst) == [{2: 200, 3: 100, 4: 100}]


def test_deferred_acceptance_student_without_acceptable_post_is_unplaced():
    # 1 lists nothing; 2 lists only 20, which does not rank them; 3 gets 10.
    inst = instance({1: [], 2: [20], 3: [10]}, {10: [3, 2], 20: [3]}, {10: 1, 20: 1})

    result = deferred_acceptance(inst)

    assert result == MatchResult(assignment={3: 10}, unplaced=[1, 2], empty_places={20: 1}, proposals=2)


def test_deferred_acceptance_post_nobody_ranked_keeps_its_places():
    inst = instance({1: [30, 10], 2: [30]}, {10: [1], 30: []}, {10: 1, 30: 3})

    result = deferred_acceptance(inst)

    assert result == MatchResult(assignment={1: 10}, unplaced=[2], empty_places={30: 3}, proposals=3)


def test_deferred_acceptance_capacity_zero_sends_students_to_their_next_choice():
    inst = instance({1: [10, 20], 2: [10]}, {10: [1, 2], 20: [1]}, {10: 0, 20: 1})

    result = deferred_acceptance(inst)

    assert result == MatchResult(assignment={1: 20}, unplaced=[2], empty_places={}, proposals=3)


def test_deferred_acceptance_empty_instance():
    assert deferred_acceptance(instance({}, {}, {})) == MatchResult(
        assignment={}, unplaced=[], empty_places={}, proposals=0
    )


# --- ties ----------------------------------------------------------------------------------


def test_instance_from_applications_equal_preferences_go_to_the_lower_post_id():
    applications = [RankedApplication(1, 20, 1, 1, 0), RankedApplication(1, 10, 1, 1, 0)]

    inst = instance_from_applications(applications, {10: 1, 20: 1})

    assert inst.preferences == {1: [10, 20]}
    assert deferred_acceptance(inst).assignment == {1: 10}


def test_instance_from_applications_equal_selection_ranks_go_to_the_earlier_submission():
    applications = [RankedApplication(1, 10, 1, 1, 200), RankedApplication(2, 10, 1, 1, 100)]

    inst = instance_from_applications(applications, {10: 1})

    assert inst.rankings == {10: [2, 1]}
    assert deferred_acceptance(inst) == MatchResult(assignment={2: 10}, unplaced=[1], empty_places={}, proposals=2)


def test_instance_from_applications_equal_rank_and_submission_go_to_the_lower_student_id():
    applications = [
        RankedApplication(3, 10, 1, 2, 5),
        RankedApplication(2, 10, 1, 2, 5),
        RankedApplication(4, 10, 1, 1, 9),
    ]

    inst = instance_from_applications(applications, {10: 2})

    assert inst.rankings == {10: [4, 2, 3]}
    assert deferred_acceptance(inst).assignment == {2: 10, 4: 10}


def test_instance_from_applications_unranked_application_is_unacceptable_to_the_post():
    applications = [
        RankedApplication(1, 10, 1, None, 0),
        RankedApplication(1, 20, 2, 1, 0),
        RankedApplication(6, 10, 1, None, 0),  # ranked nowhere: takes part, unplaced
    ]

    inst = instance_from_applications(applications, {10: 1, 20: 1}, students=[1, 5])

    assert inst == instance({1: [20], 5: [], 6: []}, {20: [1]}, {10: 1, 20: 1})
    assert deferred_acceptance(inst) == MatchResult(
        assignment={1: 20}, unplaced=[5, 6], empty_places={10: 1}, proposals=1
    )


def test_tie_break_keys_order_as_documented():
    posts = [(2, 30), (1, 20), (1, 10)]
    students = [(1, 50, 7), (1, 40, 9), (1, 40, 8), (0, 99, 1)]

    assert sorted(posts, key=lambda p: student_preference_key(*p)) == [(1, 10), (1, 20), (2, 30)]
    assert sorted(students, key=lambda s: post_ranking_key(*s)) == [(0, 99, 1), (1, 40, 8), (1, 40, 9), (1, 50, 7)]


@st.composite
def application_rows(draw):
    students = range(1, draw(st.integers(1, 8)) + 1)
    posts = range(101, 101 + draw(st.integers(1, 5)))
    rows = []
    for student in students:
        for post in draw(st.lists(st.sampled_from(posts), unique=True)):
            selection = draw(st.one_of(st.none(), st.integers(1, 3)))
            rows.append(RankedApplication(student, post, draw(st.integers(1, 3)), selection, draw(st.integers(0, 3))))
    return rows, {p: draw(st.integers(0, 2)) for p in posts}


@PROPERTY
@given(application_rows(), st.randoms(use_true_random=False))
def test_instance_from_applications_follows_the_keys_whatever_the_row_order(rows_and_capacities, rng):
    rows, capacities = rows_and_capacities
    shuffled = list(rows)
    rng.shuffle(shuffled)

    inst = instance_from_applications(shuffled, capacities)

    for student, listed in inst.preferences.items():
        own = [r for r in rows if r.student == student and r.selection_rank is not None]
        assert listed == [r.post for r in sorted(own, key=lambda r: student_preference_key(r.preference_rank, r.post))]
    for post, ranked in inst.rankings.items():
        own = [r for r in rows if r.post == post and r.selection_rank is not None]
        expected = sorted(own, key=lambda r: post_ranking_key(r.selection_rank, r.submitted, r.student))
        assert ranked == [r.student for r in expected]
    assert inst == instance_from_applications(rows, capacities)
    assert deferred_acceptance(inst) == deferred_acceptance(instance_from_applications(rows, capacities))


# --- input checks --------------------------------------------------------------------------


def test_matching_instance_post_listed_twice_is_refused():
    with pytest.raises(MatchingInputError, match="student 1 lists a post twice"):
        instance({1: [10, 10]}, {}, {10: 1})


def test_matching_instance_student_ranked_twice_is_refused():
    with pytest.raises(MatchingInputError, match="post 10 ranks a student twice"):
        instance({1: [10]}, {10: [1, 1]}, {10: 1})


def test_matching_instance_post_without_capacity_is_refused():
    with pytest.raises(MatchingInputError, match=r"student 1 lists posts without a capacity: \[20\]"):
        instance({1: [10, 20]}, {}, {10: 1})
    with pytest.raises(MatchingInputError, match="post 20 is ranked but has no capacity"):
        instance({}, {20: []}, {10: 1})


def test_matching_instance_negative_capacity_is_refused():
    with pytest.raises(MatchingInputError, match="post 10: capacity must be an int >= 0, not -1"):
        instance({}, {}, {10: -1})


# --- the verifiers on results made by hand -------------------------------------------------

CLASSIC = instance(
    {1: [10, 20, 30], 2: [20, 10, 30], 3: [10, 20, 30]},
    {10: [2, 3, 1], 20: [1, 2, 3], 30: [1, 2, 3]},
    {10: 1, 20: 1, 30: 1},
)


def test_blocking_pairs_finds_the_pair_that_would_swap():
    # Everyone on their first choice but 3: post 10 would rather have 3 than 1.
    result = MatchResult(assignment={1: 10, 2: 20, 3: 30}, unplaced=[], empty_places={}, proposals=0)

    assert blocking_pairs(CLASSIC, result) == [(3, 10)]


def test_blocking_pairs_unplaced_students_block_with_free_places():
    result = MatchResult(assignment={}, unplaced=[1, 2, 3], empty_places={10: 1, 20: 1, 30: 1}, proposals=0)

    assert blocking_pairs(CLASSIC, result) == [(s, p) for s in (1, 2, 3) for p in CLASSIC.preferences[s]]


def test_blocking_pairs_sample_checks_only_that_many_students():
    result = MatchResult(assignment={}, unplaced=[1, 2, 3], empty_places={10: 1, 20: 1, 30: 1}, proposals=0)

    sampled = blocking_pairs(CLASSIC, result, sample=1, rng=random.Random(4))

    assert len({s for s, _ in sampled}) == 1
    assert sampled == [(s, p) for s, p in blocking_pairs(CLASSIC, result) if s == sampled[0][0]]
    assert blocking_pairs(CLASSIC, result, sample=10) == blocking_pairs(CLASSIC, result)


def test_blocking_pairs_stable_result_has_none():
    assert blocking_pairs(CLASSIC, deferred_acceptance(CLASSIC)) == []


def test_capacity_violations_reports_students_over_the_capacity():
    result = MatchResult(assignment={1: 10, 2: 10, 3: 10, 4: 20}, unplaced=[], empty_places={}, proposals=0)
    inst = instance({1: [10], 2: [10], 3: [10], 4: [20]}, {10: [1, 2, 3], 20: [4]}, {10: 1, 20: 1})

    assert capacity_violations(inst, result) == {10: 2}


def test_unacceptable_assignments_reports_pairs_either_side_refuses():
    inst = instance({1: [10], 2: [20], 3: [10]}, {10: [1], 20: [1]}, {10: 2, 20: 1})
    result = MatchResult(assignment={1: 10, 2: 20, 3: 10}, unplaced=[], empty_places={}, proposals=0)

    assert unacceptable_assignments(inst, result) == [(2, 20), (3, 10)]


@BRUTE_FORCE
@given(tiny_instances(), st.data())
def test_blocking_pairs_agrees_with_the_definition_on_any_assignment(inst, data):
    students = sorted(inst.preferences)
    posts = sorted(inst.capacities)
    choices = st.sampled_from([None, *posts])
    assignment = {s: p for s in students if (p := data.draw(choices)) is not None}
    result = MatchResult(assignment=assignment, unplaced=[], empty_places={}, proposals=0)

    assert (blocking_pairs(inst, result) == []) == is_stable(inst, assignment)


# --- properties ----------------------------------------------------------------------------


@PROPERTY
@given(any_instances)
def test_deferred_acceptance_random_instance_is_stable_and_within_capacity(inst):
    result = deferred_acceptance(inst)

    assert blocking_pairs(inst, result) == []
    assert capacity_violations(inst, result) == {}
    assert unacceptable_assignments(inst, result) == []


@PROPERTY
@given(any_instances)
def test_deferred_acceptance_random_instance_accounts_for_everyone(inst):
    result = deferred_acceptance(inst)

    assert sorted([*result.assignment, *result.unplaced]) == sorted(inst.preferences)
    assert list(result.assignment) == sorted(result.assignment)
    filled = {p: list(result.assignment.values()).count(p) for p in inst.capacities}
    assert result.empty_places == {p: c - filled[p] for p, c in sorted(inst.capacities.items()) if c > filled[p]}
    # Each student proposed down their list to the post they hold, or to its end.
    assert result.proposals == sum(
        choice_index(inst, s, result.assignment.get(s)) + (s in result.assignment) for s in inst.preferences
    )


@BRUTE_FORCE
@given(tiny_instances())
def test_deferred_acceptance_tiny_instance_is_student_optimal(inst):
    result = deferred_acceptance(inst)
    stable = all_stable_matchings(inst)

    assert result.assignment in stable
    for other in stable:
        for student in inst.preferences:
            assert choice_index(inst, student, result.assignment.get(student)) <= choice_index(
                inst, student, other.get(student)
            )
        # Rural hospitals theorem: the same students are placed and each post fills the same.
        assert sorted(other) == sorted(result.assignment)
        assert sorted(other.values()) == sorted(result.assignment.values())


@PROPERTY
@given(any_instances, st.randoms(use_true_random=False))
def test_deferred_acceptance_same_input_in_any_order_gives_the_same_result(inst, rng):
    result = deferred_acceptance(inst)

    assert deferred_acceptance(inst) == result
    assert deferred_acceptance(reordered(inst, rng)) == result


# --- at scale ------------------------------------------------------------------------------


def test_random_instance_same_seed_gives_the_same_instance():
    assert random_instance(200, 20, 5, seed=3) == random_instance(200, 20, 5, seed=3)
    assert random_instance(200, 20, 5, seed=3) != random_instance(200, 20, 5, seed=4)


def test_random_instance_lists_distinct_posts_and_ranks_only_applicants():
    inst = random_instance(500, 30, 10, seed=11)

    assert sorted(inst.preferences) == list(range(1, 501))
    assert {len(listed) for listed in inst.preferences.values()} == {10}
    for post, ranked in inst.rankings.items():
        assert all(post in inst.preferences[s] for s in ranked)


def test_deferred_acceptance_district_scale_sample_is_stable():
    inst = random_instance(20_000, 2_000, 10, seed=13)

    result = deferred_acceptance(inst)

    assert blocking_pairs(inst, result, sample=2_000, rng=random.Random(13)) == []
    assert capacity_violations(inst, result) == {}
    assert len(result.assignment) + len(result.unplaced) == 20_000
