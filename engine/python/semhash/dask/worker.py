"""What runs on the Dask workers: the per-worker cache of read-only shard
handles, the searches and writes of one shard, and the split of a block of
rows by shard. Every function here is a plain function of picklable
arguments (paths, numpy arrays), so any worker can run it for any shard.

Readers: each worker process keeps at most one read-only semhash.DB per
shard (attached to its distributed.Worker object), opened at the first
query that needs it. Read-only handles may share a directory, so a shard
whose worker died is simply opened again by whichever worker runs its next
task. A read-only RocksDB does not see later writes, so each use of a
cached reader first reads the root manifest (a few hundred bytes), and a
reader older than the shard's generation there (a write since, by any
client of any cluster) is replaced by a new one.

Writers: a write opens the shard read-write, writes and closes it. Two
writers of one shard are kept apart twice over: the client sends each
shard's rows of one call in a single task, and that task holds a
distributed.Semaphore(max_leases=1) named after the shard directory for the
length of the write, so writes from concurrent calls or clients queue
rather than collide (a lease of a worker that dies is released by the
scheduler); RocksDB's LOCK file refuses a second writer process outright if
anything bypasses both. The caller evicts every worker's reader of the
shard before a write (evict), so no query of its cluster reads a shard
while it changes; after the write, the writer counts it in the manifest
(manifest.bump, under the root's lock), so every other reader reopens.
"""

import os
import threading

import numpy as np
from distributed import Semaphore, get_worker

import semhash
from semhash.dask import manifest as manifest_io
from semhash.dask.manifest import route


class ShardError(Exception):
    """A shard could not be opened, read or written; the message names the
    shard and its directory."""


_ATTRIBUTE = "_semhash_readers"
_cache_lock = threading.Lock()


def _readers():
    worker = get_worker()
    with _cache_lock:
        cache = getattr(worker, _ATTRIBUTE, None)
        if cache is None:
            cache = {}
            setattr(worker, _ATTRIBUTE, cache)
    return cache


def _describe(shard, path):
    return "shard %d (%s)" % (shard, path)


def _check_widths(db, shard, path, code_bits, address_bits):
    info = db.info
    if info.code_bits != code_bits or info.address_bits != address_bits:
        raise ShardError("%s: holds %d-bit codes and %d-bit addresses, the "
                         "manifest says %d and %d" %
                         (_describe(shard, path), info.code_bits,
                          info.address_bits, code_bits, address_bits))


def _open(shard, path, code_bits, address_bits, read_only):
    if not os.path.isdir(path):
        raise ShardError("%s: missing: no such directory" %
                         _describe(shard, path))
    try:
        db = semhash.DB(path, read_only=read_only,
                        memory_index="open" if read_only else "off")
    except semhash.Error as e:
        raise ShardError("%s: cannot open: %s: %s" %
                         (_describe(shard, path), type(e).__name__, e)) from None
    try:
        _check_widths(db, shard, path, code_bits, address_bits)
    except ShardError:
        db.close()
        raise
    return db


def reader(shard, path, code_bits, address_bits):
    """This worker's read-only handle of the shard, opened on first use and
    again when the manifest counts a write to the shard made since. A
    replaced handle closes when the last task using it lets it go."""
    root = os.path.dirname(path)
    # Read before the open: a reader labelled with a generation has seen at
    # least the writes that generation counts.
    generation = manifest_io.read(root)["generations"][shard]
    cache = _readers()
    with _cache_lock:
        cached = cache.get(path)
    if cached is not None and cached[1] == generation:
        return cached[0]
    db = _open(shard, path, code_bits, address_bits, read_only=True)
    with _cache_lock:
        cached = cache.get(path)
        if cached is None or cached[1] != generation:
            cache[path] = (db, generation)
            return db
    db.close()  # Another task of this worker opened it meanwhile.
    return cached[0]


def evict(paths):
    """Closes this worker's readers of these shard directories (run on
    every worker through Client.run before a write)."""
    cache = _readers()
    with _cache_lock:
        dropped = [cache.pop(path)[0] for path in paths if path in cache]
    for db in dropped:
        db.close()
    return len(dropped)


