"""Proposing groups (小组) of placed students: balanced sizes, neighbours kept together.

The proposal is deterministic: the same students always give the same groups, so staff can
run it, look, adjust and run it again without surprises. Students are ordered by town, then
host unit, then id, and cut into consecutive runs of near-equal size: students of one town
(and within it, one unit) land in the same group unless the group is full.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, floor


@dataclass(frozen=True)
class Member:
    student_id: int
    town: str
    unit_id: int


def group_count(total: int, *, min_size: int = 10, max_size: int = 15, target: float = 12.5) -> int:
    """How many groups ``total`` students make: as close to ``target`` per group as the
    size bounds allow. Fewer than ``min_size`` students still make one group; where no split
    fits the bounds (16 students), groups come out smaller than ``min_size``, never larger
    than ``max_size``."""
    if total <= 0:
        return 0
    lowest = ceil(total / max_size)
    highest = max(lowest, floor(total / min_size))
    return min(max(round(total / target), lowest), highest)


def group_sizes(total: int, count: int) -> list[int]:
    """``count`` sizes that add up to ``total`` and differ by at most one."""
    base, extra = divmod(total, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def propose_groups(
    members: Sequence[Member], *, min_size: int = 10, max_size: int = 15, target: float = 12.5
) -> list[list[Member]]:
    ordered = sorted(members, key=lambda m: (m.town, m.unit_id, m.student_id))
    count = group_count(len(ordered), min_size=min_size, max_size=max_size, target=target)
    groups, start = [], 0
    for size in group_sizes(len(ordered), count) if count else []:
        groups.append(ordered[start : start + size])
        start += size
    return groups
