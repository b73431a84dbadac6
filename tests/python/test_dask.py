"""semhash.dask on a real LocalCluster of two worker processes: sharded
exact search equals one database holding the same codes, adds and deletes
land in the shard their id routes to, reopen, a worker killed during a
batch of queries (at a random moment, and at the moment that loses a
query block's only copy or a write's rows), a missing shard, a second
writer, and the CLI."""

import collections
import contextlib
import json
import os
import signal
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

dask_array = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import semhash
import semhash.dask as sd
from conftest import INT32_MAX, brute_knn, clustered_codes, random_codes


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                  processes=True, dashboard_address=None,
                                  scheduler_port=0) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as client:
        client.wait_for_workers(2)
        yield client


class KillAtAssignment(distributed.diagnostics.plugin.SchedulerPlugin):
    """Kills a worker process (SIGKILL) at one scheduler transition: when
    the first task whose key starts with `prefix` is assigned to a worker.
    choose(scheduler, task) names the victim and may move replicas first;
    it runs on the scheduler's event loop, between two transitions, so the
    moment is exact."""

    def __init__(self, scheduler, prefix, choose):
        self.scheduler = scheduler
        self.prefix = prefix
        self.choose = choose
        self.killed = None
        self.note = None

    def transition(self, key, start, finish, *args, **kwargs):
        if (self.killed is None and finish == "processing" and
                str(key).startswith(self.prefix)):
            victim, self.note = self.choose(self.scheduler,
                                            self.scheduler.tasks[key])
            self.killed = victim.address
            os.kill(victim.pid, signal.SIGKILL)


@contextlib.contextmanager
def killing_at(cluster, prefix, choose):
    """A KillAtAssignment on the (in-process) scheduler of `cluster`."""
    plugin = KillAtAssignment(cluster.scheduler, prefix, choose)
    cluster.scheduler.add_plugin(plugin, name="semhash-test-kill")
    try:
        yield plugin
    finally:
        cluster.scheduler.remove_plugin(name="semhash-test-kill")


def holder_of_the_merge_inputs(scheduler, merge):
    """A worker holding some of a merge's shard results (and a copy of their
    query block, if any such worker has one), after the other workers'
    copies of the block are dropped (what the Active Memory Manager does
    every 2 s to a block no task waits for any more): its death loses shard
    results whose block survives nowhere else. (Scattered blocks that the
    client no longer holds are forgotten once their searches are done.)"""
    results = merge.dependencies
    blocks = set().union(*(r.dependencies for r in results))
    held = collections.Counter(ws for r in results for ws in r.who_has)
    victim = max(held, key=lambda ws: (
        any(ws in b.who_has for b in blocks), held[ws]))
    for block in blocks:
        if victim in block.who_has:
            for ws in [ws for ws in block.who_has if ws is not victim]:
                scheduler.request_remove_replicas(
                    ws.address, [block.key], stimulus_id="semhash-test")
    elsewhere = [ws for b in blocks for ws in b.who_has if ws is not victim]
    return victim, ("results lost %d, block copies left elsewhere %d" %
                    (held[victim], len(elsewhere)))


def holder_of_the_write(scheduler, write):
    """The worker holding the rows of a write (its only copy, if they were
    scattered), else the worker the write was just given to."""
    holders = [ws for dep in write.dependencies for ws in dep.who_has]
    victim = holders[0] if holders else write.processing_on
    return victim, "rows on the victim only: %s" % all(
        set(dep.who_has) == {victim} for dep in write.dependencies)