def search(shard, path, widths, queries, k, exact, options):
    """One shard's (D, I) for a block of queries: codes (uint8) or, with a
    stored encoder, float vectors."""
    db = reader(shard, path, *widths)
    try:
        if queries.dtype.kind == "f":
            return db.search_vectors(queries, k, exact=exact, **options)
        if exact:
            return db.search_exact(queries, k, **options)
        return db.search(queries, k, **options)
    except semhash.Error as e:
        raise ShardError("%s: search failed: %s: %s" %
                         (_describe(shard, path), type(e).__name__, e)) from None


def query_block(block):
    """A block of queries the client put in the task graph, as a key of its
    own: its shards' searches depend on it, and the scheduler holds its
    recipe (see semhash.dask.index)."""
    return block


def count(shard, path, widths):
    return len(reader(shard, path, *widths))


def split(rows, ids, shards):
    """The rows of one block and their ids, per shard: a list of shards
    (rows, ids) pairs, ids uint64, in the block's order."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise ValueError("ids: expected dtype uint64 or int64, got %s" %
                         ids.dtype)
    if ids.dtype.kind == "i" and len(ids) and ids.min() < 0:
        raise ValueError("ids: negative id %d" % ids.min())
    ids = ids.astype(np.uint64, copy=False)
    where = route(ids, shards)
    return [(np.ascontiguousarray(rows[where == s]), ids[where == s])
            for s in range(shards)]


def _write_lock(path):
    return Semaphore(max_leases=1, name="semhash-write:" + os.path.abspath(path))


def _count_the_write(shard, path):
    """Bumps the shard's generation in the root manifest after a write, so
    that cached readers elsewhere reopen it. REQUIRES: the shard's write
    lock (taken before the root's, never after)."""
    root = os.path.dirname(path)
    with Semaphore(max_leases=1,
                   name="semhash-manifest:" + os.path.abspath(root)):
        manifest_io.bump(root, shard)


def write(shard, path, widths, parts, bulk):
    """Adds the (rows, ids) parts to the shard in one write (add) or one
    bulk load; rows are codes, or float vectors encoded here with the
    shard's stored encoder. Returns the rows written."""
    parts = [p for p in parts if len(p[1])]
    if not parts:
        return 0
    rows = np.concatenate([p[0] for p in parts])
    ids = np.concatenate([p[1] for p in parts])
    with _write_lock(path):
        db = _open(shard, path, *widths, read_only=False)
        try:
            addresses = None
            if rows.dtype.kind == "f":
                addresses, rows = db.encode(rows)
            if bulk:
                db.bulk_load(rows, ids, addresses)
            else:
                db.add(rows, ids, addresses, sync=True)
        except semhash.Error as e:
            raise ShardError("%s: write failed: %s: %s" %
                             (_describe(shard, path), type(e).__name__, e)) from None
        finally:
            db.close()
        _count_the_write(shard, path)
    return len(ids)


def delete(shard, path, widths, ids):
    """Removes these ids from the shard; returns how many were stored."""
    with _write_lock(path):
        db = _open(shard, path, *widths, read_only=False)
        try:
            stored = db.delete(ids, sync=True)
        except semhash.Error as e:
            raise ShardError("%s: delete failed: %s: %s" %
                             (_describe(shard, path), type(e).__name__, e)) from None
        finally:
            db.close()
        _count_the_write(shard, path)
    return stored


def create(shard, path, code_bits, address_bits, tables, encoder_model):
    """Creates the shard's empty database (encoder_model: the stored
    encoder's serialized bytes, or None)."""
    encoder = None if encoder_model is None else semhash.Encoder.load(
        encoder_model)
    try:
        db = semhash.DB(path, create_if_missing=True, error_if_exists=True,
                        address_bits=address_bits, code_bits=code_bits,
                        tables=tables, encoder=encoder, memory_index="off")
    except semhash.Error as e:
        raise ShardError("%s: cannot create: %s: %s" %
                         (_describe(shard, path), type(e).__name__, e)) from None
    db.close()


def read_rows(path, start, stop):
    """Rows [start, stop) of a .npy file, read on the worker (memory-mapped)."""
    return np.array(np.load(path, mmap_mode="r")[start:stop])
