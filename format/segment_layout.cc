// Segment layout codec (see segment_layout.h).
#include "format/segment_layout.h"

#include <xxhash.h>

#include <bit>

#include "format/coding.h"
#include "format/frame.h"
#include "semhash/codes.h"

namespace semhash::format {
namespace {

constexpr uint32_t kMinSubstringBits = 4;
constexpr uint32_t kMaxSubstringBits = 32;
// Fixed payload fields before the tables: widths, rows, block, table count.
constexpr size_t kFixedBytes = 4 + 4 + 8 + 4 + 4;
constexpr size_t kTableBytes = 8;
constexpr size_t kSectionBytes = 1 + 1 + 8 + 8;

uint64_t AlignUp(uint64_t n) {
  return (n + kSegmentAlignment - 1) / kSegmentAlignment * kSegmentAlignment;
}

uint64_t FrameBytes(size_t tables, size_t sections) {
  return kFrameOverheadBytes + kFixedBytes + kTableBytes * tables + 4 +
         kSectionBytes * sections + 8;
}

Status Bad(const std::string& what) {
  return Status::Corruption("segment header: " + what);
}

Status CheckWidths(const SegmentHeader& h) {
  if (h.address_bits < kMinAddressBits || h.address_bits > kMaxAddressBits) {
    return Bad("address_bits " + std::to_string(h.address_bits) +
               " outside 8..32");
  }
  if (h.code_bits % 64 != 0 || h.code_bits < kMinCodeBits ||
      h.code_bits > kMaxCodeBits) {
    return Bad("code_bits " + std::to_string(h.code_bits) +
               " is not a multiple of 64 in 64..1024");
  }
  if (h.rows > UINT32_MAX) {
    return Bad(std::to_string(h.rows) + " rows: more than 2^32 - 1");
  }
  if (!std::has_single_bit(h.block_bytes) ||
      h.block_bytes < kSegmentAlignment ||
      h.block_bytes > kMaxSegmentBlockBytes) {
    return Bad("block_bytes " + std::to_string(h.block_bytes) +
               " is not a power of two in 4096..16 MiB");
  }
  return Status::OK();
}

// The tables' substrings must cut the code into contiguous pieces, in order:
// the multi-index searches' pigeonhole bound counts on it.
Status CheckTables(const SegmentHeader& h) {
  if (h.tables.size() > h.code_bits / kMinSubstringBits) {
    return Bad(std::to_string(h.tables.size()) + " tables for " +
               std::to_string(h.code_bits) + "-bit codes");
  }
  uint32_t next = 0;
  for (size_t t = 0; t < h.tables.size(); ++t) {
    const SegmentTable& table = h.tables[t];
    if (table.start != next || table.bits < kMinSubstringBits ||
        table.bits > kMaxSubstringBits) {
      return Bad("table " + std::to_string(t) + " substring (" +
                 std::to_string(table.start) + ", " +
                 std::to_string(table.bits) + ") does not follow bit " +
                 std::to_string(next) + " with 4..32 bits");
    }
    next += table.bits;
  }
  if (!h.tables.empty() && next != h.code_bits) {
    return Bad("the tables cover " + std::to_string(next) + " of " +
               std::to_string(h.code_bits) + " code bits");
  }
  return Status::OK();
}

}  // namespace

std::string SegmentSectionName(SegmentSection kind, uint32_t table) {
  const std::string of_table = "table " + std::to_string(table) + " ";
  switch (kind) {
    case SegmentSection::kCodes:
      return "codes";
    case SegmentSection::kIds:
      return "ids";
    case SegmentSection::kAddressKeys:
      return "address keys";
    case SegmentSection::kAddressDirectory:
      return "address directory";
    case SegmentSection::kIdOrder:
      return "id order";
    case SegmentSection::kTableKeys:
      return of_table + "keys";
    case SegmentSection::kTableRows:
      return of_table + "rows";
    case SegmentSection::kTableDirectory:
      return of_table + "directory";
    case SegmentSection::kChecksums:
      return "checksums";
  }
  return "section kind " + std::to_string(static_cast<int>(kind));
}

uint32_t SegmentDirectoryBits(uint64_t rows, uint32_t key_bits) {
  const uint32_t log2n = rows <= 1 ? 0 : std::bit_width(rows) - 1;
  return std::min(key_bits, log2n);
}

SegmentHeader PlanSegment(uint32_t address_bits, uint32_t code_bits,
                          uint64_t rows, uint32_t block_bytes,
                          std::vector<SegmentTable> tables) {
  SegmentHeader h;
  h.address_bits = address_bits;
  h.code_bits = code_bits;
  h.rows = rows;
  h.block_bytes = block_bytes;
  h.tables = std::move(tables);
  const size_t section_count = 6 + 3 * h.tables.size();
  uint64_t end = AlignUp(FrameBytes(h.tables.size(), section_count));
  uint64_t blocks = 0;
  auto add = [&](SegmentSection kind, size_t table, uint64_t length) {
    const uint64_t offset = AlignUp(end);
    h.sections.push_back({kind, static_cast<uint8_t>(table), offset, length});
    end = offset + length;
    blocks += SegmentBlocks(length, block_bytes);
  };
  auto directory = [rows](uint32_t key_bits) {
    return ((uint64_t{1} << SegmentDirectoryBits(rows, key_bits)) + 1) * 4;
  };
  add(SegmentSection::kCodes, 0, rows * (code_bits / 8));
  add(SegmentSection::kIds, 0, rows * 8);
  add(SegmentSection::kAddressKeys, 0, rows * 4);
  add(SegmentSection::kAddressDirectory, 0, directory(address_bits));
  add(SegmentSection::kIdOrder, 0, rows * 4);
  for (size_t t = 0; t < h.tables.size(); ++t) {
    add(SegmentSection::kTableKeys, t, rows * 4);
    add(SegmentSection::kTableRows, t, rows * 4);
    add(SegmentSection::kTableDirectory, t, directory(h.tables[t].bits));
  }
  add(SegmentSection::kChecksums, 0, blocks * 8);
  return h;
}

uint64_t SegmentHeaderBytes(const SegmentHeader& header) {
  return AlignUp(FrameBytes(header.tables.size(), header.sections.size()));
}

uint64_t SegmentFileBytes(const SegmentHeader& header) {
  if (header.sections.empty()) return SegmentHeaderBytes(header);
  const SegmentSectionEntry& last = header.sections.back();
  return last.offset + last.length;
}

std::string EncodeSegmentHeader(const SegmentHeader& h) {
  std::string payload;
  PutLittleEndian<uint32_t>(&payload, h.address_bits);
  PutLittleEndian<uint32_t>(&payload, h.code_bits);
  PutLittleEndian<uint64_t>(&payload, h.rows);
  PutLittleEndian<uint32_t>(&payload, h.block_bytes);
  PutLittleEndian<uint32_t>(&payload, static_cast<uint32_t>(h.tables.size()));
  for (const SegmentTable& table : h.tables) {
    PutLittleEndian<uint32_t>(&payload, table.start);
    PutLittleEndian<uint32_t>(&payload, table.bits);
  }
  PutLittleEndian<uint32_t>(&payload, static_cast<uint32_t>(h.sections.size()));
  for (const SegmentSectionEntry& section : h.sections) {
    payload.push_back(static_cast<char>(section.kind));
    payload.push_back(static_cast<char>(section.table));
    PutLittleEndian<uint64_t>(&payload, section.offset);
    PutLittleEndian<uint64_t>(&payload, section.length);
  }
  PutLittleEndian<uint64_t>(&payload, h.checksums_checksum);
  std::string frame;
  AppendFrame(RecordKind::kSegmentHeader, kSegmentHeaderVersion, payload,
              &frame);
  frame.resize(AlignUp(frame.size()), '\0');
  return frame;
}

Status DecodeSegmentHeader(std::string_view bytes, SegmentHeader* out) {
  if (bytes.size() < kFrameHeaderBytes) {
    return Bad("file of " + std::to_string(bytes.size()) +
               " bytes is shorter than a frame header");
  }
  const uint64_t frame_bytes =
      kFrameOverheadBytes + GetLittleEndian<uint32_t>(bytes.data() + 2);
  const uint64_t padded = AlignUp(frame_bytes);
  if (bytes.size() < padded) {
    return Bad("file of " + std::to_string(bytes.size()) +
               " bytes is shorter than its " + std::to_string(padded) +
               "-byte header");
  }
  std::string_view payload;
  Status s = DecodeFrameOfVersion(RecordKind::kSegmentHeader,
                                  kSegmentHeaderVersion, "segment header",
                                  bytes.substr(0, frame_bytes), &payload);
  if (!s.ok()) return s;
  for (uint64_t i = frame_bytes; i < padded; ++i) {
    if (bytes[i] != '\0') {
      return Bad("padding byte " + std::to_string(i) + " is not zero");
    }
  }
  SegmentHeader h;
  const char* p = payload.data();
  size_t left = payload.size();
  // Reads one field, failing if the payload ends first.
  auto take = [&](size_t n) -> const char* {
    if (left < n) return nullptr;
    const char* field = p;
    p += n;
    left -= n;
    return field;
  };
  const char* fixed = take(kFixedBytes);
  if (fixed == nullptr) return Bad("payload too short");
  h.address_bits = GetLittleEndian<uint32_t>(fixed);
  h.code_bits = GetLittleEndian<uint32_t>(fixed + 4);
  h.rows = GetLittleEndian<uint64_t>(fixed + 8);
  h.block_bytes = GetLittleEndian<uint32_t>(fixed + 16);
  const uint32_t table_count = GetLittleEndian<uint32_t>(fixed + 20);
  s = CheckWidths(h);
  if (!s.ok()) return s;
  if (table_count > h.code_bits / kMinSubstringBits) {
    return Bad(std::to_string(table_count) + " tables for " +
               std::to_string(h.code_bits) + "-bit codes");
  }
  for (uint32_t t = 0; t < table_count; ++t) {
    const char* table = take(kTableBytes);
    if (table == nullptr) return Bad("payload too short");
    h.tables.push_back({GetLittleEndian<uint32_t>(table),
                        GetLittleEndian<uint32_t>(table + 4)});
  }
  s = CheckTables(h);
  if (!s.ok()) return s;
  const char* count = take(4);
  if (count == nullptr) return Bad("payload too short");
  const uint32_t section_count = GetLittleEndian<uint32_t>(count);
  if (left != uint64_t{section_count} * kSectionBytes + 8) {
    return Bad(std::to_string(section_count) + " sections do not fill the " +
               std::to_string(left) + " bytes left");
  }
  for (uint32_t i = 0; i < section_count; ++i) {
    const char* entry = take(kSectionBytes);
    h.sections.push_back({static_cast<SegmentSection>(entry[0]),
                          static_cast<uint8_t>(entry[1]),
                          GetLittleEndian<uint64_t>(entry + 2),
                          GetLittleEndian<uint64_t>(entry + 10)});
  }
  h.checksums_checksum = GetLittleEndian<uint64_t>(take(8));
  // Every offset and length follows from the widths, rows and tables: a
  // section table that says anything else is damaged.
  const SegmentHeader plan =
      PlanSegment(h.address_bits, h.code_bits, h.rows, h.block_bytes, h.tables);
  if (plan.sections.size() != h.sections.size()) {
    return Bad(std::to_string(h.sections.size()) + " sections where " +
               std::to_string(plan.sections.size()) + " were expected");
  }
  for (size_t i = 0; i < h.sections.size(); ++i) {
    const SegmentSectionEntry& want = plan.sections[i];
    const SegmentSectionEntry& got = h.sections[i];
    if (got != want) {
      return Bad("section " + std::to_string(i) + " is kind " +
                 std::to_string(static_cast<int>(got.kind)) + " table " +
                 std::to_string(got.table) + " at " +
                 std::to_string(got.offset) + " of " +
                 std::to_string(got.length) + " bytes, not " +
                 SegmentSectionName(want.kind, want.table) + " at " +
                 std::to_string(want.offset) + " of " +
                 std::to_string(want.length) + " bytes");
    }
  }
  *out = std::move(h);
  return Status::OK();
}

uint64_t SegmentBlockChecksum(SegmentSection kind, uint8_t table,
                              uint64_t block, const uint8_t* data,
                              size_t size) {
  const uint64_t seed = kSegmentBlockSeedBase ^
                        uint64_t { static_cast<uint8_t>(kind) } << 56 ^
                        uint64_t { table } << 48 ^ block;
  return XXH3_64bits_withSeed(data, size, seed);
}

uint64_t SegmentChecksumsChecksum(const uint8_t* data, size_t size) {
  return SegmentBlockChecksum(SegmentSection::kChecksums, 0, 0, data, size);
}

}  // namespace semhash::format
