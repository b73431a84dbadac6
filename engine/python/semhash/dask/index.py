"""ShardedIndex: one logical semhash index made of N semhash databases
(shards) under a shared root directory, served by the workers of a Dask
distributed cluster.

- Routing: an image lives in shard splitmix64(id) mod N (manifest.route).
- Queries: the whole query batch is split into blocks of ``batch_rows``;
  each block travels once in the task graph (a task that returns it), one
  task per (shard, block) searches that shard on a worker (preferring the
  shard's "home" worker, so each shard is usually open on one worker only),
  and one task per block merges the shards' top-k exactly; the client
  gathers only the merged blocks. Nothing is sent per query.
- Faults: every key of a call has a recipe in the graph, so whatever a
  dying worker held or ran (a block, a shard's results, a merge, a write)
  the scheduler computes again on the survivors, which open the shard
  read-only from the shared root. Scattered data would have no recipe:
  Dask forgets it with its last copy, or as soon as no task waits for it
  and the client holds no future of it, and then cancels every task whose
  lost input needs it; copies broadcast to every worker do not last either
  (the Active Memory Manager drops the replicas no task waits for). The
  answers are those of an undisturbed run, and a RuntimeWarning names the
  workers that left. With no worker left the call raises rather than
  waits.
- Writes: see semhash.dask.worker (one writer per shard).
"""

import os
import time
import warnings

import numpy as np
from distributed import wait
from distributed.client import CancelledError

import semhash
from semhash.dask import manifest as manifest_io
from semhash.dask import worker as tasks

INT32_MAX = np.iinfo(np.int32).max


def merge_topk(results, k):
    """The exact k best of several shards' (D, I) for the same queries, best
    first with ties by ascending id (a single database's order), padded as
    FAISS pads (D = int32 max, I = -1)."""
    D = np.concatenate([r[0] for r in results], axis=1)
    I = np.concatenate([r[1] for r in results], axis=1)
    # Padding sorts last: its distance is above any real one.
    order = np.lexsort((I, D))[:, :k]
    return (np.take_along_axis(D, order, 1).astype(np.int32, copy=False),
            np.take_along_axis(I, order, 1).astype(np.int64, copy=False))


def _is_dask(x):
    return hasattr(x, "dask") and hasattr(x, "chunks")


