"""semhash: an embedded storage engine for image retrieval with binary codes.

The native API (the C++ library through pybind11; numpy arrays in and out):

- ``DB(path, create_if_missing=True, address_bits=30, code_bits=256)``: a
  database on disk; ``add``, ``delete``, ``get``, ``search`` (two-stage),
  ``search_exact``, ``search_radius``, ``bulk_load``, ``verify``,
  ``compact``; ``add_vectors`` and ``search_vectors`` with a stored encoder.
- ``train_encoder(vectors, kind)``, ``load_encoder(path)``: an ``Encoder``
  that makes (addresses, codes) from feature vectors.
- ``IndexBinarySemhash(d, path=None)``: FAISS's binary-index protocol over a
  semhash database, so code written for ``faiss.IndexBinaryFlat`` switches by
  changing one line.

Errors are exceptions whose class follows the library's Status code, all
deriving from ``semhash.Error``: ``NotFound``, ``Corruption``,
``NotSupported``, ``InvalidArgument``, ``IOError``.
"""

from semhash._semhash import (
    CompactReport,
    Corruption,
    DatabaseInfo,
    Encoder,
    Error,
    FamilySpace,
    InvalidArgument,
    IOError,
    NotFound,
    NotSupported,
    Record,
    SpaceUsage,
    VerifyReport,
    __version__,
    advise_tables,
    built_with_torch,
    load_encoder,
    train_encoder,
)
from semhash._vectors import DB
from semhash.faiss_index import IndexBinarySemhash

__all__ = [
    "CompactReport",
    "Corruption",
    "DB",
    "DatabaseInfo",
    "Encoder",
    "Error",
    "FamilySpace",
    "IndexBinarySemhash",
    "InvalidArgument",
    "IOError",
    "NotFound",
    "NotSupported",
    "Record",
    "SpaceUsage",
    "VerifyReport",
    "advise_tables",
    "built_with_torch",
    "load_encoder",
    "train_encoder",
]
