from integration_pipeline.batching import batched


def test_batches_keep_order_and_the_remainder():
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched(iter([]), 3)) == []
