"""Python threads over one DB: searches while another thread adds, and
the GIL released while the engine works."""

import threading
import time

import numpy as np

import semhash
from conftest import clustered_codes, hamming, random_codes


def test_threads_search_while_one_adds(tmp_path, rng):
    codes = clustered_codes(rng, 4000, 32)
    queries = codes[rng.integers(0, 2000, 200)]
    errors = []
    done = threading.Event()
    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    address_bits=12, code_bits=256, tables=8) as db:
        db.add(codes[:2000])

        def add():
            try:
                for first in range(2000, 4000, 100):
                    db.add(codes[first:first + 100],
                           np.arange(first, first + 100))
            except Exception as e:  # Reported by the main thread.
                errors.append(e)
            finally:
                done.set()

        def search(seed):
            local = np.random.default_rng(seed)
            searched = 0
            try:
                while not done.is_set() or searched < 5:
                    q = queries[local.integers(0, 200, 10)]
                    call = searched % 3
                    if call == 0:
                        D, I = db.search_exact(q, 5, threads=1)
                    elif call == 1:
                        D, I = db.search(q, 5, threads=1)
                    else:
                        lims, D, I = db.search_radius(q[:1], 30, threads=1)
                        D, I = D[None, :5], I[None, :5]
                        q = q[:1]
                    for row in range(len(q)):
                        found = I[row] >= 0
                        assert (I[row][found] < 4000).all()
                        # Each id's distance is its code's: no torn read.
                        np.testing.assert_array_equal(
                            D[row][found],
                            hamming(q[row:row + 1], codes[I[row][found]])[0])
                    assert (D[:, 0] == 0).all()  # Each query is stored.
                    searched += 1
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=add)] + [
            threading.Thread(target=search, args=(s,)) for s in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert len(db) == 4000
        np.testing.assert_array_equal(db.search_exact(codes[3999:], 1)[1],
                                      [[3999]])


def test_the_gil_is_released_during_a_search(tmp_path, rng):
    """While one thread runs a long exact search, the main thread keeps
    running Python: it would stop for the whole call if the GIL were held."""
    codes = random_codes(rng, 100000, 32)
    with semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    code_bits=256) as db:
        db.bulk_load(codes)
        # Long enough on the mapped index (every code compared per query).
        queries = np.repeat(codes[:300], 20, axis=0)
        spans = []

        def search():
            start = time.monotonic()
            db.search_exact(queries, 10, threads=1)
            spans.append((start, time.monotonic()))

        worker = threading.Thread(target=search)
        stamps = []
        worker.start()
        while worker.is_alive():
            stamps.append(time.monotonic())
        worker.join()
        start, end = spans[0]
        inside = np.array([s for s in stamps if start <= s <= end])
        assert end - start > 0.2, "the search is too short to tell"
        assert len(inside) > 2
        gaps = np.diff(np.concatenate([[start], inside, [end]]))
        assert gaps.max() < (end - start) / 2, (gaps.max(), end - start)


def test_close_waits_for_the_calls_in_flight(tmp_path, rng):
    """close() from one thread while another bulk-loads (its progress
    callback needing the GIL meanwhile): the load finishes, then the
    database closes, and later calls raise."""
    codes = random_codes(rng, 5000, 16)
    db = semhash.DB(str(tmp_path / "db"), create_if_missing=True,
                    code_bits=128)
    started = threading.Event()
    loaded = []

    def progress(phase, done, total):
        if not started.is_set():
            started.set()
            time.sleep(0.3)  # The main thread calls close() meanwhile.

    def load():
        loaded.append(db.bulk_load(codes, slice_rows=500, progress=progress))

    worker = threading.Thread(target=load)
    worker.start()
    started.wait()
    db.close()
    assert loaded == [5000]  # close() returned after the load.
    worker.join()
    assert db.closed
    with semhash.DB(str(tmp_path / "db"), read_only=True) as reopened:
        assert len(reopened) == 5000
