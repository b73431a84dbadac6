"""semhash.DB: every call against brute force in numpy, round trips of ids
and payloads, persistence across reopen, bulk loading, verify and compact."""

import numpy as np
import pytest

import semhash
from conftest import (INT32_MAX, brute_knn, brute_radius, clustered_codes,
                      hamming, random_codes)


def make_db(path, codes, ids, **options):
    db = semhash.DB(str(path), create_if_missing=True, address_bits=12,
                    code_bits=codes.shape[1] * 8, **options)
    db.add(codes, ids)
    return db


def test_exact_search_equals_brute_force(tmp_path, rng, stored):
    kind, codes, ids = stored
    queries = np.concatenate([codes[:5], clustered_codes(rng, 20, 32)
                              if kind == "clustered" else
                              random_codes(rng, 20, 32)])
    with make_db(tmp_path / "db", codes, ids) as db:
        for k in (1, 10, 2500):  # 2500: more than stored, padded.
            D, I = db.search_exact(queries, k)
            eD, eI = brute_knn(codes, ids.astype(np.int64), queries, k)
            assert D.dtype == np.int32 and I.dtype == np.int64
            assert D.shape == (len(queries), k)
            np.testing.assert_array_equal(D, eD)
            np.testing.assert_array_equal(I, eI)
        assert (I[:, 2000:] == -1).all() and (D[:, 2000:] == INT32_MAX).all()


def test_radius_search_equals_brute_force(tmp_path, rng, stored):
    _, codes, ids = stored
    queries = np.concatenate([codes[:3], random_codes(rng, 7, 32)])
    with make_db(tmp_path / "db", codes, ids, tables=8) as db:
        for radius in (0, 40, 100, 256):
            lims, D, I = db.search_radius(queries, radius)
            eL, eD, eI = brute_radius(codes, ids.astype(np.int64), queries,
                                      radius)
            assert lims.dtype == np.uint64 and D.dtype == np.int32
            np.testing.assert_array_equal(lims, eL)
            np.testing.assert_array_equal(D, eD)
            np.testing.assert_array_equal(I, eI)
        assert lims[-1] == len(queries) * len(codes)  # radius 256: all.


def test_two_stage_search_against_exact(tmp_path, rng, stored):
    """The probe's results are true distances to stored codes, within each
    query's ball; a probe over every address is exact."""
    _, codes, ids = stored
    queries = codes[rng.integers(0, len(codes), 30)]
    with make_db(tmp_path / "db", codes, ids) as db:
        D, I = db.search(queries, 10, max_radius=2)
        for q in range(len(queries)):
            found = I[q] >= 0
            assert found[0], "each query is stored: its own code is found"
            rows = np.searchsorted(np.sort(ids), I[q][found])
            stored_codes = codes[np.argsort(ids)][rows]
            np.testing.assert_array_equal(
                D[q][found], hamming(queries[q:q + 1], stored_codes)[0])
            assert len(set(I[q][found])) == found.sum()
            assert (np.diff(D[q][found]) >= 0).all()
        # Radius 12 covers all 2^12 addresses: the exact answer.
        D, I = db.search(queries, 10, max_radius=12, min_candidates=10**6)
        eD, eI = db.search_exact(queries, 10)
        np.testing.assert_array_equal(D, eD)
        np.testing.assert_array_equal(I, eI)


def test_addresses_given_or_taken_from_the_codes(tmp_path, rng):
    codes = random_codes(rng, 50, 8)
    addresses = rng.integers(0, 1 << 12, 50, dtype=np.uint32)
    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    address_bits=12, code_bits=64) as db:
        db.add(codes[:25], np.arange(25), addresses[:25])
        db.add(codes[25:], np.arange(25, 50))
        for i in range(50):
            r = db.get(i)
            want = addresses[i] if i < 25 else \
                int.from_bytes(codes[i, :2].tobytes(), "big") >> 4
            assert r.address == want
            np.testing.assert_array_equal(r.code, codes[i])
        # A query at its stored address finds it at radius 0.
        D, I = db.search(codes[:25], 1, addresses[:25], max_radius=0)
        np.testing.assert_array_equal(I[:, 0], np.arange(25))


def test_ids_and_payloads_round_trip(tmp_path, rng):
    codes = random_codes(rng, 4, 16)
    ids = np.array([0, 7, 2**40, 2**63 - 1], dtype=np.uint64)
    payloads = [b"\x00\xffbinary", "images/7.png", "", "ünïcode ✓"]
    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    code_bits=128) as db:
        db.add(codes, ids, payloads=payloads)
        assert len(db) == 4
        for i, want in enumerate(payloads):
            r = db.get(int(ids[i]))
            want = want.encode() if isinstance(want, str) else want
            assert r.payload == want
            np.testing.assert_array_equal(r.code, codes[i])
        D, I = db.search_exact(codes, 1)
        np.testing.assert_array_equal(I[:, 0], ids.astype(np.int64))
        # int64 ids are taken as they are; replacing keeps the count.
        db.add(codes[:1], np.array([7], dtype=np.int64), payloads=[b"new"])
        assert db.get(7).payload == b"new" and len(db) == 4
        assert db.delete([7, 7, 12345]) == 1
        assert len(db) == 3
        with pytest.raises(semhash.NotFound, match="id 7"):
            db.get(7)


