// The DB class of the Python module and the reports it returns: one method
// per call of semhash/db.h, each checking its arrays (arrays.h) and running
// the engine without the GIL (db_handle.h).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/python/arrays.h"
#include "engine/python/bindings.h"
#include "engine/python/callbacks.h"
#include "engine/python/db_handle.h"
#include "engine/python/search_arrays.h"
#include "semhash/db.h"
#include "semhash/encoder.h"

namespace py = pybind11;
using namespace pybind11::literals;

namespace semhash::python {

namespace {

Options::MemoryIndex ParseMemoryIndex(const std::string& mode) {
  if (mode == "open") return Options::MemoryIndex::kLoadAtOpen;
  if (mode == "background") return Options::MemoryIndex::kLoadInBackground;
  if (mode == "off") return Options::MemoryIndex::kOff;
  ThrowInvalidArgument(
      "memory_index must be 'open', 'background' or 'off', "
      "not '" +
      mode + "'");
}

std::unique_ptr<DBHandle> OpenDB(
    const std::string& path, bool create_if_missing, bool error_if_exists,
    bool read_only, std::optional<uint32_t> address_bits,
    std::optional<uint32_t> code_bits, std::optional<uint32_t> tables,
    std::shared_ptr<Encoder> encoder, const std::string& memory_index,
    size_t block_cache_bytes) {
  Options options;
  options.create_if_missing = create_if_missing;
  options.error_if_exists = error_if_exists;
  options.read_only = read_only;
  options.address_bits = address_bits;
  options.code_bits = code_bits;
  options.mih_tables = tables;
  options.encoder = std::move(encoder);
  options.memory_index = ParseMemoryIndex(memory_index);
  options.block_cache_bytes = block_cache_bytes;
  return std::make_unique<DBHandle>(path, options);
}

uint64_t Count(DBHandle& db) {
  uint64_t count = 0;
  db.Run([&](DB* d) { return d->CountImages(&count); });
  return count;
}

// The ids given, or (ids None) count, count + 1, ... as FAISS's add numbers
// vectors, count being the images stored.
ArrayView<uint64_t> IdsOrNext(DBHandle& db, py::handle ids, size_t n,
                              std::vector<uint64_t>* next) {
  if (!ids.is_none()) return CheckIds(ids, "ids", n);
  const uint64_t first = Count(db);
  next->resize(n);
  for (size_t i = 0; i < n; ++i) (*next)[i] = first + i;
  ArrayView<uint64_t> view;
  view.data = next->data();
  view.n = n;
  return view;
}

// InvalidArgument unless the database holds external codes, whose
// addresses may be their first bits.
void RequireExternalCodes(const DBHandle& db, const char* name) {
  if (db.external_codes()) return;
  ThrowInvalidArgument(
      std::string(name) + ": required: this database's encoder (" +
      db.info().encoder_kind +
      ") makes the addresses, not the codes' first bits (DB.encode gives "
      "both)");
}

// The addresses given, or (addresses None, a database of external codes)
// the first address_bits bits of each code, into *made.
ArrayView<uint32_t> AddressesOrPrefixes(const DBHandle& db,
                                        py::handle addresses,
                                        const ArrayView<uint8_t>& codes,
                                        const char* name,
                                        std::vector<Address>* made) {
  if (!addresses.is_none()) return CheckAddresses(addresses, name, codes.n);
  RequireExternalCodes(db, name);
  const size_t code_bytes = db.code_bytes();
  made->resize(codes.n);
  const uint32_t address_bits = db.info().address_bits;
  {
    py::gil_scoped_release release;
    for (size_t i = 0; i < codes.n; ++i) {
      (*made)[i] = AddressFromCode(
          CodeView(codes.data + i * code_bytes, code_bytes), address_bits);
    }
  }
  ArrayView<uint32_t> view;
  view.data = made->data();
  view.n = codes.n;
  return view;
}

std::string PayloadBytes(py::handle payload, size_t i) {
  if (py::isinstance<py::bytes>(payload)) return payload.cast<std::string>();
  if (py::isinstance<py::str>(payload)) return payload.cast<std::string>();
  ThrowInvalidArgument(
      "payloads[" + std::to_string(i) + "]: expected bytes or str, got " +
      std::string(py::str(payload.get_type().attr("__name__"))));
}

void Add(DBHandle& db, py::handle codes_obj, py::handle ids_obj,
         py::handle addresses_obj, py::handle payloads, bool sync) {
  const ArrayView<uint8_t> codes =
      CheckCodes(codes_obj, "codes", db.code_bytes());
  std::vector<uint64_t> next_ids;
  std::vector<Address> made;
  const ArrayView<uint64_t> ids = IdsOrNext(db, ids_obj, codes.n, &next_ids);
  const ArrayView<uint32_t> addresses =
      AddressesOrPrefixes(db, addresses_obj, codes, "addresses", &made);
  std::vector<std::string> payload_bytes;
  if (!payloads.is_none()) {
    const py::sequence list = py::reinterpret_borrow<py::sequence>(payloads);
    if (size_t(py::len(list)) != codes.n) {
      ThrowInvalidArgument("payloads: expected " + std::to_string(codes.n) +
                           " (one per code), got " +
                           std::to_string(py::len(list)));
    }
    for (size_t i = 0; i < codes.n; ++i) {
      payload_bytes.push_back(PayloadBytes(list[i], i));
    }
  }
  const size_t code_bytes = db.code_bytes();
  db.Run([&](DB* d) {
    WriteBatch batch;
    for (size_t i = 0; i < codes.n; ++i) {
      batch.Put(ids.data[i], addresses.data[i],
                CodeView(codes.data + i * code_bytes, code_bytes),
                payload_bytes.empty() ? std::string_view() : payload_bytes[i]);
    }
    WriteOptions options;
    options.sync = sync;
    return d->Write(options, batch);
  });
}

uint64_t Delete(DBHandle& db, py::handle ids_obj, bool sync) {
  const py::array a = py::module_::import("numpy").attr("atleast_1d")(ids_obj);
  const ArrayView<uint64_t> ids = CheckIds(a, "ids", a.size());
  uint64_t stored = 0;
  db.Run([&](DB* d) {
    WriteBatch batch;
    Record record;
    std::unordered_set<uint64_t> seen;  // An id given twice counts once.
    for (size_t i = 0; i < ids.n; ++i) {
      if (!seen.insert(ids.data[i]).second) continue;
      Status s = d->Get(ids.data[i], &record);
      if (s.ok()) {
        ++stored;
      } else if (!s.IsNotFound()) {
        return s;
      }
      batch.Delete(ids.data[i]);
    }
    WriteOptions options;
    options.sync = sync;
    return d->Write(options, batch);
  });
  return stored;
}

Record Get(DBHandle& db, uint64_t id) {
  Record record;
  db.Run([&](DB* d) { return d->Get(id, &record); });
  return record;
}

py::tuple Search(DBHandle& db, py::handle codes_obj, int64_t k_arg,
                 py::handle addresses_obj, size_t min_candidates,
                 uint32_t max_radius, size_t max_candidates, bool use_tables,
                 uint32_t max_table_radius, unsigned threads) {
  const size_t k = CheckK(k_arg);
  const ArrayView<uint8_t> codes =
      CheckCodes(codes_obj, "codes", db.code_bytes());
  std::vector<Address> made;
  const ArrayView<uint32_t> addresses =
      AddressesOrPrefixes(db, addresses_obj, codes, "addresses", &made);
  SearchOptions options;
  options.min_candidates = min_candidates;
  options.max_radius = max_radius;
  options.max_candidates = max_candidates;
  options.use_tables = use_tables;
  options.max_table_radius = max_table_radius;
  KnnArrays out(codes.n, k);
  db.Run([&](DB* d) {
    std::vector<SearchResult> results;
    Status s = d->SearchBatch(options, codes.n, addresses.data, codes.data, k,
                              threads, &results);
    if (s.ok()) out.Fill(results);
    return s;
  });
  return out.Take();
}

py::tuple SearchExact(DBHandle& db, py::handle codes_obj, int64_t k_arg,
                      unsigned threads) {
  const size_t k = CheckK(k_arg);
  const ArrayView<uint8_t> codes =
      CheckCodes(codes_obj, "codes", db.code_bytes());
  KnnArrays out(codes.n, k);
  db.Run([&](DB* d) {
    std::vector<SearchResult> results;
    Status s = d->SearchExactBatch(codes.n, codes.data, k, threads, &results);
    if (s.ok()) out.Fill(results);
    return s;
  });
  return out.Take();
}

py::tuple SearchRadius(DBHandle& db, py::handle codes_obj, int64_t radius,
                       unsigned threads) {
  if (radius < 0) {
    ThrowInvalidArgument("radius must be at least 0, not " +
                         std::to_string(radius));
  }
  const ArrayView<uint8_t> codes =
      CheckCodes(codes_obj, "codes", db.code_bytes());
  std::vector<SearchResult> results;
  db.Run([&](DB* d) {
    return d->SearchRadiusBatch(codes.n, codes.data,
                                uint32_t(std::min<int64_t>(radius, UINT32_MAX)),
                                threads, &results);
  });
  return RangeArrays(results);
}

uint64_t BulkLoad(DBHandle& db, py::handle codes_obj, py::handle ids_obj,
                  py::handle addresses_obj, size_t memory_bytes,
                  py::object progress, size_t slice_rows) {
  if (slice_rows == 0) ThrowInvalidArgument("slice_rows must be at least 1");
  const ArrayView<uint8_t> codes =
      CheckCodes(codes_obj, "codes", db.code_bytes());
  std::vector<uint64_t> next_ids;
  const ArrayView<uint64_t> ids = IdsOrNext(db, ids_obj, codes.n, &next_ids);
  std::optional<ArrayView<uint32_t>> addresses;
  if (!addresses_obj.is_none()) {
    addresses = CheckAddresses(addresses_obj, "addresses", codes.n);
  } else {
    RequireExternalCodes(db, "addresses");
  }
  PythonCallback callback(progress);
  BulkLoadOptions options;
  options.memory_bytes = memory_bytes;
  options.progress = callback.BulkProgress();
  const size_t code_bytes = db.code_bytes();
  const uint32_t address_bits = db.info().address_bits;
  // Slice by slice, so that a memory-mapped input is read as it is queued;
  // the prefixes of a slice are made just before it is queued.
  db.Run([&](DB* d) {
    std::unique_ptr<BulkLoader> loader;
    Status s = d->NewBulkLoader(options, &loader);
    std::vector<Address> prefixes;
    for (size_t first = 0; s.ok() && first < codes.n; first += slice_rows) {
      const size_t m = std::min(slice_rows, codes.n - first);
      const uint8_t* slice = codes.data + first * code_bytes;
      const Address* slice_addresses;
      if (addresses.has_value()) {
        slice_addresses = addresses->data + first;
      } else {
        prefixes.resize(m);
        for (size_t i = 0; i < m; ++i) {
          prefixes[i] = AddressFromCode(
              CodeView(slice + i * code_bytes, code_bytes), address_bits);
        }
        slice_addresses = prefixes.data();
      }
      s = loader->Add(m, ids.data + first, slice_addresses, slice);
      callback.Report("add", first + m, codes.n);
    }
    return s.ok() ? loader->Finish() : s;
  });
  callback.Rethrow();
  return codes.n;
}

VerifyReport Verify(DBHandle& db, size_t max_problems, py::object progress) {
  PythonCallback callback(progress);
  VerifyOptions options;
  options.max_problems = max_problems;
  options.progress = callback.Progress();
  VerifyReport report;
  Status s;
  db.Run([&](DB* d) {
    s = d->Verify(options, &report);
    // A damaged database is reported below with its report attached.
    return s.IsCorruption() ? Status::OK() : s;
  });
  callback.Rethrow();
  if (s.IsCorruption()) ThrowIfError(s, py::cast(report));
  return report;
}

CompactReport Compact(DBHandle& db, py::object progress) {
  PythonCallback callback(progress);
  CompactReport report;
  db.Run([&](DB* d) { return d->Compact(callback.Progress(), &report); });
  callback.Rethrow();
  return report;
}

SpaceUsage GetSpaceUsage(DBHandle& db) {
  SpaceUsage usage;
  db.Run([&](DB* d) { return d->GetSpaceUsage(&usage); });
  return usage;
}

py::tuple Encode(DBHandle& db, py::handle vectors) {
  if (db.external_codes()) {
    ThrowInvalidArgument(
        "the database has no encoder (external codes): encode with the "
        "Encoder that made the codes");
  }
  std::vector<float> converted;
  size_t dim = 0;
  const ArrayView<float> in =
      CheckVectors(vectors, "vectors", &dim, &converted);
  py::array_t<uint32_t> addresses(in.n);
  py::array_t<uint8_t> codes({in.n, db.code_bytes()});
  Address* a = addresses.mutable_data();
  uint8_t* c = codes.mutable_data();
  db.Run([&](DB* d) { return d->encoder()->Encode(in.n, in.data, dim, a, c); });
  return py::make_tuple(addresses, codes);
}

std::shared_ptr<Encoder> StoredEncoder(DBHandle& db) {
  std::unique_ptr<Encoder> copy;
  db.Run([&](DB* d) {
    // A copy of the DB's model, so that it outlives close().
    return d->encoder() == nullptr
               ? Status::OK()
               : Encoder::Load(d->encoder()->Serialize(), &copy);
  });
  return std::shared_ptr<Encoder>(std::move(copy));
}

}  // namespace

void BindDB(py::module_& m) {
  py::class_<DBHandle>(m, "DB", R"doc(
A semhash database on disk (semhash/db.h).

DB(path, *, create_if_missing=False, error_if_exists=False, read_only=False,
   address_bits=None, code_bits=None, tables=None, encoder=None,
   memory_index="open", block_cache_bytes=64 MiB)

address_bits (8..32), code_bits (a multiple of 64 in 64..1024), tables (the
multi-index hashing tables, 0 = none) and encoder are persisted: None takes
the stored value when opening and the default (30, 256, 0, external codes)
when creating; a value that conflicts with the stored one raises
InvalidArgument. memory_index: "open" loads the in-memory index before the
constructor returns, "background" after, "off" never. A DB may be used from
many threads; calls release the GIL. `with DB(...) as db:` closes it.)doc")
      .def(py::init(&OpenDB), "path"_a, py::kw_only(),
           "create_if_missing"_a = false, "error_if_exists"_a = false,
           "read_only"_a = false, "address_bits"_a = py::none(),
           "code_bits"_a = py::none(), "tables"_a = py::none(),
           "encoder"_a = py::none(), "memory_index"_a = "open",
           "block_cache_bytes"_a = size_t{64} << 20)
      .def("close", &DBHandle::Close,
           "Closes the database after the calls in flight; later calls "
           "raise InvalidArgument. Idempotent.")
      .def_property_readonly("closed", &DBHandle::closed)
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__",
           [](DBHandle& db, py::args) {
             db.Close();
             return false;
           })
      .def_property_readonly("path", &DBHandle::path)
      .def("__repr__",
           [](const DBHandle& db) {
             const DatabaseInfo& i = db.info();
             return "DB('" + db.path() + "', " +
                    std::to_string(i.address_bits) + "-bit addresses, " +
                    std::to_string(i.code_bits) + "-bit codes, encoder " +
                    i.encoder_kind + ")";
           })
      .def_property_readonly(
          "info", [](const DBHandle& db) { return db.info(); },
          "What the database was created with (DatabaseInfo).")
      .def_property_readonly(
          "code_size", &DBHandle::code_bytes,
          "Bytes per code: code_bits / 8, the codes' second dimension.")
      .def_property_readonly(
          "encoder", &StoredEncoder,
          "A copy of the stored Encoder, or None for external codes.")
      .def("__len__", &Count,
           "Images stored (from the in-memory index once loaded, else a "
           "read of the id table).")
      .def("add", &Add, "codes"_a, "ids"_a = py::none(),
           "addresses"_a = py::none(), "payloads"_a = py::none(), py::kw_only(),
           "sync"_a = false, R"doc(
Stores n images in one atomic write.

codes: uint8 (n, code_size), C-contiguous, used in place. ids: uint64 or
non-negative int64 (n,); default len(db), len(db) + 1, ... (FAISS's add).
An id already stored is replaced; default ids are not reserved, so two
threads adding without ids may pick the same ones. addresses: uint32 (n,); default the
first address_bits bits of each code, for a database of external codes
only. payloads: n bytes or str (UTF-8), up to 64 KiB each. sync: fsync the
log before returning (survives a machine crash). For millions of images,
bulk_load is faster.)doc")
      .def("delete", &Delete, "ids"_a, py::kw_only(), "sync"_a = false,
           "Removes the images with these ids (uint64 or non-negative int64, "
           "a list or one id) in one atomic write; returns how many were "
           "stored (absent ids are not an error; an id given twice counts "
           "once).")
      .def("get", &Get, "id"_a,
           "The image stored under id (Record); NotFound if there is none.")
      .def("search", &Search, "codes"_a, "k"_a, "addresses"_a = py::none(),
           py::kw_only(), "min_candidates"_a = 0, "max_radius"_a = 3,
           "max_candidates"_a = 0, "use_tables"_a = true,
           "max_table_radius"_a = 2, "threads"_a = 0, R"doc(
Two-stage search: probe the Hamming ball around each query's address, then
rank what it found by Hamming distance on the codes (semhash/options.h,
SearchOptions: probe radii 0..max_radius until min_candidates (0: max(k,
100)) were found; at most max_candidates re-ranked (0: no limit); with
multi-index tables and use_tables, those tables are probed up to
max_table_radius instead).

codes: uint8 (n, code_size). addresses: uint32 (n,); default (external
codes only) the codes' first address_bits bits. threads: 0 = one per core.
Returns (D, I): int32 distances in bits and int64 ids, shape (n, k), best
first, padded with D = 2147483647 and I = -1.)doc")
      .def("search_exact", &SearchExact, "codes"_a, "k"_a, py::kw_only(),
           "threads"_a = 0,
           "The exact k nearest codes over the whole database (ties by "
           "ascending id): (D, I) as search returns them.")
      .def("search_radius", &SearchRadius, "codes"_a, "radius"_a, py::kw_only(),
           "threads"_a = 0, R"doc(
Every image within `radius` bits (inclusive) of each query, best first.
Returns (lims, D, I): query i's results are D[lims[i]:lims[i+1]] (int32
distances) and I[lims[i]:lims[i+1]] (int64 ids); lims is uint64 (n + 1,).)doc")
      .def("bulk_load", &BulkLoad, "codes"_a, "ids"_a = py::none(),
           "addresses"_a = py::none(), py::kw_only(),
           "memory_bytes"_a = size_t{1} << 30, "progress"_a = py::none(),
           "slice_rows"_a = size_t{1} << 16, R"doc(
Adds many images at disk speed in one atomic step (semhash/bulk_load.h):
queued slice_rows at a time (a numpy.memmap input is read as it goes),
sorted within memory_bytes (spilling sorted runs to disk beyond it),
written as table files and ingested at once. ids and addresses as for add
(no payloads); an id given twice raises InvalidArgument and changes
nothing. progress(phase, done, total) is called with phase "add" (rows
queued) and then "sort", "read", "segment"; an exception it
raises is re-raised after the load (which it does not stop). Returns n.)doc")
      .def("verify", &Verify, py::kw_only(), "max_problems"_a = 100,
           "progress"_a = py::none(), R"doc(
Reads every value and checks every checksum and invariant. Returns a
VerifyReport when the database is sound; raises Corruption (naming the first
problem, with the VerifyReport as its `report`) when it is not.
progress(done, total) is called as it goes.)doc")
      .def("compact", &Compact, py::kw_only(), "progress"_a = py::none(),
           "Publishes every image as a new segment and compacts every "
           "table; every search answers as before. Returns a CompactReport.")
      .def("space_usage", &GetSpaceUsage,
           "Bytes on disk and in memory (SpaceUsage).")
      .def(
          "backup",
          [](DBHandle& db, const std::string& dir) {
            db.Run([&](DB* d) { return d->Backup(dir); });
          },
          "dir"_a,
          "Copies the database as it was at one moment to the new directory "
          "dir (hard links where possible); InvalidArgument if dir exists.")
      .def("encode", &Encode, "vectors"_a,
           "The stored encoder's (addresses, codes) for float32/float64 "
           "vectors (n, dim); InvalidArgument for external codes.");
}

}  // namespace semhash::python
