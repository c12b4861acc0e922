"""``jinseed.bulk``: ids named a batch at a time."""

from jinseed.bulk import BATCH, id_batches


def test_id_batches_are_ascending_without_repeats():
    assert list(id_batches([5, 3, 3, 9, 1, 7], size=2)) == [[1, 3], [5, 7], [9]]
    assert list(id_batches([])) == []


def test_id_batches_hold_at_most_a_batch_by_default():
    batches = list(id_batches(range(2 * BATCH + 1)))
    assert [len(batch) for batch in batches] == [BATCH, BATCH, 1]
    assert batches[0][0] == 0 and batches[-1] == [2 * BATCH]
