"""Stable allocation of students to posts: student-proposing deferred acceptance.

This is the pure core of the district-wide allocation (issue 13). It knows nothing of the
database: the service layer reads the cycle's active applications and the posts' remaining
places, hands them over as plain ints, and writes the outcome back.

The model is the college-admissions problem (many-to-one). Each student lists the posts they
find acceptable, best first; each post ranks the students it interviewed and found acceptable,
best first, and has a capacity (headcount minus places already taken, possibly 0). A student
missing from a post's ranking is unacceptable to it, and so is a post missing from a student's
list. The result is the *student-optimal* stable matching: no student and post would both
rather be together than keep what they got, and every student gets the best post they can get
in any stable matching. It is unique, so the order in which students propose (and the order
of the input) never changes it.

Ties and how they are broken
----------------------------
Students may give equal preference ranks and units may give equal selection ranks. The
algorithm needs strict orders, so ties are broken by one fixed rule, the same everywhere:

* a student's list is ordered by ``(preference_rank, post id)``: between posts ranked equal,
  the post with the lower id comes first (:func:`student_preference_key`);
* a post's ranking is ordered by ``(selection_rank, submission order, student id)``: between
  students ranked equal, the one whose application to that post was submitted first comes
  first, and at equal submission order the lower student id (:func:`post_ranking_key`).

:func:`instance_from_applications` applies the rule to application rows; a caller that sorts
elsewhere (in SQL, say) uses the same keys: ``ORDER BY preference_rank, post_id`` and
``ORDER BY selection_rank, submitted_at, student_id``.

Lifecycle: build a :class:`MatchingInstance` (validated on construction), run
:func:`deferred_acceptance`, optionally check the outcome with the independent verifiers
:func:`blocking_pairs`, :func:`capacity_violations` and :func:`unacceptable_assignments`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappush, heapreplace
from typing import Any, NamedTuple

__all__ = [
    "MatchResult",
    "MatchingInputError",
    "MatchingInstance",
    "RankedApplication",
    "blocking_pairs",
    "capacity_violations",
    "deferred_acceptance",
    "instance_from_applications",
    "post_ranking_key",
    "student_preference_key",
    "unacceptable_assignments",
]


class MatchingInputError(ValueError):
    """The input is not a well-formed instance (duplicate entries, unknown post, bad capacity)."""


# --- tie-breaking --------------------------------------------------------------------------


def student_preference_key(preference_rank: int, post: int) -> tuple[int, int]:
    """Sort key of one post on a student's list: their rank, then the lower post id first."""
    return (preference_rank, post)


def post_ranking_key(selection_rank: int, submitted: Any, student: int) -> tuple[int, Any, int]:
    """Sort key of one student on a post's ranking: the unit's rank, then the earlier
    submission of the application to this post, then the lower student id."""
    return (selection_rank, submitted, student)


# --- input ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchingInstance:
    """Strict preferences on both sides and the places left at each post.

    ``preferences``: student id -> post ids, most preferred first (the student's acceptable
    posts, no repeats). Every student of the allocation is a key, even with an empty list.
    ``rankings``: post id -> student ids, best first (no repeats). A post may be absent or have
    an empty ranking: it then accepts nobody. Students ranked but absent from ``preferences``
    are ignored.
    ``capacities``: post id -> places left (>= 0); every post named anywhere must be a key.

    The mappings are not copied: do not change them while the instance is in use.
    """

    preferences: Mapping[int, Sequence[int]]
    rankings: Mapping[int, Sequence[int]]
    capacities: Mapping[int, int]

    def __post_init__(self) -> None:
        posts = self.capacities.keys()
        for post, capacity in self.capacities.items():
            if not isinstance(capacity, int) or capacity < 0:
                raise MatchingInputError(f"post {post}: capacity must be an int >= 0, not {capacity!r}")
        for student, listed in self.preferences.items():
            distinct = set(listed)
            if len(distinct) != len(listed):
                raise MatchingInputError(f"student {student} lists a post twice")
            if not distinct <= posts:
                raise MatchingInputError(
                    f"student {student} lists posts without a capacity: {sorted(distinct - posts)}"
                )
        for post, ranked in self.rankings.items():
            if post not in posts:
                raise MatchingInputError(f"post {post} is ranked but has no capacity")
            if len(set(ranked)) != len(ranked):
                raise MatchingInputError(f"post {post} ranks a student twice")