@pytest.fixture
def own_cluster():
    """A cluster of two worker processes for one test that kills a worker.
    Its own, so that no later test kills a worker its nanny has only just
    restarted: under load here, a nanny whose new worker was killed that
    early closed instead of restarting it again."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                  processes=True, dashboard_address=None,
                                  scheduler_port=0) as cluster, \
            distributed.Client(cluster) as client:
        client.wait_for_workers(2)
        yield cluster, client


def single_db(path, codes, ids, **options):
    db = semhash.DB(str(path), create_if_missing=True, address_bits=12,
                    code_bits=codes.shape[1] * 8, **options)
    db.add(codes, ids)
    return db


def shard_ids(index, shard):
    """The ids stored in one shard, read from its directory by this process."""
    with semhash.DB(index.shard_path(shard), read_only=True) as db:
        D, I = db.search_exact(np.zeros((1, index.code_size), np.uint8),
                               max(len(db), 1))
    return set(I[0][I[0] >= 0].tolist())


@pytest.mark.parametrize("kind", ["random", "clustered"])
def test_sharded_exact_search_equals_single_database(tmp_path, client, rng,
                                                     kind):
    make = random_codes if kind == "random" else clustered_codes
    codes = make(rng, 3000, 32)
    ids = rng.permutation(30000)[:3000].astype(np.uint64)
    queries = np.concatenate([codes[:20], make(rng, 230, 32)])
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=5, code_bits=256, address_bits=12)
    # Half from numpy (routed by the client), half from a dask array
    # (split and bulk-loaded on the workers).
    assert index.add(codes[:1500], ids[:1500]) == 1500
    assert index.add(dask_array.from_array(codes[1500:], chunks=(400, 32)),
                     dask_array.from_array(ids[1500:], chunks=400)) == 1500
    assert len(index) == 3000
    with single_db(tmp_path / "single", codes, ids) as db:
        for k in (1, 10, 3500):  # 3500: more than stored, padded.
            D, I = index.search_exact(queries, k, batch_rows=64)
            eD, eI = db.search_exact(queries, k)
            assert D.dtype == np.int32 and I.dtype == np.int64
            np.testing.assert_array_equal(D, eD)
            np.testing.assert_array_equal(I, eI)
        assert (I[:, 3000:] == -1).all() and (D[:, 3000:] == INT32_MAX).all()
    bD, bI = brute_knn(codes, ids.astype(np.int64), queries, 10)
    D, I = index.search_exact(queries, 10)
    np.testing.assert_array_equal(D, bD)
    np.testing.assert_array_equal(I, bI)


def test_two_stage_search_over_every_address_is_exact(tmp_path, client, rng):
    codes = clustered_codes(rng, 2000, 32)
    ids = np.arange(2000, dtype=np.uint64) * 7
    queries = codes[rng.integers(0, 2000, 50)]
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=3, code_bits=256, address_bits=8)
    index.add(codes, ids)
    D, I = index.search(queries, 10, max_radius=3)
    assert (I[:, 0] >= 0).all()  # each query is stored.
    np.testing.assert_array_less(D[:, :-1], D[:, 1:] + 1)  # best first.
    # Every 8-bit address, however many candidates the first radii found.
    D, I = index.search(queries, 10, max_radius=8, min_candidates=10**6)
    eD, eI = index.search_exact(queries, 10)
    np.testing.assert_array_equal(D, eD)
    np.testing.assert_array_equal(I, eI)


def test_stored_encoder_encodes_on_the_workers(tmp_path, client, rng):
    """Raw vectors: encoded by the writing worker (a dask array, bulk) and
    by each shard's task for queries; the same answers as one database
    that keeps the same encoder."""
    centres = rng.standard_normal((4, 96)).astype(np.float32) * 4
    vectors = (centres[rng.integers(0, 4, 1500)] +
               rng.standard_normal((1500, 96)).astype(np.float32))
    queries = vectors[:40] + 0.1
    encoder = semhash.train_encoder(vectors, "itq", address_bits=10,
                                    code_bits=64)
    ids = np.arange(1500, dtype=np.uint64) * 3
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=3, encoder=encoder)
    assert index.manifest["encoder"]["kind"] == "itq"
    assert index.manifest["code_bits"] == 64
    index.add(dask_array.from_array(vectors, chunks=(500, 96)),
              dask_array.from_array(ids, chunks=500))
    with semhash.DB(str(tmp_path / "single"), create_if_missing=True,
                    encoder=encoder) as db:
        db.add_vectors(vectors, ids)
        for got, want in zip(index.search_exact(queries, 10),
                             db.search_vectors(queries, 10, exact=True)):
            np.testing.assert_array_equal(got, want)


def test_adds_and_deletes_land_in_their_shard(tmp_path, client, rng):
    codes = random_codes(rng, 1200, 16)
    ids = rng.permutation(100000)[:1200].astype(np.uint64)
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=4, code_bits=128, address_bits=10)
    index.add(dask_array.from_array(codes, chunks=(250, 16)),
              dask_array.from_array(ids, chunks=250), bulk=False)
    where = index.shard_of(ids)
    assert np.bincount(where, minlength=4).min() > 200  # all shards used.
    for s in range(4):
        assert shard_ids(index, s) == set(ids[where == s].tolist())
    gone = ids[::3]
    absent = np.array([10**6], np.uint64)
    assert index.delete(np.concatenate([gone, absent])) == len(gone)
    assert len(index) == 1200 - len(gone)
    kept = np.setdiff1d(ids, gone)
    for s in range(4):
        assert shard_ids(index, s) == set(
            kept[index.shard_of(kept) == s].tolist())
    D, I = index.search_exact(codes, 1)
    assert not np.isin(I[:, 0], gone.astype(np.int64)).any()
    # Default ids continue after the images stored (FAISS's add).
    index.add(codes[:5])
    assert len(index) == 1200 - len(gone) + 5


def test_reopen_gives_the_same_answers(tmp_path, client, rng):
    codes = random_codes(rng, 1000, 32)
    queries = random_codes(rng, 40, 32)
    root = str(tmp_path / "sharded")
    index = sd.ShardedIndex.create(client, root, shards=3, code_bits=256,
                                   address_bits=12, tables=8)
    index.add(codes, np.arange(1000, dtype=np.uint64))
    before = index.search_exact(queries, 7)
    index.close()
    again = sd.ShardedIndex.open(client, root)
    assert again.shards == 3 and len(again) == 1000
    assert again.manifest["tables"] == 8
    for a, b in zip(before, again.search_exact(queries, 7)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(FileExistsError):
        sd.ShardedIndex.create(client, root, shards=2)


def test_a_write_by_another_cluster_reopens_cached_readers(tmp_path, client,
                                                           rng):
    """A client of another cluster (which cannot evict this cluster's
    readers) adds and deletes: this cluster's cached read-only readers see
    the shards' generations move in the manifest and open them again."""
    codes = random_codes(rng, 600, 32)
    ids = np.arange(600, dtype=np.uint64)
    root = str(tmp_path / "sharded")
    index = sd.ShardedIndex.create(client, root, shards=3, code_bits=256,
                                   address_bits=12)
    index.add(codes[:300], ids[:300])
    assert index.manifest["generations"] == [0, 0, 0]
    index.search_exact(codes, 1)  # every worker caches its readers.
    with distributed.LocalCluster(n_workers=1, processes=False,
                                  dashboard_address=None,
                                  scheduler_port=0) as other_cluster, \
            distributed.Client(other_cluster) as other_client:
        other = sd.ShardedIndex.open(other_client, root)
        other.add(codes[300:], ids[300:])
        other.delete(ids[:100])
        generations = other_client.submit(
            sd.manifest.read, root, pure=False).result()["generations"]
    assert generations == [3, 3, 3]  # one add here, one add and a delete there.
    assert len(index) == 500
    D, I = index.search_exact(codes, 1)
    np.testing.assert_array_equal(I[100:, 0], ids[100:].astype(np.int64))
    assert (D[100:, 0] == 0).all() and (I[:100, 0] >= 100).all()


