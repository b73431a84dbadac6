"""IndexBinarySemhash against faiss.IndexBinaryFlat on the same data, the
way FAISS's own tests compare every binary index with the flat one."""

import numpy as np
import pytest

import semhash
from conftest import INT32_MAX, clustered_codes, random_codes

faiss = pytest.importorskip("faiss")  # python3-faiss


def both(d, codes, ids=None, **options):
    flat = faiss.IndexBinaryFlat(d)
    ours = semhash.IndexBinarySemhash(d, **options)
    if ids is None:
        flat.add(codes)
        ours.add(codes)
    else:
        flat = faiss.IndexBinaryIDMap(flat)
        flat.add_with_ids(codes, ids)
        ours.add_with_ids(codes, ids)
    return flat, ours


def no_ties(D):
    """Rows whose k distances are all distinct (then ids must agree)."""
    return np.array([len(set(row)) == len(row) for row in D])


@pytest.mark.parametrize("make", [random_codes, clustered_codes])
@pytest.mark.parametrize("d", [64, 256])
def test_search_equals_index_binary_flat(rng, make, d):
    codes = make(rng, 3000, d // 8)
    queries = np.concatenate([codes[:10], make(rng, 40, d // 8)])
    flat, ours = both(d, codes)
    assert (ours.d, ours.code_size, ours.ntotal, ours.is_trained) == \
        (d, d // 8, 3000, True)
    for k in (1, 5, 50):
        fD, fI = flat.search(queries, k)
        D, I = ours.search(queries, k)
        assert D.dtype == fD.dtype == np.int32
        assert I.dtype == fI.dtype == np.int64
        np.testing.assert_array_equal(D, fD)
        rows = no_ties(fD)
        np.testing.assert_array_equal(I[rows], fI[rows])
        # Where there are ties, both return ids at the same distances.
        for q in np.nonzero(~rows)[0]:
            assert set(I[q][D[q] < D[q, -1]]) == set(fI[q][fD[q] < fD[q, -1]])
    ours.close()


def test_padding_on_empty_and_small_index(rng):
    codes = random_codes(rng, 3, 8)
    flat, ours = both(64, codes[:0])
    for index in (flat, ours):
        D, I = index.search(codes, 4)
        assert (D == INT32_MAX).all() and (I == -1).all()
    flat.add(codes)
    ours.add(codes)
    fD, fI = flat.search(codes, 5)
    D, I = ours.search(codes, 5)
    np.testing.assert_array_equal(D, fD)
    np.testing.assert_array_equal(I[:, 3:], fI[:, 3:])
    assert (I[:, 3:] == -1).all() and (D[:, 3:] == INT32_MAX).all()


@pytest.mark.parametrize("make", [random_codes, clustered_codes])
def test_range_search_equals_index_binary_flat(rng, make):
    codes = make(rng, 2000, 32)
    queries = np.concatenate([codes[:5], make(rng, 15, 32)])
    flat, ours = both(256, codes)
    for radius in (0, 1, 60, 100, 120, 257):
        fl, fD, fI = flat.range_search(queries, radius)
        lims, D, I = ours.range_search(queries, radius)
        assert (lims.dtype, D.dtype, I.dtype) == (fl.dtype, fD.dtype, fI.dtype)
        np.testing.assert_array_equal(lims, fl)
        for q in range(len(queries)):
            s = slice(int(lims[q]), int(lims[q + 1]))
            # FAISS's order within a query is its scan order: compare sets.
            assert sorted(zip(D[s], I[s])) == sorted(zip(fD[s], fI[s]))
            assert (D[s] < radius).all()


def test_ids_remove_reconstruct_and_reset(rng):
    codes = clustered_codes(rng, 500, 8)
    ids = rng.permutation(100000)[:500].astype(np.int64)
    flat, ours = both(64, codes, ids)
    queries = codes[:20]
    np.testing.assert_array_equal(ours.search(queries, 8)[0],
                                  flat.search(queries, 8)[0])
    np.testing.assert_array_equal(ours.reconstruct(int(ids[7])), codes[7])
    gone = np.concatenate([ids[:50], [10**9]])
    assert ours.remove_ids(gone) == flat.remove_ids(gone) == 50
    assert ours.ntotal == flat.ntotal == 450
    np.testing.assert_array_equal(ours.search(queries, 8)[0],
                                  flat.search(queries, 8)[0])
    with pytest.raises(semhash.NotFound):
        ours.reconstruct(int(ids[0]))
    ours.reset()
    assert ours.ntotal == 0
    ours.add(codes[:10])
    np.testing.assert_array_equal(ours.reconstruct_n(2, 5), codes[2:7])
    ours.close()


def test_persistent_index_reopens_with_the_same_answers(tmp_path, rng):
    codes = random_codes(rng, 1000, 32)
    queries = codes[:30]
    path = str(tmp_path / "index")
    with semhash.IndexBinarySemhash(256, path) as index:
        index.add(codes)
        before = index.search(queries, 10)
    with semhash.IndexBinarySemhash(256, path) as index:
        assert index.ntotal == 1000
        after = index.search(queries, 10)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def test_temporary_index_is_deleted_on_close(rng):
    index = semhash.IndexBinarySemhash(64)
    index.add(random_codes(rng, 10, 8))
    import os
    parent = os.path.dirname(index.path)
    assert os.path.isdir(index.path)
    index.close()
    assert not os.path.exists(parent)


def test_inputs_made_contiguous_and_dtype_checked(rng):
    codes = random_codes(rng, 100, 16)
    flat, ours = both(64, np.ascontiguousarray(codes[:, ::2]))
    strided = codes[:20, ::2]
    np.testing.assert_array_equal(ours.search(strided, 3)[0],
                                  flat.search(strided, 3)[0])
    with pytest.raises(semhash.InvalidArgument, match="uint8"):
        ours.search(strided.astype(np.int16), 3)
    with pytest.raises(semhash.InvalidArgument, match="shape"):
        ours.add(codes)
    with pytest.raises(semhash.InvalidArgument, match="k must be"):
        ours.search(strided, 0)
    with pytest.raises(semhash.InvalidArgument, match="multiple of 64"):
        semhash.IndexBinarySemhash(72)


def test_two_stage_search_when_search_params_are_set(rng):
    codes = clustered_codes(rng, 2000, 32, flip=0.02)
    queries = codes[:50]
    ours = semhash.IndexBinarySemhash(256, address_bits=16)
    ours.add(codes)
    exact = ours.search(queries, 10)
    ours.search_params = {"max_radius": 0, "min_candidates": 1}
    D, I = ours.search(queries, 10)
    assert (D[:, 0] == 0).all()  # Each query's own code, at its address.
    # Radius 0 gathers only the query's own address: a subset, so no row is
    # better than the exact answer, and some are worse or padded.
    assert (D >= exact[0]).all() and (D != exact[0]).any()
    ours.search_params = {"max_radius": 16, "min_candidates": 10**6}
    np.testing.assert_array_equal(ours.search(queries, 10)[0], exact[0])
    ours.close()


def test_recall_target_against_index_binary_flat(rng):
    """With target_recall below 1 and calibrate(), search reaches the
    target against IndexBinaryFlat's answer (ties with its k-th counted)."""
    # Held-out queries from the same clusters as the stored codes.
    drawn = clustered_codes(rng, 30200, 32, clusters=300, flip=0.03)
    codes, queries = drawn[:30000], drawn[30000:]
    flat, ours = both(256, codes, target_recall=0.9, address_bits=16)
    ours.calibrate()
    fD, _ = flat.search(queries, 10)
    D, _ = ours.search(queries, 10)
    assert (D <= fD[:, -1:]).mean() >= 0.9
    ours.target_recall = 1.0
    D, _ = ours.search(queries, 10)
    np.testing.assert_array_equal(D, fD)
    ours.close()
