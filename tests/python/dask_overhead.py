"""What Dask adds per query batch: the same codes in one semhash database
and in a ShardedIndex on a LocalCluster of 1 and 2 worker processes, the
same query batches through both, best of a few runs each.

    PYTHONPATH=build/python /usr/bin/python3 tests/python/dask_overhead.py \
        [--n 1000000] [--shards 2] [--batches 10,1000]
        [--kinds exact,two-stage]

Prints per batch size and search kind the single database's time, the
sharded index's time and their difference (the overhead per batch, ms).
Not a test (no file name test_*): a measurement, reported in docs/scale.md.
"""

import argparse
import tempfile
import time

import numpy as np

import semhash
from timing import best_of
import semhash.dask as sd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--batches", default="10,1000")
    parser.add_argument("--kinds", default="exact,two-stage")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from distributed import Client, LocalCluster
    import dask.array as da

    rng = np.random.default_rng(7)
    centres = rng.integers(0, 256, (1000, 32), dtype=np.uint8)
    # Clustered codes: each a centre with about 5% of its bits flipped, so
    # two-stage search finds neighbours in the first radii.
    codes = centres[rng.integers(0, 1000, args.n)]
    for first in range(0, args.n, 100000):
        block = codes[first:first + 100000]
        block ^= np.packbits(rng.random((len(block), 256)) < 0.05, axis=1)
    ids = np.arange(args.n, dtype=np.uint64)
    batches = [int(b) for b in args.batches.split(",")]
    queries = codes[rng.integers(0, args.n, max(batches))]

    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        single = semhash.DB(tmp + "/single", create_if_missing=True,
                            code_bits=256, address_bits=20)
        single.bulk_load(codes, ids)
        single.close()
        single = semhash.DB(tmp + "/single", read_only=True)
        rows = []
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1,
                              processes=True, dashboard_address=None) as cluster, \
                    Client(cluster) as client:
                root = "%s/sharded-%d" % (tmp, workers)
                index = sd.ShardedIndex.create(client, root, args.shards,
                                               code_bits=256, address_bits=20)
                start = time.perf_counter()
                index.add(da.from_array(codes, chunks=(250000, 32)),
                          da.from_array(ids, chunks=250000))
                load = time.perf_counter() - start
                print("%d worker(s): bulk load of %d codes into %d shards: "
                      "%.1f s" % (workers, args.n, args.shards, load))
                for batch in batches:
                    q = queries[:batch]
                    for kind in args.kinds.split(","):
                        exact = kind == "exact"
                        one = (single.search_exact if exact else single.search)
                        many = (index.search_exact if exact else index.search)
                        many(q, 10)  # opens the shards on the workers.
                        a = best_of(args.repeats, lambda: one(q, 10))
                        b = best_of(args.repeats, lambda: many(q, 10))
                        rows.append((workers, batch, kind, a, b))
                index.close()
        single.close()
    print("workers  batch  search      single DB ms  sharded ms  overhead ms")
    for workers, batch, kind, a, b in rows:
        print("%7d  %5d  %-10s  %12.1f  %10.1f  %11.1f" %
              (workers, batch, kind, a * 1e3, b * 1e3, (b - a) * 1e3))


if __name__ == "__main__":
    main()