def test_damaged_or_missing_manifest_is_refused(tmp_path, client, rng):
    root = tmp_path / "sharded"
    sd.ShardedIndex.create(client, str(root), shards=2, code_bits=64,
                           address_bits=8)
    path = root / "MANIFEST.json"
    manifest = json.loads(path.read_text())
    manifest["code_bits"] = 128  # a change the checksum does not cover.
    path.write_text(json.dumps(manifest))
    with pytest.raises(sd.ManifestError, match="checksum mismatch"):
        sd.ShardedIndex.open(client, str(root))
    path.unlink()
    with pytest.raises(sd.ManifestError, match="no sharded semhash index"):
        sd.ShardedIndex.open(client, str(root))


def test_bad_input_is_refused(tmp_path, client, rng):
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=2, code_bits=64, address_bits=8)
    codes = random_codes(rng, 10, 8)
    for add in (index.add, lambda c, i: index.add(
            dask_array.from_array(c, chunks=5), dask_array.from_array(i))):
        with pytest.raises(ValueError, match="dtype uint64 or int64"):
            add(codes, np.arange(10, dtype=np.float64))
        with pytest.raises(ValueError, match="negative id -1"):
            add(codes, np.arange(-1, 9))
    with pytest.raises(ValueError, match=r"ids must have shape \(10,\)"):
        index.add(codes, np.arange(9))
    with pytest.raises(sd.ShardError, match="InvalidArgument"):
        index.add(random_codes(rng, 10, 16), np.arange(10))  # 128-bit codes.
    with pytest.raises(ValueError, match="k must be at least 1"):
        index.search_exact(codes, 0)
    assert len(index) == 0
    with pytest.raises(ValueError, match="shards must be at least 1"):
        sd.ShardedIndex.create(client, str(tmp_path / "none"), shards=0)