class RankedApplication(NamedTuple):
    """One application as the database holds it (fields in the order of a ``values_list``).

    ``preference_rank``: the student's rank of the post, 1 = first choice; equal ranks allowed.
    ``selection_rank``: the unit's rank of the student after interview, 1 = best; equal ranks
    allowed; ``None`` when the student is not ranked, i.e. unacceptable to the post.
    ``submitted``: when the application was submitted (``submitted_at``, or any value that
    orders the same way: smaller is earlier).
    """

    student: int
    post: int
    preference_rank: int
    selection_rank: int | None
    submitted: Any


def instance_from_applications(
    applications: Iterable[RankedApplication],
    capacities: Mapping[int, int],
    *,
    students: Iterable[int] = (),
) -> MatchingInstance:
    """Build the strict instance from application rows, breaking ties by the module's rule.

    ``students`` names participants who may have no application (they end up unplaced); every
    student with an application takes part anyway. The result does not depend on the order
    of the rows. A student's list holds only the posts that rank them: an unranked
    application can match nothing, and a proposal the post refuses at once would only cost
    time.
    """
    # Each list holds the tie-breaking keys, whose last element is the id kept once sorted.
    by_student: defaultdict[int, list[tuple[int, int]]] = defaultdict(list, {s: [] for s in students})
    by_post: defaultdict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for student, post, preference_rank, selection_rank, submitted in applications:
        listed = by_student[student]  # a student ranked nowhere still takes part
        if selection_rank is not None:
            listed.append(student_preference_key(preference_rank, post))
            by_post[post].append(post_ranking_key(selection_rank, submitted, student))
    preferences = {s: [key[-1] for key in sorted(listed)] for s, listed in sorted(by_student.items())}
    rankings = {p: [key[-1] for key in sorted(ranked)] for p, ranked in sorted(by_post.items())}
    return MatchingInstance(preferences=preferences, rankings=rankings, capacities=dict(capacities))


