// Segment files (engine/db/segment_writer.h, engine/db/mapped_segment.h):
// what the writer writes the reader maps back exactly; every damaged byte
// is found, by the lazy checks of the section that holds it and by
// VerifyAll, and named by file, section and offset; damaged headers and
// truncated files are refused at Open; a full disk leaves no file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "engine/db/mapped_segment.h"
#include "engine/db/multi_index.h"
#include "engine/db/segment_writer.h"
#include "format/coding.h"
#include "format/segment_layout.h"
#include "tests/engine/segment_rows.h"
#include "tests/engine/small_file_system.h"

namespace semhash {
namespace {

namespace fs = std::filesystem;
using format::SegmentSection;
using testing::MakeTestRows;
using testing::SmallFileSystem;
using testing::TempDir;
using testing::TestRows;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), bytes.size());
}

// Writes `rows` (with m tables if m > 0) to `path` and maps it.
std::shared_ptr<const MappedSegment> WriteAndOpen(const std::string& path,
                                                  const TestRows& rows,
                                                  uint32_t m,
                                                  uint32_t block_bytes = 4096) {
  std::unique_ptr<MultiIndex> tables;
  if (m > 0) {
    tables = std::make_unique<MultiIndex>(rows.codes.data(), rows.size(),
                                          rows.code_bits, m);
  }
  Status s = WriteSegment(path, rows.address_bits, rows.code_bits, rows.view(),
                          tables.get(), block_bytes);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::shared_ptr<const MappedSegment> segment;
  s = MappedSegment::Open(path, &segment);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return segment;
}

template <typename T>
std::vector<T> AsVector(std::span<const T> span) {
  return {span.begin(), span.end()};
}

