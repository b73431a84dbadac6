# Type stub of the semhash package: the native API (_semhash, pybind11)
# and IndexBinarySemhash. Docstrings with units and defaults are on the
# objects themselves (help(semhash.DB)).
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint8]  # (n, code_size), C-contiguous.
Ids = Union[npt.NDArray[np.uint64], npt.NDArray[np.int64], Sequence[int]]
Addresses = npt.NDArray[np.uint32]
Vectors = Union[npt.NDArray[np.float32], npt.NDArray[np.float64]]
Knn = Tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]
Range = Tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32],
              npt.NDArray[np.int64]]

__version__: str  # The library's version, e.g. "0.1.0".
built_with_torch: bool

class Error(Exception): ...
class NotFound(Error): ...
class Corruption(Error):
    report: "VerifyReport"  # Set when DB.verify raises it.
class NotSupported(Error): ...
class InvalidArgument(Error): ...
class IOError(Error): ...

class Record:
    address: int
    code: npt.NDArray[np.uint8]
    payload: bytes

class DatabaseInfo:
    format_version: int
    address_bits: int
    code_bits: int
    posting_chunk_capacity: int
    tables: int
    encoder_kind: str
    encoder_params: str

class VerifyReport:
    images: int
    segment_rows: int
    changes: int
    tombstones: int
    payloads: int
    bytes_checked: int
    problem_count: int
    problems: list[str]

class CompactReport:
    bytes_before: int
    bytes_after: int
    changes_merged: int
    segment_rows: int

class FamilySpace:
    name: str
    table_bytes: int
    table_files: int
    memtable_bytes: int

class SpaceUsage:
    families: list[FamilySpace]
    log_bytes: int
    total_bytes: int
    memory_index_bytes: int
    memory_index_images: int

class Encoder:
    kind: str
    params: str
    input_dim: int
    address_bits: int
    code_bits: int
    class_count: int
    def encode(self, vectors: Vectors) -> Tuple[Addresses, Codes]: ...
    def classify(
        self, vectors: Vectors
    ) -> Tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]]: ...
    def serialize(self) -> bytes: ...
    @staticmethod
    def load(model: bytes) -> "Encoder": ...
    def save(self, path: str) -> None: ...

def load_encoder(path: str) -> Encoder: ...
def train_encoder(
    vectors: Vectors,
    kind: str = "itq",
    *,
    labels: Optional[npt.ArrayLike] = None,
    address_bits: int = 30,
    code_bits: int = 256,
    seed: int = 42,
    sample: int = 0,
    iterations: int = 50,
    progress: Optional[Callable[..., Any]] = None,
    hidden: Optional[Sequence[int]] = None,
    image_shape: Optional[Tuple[int, int, int]] = None,
    epochs: int = 30,
    patience: int = 3,
    holdout: float = 0.1,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    weight_decay: float = 1e-5,
    alpha: float = 1.0,
    beta: float = 1.0,
    gamma: float = 1.0,
    threads: int = 0,
    model: str = "",
    threshold: float = 0.0,
) -> Encoder: ...
def advise_tables(code_bits: int, images: int) -> int: ...

class DB:
    path: str
    closed: bool
    info: DatabaseInfo
    code_size: int
    encoder: Optional[Encoder]
    def __init__(
        self,
        path: str,
        *,
        create_if_missing: bool = False,
        error_if_exists: bool = False,
        read_only: bool = False,
        address_bits: Optional[int] = None,
        code_bits: Optional[int] = None,
        tables: Optional[int] = None,
        encoder: Optional[Encoder] = None,
        memory_index: str = "open",
        block_cache_bytes: int = 64 << 20,
    ) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> "DB": ...
    def __exit__(self, *exc: Any) -> bool: ...
    def __len__(self) -> int: ...
    def add(
        self,
        codes: Codes,
        ids: Optional[Ids] = None,
        addresses: Optional[Addresses] = None,
        payloads: Optional[Sequence[Union[bytes, str]]] = None,
        *,
        sync: bool = False,
    ) -> None: ...
    def delete(self, ids: Union[Ids, int], *, sync: bool = False) -> int: ...
    def get(self, id: int) -> Record: ...
    def search(
        self,
        codes: Codes,
        k: int,
        addresses: Optional[Addresses] = None,
        *,
        min_candidates: int = 0,
        max_radius: int = 3,
        max_candidates: int = 0,
        use_tables: bool = True,
        max_table_radius: int = 2,
        threads: int = 0,
    ) -> Knn: ...
    def search_exact(self, codes: Codes, k: int, *, threads: int = 0) -> Knn: ...
    def search_radius(
        self, codes: Codes, radius: int, *, threads: int = 0
    ) -> Range: ...
    def bulk_load(
        self,
        codes: Codes,
        ids: Optional[Ids] = None,
        addresses: Optional[Addresses] = None,
        *,
        memory_bytes: int = 1 << 30,
        progress: Optional[Callable[[str, int, int], Any]] = None,
        slice_rows: int = 1 << 16,
    ) -> int: ...
    def verify(
        self,
        *,
        max_problems: int = 100,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> VerifyReport: ...
    def compact(
        self, *, progress: Optional[Callable[[int, int], Any]] = None
    ) -> CompactReport: ...
    def space_usage(self) -> SpaceUsage: ...
    def backup(self, dir: str) -> None: ...
    def encode(self, vectors: Vectors) -> Tuple[Addresses, Codes]: ...
    def add_vectors(
        self,
        vectors: Vectors,
        ids: Optional[Ids] = None,
        payloads: Optional[Sequence[Union[bytes, str]]] = None,
        *,
        sync: bool = False,
    ) -> None: ...
    def search_vectors(
        self, vectors: Vectors, k: int, *, exact: bool = False, **options: Any
    ) -> Knn: ...

class IndexBinarySemhash:
    d: int
    code_size: int
    is_trained: bool
    path: str
    db: DB
    search_params: Optional[dict[str, Any]]
    threads: int
    def __init__(
        self,
        d: int,
        path: Optional[str] = None,
        *,
        search_params: Optional[dict[str, Any]] = None,
        threads: int = 0,
        **options: Any,
    ) -> None: ...
    @property
    def ntotal(self) -> int: ...
    def add(self, x: Codes) -> None: ...
    def add_with_ids(self, x: Codes, ids: Ids) -> None: ...
    def search(self, x: Codes, k: int) -> Knn: ...
    def range_search(
        self, x: Codes, radius: float
    ) -> Tuple[npt.NDArray[np.uint64], npt.NDArray[np.float32],
               npt.NDArray[np.int64]]: ...
    def remove_ids(self, ids: Ids) -> int: ...
    def reconstruct(self, key: int) -> npt.NDArray[np.uint8]: ...
    def reconstruct_n(self, i0: int, n: int) -> Codes: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> "IndexBinarySemhash": ...
    def __exit__(self, *exc: Any) -> bool: ...
