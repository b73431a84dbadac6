"""The Python module's search overhead: the same queries on the same
database through `semhash query` (the C++ batch call, timed inside the
tool) and through the module, as one batch call and one call per query.

    PYTHONPATH=build/python /usr/bin/python3 tests/python/search_overhead.py \
        build/tools/semhash [--n 200000] [--queries 10000] [--threads 1]

Prints, for exact and two-stage search, the time per query of each way,
the ratios to the C++ batch call, and the time of a call with no query
(the binding's fixed cost per call). One exact query per call also loses
the batch's kernel, which compares each chunk with many queries. Not a test (no file name test_*): a
measurement, reported in README.md.
"""

import argparse
import re
import subprocess
import tempfile

import numpy as np

import semhash
from timing import best_of


def cpp_batch_seconds(cli, db, queries_path, k, threads, exact, repeats):
    """The tool's own timing of its SearchBatch/SearchExactBatch call."""
    best = float("inf")
    for _ in range(repeats):
        out = subprocess.run(
            [cli, "query", "--db", db, "--codes", queries_path, "--k", str(k),
             "--threads", str(threads), "--memory-index", "open"] +
            (["--exact"] if exact else []),
            check=True, capture_output=True, text=True).stdout
        seconds = float(re.search(r"queries in ([0-9.]+) s", out).group(1))
        best = min(best, seconds)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cli", help="the semhash tool (build/tools/semhash)")
    parser.add_argument("--n", type=int, default=200000)
    parser.add_argument("--queries", type=int, default=10000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    # Clustered 256-bit codes: 1,000 centres, 1/16 of the bits flipped.
    centres = rng.integers(0, 2, (1000, 256), dtype=np.uint8)
    bits = centres[rng.integers(0, 1000, args.n + args.queries)]
    bits ^= (rng.random(bits.shape) < 1 / 16).astype(np.uint8)
    codes = np.packbits(bits, axis=1)
    stored, queries = codes[:args.n], codes[args.n:]
    with tempfile.TemporaryDirectory() as tmp:
        path = tmp + "/db"
        with semhash.DB(path, create_if_missing=True, address_bits=24,
                        code_bits=256) as db:
            db.bulk_load(stored)
        np.save(tmp + "/q.npy", queries)
        print(f"{args.n} codes, {args.queries} queries, k {args.k}, "
              f"threads {args.threads}; seconds per query (best of "
              f"{args.repeats})")
        for exact in (True, False):
            cpp = cpp_batch_seconds(args.cli, path, tmp + "/q.npy", args.k,
                                    args.threads, exact, args.repeats)
            with semhash.DB(path, read_only=True) as db:
                if exact:
                    def search(q):
                        return db.search_exact(q, args.k, threads=args.threads)
                else:
                    def search(q):
                        return db.search(q, args.k, threads=args.threads)
                batch = best_of(args.repeats, lambda: search(queries))
                rows = [queries[i:i + 1] for i in range(len(queries))]
                single = best_of(args.repeats,
                                 lambda: [search(q) for q in rows])
                # The binding's fixed cost: checks, GIL, arrays, no query.
                empty = queries[:0]
                fixed = best_of(args.repeats,
                                lambda: [search(empty) for _ in rows])
            m = len(queries)
            name = "exact" if exact else "two-stage"
            print(f"{name:9}: C++ batch {1e6 * cpp / m:8.2f} us; "
                  f"Python batch {1e6 * batch / m:8.2f} us "
                  f"({batch / cpp:.2f}x); Python one call per query "
                  f"{1e6 * single / m:8.2f} us ({single / cpp:.2f}x, "
                  f"+{1e6 * (single - cpp) / m:.2f} us per call); a call "
                  f"with no query {1e6 * fixed / m:.2f} us")


if __name__ == "__main__":
    main()
