"""The root manifest of a sharded semhash index: a small JSON file,
``<root>/MANIFEST.json``, naming the shards (one semhash database each, in a
directory under the root), their widths, the stored encoder and how ids are
routed, and each shard's generation: a count of the writes to it, which
a worker compares with that of its cached reader of the shard (opened
read-only, a RocksDB reader does not see later writes) to open it again.
It is written atomically (a temporary file, fsync, rename, fsync of
the directory) and carries a SHA-256 of its own canonical text, so a torn or
edited manifest is refused at open with a message saying what is wrong.

Only workers read and write it (the client may not see the shared root).
"""

import hashlib
import json
import os
import threading

import numpy as np

FILE_NAME = "MANIFEST.json"
FORMAT = "semhash-sharded"
VERSION = 1
# How ids map to shards: splitmix64(id) mod shards. Persisted: a manifest
# naming another router is refused, never reinterpreted.
ROUTER = "splitmix64-mod"


class ManifestError(Exception):
    """The manifest is missing, unreadable or inconsistent."""


def make(shards, code_bits, address_bits, tables, encoder):
    """A new manifest (a dict) for `shards` shards; encoder is None or an
    Encoder whose kind and params are recorded."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "router": ROUTER,
        "code_bits": int(code_bits),
        "address_bits": int(address_bits),
        "tables": int(tables),
        "encoder": None if encoder is None else {
            "kind": encoder.kind, "params": encoder.params},
        "shards": ["shard-%05d" % s for s in range(shards)],
        "generations": [0] * shards,
    }


def _canonical(manifest):
    body = {key: value for key, value in manifest.items() if key != "sha256"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def write(root, manifest):
    """Replaces <root>/MANIFEST.json atomically (readers see the old file or
    the new one, never a mix)."""
    text = dict(manifest, sha256=hashlib.sha256(_canonical(manifest)).hexdigest())
    path = os.path.join(root, FILE_NAME)
    tmp = path + ".tmp.%d.%d" % (os.getpid(), threading.get_ident())
    with open(tmp, "w") as f:
        json.dump(text, f, indent=1, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read(root):
    """The manifest of the index at root, validated; ManifestError naming
    the problem otherwise."""
    path = os.path.join(root, FILE_NAME)
    try:
        with open(path) as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise ManifestError("%s: no sharded semhash index here (no %s)" %
                            (root, FILE_NAME)) from None
    except (OSError, ValueError) as e:
        raise ManifestError("%s: unreadable: %s" % (path, e)) from None
    if not isinstance(manifest, dict):
        raise ManifestError("%s: not a JSON object" % path)
    stored = manifest.get("sha256")
    if stored != hashlib.sha256(_canonical(manifest)).hexdigest():
        raise ManifestError("%s: checksum mismatch (edited or torn)" % path)
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ManifestError("%s: format %r version %r, expected %s version %d"
                            % (path, manifest.get("format"),
                               manifest.get("version"), FORMAT, VERSION))
    if manifest.get("router") != ROUTER:
        raise ManifestError("%s: router %r, this module knows only %s" %
                            (path, manifest.get("router"), ROUTER))
    shards = manifest.get("shards")
    if not isinstance(shards, list) or not shards or not all(
            isinstance(s, str) and s and "/" not in s for s in shards):
        raise ManifestError("%s: bad shard list %r" % (path, shards))
    for key in ("code_bits", "address_bits", "tables"):
        if not isinstance(manifest.get(key), int):
            raise ManifestError("%s: %s missing or not an integer" % (path, key))
    generations = manifest.get("generations")
    if not isinstance(generations, list) or len(generations) != len(
            shards) or not all(isinstance(g, int) and g >= 0
                               for g in generations):
        raise ManifestError("%s: bad generations %r (one count per shard)" %
                            (path, generations))
    return manifest


def bump(root, shard):
    """Counts one more write to `shard` in the manifest at root. REQUIRES:
    the caller holds the root's manifest lock (semhash.dask.worker), as this
    reads, changes and replaces the file."""
    manifest = read(root)
    manifest["generations"][shard] += 1
    write(root, manifest)
    return manifest["generations"][shard]


_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


def route(ids, shards):
    """The shard of each id (int64 array): splitmix64's finaliser of the id,
    mod shards. Stable across processes, machines and numpy versions."""
    z = np.asarray(ids).astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z += _M1
        z = (z ^ (z >> np.uint64(30))) * _M2
        z = (z ^ (z >> np.uint64(27))) * _M3
        z ^= z >> np.uint64(31)
    return (z % np.uint64(shards)).astype(np.int64)
