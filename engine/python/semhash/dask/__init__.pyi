# Type stub of semhash.dask: ShardedIndex over Dask distributed. Docstrings
# with units and defaults are on the objects themselves
# (help(semhash.dask.ShardedIndex)).
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt
from distributed import Client

from semhash import Codes, Encoder, Ids, Knn, Vectors

class ManifestError(Exception): ...
class ShardError(Exception): ...

def merge_topk(results: Sequence[Knn], k: int) -> Knn: ...

class ShardedIndex:
    client: Client
    root: str
    manifest: dict[str, Any]  # MANIFEST.json as read or written.
    def __init__(self, client: Client, root: str,
                 manifest: dict[str, Any]) -> None: ...
    @classmethod
    def create(
        cls,
        client: Client,
        root: str,
        shards: int,
        code_bits: int = 256,
        address_bits: int = 30,
        tables: int = 0,
        encoder: Optional[Encoder] = None,
    ) -> "ShardedIndex": ...
    @classmethod
    def open(cls, client: Client, root: str) -> "ShardedIndex": ...
    @property
    def shards(self) -> int: ...
    @property
    def code_size(self) -> int: ...
    @property
    def ntotal(self) -> int: ...
    def __len__(self) -> int: ...
    def shard_of(self, ids: Ids) -> npt.NDArray[np.int64]: ...
    def shard_path(self, shard: int) -> str: ...
    def close(self) -> None: ...
    # codes and ids: numpy arrays, or dask arrays (bulk-loaded on the workers).
    def add(
        self,
        codes: Union[Codes, Vectors, Any],
        ids: Union[Ids, Any, None] = None,
        *,
        bulk: Optional[bool] = None,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> int: ...
    def delete(self, ids: Union[Ids, int]) -> int: ...
    # options: as semhash.DB.search (min_candidates, max_radius, ...).
    def search(
        self,
        queries: Union[Codes, Vectors],
        k: int,
        *,
        batch_rows: int = 4096,
        timeout: Optional[float] = None,
        **options: Any,
    ) -> Knn: ...
    def search_exact(
        self,
        queries: Union[Codes, Vectors],
        k: int,
        *,
        batch_rows: int = 4096,
        timeout: Optional[float] = None,
        **options: Any,
    ) -> Knn: ...
