"""semhash on Dask distributed: one index sharded over many semhash
databases, searched and built by the workers of a Dask cluster.

    from dask.distributed import Client
    import semhash.dask as sd
    client = Client("tcp://scheduler:8786")      # or Client(LocalCluster())
    index = sd.ShardedIndex.create(client, "/shared/photos.semhash",
                                   shards=16, code_bits=256, address_bits=30)
    index.add(codes, ids)             # numpy or dask arrays, routed by id
    D, I = index.search(query_codes, k=10)        # fan out, exact merge
    D, I = index.search_exact(query_codes, k=10)
    index.delete(ids)
    index = sd.ShardedIndex.open(client, "/shared/photos.semhash")

The root must be a directory every worker sees at the same path (a shared
file system, or one machine's disk for a LocalCluster). The module uses
only semhash's public Python API; see ShardedIndex and semhash.dask.worker
for how queries, faults and writers are handled.
"""

from semhash.dask.index import ShardedIndex, merge_topk
from semhash.dask.manifest import ManifestError
from semhash.dask.worker import ShardError

__all__ = ["ManifestError", "ShardError", "ShardedIndex", "merge_topk"]
