from indexer.search.fusion import rrf


def test_documents_found_by_both_retrievers_rank_first():
    fused = rrf({"keyword": [(1, 9.0), (2, 8.0)], "semantic": [(3, 0.9), (1, 0.8)]}, {}, k=60)
    assert fused[0].id == 1
    assert fused[0].found_by == {"keyword": (1, 9.0), "semantic": (2, 0.8)}
    assert {f.id for f in fused} == {1, 2, 3}


def test_a_down_weighted_retriever_cannot_push_the_strong_one_down():
    # keyword's second result must stay above semantic's first when semantic weighs half as much
    fused = rrf({"keyword": [(1, 5.0), (2, 4.0)], "semantic": [(9, 0.9)]}, {"keyword": 1.0, "semantic": 0.5}, k=60)
    assert [f.id for f in fused] == [1, 2, 9]


def test_equal_weights_interleave():
    fused = rrf({"keyword": [(1, 5.0)], "semantic": [(9, 0.9)]}, {}, k=60)
    assert [f.id for f in fused] == [1, 9]
    assert fused[0].score == fused[1].score