def test_missing_shard_directory_names_the_shard(tmp_path, client, rng):
    root = tmp_path / "sharded"
    index = sd.ShardedIndex.create(client, str(root), shards=3,
                                   code_bits=64, address_bits=8)
    index.add(random_codes(rng, 300, 8), np.arange(300, dtype=np.uint64))
    index.close()
    shutil.rmtree(index.shard_path(1))
    with pytest.raises(sd.ShardError,
                       match=r"shard 1 \(.*shard-00001\): missing"):
        index.search_exact(random_codes(rng, 5, 8), 3)


def test_second_writer_of_a_shard_is_refused(tmp_path, client, rng):
    """RocksDB's LOCK: a shard held open for writing elsewhere (here by
    this process) fails the write with an error naming the shard."""
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=2, code_bits=64, address_bits=8)
    codes = random_codes(rng, 100, 8)
    ids = np.arange(100, dtype=np.uint64)
    with semhash.DB(index.shard_path(0)):
        with pytest.raises(sd.ShardError, match=r"shard 0 \(.*cannot open"):
            index.add(codes, ids)
    index.add(codes, ids)
    assert len(index) == 100


def test_concurrent_writers_queue_per_shard(tmp_path, client, rng):
    """Two threads adding to every shard at once: the per-shard semaphore
    makes the second writer of a shard wait, so both calls succeed."""
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=2, code_bits=64, address_bits=8)
    codes = random_codes(rng, 4000, 8)
    errors = []

    def add(first):
        try:
            for start in range(first, 4000, 1000):
                index.add(codes[start:start + 500],
                          np.arange(start, start + 500, dtype=np.uint64))
        except Exception as e:  # Reported by the main thread.
            errors.append(e)

    threads = [threading.Thread(target=add, args=(f,)) for f in (0, 500)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(index) == 4000


def test_worker_killed_during_a_batch(tmp_path, own_cluster, rng):
    cluster, client = own_cluster
    codes = clustered_codes(rng, 20000, 32)
    ids = rng.permutation(10**6)[:20000].astype(np.uint64)
    queries = random_codes(rng, 3000, 32)
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=4, code_bits=256, address_bits=12)
    index.add(codes, ids)
    expected = index.search_exact(queries, 10, batch_rows=50)
    killed = []

    def kill_a_busy_worker():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items()
                    if any(str(key).startswith("search-") for key in keys)]
            if busy:
                killed.append(busy[0])
                try:
                    client.run(os._exit, 1, workers=[busy[0]])
                except Exception:  # The worker dies before it answers.
                    pass
                return
            time.sleep(0.005)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    with pytest.warns(RuntimeWarning, match="left during the call") as record:
        D, I = index.search_exact(queries, 10, batch_rows=50)
    killer.join()
    assert killed and killed[0] in str(record[0].message)
    np.testing.assert_array_equal(D, expected[0])
    np.testing.assert_array_equal(I, expected[1])


