// The value classes DB's methods return: Record (get), DatabaseInfo (info),
// VerifyReport, CompactReport and SpaceUsage (semhash/db.h,
// semhash/maintenance.h), as read-only attributes.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "engine/python/bindings.h"
#include "semhash/db.h"

namespace py = pybind11;

namespace semhash::python {

void BindReports(py::module_& m) {
  py::class_<Record>(m, "Record", "One stored image, as DB.get returns it.")
      .def_readonly("address", &Record::address, "The address (int).")
      .def_property_readonly(
          "code",
          [](const Record& r) {
            return py::array_t<uint8_t>(r.code.size(), r.code.data());
          },
          "The code: uint8 (code_size,).")
      .def_property_readonly(
          "payload", [](const Record& r) { return py::bytes(r.payload); },
          "The payload (bytes; b'' if none was stored).")
      .def("__repr__", [](const Record& r) {
        return "Record(address=" + std::to_string(r.address) + ", " +
               std::to_string(r.code.size()) + "-byte code, " +
               std::to_string(r.payload.size()) + "-byte payload)";
      });
  py::class_<DatabaseInfo>(m, "DatabaseInfo",
                           "What a database was created with.")
      .def_readonly("format_version", &DatabaseInfo::format_version)
      .def_readonly("address_bits", &DatabaseInfo::address_bits)
      .def_readonly("code_bits", &DatabaseInfo::code_bits)
      .def_readonly("posting_chunk_capacity",
                    &DatabaseInfo::posting_chunk_capacity)
      .def_readonly("tables", &DatabaseInfo::mih_tables,
                    "Multi-index hashing tables; 0 = none.")
      .def_readonly("encoder_kind", &DatabaseInfo::encoder_kind,
                    "'external' when the application brings its own codes.")
      .def_readonly("encoder_params", &DatabaseInfo::encoder_params)
      .def("__repr__", [](const DatabaseInfo& i) {
        return "DatabaseInfo(address_bits=" + std::to_string(i.address_bits) +
               ", code_bits=" + std::to_string(i.code_bits) +
               ", tables=" + std::to_string(i.mih_tables) + ", encoder='" +
               i.encoder_kind + "(" + i.encoder_params + ")')";
      });
  py::class_<VerifyReport>(m, "VerifyReport", "What DB.verify checked.")
      .def_readonly("images", &VerifyReport::images)
      .def_readonly("segment_rows", &VerifyReport::segment_rows)
      .def_readonly("changes", &VerifyReport::changes)
      .def_readonly("tombstones", &VerifyReport::tombstones)
      .def_readonly("payloads", &VerifyReport::payloads)
      .def_readonly("bytes_checked", &VerifyReport::bytes_checked)
      .def_readonly("problem_count", &VerifyReport::problem_count)
      .def_readonly("problems", &VerifyReport::problems,
                    "The first max_problems problems, keys decoded.");
  py::class_<CompactReport>(m, "CompactReport", "What DB.compact did.")
      .def_readonly("bytes_before", &CompactReport::bytes_before)
      .def_readonly("bytes_after", &CompactReport::bytes_after)
      .def_readonly("changes_merged", &CompactReport::changes_merged)
      .def_readonly("segment_rows", &CompactReport::segment_rows);
  py::class_<FamilySpace>(m, "FamilySpace", "One column family's bytes.")
      .def_readonly("name", &FamilySpace::name)
      .def_readonly("table_bytes", &FamilySpace::table_bytes)
      .def_readonly("table_files", &FamilySpace::table_files)
      .def_readonly("memtable_bytes", &FamilySpace::memtable_bytes);
  py::class_<SpaceUsage>(m, "SpaceUsage", "Bytes on disk and in memory.")
      .def_readonly("families", &SpaceUsage::families)
      .def_readonly("log_bytes", &SpaceUsage::log_bytes)
      .def_readonly("total_bytes", &SpaceUsage::total_bytes)
      .def_readonly("memory_index_bytes", &SpaceUsage::memory_index_bytes)
      .def_readonly("memory_index_images", &SpaceUsage::memory_index_images)
      .def_readonly("segment", &SpaceUsage::segment)
      .def_readonly("segment_rows", &SpaceUsage::segment_rows)
      .def_readonly("segment_bytes", &SpaceUsage::segment_bytes);
}

}  // namespace semhash::python
