"""python3 -m semhash.dask: the offline build and batch queries of a
sharded index on a Dask cluster.

  build --scheduler ADDR ROOT --codes codes.npy [--ids ids.npy]
        [--shards N --code-bits B --address-bits A --tables T]
      Creates the index at ROOT (unless it exists) and bulk-loads the codes,
      which the workers read from the .npy files themselves (ROOT and the
      files on a file system every worker sees).
  query --scheduler ADDR ROOT --queries q.npy -k K [--exact] --out out.npz
      Searches and writes D (int32) and I (int64), (n, k), to out.npz.

Progress goes to stderr. Exit 1 on a failure, 2 on a usage error.
"""

import argparse
import math
import os
import sys
import time

import numpy as np


def _dask_rows(path, chunk_rows):
    """A dask array over a .npy file whose blocks the workers read."""
    import dask
    import dask.array as da
    from semhash.dask import worker
    head = np.load(path, mmap_mode="r")
    shape, dtype = head.shape, head.dtype
    del head
    read = dask.delayed(worker.read_rows, pure=True)
    blocks = [da.from_delayed(read(os.path.abspath(path), start,
                                  min(start + chunk_rows, shape[0])),
                              (min(start + chunk_rows, shape[0]) - start,)
                              + shape[1:], dtype)
              for start in range(0, shape[0], chunk_rows)]
    return da.concatenate(blocks)


def _say(message):
    print("semhash.dask: " + message, file=sys.stderr, flush=True)


def build(client, args):
    from semhash.dask import ShardedIndex, manifest
    if os.path.exists(os.path.join(args.root, manifest.FILE_NAME)):
        index = ShardedIndex.open(client, args.root)
        _say("adding to %s (%d shards)" % (args.root, index.shards))
    else:
        index = ShardedIndex.create(client, args.root, args.shards,
                                    args.code_bits, args.address_bits,
                                    args.tables)
        _say("created %s with %d shards" % (args.root, args.shards))
    codes = _dask_rows(args.codes, args.chunk_rows)
    ids = None if args.ids is None else _dask_rows(args.ids, args.chunk_rows)
    _say("bulk-loading %d rows in %d blocks" %
         (codes.shape[0], math.ceil(codes.shape[0] / args.chunk_rows)))
    start = time.monotonic()
    added = index.add(codes, ids, progress=lambda done, total: _say(
        "shards loaded: %d/%d" % (done, total)))
    seconds = time.monotonic() - start
    _say("loaded %d images in %.1f s (%.0f/s)" %
         (added, seconds, added / max(seconds, 1e-9)))


def query(client, args):
    from semhash.dask import ShardedIndex
    index = ShardedIndex.open(client, args.root)
    queries = np.load(args.queries)
    start = time.monotonic()
    search = index.search_exact if args.exact else index.search
    D, I = search(queries, args.k, batch_rows=args.batch_rows)
    seconds = time.monotonic() - start
    np.savez(args.out, D=D, I=I)
    _say("%d queries over %d shards in %.3f s; wrote %s" %
         (len(queries), index.shards, seconds, args.out))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m semhash.dask")
    verbs = parser.add_subparsers(dest="verb", required=True)
    b = verbs.add_parser("build", help="create and bulk-load a sharded index")
    q = verbs.add_parser("query", help="search a sharded index")
    for p in (b, q):
        p.add_argument("--scheduler", required=True,
                       help="the Dask scheduler, e.g. tcp://host:8786")
        p.add_argument("root", help="the index directory (shared by workers)")
    b.add_argument("--codes", required=True, help=".npy of uint8 codes")
    b.add_argument("--ids", help=".npy of uint64 ids (default 0, 1, ...)")
    b.add_argument("--shards", type=int, default=16)
    b.add_argument("--code-bits", type=int, default=256)
    b.add_argument("--address-bits", type=int, default=30)
    b.add_argument("--tables", type=int, default=0)
    b.add_argument("--chunk-rows", type=int, default=1 << 18)
    q.add_argument("--queries", required=True, help=".npy of uint8 codes")
    q.add_argument("-k", type=int, default=10)
    q.add_argument("--exact", action="store_true")
    q.add_argument("--out", required=True, help="the .npz to write")
    q.add_argument("--batch-rows", type=int, default=4096)
    args = parser.parse_args(argv)

    from distributed import Client
    try:
        with Client(args.scheduler, timeout=30) as client:
            (build if args.verb == "build" else query)(client, args)
    except Exception as e:  # Every failure is reported, exit 1.
        print("semhash.dask %s: %s: %s" % (args.verb, type(e).__name__, e),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