def test_worker_holding_a_merges_inputs_killed(tmp_path, own_cluster, rng):
    """The worker that holds a block's shard results and the last copy of
    its queries dies just before the merge: the scheduler must compute the
    lost results again, so the queries must have a recipe (scattered data
    has none: Dask would cancel the merge)."""
    cluster, client = own_cluster
    codes = clustered_codes(rng, 5000, 32)
    ids = rng.permutation(10**6)[:5000].astype(np.uint64)
    queries = random_codes(rng, 400, 32)
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=4, code_bits=256, address_bits=12)
    index.add(codes, ids)
    expected = index.search_exact(queries, 10, batch_rows=50)
    with killing_at(cluster, "merge_topk-", holder_of_the_merge_inputs) as kill:
        with pytest.warns(RuntimeWarning, match="left during the call") as record:
            D, I = index.search_exact(queries, 10, batch_rows=50)
    assert kill.killed and kill.killed in str(record[0].message)
    assert "block copies left elsewhere 0" in kill.note
    assert not kill.note.startswith("results lost 0")
    np.testing.assert_array_equal(D, expected[0])
    np.testing.assert_array_equal(I, expected[1])


def test_worker_given_a_write_killed(tmp_path, own_cluster, rng):
    """The worker about to write a shard's rows dies: the add completes on
    the survivor (an add is one atomic write that replaces stored ids, so
    running it again is safe) rather than failing half applied."""
    cluster, client = own_cluster
    codes = random_codes(rng, 3000, 16)
    ids = rng.permutation(10**6)[:3000].astype(np.uint64)
    index = sd.ShardedIndex.create(client, str(tmp_path / "sharded"),
                                   shards=4, code_bits=128, address_bits=10)
    with killing_at(cluster, "write-", holder_of_the_write) as kill:
        with pytest.warns(RuntimeWarning, match="left during the call"):
            assert index.add(codes, ids) == 3000
    assert kill.killed and kill.note == "rows on the victim only: True"
    where = index.shard_of(ids)
    for s in range(4):
        assert shard_ids(index, s) == set(ids[where == s].tolist())


def test_the_stub_names_every_public_name_and_method():
    """semhash/dask/__init__.pyi stays in step with the module: every
    exported name and every public method and property of ShardedIndex."""
    import ast
    stub = ast.parse(open(os.path.join(os.path.dirname(sd.__file__),
                                       "__init__.pyi")).read())
    top = {node.name for node in stub.body
           if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    assert set(sd.__all__) <= top, set(sd.__all__) - top
    (index,) = [node for node in stub.body
                if isinstance(node, ast.ClassDef) and node.name == "ShardedIndex"]
    members = {n.name for n in index.body if isinstance(n, ast.FunctionDef)}
    members |= {n.target.id for n in index.body if isinstance(n, ast.AnnAssign)}
    public = {m for m in dir(sd.ShardedIndex) if not m.startswith("_")}
    public |= {"client", "root", "manifest"}  # set by __init__.
    assert public <= members, public - members


def test_cli_build_and_query(tmp_path, client, rng):
    codes = random_codes(rng, 2000, 32)
    queries = random_codes(rng, 30, 32)
    np.save(tmp_path / "codes.npy", codes)
    np.save(tmp_path / "queries.npy", queries)
    root = str(tmp_path / "sharded")
    scheduler = client.scheduler.address
    env = dict(os.environ)
    run = [sys.executable, "-m", "semhash.dask"]
    built = subprocess.run(
        run + ["build", "--scheduler", scheduler, root, "--codes",
               str(tmp_path / "codes.npy"), "--shards", "3",
               "--address-bits", "12", "--chunk-rows", "700"],
        env=env, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert "loaded 2000 images" in built.stderr
    out = str(tmp_path / "out.npz")
    queried = subprocess.run(
        run + ["query", "--scheduler", scheduler, root, "--queries",
               str(tmp_path / "queries.npy"), "-k", "5", "--exact",
               "--out", out],
        env=env, capture_output=True, text=True, timeout=120)
    assert queried.returncode == 0, queried.stderr
    result = np.load(out)
    eD, eI = brute_knn(codes, np.arange(2000, dtype=np.int64), queries, 5)
    np.testing.assert_array_equal(result["D"], eD)
    np.testing.assert_array_equal(result["I"], eI)
    missing = subprocess.run(
        run + ["query", "--scheduler", scheduler, str(tmp_path / "nothing"),
               "--queries", str(tmp_path / "queries.npy"), "--out", out],
        env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1
    assert "no sharded semhash index" in missing.stderr