# --- the algorithm -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The student-optimal stable matching.

    ``assignment``: student id -> post id, keys in ascending order.
    ``unplaced``: the students with no post, ascending.
    ``empty_places``: post id -> places still free, only posts with at least one, ascending.
    ``proposals``: how many times a student applied to a post in the algorithm; a proposal to
    a post that does not rank the student counts too (it is refused at once).
    """

    assignment: dict[int, int]
    unplaced: list[int]
    empty_places: dict[int, int]
    proposals: int


def deferred_acceptance(instance: MatchingInstance) -> MatchResult:
    """Student-proposing deferred acceptance (Gale and Shapley, 1962, many-to-one).

    Every free student proposes to the next post on their list; the post keeps the best
    applicants up to its capacity and sends back the worst one when over. It ends when every
    student is held by a post or has run out of posts. O(number of listed posts).

    Per post the loop keeps a heap of the held students' positions in the post's ranking
    (negated, so that larger is better and the heap's top is the worst held student) and
    looks positions up in one dict per post; students are written into the assignment at
    the end.
    """
    # Per post: (position lookup, heap of held positions, capacity, ranking).
    state: dict[int, tuple[dict[int, int], list[int], int, Sequence[int]]] = {}
    for post, capacity in instance.capacities.items():
        ranked = instance.rankings.get(post, ())
        state[post] = (dict(zip(ranked, range(0, -len(ranked), -1), strict=True)), [], capacity, ranked)
    preferences = instance.preferences
    next_choice = dict.fromkeys(preferences, 0)
    proposals = 0
    for student in preferences:
        proposing: int | None = student
        while proposing is not None:  # the student, then whoever they displace
            listed = preferences[proposing]
            start = i = next_choice[proposing]
            displaced = None
            while i < len(listed):
                positions, held, capacity, ranked = state[listed[i]]
                i += 1
                position = positions.get(proposing)
                if position is None:  # the post does not rank them: refused at once
                    continue
                if len(held) < capacity:
                    heappush(held, position)
                    break
                if capacity and position > held[0]:
                    displaced = ranked[-heapreplace(held, position)]
                    break
            proposals += i - start
            next_choice[proposing] = i
            proposing = displaced

    assignment: dict[int, int] = {}
    empty_places: dict[int, int] = {}
    for post, (_, held, capacity, ranked) in state.items():
        for position in held:
            assignment[ranked[-position]] = post
        if len(held) < capacity:
            empty_places[post] = capacity - len(held)
    return MatchResult(
        assignment=dict(sorted(assignment.items())),
        unplaced=sorted(s for s in preferences if s not in assignment),
        empty_places=dict(sorted(empty_places.items())),
        proposals=proposals,
    )


# --- independent verifiers -----------------------------------------------------------------
# Deliberately naive and written apart from the algorithm, so that they can judge it.


def capacity_violations(instance: MatchingInstance, result: MatchResult) -> dict[int, int]:
    """Posts given more students than their capacity: post id -> students over. A post that
    has no capacity entry counts with capacity 0."""
    filled: dict[int, int] = {}
    for post in result.assignment.values():
        filled[post] = filled.get(post, 0) + 1
    over = {}
    for post, count in sorted(filled.items()):
        capacity = instance.capacities.get(post, 0)
        if count > capacity:
            over[post] = count - capacity
    return over


def unacceptable_assignments(instance: MatchingInstance, result: MatchResult) -> list[tuple[int, int]]:
    """Assigned (student, post) pairs that are not mutually acceptable, sorted."""
    wrong = []
    for student, post in sorted(result.assignment.items()):
        if post not in instance.preferences.get(student, ()) or student not in instance.rankings.get(post, ()):
            wrong.append((student, post))
    return wrong


def blocking_pairs(
    instance: MatchingInstance,
    result: MatchResult,
    *,
    sample: int | None = None,
    rng: random.Random | None = None,
) -> list[tuple[int, int]]:
    """Pairs (student, post) that would both rather be together, sorted; empty if stable.

    A pair blocks when the student prefers the post to their assignment (or is unplaced, or
    holds a post they never listed) and lists it, the post ranks the student, and the post
    has a free place or ranks the student above the worst student it was given.
    ``sample`` checks only that many students drawn at random (all when ``None`` or larger
    than the number of students), so that the check stays cheap at district scale; ``rng``
    draws them (an unseeded generator when ``None``).
    """
    students = sorted(instance.preferences)
    if sample is not None and sample < len(students):
        students = sorted((rng or random.Random()).sample(students, sample))  # noqa: S311 - sampling, not security

    given: dict[int, list[int]] = {}
    for student, post in result.assignment.items():
        given.setdefault(post, []).append(student)

    positions: dict[int, dict[int, int]] = {}

    def position(post: int, student: int) -> int | None:
        if post not in positions:
            positions[post] = {}
            for index, candidate in enumerate(instance.rankings.get(post, ())):
                positions[post][candidate] = index
        return positions[post].get(student)

    worst_cache: dict[int, int] = {}

    def worst_given(post: int) -> int:
        if post not in worst_cache:
            worst = -1
            for other in given.get(post, []):
                other_position = position(post, other)
                # An unacceptable student given to the post is worse than anyone it ranks.
                other_position = len(instance.rankings.get(post, ())) if other_position is None else other_position
                worst = max(worst, other_position)
            worst_cache[post] = worst
        return worst_cache[post]

    pairs = []
    for student in students:
        current = result.assignment.get(student)
        for post in instance.preferences[student]:
            if post == current:
                break
            here = position(post, student)
            if here is None:
                continue
            has_room = len(given.get(post, [])) < instance.capacities.get(post, 0)
            if has_room or here < worst_given(post):
                pairs.append((student, post))
    return pairs