class ShardedIndex:
    """A sharded semhash index on a Dask cluster. Make one with
    ShardedIndex.create or ShardedIndex.open; calls block until done."""

    def __init__(self, client, root, manifest):
        self.client = client
        self.root = root
        self.manifest = manifest
        self._paths = [os.path.join(root, name) for name in manifest["shards"]]
        self._widths = (manifest["code_bits"], manifest["address_bits"])

    # --- Creating and opening -------------------------------------------

    @classmethod
    def create(cls, client, root, shards, code_bits=256, address_bits=30,
               tables=0, encoder=None):
        """Creates `shards` empty databases under the new directory root
        (on a file system every worker sees) and the manifest naming them;
        widths, tables and encoder (a semhash.Encoder, whose widths then
        apply) as for semhash.DB. FileExistsError if root exists."""
        if shards < 1:
            raise ValueError("shards must be at least 1, not %r" % shards)
        if encoder is not None:
            code_bits, address_bits = encoder.code_bits, encoder.address_bits
        manifest = manifest_io.make(shards, code_bits, address_bits, tables,
                                    encoder)
        client.submit(os.makedirs, root, pure=False).result()
        model = None if encoder is None else encoder.serialize()
        paths = [os.path.join(root, name) for name in manifest["shards"]]
        client.gather([
            client.submit(tasks.create, s, path, code_bits, address_bits,
                          tables, model, pure=False)
            for s, path in enumerate(paths)])
        # Written last: a root without a manifest is no index.
        client.submit(manifest_io.write, root, manifest, pure=False).result()
        return cls(client, root, manifest)

    @classmethod
    def open(cls, client, root):
        """The index at root, its manifest read and validated by a worker
        (ManifestError if it is missing or damaged). Shards are opened by
        the first query that needs them."""
        manifest = client.submit(manifest_io.read, root, pure=False).result()
        return cls(client, root, manifest)

    @property
    def shards(self):
        return len(self._paths)

    @property
    def code_size(self):
        return self._widths[0] // 8

    def shard_of(self, ids):
        """The shard each id is routed to (int64 array)."""
        return manifest_io.route(ids, self.shards)

    def shard_path(self, shard):
        return self._paths[shard]

    def close(self):
        """Closes every worker's cached readers of this index's shards."""
        self._evict()

    # --- Writing ---------------------------------------------------------

    def add(self, codes, ids=None, *, bulk=None, progress=None):
        """Adds images: codes uint8 (n, code_size), or float vectors (n, dim)
        with a stored encoder (encoded on the workers); ids uint64 or
        non-negative int64 (n,), default len(self), len(self) + 1, ...
        numpy inputs are routed on the client and written with DB.add; a
        dask array is split and bulk-loaded shard by shard on the workers
        (bulk=False: DB.add instead), never passing through the client.
        progress(shards_done, shards) is called as shards finish. Returns
        the rows added."""
        if _is_dask(codes) or _is_dask(ids):
            return self._add_dask(codes, ids, True if bulk is None else bulk,
                                  progress)
        codes = np.asarray(codes)
        if codes.ndim != 2:
            raise ValueError("codes must be 2-D, not shape %s" % (codes.shape,))
        if ids is None:
            ids = np.arange(len(self), len(self) + len(codes), dtype=np.uint64)
        ids = np.asarray(ids)
        if ids.shape != (len(codes),):
            raise ValueError("ids must have shape (%d,), not %s" %
                             (len(codes), ids.shape))
        parts = tasks.split(codes, ids, self.shards)
        workers = self._workers()
        self._evict()
        # Each shard's rows go in the graph (through the scheduler), not
        # scattered: a write whose worker dies is then run again on another
        # (see the module's Faults), and running it again is safe, as a
        # write is atomic and replaces stored ids. For rows by the million,
        # pass a dask array read on the workers (distributed warns once per
        # process of arguments over 1 MB, advising to scatter them).
        futures = [
            self.client.submit(tasks.write, s, self._paths[s], self._widths,
                               [parts[s]], bool(bulk), pure=False)
            for s in range(self.shards) if len(parts[s][1])]
        return sum(self._gather(workers, futures, progress=progress))

    def _add_dask(self, codes, ids, bulk, progress):
        import dask
        import dask.array as da
        codes = da.asarray(codes)
        if codes.ndim != 2:
            raise ValueError("codes must be 2-D, not shape %s" % (codes.shape,))
        codes = codes.rechunk({1: -1})
        n = codes.shape[0]
        if ids is None:
            start = len(self)
            ids = da.arange(start, start + n, chunks=codes.chunks[0],
                            dtype=np.uint64)
        ids = da.asarray(ids)
        if ids.shape != (n,):
            raise ValueError("ids must have shape (%d,), not %s" % (n, ids.shape))
        ids = ids.rechunk((codes.chunks[0],))
        split = dask.delayed(tasks.split, pure=True)
        blocks = [split(c, i, self.shards) for c, i in
                  zip(codes.to_delayed().ravel(), ids.to_delayed().ravel())]
        write = dask.delayed(tasks.write, pure=False)
        loads = [write(s, self._paths[s], self._widths,
                       [block[s] for block in blocks], bulk)
                 for s in range(self.shards)]
        workers = self._workers()
        self._evict()
        return sum(self._gather(workers, self.client.compute(loads),
                                progress=progress))

    def delete(self, ids):
        """Removes the images with these ids; returns how many were stored."""
        ids = np.atleast_1d(np.asarray(ids))
        where = self.shard_of(ids)
        workers = self._workers()
        self._evict()
        futures = [
            self.client.submit(tasks.delete, s, self._paths[s], self._widths,
                               ids[where == s], pure=False)
            for s in range(self.shards) if np.any(where == s)]
        return sum(self._gather(workers, futures))

    def _evict(self):
        self.client.run(tasks.evict, self._paths)

    # --- Reading ---------------------------------------------------------

    def __len__(self):
        workers = self._workers()
        homes = sorted(workers)
        return int(sum(self._gather(workers, [
            self.client.submit(tasks.count, s, path, self._widths, pure=False,
                               **self._placement(homes, s))
            for s, path in enumerate(self._paths)])))

    @property
    def ntotal(self):
        return len(self)

    def search(self, queries, k, *, batch_rows=4096, timeout=None, **options):
        """Two-stage search of every shard (options as semhash.DB.search),
        merged: (D, I) int32 / int64 (n, k), best first, padded with
        D = 2147483647 and I = -1. queries: uint8 codes (n, code_size), or
        float vectors with a stored encoder."""
        return self._search(queries, k, False, batch_rows, timeout, options)

    def search_exact(self, queries, k, *, batch_rows=4096, timeout=None,
                     **options):
        """The exact k nearest over all shards: identical to one database
        holding every image (ties by ascending id)."""
        return self._search(queries, k, True, batch_rows, timeout, options)

    def _search(self, queries, k, exact, batch_rows, timeout, options):
        queries = np.ascontiguousarray(queries)
        if queries.ndim != 2:
            raise ValueError("queries must be 2-D, not shape %s" %
                             (queries.shape,))
        if k < 1:
            raise ValueError("k must be at least 1, not %r" % k)
        if len(queries) == 0:
            return (np.zeros((0, k), np.int32), np.zeros((0, k), np.int64))
        workers = self._workers()
        homes = sorted(workers)
        merged = [self._submit_block(queries[i:i + batch_rows], k, exact,
                                     options, homes)
                  for i in range(0, len(queries), batch_rows)]
        results = self._gather(workers, merged, timeout)
        return (np.concatenate([r[0] for r in results]),
                np.concatenate([r[1] for r in results]))

    def _submit_block(self, block, k, exact, options, homes):
        """One block of queries: the block itself (a key with a recipe), a
        search task per shard and their merge."""
        held = self.client.submit(tasks.query_block, block, pure=False)
        per_shard = [
            self.client.submit(tasks.search, s, self._paths[s], self._widths,
                               held, k, exact, options, pure=False,
                               **self._placement(homes, s))
            for s in range(self.shards)]
        return self.client.submit(merge_topk, per_shard, k, pure=False)

    # --- Scheduling ------------------------------------------------------

    @staticmethod
    def _placement(homes, shard):
        """Prefer the shard's home worker (homes: the workers in address
        order; shard mod their number) so its reader is opened once; any worker may take over."""
        if not homes:
            return {}
        return {"workers": [homes[shard % len(homes)]],
                "allow_other_workers": True}

    def _workers(self):
        return set(self.client.scheduler_info()["workers"])

    def _gather(self, workers, futures, timeout=None, progress=None):
        """The futures' results; a RuntimeWarning if any of `workers` left
        meanwhile, an exception rather than a hang if no worker is left or
        timeout (seconds) passes. progress(done, total) as futures finish.
        REQUIRES: workers were taken before the first of the futures was
        submitted (a worker that dies at once is gone from the scheduler's
        list before this is called)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        reported = 0
        while True:
            try:
                wait(futures, timeout=1.0)
                break
            except TimeoutError:
                pass
            except CancelledError as e:
                # Not a worker's death (the scheduler recomputes what one
                # takes): someone cancelled them or restarted the cluster.
                raise RuntimeError("semhash.dask: Dask cancelled tasks of "
                                   "this call (%s): %s" % (self.root, e)) from None
            finally:
                done = sum(f.done() for f in futures)
                if progress is not None and done != reported:
                    reported = done
                    progress(done, len(futures))
            if not self._workers():
                raise RuntimeError("semhash.dask: no Dask worker left to run "
                                   "the shards' tasks (%s)" % self.root)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError("semhash.dask: tasks unfinished after %s s "
                                   "(%s)" % (timeout, self.root))
        results = self.client.gather(futures)
        lost = workers - self._workers()
        if lost:
            warnings.warn(
                "semhash.dask: worker(s) %s left during the call; their "
                "tasks ran again on the remaining workers (%s)" %
                (", ".join(sorted(lost)), self.root), RuntimeWarning,
                stacklevel=3)
        return results