def test_default_ids_continue_from_the_count(tmp_path, rng):
    codes = random_codes(rng, 10, 8)
    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    code_bits=64) as db:
        db.add(codes[:4])
        db.add(codes[4:])
        D, I = db.search_exact(codes, 1)
        np.testing.assert_array_equal(I[:, 0], np.arange(10))


def test_persists_across_reopen_and_info(tmp_path, rng):
    codes = clustered_codes(rng, 500, 32)
    ids = np.arange(500, dtype=np.uint64) * 3
    queries = np.ascontiguousarray(codes[::50])
    path = tmp_path / "db"
    with make_db(path, codes, ids, tables=8) as db:
        before = db.search_exact(queries, 7)
        before_radius = db.search_radius(queries, 60)
    with semhash.DB(str(path), read_only=True) as db:
        assert len(db) == 500
        info = db.info
        assert (info.address_bits, info.code_bits, info.tables) == (12, 256, 8)
        assert info.encoder_kind == "external" and db.encoder is None
        assert db.code_size == 32
        for a, b in zip(before, db.search_exact(queries, 7)):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(before_radius, db.search_radius(queries, 60)):
            np.testing.assert_array_equal(a, b)
        with pytest.raises(semhash.NotSupported):
            db.add(codes[:1])
    # Without the in-memory index the count reads the id table.
    with semhash.DB(str(path), memory_index="off") as db:
        assert len(db) == 500
        np.testing.assert_array_equal(db.search_exact(queries, 7)[1],
                                      before[1])


def test_bulk_load_streams_slices_and_reports_progress(tmp_path, rng):
    codes = clustered_codes(rng, 5000, 32)
    ids = rng.permutation(5000).astype(np.uint64) + 100
    np.save(tmp_path / "codes.npy", codes)
    mapped = np.load(tmp_path / "codes.npy", mmap_mode="r")
    calls = []
    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    address_bits=12, code_bits=256) as db:
        n = db.bulk_load(mapped, ids, slice_rows=1000, memory_bytes=64 << 10,
                         progress=lambda *a: calls.append(a))
        assert n == 5000 and len(db) == 5000
        adds = [c for c in calls if c[0] == "add"]
        assert adds == [("add", i, 5000) for i in range(1000, 5001, 1000)]
        assert {c[0] for c in calls} >= {"add", "sort", "segment"}
        queries = codes[:20]
        np.testing.assert_array_equal(
            db.search_exact(queries, 5)[1],
            brute_knn(codes, ids.astype(np.int64), queries, 5)[1])
        # An id given twice refuses the whole load.
        with pytest.raises(semhash.InvalidArgument):
            db.bulk_load(codes[:2], np.array([1, 1], dtype=np.uint64))
        assert len(db) == 5000


def test_bulk_load_progress_exception_is_raised_after_the_load(tmp_path, rng):
    codes = random_codes(rng, 100, 8)

    def fail(*args):
        raise KeyError("stop")

    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    code_bits=64) as db:
        with pytest.raises(KeyError, match="stop"):
            db.bulk_load(codes, progress=fail)
        assert len(db) == 100  # The load itself could not be stopped.


def test_verify_compact_space_and_backup(tmp_path, rng):
    codes = clustered_codes(rng, 3000, 32)
    with make_db(tmp_path / "db", codes, np.arange(3000)) as db:
        assert db.delete(np.arange(0, 3000, 2)) == 1500
        report = db.verify()
        assert report.images == 1500 and report.problem_count == 0
        assert report.problems == []
        queries = codes[:30]
        before = db.search_exact(queries, 10)
        compacted = db.compact()
        assert compacted.changes_merged == 1500
        assert compacted.segment_rows == 1500
        assert compacted.bytes_after > 0
        for a, b in zip(before, db.search_exact(queries, 10)):
            np.testing.assert_array_equal(a, b)
        usage = db.space_usage()
        assert usage.total_bytes > 0 and usage.memory_index_images == 1500
        assert {f.name for f in usage.families} == {"default", "changes",
                                                  "payloads"}
        db.backup(str(tmp_path / "copy"))
        with pytest.raises(semhash.InvalidArgument):
            db.backup(str(tmp_path / "copy"))
    with semhash.DB(str(tmp_path / "copy"), read_only=True) as copy:
        assert len(copy) == 1500
        np.testing.assert_array_equal(copy.search_exact(queries, 10)[1],
                                      before[1])


def test_verify_and_compact_report_progress(tmp_path, rng):
    """Verify and compact report each of their phases."""
    codes = random_codes(rng, 70000, 16)
    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    address_bits=16, code_bits=128) as db:
        db.bulk_load(codes)
        db.delete(np.arange(0, 70000, 3))
        calls = []
        db.verify(progress=lambda done, total: calls.append((done, total)))
        assert calls and all(0 < d for d, t in calls)
        calls.clear()
        db.compact(progress=lambda done, total: calls.append((done, total)))
        assert calls and calls[-1][0] == calls[-1][1]