TEST(Segment, WriteThenOpenGivesBackEveryArray) {
  TempDir tmp;
  for (uint32_t m : {0u, 8u}) {
    const TestRows rows = MakeTestRows(3000, 20, 256, 20, 7 + m);
    const std::string path = tmp.Sub("s" + std::to_string(m) + ".seg");
    auto segment = WriteAndOpen(path, rows, m);
    ASSERT_NE(segment, nullptr);
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    EXPECT_EQ(segment->rows(), rows.size());
    EXPECT_EQ(segment->address_bits(), 20u);
    EXPECT_EQ(segment->code_bits(), 256u);
    EXPECT_EQ(segment->table_count(), m);
    EXPECT_EQ(segment->file_bytes(), fs::file_size(path));
    EXPECT_EQ(std::vector<uint8_t>(
                  segment->codes(),
                  segment->codes() + rows.size() * rows.code_bytes()),
              rows.codes);
    EXPECT_EQ(
        std::vector<uint64_t>(segment->ids(), segment->ids() + rows.size()),
        rows.ids);
    EXPECT_EQ(AsVector(segment->address_keys()), rows.addresses);
    const SortedKeys keys(rows.addresses, 20);
    EXPECT_EQ(std::vector<uint32_t>(
                  segment->address_directory(),
                  segment->address_directory() + keys.directory().size()),
              AsVector(keys.directory()));
    const std::span<const uint32_t> order = segment->id_order();
    for (size_t i = 1; i < order.size(); ++i) {
      EXPECT_LT(rows.ids[order[i - 1]], rows.ids[order[i]]);
    }
    if (m > 0) {
      const MultiIndex built(rows.codes.data(), rows.size(), 256, m);
      for (uint32_t t = 0; t < m; ++t) {
        const MultiIndex::TableArrays want = built.table_arrays(t);
        EXPECT_EQ(segment->header().tables[t].start, want.substring.start);
        EXPECT_EQ(segment->header().tables[t].bits, want.substring.bits);
        EXPECT_EQ(AsVector(segment->table_keys(t)), AsVector(want.keys));
        EXPECT_EQ(AsVector(segment->table_rows(t)), AsVector(want.rows));
        EXPECT_EQ(std::vector<uint32_t>(
                      segment->table_directory(t),
                      segment->table_directory(t) + want.directory.size()),
                  AsVector(want.directory));
      }
    }
    const Status s = segment->VerifyAll();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

TEST(Segment, EmptySegmentOpensAndVerifies) {
  TempDir tmp;
  const TestRows rows = MakeTestRows(0, 8, 64, 0, 1);
  auto segment = WriteAndOpen(tmp.Sub("empty.seg"), rows, 0);
  ASSERT_NE(segment, nullptr);
  EXPECT_EQ(segment->rows(), 0u);
  EXPECT_TRUE(segment->VerifyAll().ok());
  EXPECT_TRUE(segment->Check(MappedSegment::kCodes, 0, 0).ok());
}

// The writer's bytes are docs/format.md's example, header and sections.
TEST(Segment, TinySegmentIsTheDocumentedExample) {
  TempDir tmp;
  TestRows rows;
  rows.address_bits = 8;
  rows.code_bits = 64;
  rows.ids = {42, 7};
  rows.addresses = {0x01, 0xff};
  rows.codes = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const std::string path = tmp.Sub("tiny.seg");
  ASSERT_TRUE(WriteSegment(path, 8, 64, rows.view(), nullptr, 4096).ok());
  const std::string file = ReadFile(path);
  ASSERT_EQ(file.size(), 24616u);
  std::string want_header(4096, '\0');
  format::SegmentHeader header = format::PlanSegment(8, 64, 2, 4096, {});
  header.checksums_checksum = 0xad48656d4c1bdf7b;  // "7b df 1b 4c ..." LE.
  EXPECT_EQ(file.substr(0, 4096), format::EncodeSegmentHeader(header));
  EXPECT_EQ(file.substr(20480, 8), std::string("\1\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(file.substr(16384, 12),
            std::string("\0\0\0\0\1\0\0\0\2\0\0\0", 12));
}

TEST(Segment, WriterRefusesBadRowsAndWritesNothing) {
  TempDir tmp;
  const std::string path = tmp.Sub("bad.seg");
  TestRows rows = MakeTestRows(100, 12, 64, 0, 3);
  std::swap(rows.addresses[10], rows.addresses[90]);
  EXPECT_TRUE(
      WriteSegment(path, 12, 64, rows.view(), nullptr).IsInvalidArgument());
  rows = MakeTestRows(100, 12, 64, 0, 3);
  rows.ids[5] = rows.ids[50];
  EXPECT_TRUE(
      WriteSegment(path, 12, 64, rows.view(), nullptr).IsInvalidArgument());
  rows = MakeTestRows(100, 12, 64, 0, 3);
  EXPECT_TRUE(
      WriteSegment(path, 8, 64, rows.view(), nullptr).IsInvalidArgument());
  EXPECT_TRUE(
      WriteSegment(path, 12, 96, rows.view(), nullptr).IsInvalidArgument());
  EXPECT_TRUE(WriteSegment(path, 12, 64, rows.view(), nullptr, 5000)
                  .IsInvalidArgument());
  // 17 tables of a 64-bit code: substrings of 3 bits, below the 4 allowed.
  const MultiIndex narrow(rows.codes.data(), rows.size(), 64, 17);
  const Status s = WriteSegment(path, 12, 64, rows.view(), &narrow);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

// A byte flipped in any data section: Open still succeeds (it reads no data
// block), Check of the damaged range and VerifyAll report it, naming the
// file, the section and the block's offset; the other sections check OK.
TEST(Segment, FlippedByteInEverySectionIsFoundWhereItIs) {
  TempDir tmp;
  const TestRows rows = MakeTestRows(2000, 16, 128, 0, 11);
  const std::string clean = tmp.Sub("clean.seg");
  auto original = WriteAndOpen(clean, rows, 4);
  ASSERT_NE(original, nullptr);
  const format::SegmentHeader header = original->header();
  const std::string bytes = ReadFile(clean);
  std::mt19937_64 rng(5);
  for (size_t section = 0; section + 1 < header.sections.size(); ++section) {
    const format::SegmentSectionEntry& entry = header.sections[section];
    const std::string name =
        format::SegmentSectionName(entry.kind, entry.table);
    const uint64_t at = entry.offset + rng() % entry.length;
    const uint64_t block_start = at - (at - entry.offset) % 4096;
    std::string damaged = bytes;
    damaged[at] ^= 0x10;
    const std::string path = tmp.Sub("flip.seg");
    WriteFile(path, damaged);
    std::shared_ptr<const MappedSegment> segment;
    ASSERT_TRUE(MappedSegment::Open(path, &segment).ok()) << name;
    for (size_t other = 0; other + 1 < header.sections.size(); ++other) {
      const Status s = segment->Check(other, 0, header.sections[other].length);
      if (other != section) {
        EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
        continue;
      }
      ASSERT_TRUE(s.IsCorruption()) << name << ": " << s.ToString();
      EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
      EXPECT_NE(
          s.message().find(name + " at byte " + std::to_string(block_start)),
          std::string::npos)
          << s.ToString();
      // Checked again: still damaged, never remembered as verified.
      EXPECT_TRUE(
          segment->Check(other, at - entry.offset, at - entry.offset + 1)
              .IsCorruption());
    }
    const Status all = segment->VerifyAll();
    EXPECT_TRUE(all.IsCorruption()) << name << ": " << all.ToString();
    EXPECT_NE(
        all.message().find(name + " at byte " + std::to_string(block_start)),
        std::string::npos)
        << all.ToString();
  }
}

// Open hashes no data block; the first Check of a block does, once.
TEST(Segment, BlocksAreVerifiedOnceAtFirstUse) {
  TempDir tmp;
  const TestRows rows = MakeTestRows(1000, 12, 64, 0, 13);
  const std::string path = tmp.Sub("lazy.seg");
  auto segment = WriteAndOpen(path, rows, 0);
  ASSERT_NE(segment, nullptr);
  const uint64_t codes =
      segment->header().sections[MappedSegment::kCodes].offset;
  ASSERT_TRUE(segment->Check(MappedSegment::kCodes, 0, 4096).ok());
  // Damage both the verified block 0 and the unverified block 1 under the
  // shared mapping, as a failing disk or a stray writer would.
  {
    std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
    for (uint64_t at : {codes + 100, codes + 4096 + 100}) {
      file.seekp(at);
      file.put('\x5a');
    }
  }
  EXPECT_TRUE(segment->Check(MappedSegment::kCodes, 0, 4096).ok());
  const Status s = segment->Check(MappedSegment::kCodes, 4096, 4097);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("codes at byte " + std::to_string(codes + 4096)),
            std::string::npos)
      << s.ToString();
}

// Each way a file can be wrong before any data block is read.
TEST(Segment, DamagedHeaderOrSizeIsCorruptionAtOpen) {
  TempDir tmp;
  const TestRows rows = MakeTestRows(500, 12, 64, 0, 17);
  const std::string clean = tmp.Sub("clean.seg");
  auto original = WriteAndOpen(clean, rows, 2);
  ASSERT_NE(original, nullptr);
  const format::SegmentHeader header = original->header();
  const std::string bytes = ReadFile(clean);
  const std::string path = tmp.Sub("bad.seg");
  auto expect_refused = [&](const std::string& file, const std::string& what,
                            const std::string& message) {
    WriteFile(path, file);
    std::shared_ptr<const MappedSegment> segment;
    const Status s = MappedSegment::Open(path, &segment);
    EXPECT_TRUE(s.IsCorruption()) << what << ": " << s.ToString();
    EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find(message), std::string::npos)
        << what << ": " << s.ToString();
    EXPECT_EQ(segment, nullptr);
  };
  expect_refused(bytes.substr(0, bytes.size() - 1), "truncated by a byte",
                 "its header says " + std::to_string(bytes.size()));
  expect_refused(bytes.substr(0, 4096), "header only",
                 "its header says " + std::to_string(bytes.size()));
  expect_refused(bytes.substr(0, 100), "cut in the header", "shorter than");
  expect_refused(bytes + std::string(4096, '\0'), "grown", "its header says");
  expect_refused("", "empty", "empty segment file");
  std::string wrong_kind = bytes;
  wrong_kind[0] = 3;
  expect_refused(wrong_kind, "kind 3", "kind 3 where kind 8");
  std::string flipped = bytes;
  flipped[20] ^= 1;
  expect_refused(flipped, "header byte flipped", "checksum mismatch");
  std::string padding = bytes;
  padding[4000] = 1;
  expect_refused(padding, "padding", "padding byte 4000");
  const uint64_t sums = header.sections.back().offset;
  std::string checksums = bytes;
  checksums[sums + 3] ^= 1;
  expect_refused(checksums, "checksum section",
                 "checksums at byte " + std::to_string(sums));
  // Headers that verify but lie: re-encoded with a valid frame.
  auto with_header = [&](const format::SegmentHeader& lie) {
    std::string file = bytes;
    const std::string encoded = format::EncodeSegmentHeader(lie);
    file.replace(0, encoded.size(), encoded);
    return file;
  };
  format::SegmentHeader more_rows = header;
  ++more_rows.rows;
  expect_refused(with_header(more_rows), "one more row", "section 0 is kind 1");
  format::SegmentHeader moved = header;
  moved.sections[1].offset += 4096;
  expect_refused(with_header(moved), "ids moved", "section 1 is kind 2");
  format::SegmentHeader longer = header;
  longer.sections[2].length += 4;
  expect_refused(with_header(longer), "keys longer", "section 2 is kind 3");
  format::SegmentHeader swapped = header;
  std::swap(swapped.sections[0].kind, swapped.sections[1].kind);
  expect_refused(with_header(swapped), "kinds swapped", "section 0 is kind 2");
  format::SegmentHeader overlap = header;
  overlap.tables[1].start -= 1;
  expect_refused(with_header(overlap), "tables overlap", "table 1 substring");
  format::SegmentHeader wide = header;
  wide.address_bits = 33;
  expect_refused(with_header(wide), "33-bit addresses", "address_bits 33");
  format::SegmentHeader block = header;
  block.block_bytes = 5000;
  expect_refused(with_header(block), "block 5000", "block_bytes 5000");
}

// Recomputes every block checksum, the checksum section and the header of
// a segment file's bytes: damage that a buggy writer would have sealed.
void Reseal(const format::SegmentHeader& header, std::string* file) {
  auto* data = reinterpret_cast<uint8_t*>(file->data());
  std::string checksums;
  for (size_t i = 0; i + 1 < header.sections.size(); ++i) {
    const format::SegmentSectionEntry& entry = header.sections[i];
    for (uint64_t b = 0; b < format::SegmentBlocks(entry.length, 4096); ++b) {
      const uint64_t start = b * 4096;
      format::PutLittleEndian<uint64_t>(
          &checksums,
          format::SegmentBlockChecksum(
              entry.kind, entry.table, b, data + entry.offset + start,
              std::min<uint64_t>(4096, entry.length - start)));
    }
  }
  file->replace(header.sections.back().offset, checksums.size(), checksums);
  format::SegmentHeader sealed = header;
  sealed.checksums_checksum = format::SegmentChecksumsChecksum(
      reinterpret_cast<const uint8_t*>(checksums.data()), checksums.size());
  const std::string encoded = format::EncodeSegmentHeader(sealed);
  file->replace(0, encoded.size(), encoded);
}

// What checksums cannot see, VerifyAll's structural checks do: each
// damage below is sealed with valid checksums, opens, and is refused by
// VerifyAll naming the section.
TEST(Segment, VerifyAllFindsSealedStructuralDamage) {
  TempDir tmp;
  const TestRows rows = MakeTestRows(1500, 12, 64, 0, 23);
  const std::string clean = tmp.Sub("clean.seg");
  auto original = WriteAndOpen(clean, rows, 2);
  ASSERT_NE(original, nullptr);
  const format::SegmentHeader header = original->header();
  const std::string bytes = ReadFile(clean);
  auto u32_at = [&](std::string* file, SegmentSection kind, uint32_t table,
                    size_t i) {
    const uint64_t offset =
        header.sections[MappedSegment::SectionOf(kind, table)].offset + 4 * i;
    return reinterpret_cast<uint32_t*>(file->data() + offset);
  };
  struct Damage {
    SegmentSection kind;
    uint32_t table;
    std::function<void(std::string*)> apply;
  };
  const std::vector<Damage> damages = {
      {SegmentSection::kAddressKeys, 0,
       [&](std::string* f) {
         std::swap(*u32_at(f, SegmentSection::kAddressKeys, 0, 10),
                   *u32_at(f, SegmentSection::kAddressKeys, 0, 1000));
       }},
      {SegmentSection::kAddressDirectory, 0,
       [&](std::string* f) {
         ++*u32_at(f, SegmentSection::kAddressDirectory, 0, 100);
       }},
      {SegmentSection::kIdOrder, 0,
       [&](std::string* f) {
         *u32_at(f, SegmentSection::kIdOrder, 0, 5) =
             *u32_at(f, SegmentSection::kIdOrder, 0, 6);
       }},
      {SegmentSection::kIdOrder, 0,
       [&](std::string* f) {
         std::swap(*u32_at(f, SegmentSection::kIdOrder, 0, 5),
                   *u32_at(f, SegmentSection::kIdOrder, 0, 6));
       }},
      {SegmentSection::kTableRows, 1,
       [&](std::string* f) {
         *u32_at(f, SegmentSection::kTableRows, 1, 7) = 1500;
       }},
      {SegmentSection::kTableKeys, 1,
       [&](std::string* f) {
         // Still ascending, but no longer row 0's substring.
         uint32_t* key = u32_at(f, SegmentSection::kTableKeys, 1, 0);
         if (*key > 0)
           --*key;
         else
           ++*key;
       }},
  };
  const std::string path = tmp.Sub("sealed.seg");
  for (const Damage& damage : damages) {
    std::string file = bytes;
    damage.apply(&file);
    Reseal(header, &file);
    WriteFile(path, file);
    std::shared_ptr<const MappedSegment> segment;
    ASSERT_TRUE(MappedSegment::Open(path, &segment).ok());
    const std::string name =
        format::SegmentSectionName(damage.kind, damage.table);
    const Status s = segment->VerifyAll();
    EXPECT_TRUE(s.IsCorruption()) << name << ": " << s.ToString();
    EXPECT_NE(s.message().find(name + " at byte"), std::string::npos)
        << s.ToString();
  }
  // And resealing the undamaged bytes changes nothing.
  std::string file = bytes;
  Reseal(header, &file);
  EXPECT_EQ(file, bytes);
}

TEST(Segment, MissingFileIsNotFound) {
  TempDir tmp;
  std::shared_ptr<const MappedSegment> segment;
  EXPECT_TRUE(
      MappedSegment::Open(tmp.Sub("absent.seg"), &segment).IsNotFound());
}

// ENOSPC from a real tmpfs: IOError naming the file, and neither the
// segment nor its .tmp is left.
TEST(Segment, FullDiskIsIOErrorAndLeavesNoFile) {
  TempDir tmp;
  SmallFileSystem disk(tmp.Sub("disk"), 8 << 20);
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root";
  const TestRows rows = MakeTestRows(300000, 20, 256, 0, 19);  // 9.6 MB codes.
  const std::string path = tmp.Sub("disk") + "/full.seg";
  const Status s = WriteSegment(path, 20, 256, rows.view(), nullptr);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("No space left"), std::string::npos)
      << s.ToString();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  EXPECT_TRUE(fs::is_empty(tmp.Sub("disk")));
}

}  // namespace
}  // namespace semhash
