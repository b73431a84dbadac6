"""IndexBinarySemhash: FAISS's Python protocol for binary indexes over a
semhash database, so that code written for faiss.IndexBinaryFlat switches by
changing one line:

    index = faiss.IndexBinaryFlat(256)          # before
    index = semhash.IndexBinarySemhash(256)     # after

Shapes and dtypes are FAISS's: codes uint8 (n, d / 8); search returns
(D int32 (n, k), I int64 (n, k)), best first, padded with I = -1 and
D = 2147483647; range_search returns (lims uint64, D float32, I int64) with
the results strictly below the radius, as IndexBinaryFlat.range_search.
Inputs are made C-contiguous as FAISS makes them; a dtype other than uint8
raises semhash.InvalidArgument.

Differences from IndexBinaryFlat: d must be a multiple of 64 in 64..1024;
ids are stable (remove_ids does not renumber the rest, as IndexIDMap);
ties at equal distance are broken by ascending id.
"""

import shutil
import tempfile
import weakref

import numpy as np

from semhash import _semhash
from semhash._vectors import DB


def _remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)


class IndexBinarySemhash:
    """A binary index of d-bit codes in a semhash database.

    IndexBinarySemhash(d, path=None, *, search_params=None, **options)

    d: bits per code (a multiple of 64 in 64..1024). path: a persistent
    database there (created if absent; reopening it gives the same
    answers); None: a temporary one, deleted when the index is closed or
    collected. options: DB's open options (address_bits, default 30;
    tables, the multi-index tables; memory_index; block_cache_bytes).

    Searches are exact (DB.search_exact, ties by ascending id), as
    IndexBinaryFlat's, unless target_recall is set below 1: then search is
    DB.search with that recall@k target, the cheapest plan that reaches it
    on this database, as its calibration measured. add and add_with_ids
    write without calibrating; call calibrate() once the codes are in (a
    database never calibrated is searched exactly). search_params, a dict
    of DB.search's options (target_recall, or the expert knobs max_radius,
    min_candidates, max_candidates, use_tables, max_table_radius), is
    passed as it is and overrides target_recall. Both are attributes too.
    threads (default 0: one per core) is the `threads` attribute.
    """

    is_trained = True

    def __init__(self, d, path=None, *, target_recall=1.0, search_params=None,
                 threads=0, **options):
        if d % 64 != 0 or not 64 <= d <= 1024:
            raise _semhash.InvalidArgument(
                f"d must be a multiple of 64 in 64..1024, not {d}")
        self.d = d
        self.code_size = d // 8
        self.target_recall = target_recall
        self.search_params = search_params
        self.threads = threads
        self._options = options
        self._temporary = path is None
        self.path = tempfile.mkdtemp(prefix="semhash-") + "/db" \
            if path is None else path
        if self._temporary:
            self._cleanup = weakref.finalize(
                self, _remove_tree, self.path.rsplit("/", 1)[0])
        self.db = self._open()

    def _open(self):
        return DB(self.path, create_if_missing=True, code_bits=self.d,
                  **self._options)

    def _codes(self, x):
        x = np.ascontiguousarray(x)
        if x.ndim != 2 or x.shape[1] != self.code_size:
            raise _semhash.InvalidArgument(
                f"x: expected shape (n, {self.code_size}), got {x.shape}")
        return x

    @property
    def ntotal(self):
        """Codes stored."""
        return len(self.db)

    def add(self, x):
        """Adds codes x (n, code_size) uint8 with ids ntotal, ntotal + 1..."""
        self.db.add(self._codes(x))

    def add_with_ids(self, x, ids):
        """Adds codes x with int64 (or uint64) ids (n,); an id already
        stored is replaced."""
        self.db.add(self._codes(x), np.ascontiguousarray(ids))

    def search(self, x, k):
        """The k nearest codes of each query: (D int32, I int64), (n, k)."""
        x = self._codes(x)
        if self.search_params is not None:
            return self.db.search(x, k, threads=self.threads,
                                  **self.search_params)
        if self.target_recall >= 1:
            return self.db.search_exact(x, k, threads=self.threads)
        return self.db.search(x, k, threads=self.threads,
                              target_recall=self.target_recall)

    def calibrate(self):
        """Measures this database's search plans (DB.calibrate), so that a
        target_recall below 1 can pick a cheaper one than the exact search."""
        return self.db.calibrate(threads=self.threads)

    def range_search(self, x, radius):
        """Every code at a distance strictly below radius of each query:
        (lims uint64 (n + 1,), D float32, I int64), FAISS's layout."""
        x = self._codes(x)
        if radius <= 0:
            n = x.shape[0]
            return (np.zeros(n + 1, dtype=np.uint64),
                    np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64))
        lims, D, I = self.db.search_radius(x, int(np.ceil(radius)) - 1,
                                           threads=self.threads)
        return lims, D.astype(np.float32), I

    def remove_ids(self, ids):
        """Removes these ids; returns how many were stored."""
        ids = np.ascontiguousarray(np.atleast_1d(ids), dtype=np.int64)
        return self.db.delete(ids)

    def reconstruct(self, key):
        """The code stored under id key: uint8 (code_size,). NotFound if
        there is none."""
        return self.db.get(int(key)).code

    def reconstruct_n(self, i0, n):
        """The codes of ids i0 .. i0 + n - 1: uint8 (n, code_size)."""
        out = np.empty((n, self.code_size), dtype=np.uint8)
        for row, key in enumerate(range(i0, i0 + n)):
            out[row] = self.db.get(key).code
        return out

    def reset(self):
        """Removes every code: the database is deleted and made anew with
        the same options."""
        self.db.close()
        shutil.rmtree(self.path)
        self.db = self._open()

    def close(self):
        """Closes the database (and deletes a temporary one)."""
        self.db.close()
        if self._temporary:
            self._cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
