// Options: how a database is opened (Options), written (WriteOptions) and
// searched (SearchOptions).
//
// Fields marked "persisted" are fixed when the database is created and stored
// in its manifest; opening an existing database with a conflicting value
// fails with InvalidArgument naming the field and both values.
//
// Thread safety: plain values.
#ifndef SEMHASH_OPTIONS_H_
#define SEMHASH_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "semhash/export.h"

namespace semhash {

class Encoder;

inline constexpr uint32_t kDefaultAddressBits = 30;
inline constexpr uint32_t kDefaultCodeBits = 256;
inline constexpr size_t kMaxPayloadBytes = 64 * 1024;

struct Options {
  // Create the database if `path` holds none. Default false.
  bool create_if_missing = false;
  // Fail with InvalidArgument if a database already exists at `path`.
  bool error_if_exists = false;
  // Open without the ability to write. Several read-only handles may share a
  // path with each other (not with a writer); nothing on disk is changed.
  bool read_only = false;
  // When this open creates the database: build it out of sight, in a
  // staging directory beside `path` ("<path>.creating.<pid>-<n>"), and make
  // it appear at `path` only when DB::Publish succeeds. Until then nothing is
  // at `path`; a handle destroyed without Publish removes the staging
  // directory, and one left by a killed process is removed by the next
  // read-write open of `path`. Default false: the new, empty database is at
  // `path` when Open returns. Set it to fill a new database (say with one
  // bulk load) that appears whole or not at all; the price is that nothing
  // else can open it until it is published, and that an unpublished one is
  // lost. Ignored when `path` holds a database. Not persisted.
  bool stage_new_database = false;

  // Persisted. Width of an address, 8..32. Unset: the stored value when
  // opening, kDefaultAddressBits (30) when creating. Wider addresses make
  // each bucket smaller but a Hamming ball of the same radius larger.
  std::optional<uint32_t> address_bits;
  // Persisted. Width of a long code, a multiple of 64 in 64..1024. Unset: the
  // stored value when opening, kDefaultCodeBits (256) when creating.
  std::optional<uint32_t> code_bits;

  // Persisted. The model that makes codes from feature vectors. Null when
  // creating: the application brings its own codes ("external"). Null when
  // opening: whatever the database stores (see DB::encoder()). Non-null when
  // opening: must be identical to the stored model.
  std::shared_ptr<const Encoder> encoder;

  // Persisted. Multi-index hashing tables (Norouzi, Punjani & Fleet, CVPR
  // 2012): the long code split into this many disjoint substrings of at
  // most 32 bits, each a key of an in-memory table that exact, radius and
  // probe searches look up. 0 = none; otherwise ceil(code_bits / 32) ..
  // code_bits / 4. They sit beside the address table (table 0), which is
  // unchanged. Unset: the stored value when opening, 0 when creating.
  // Costs about 10.5 bytes of memory per image per table (docs/memory.md);
  // AdviseMultiIndexTables below gives MIH's choice for n images.
  std::optional<uint32_t> mih_tables;

  // Not persisted. Bytes of RocksDB block cache shared by all tables.
  size_t block_cache_bytes = 64 << 20;

  // Not persisted. Ignored since format version 3: every open maps the
  // database's live segment and reads the changes since it (milliseconds at
  // any size, docs/memory.md), and searches always read that index. Kept
  // so that callers still compile; it will be removed.
  enum class MemoryIndex { kOff, kLoadAtOpen, kLoadInBackground };
  MemoryIndex memory_index = MemoryIndex::kLoadAtOpen;
};

// MIH's rule for the number of multi-index tables: substrings of about
// log2(images) bits, clamped to what code_bits allows (Options::mih_tables).
SEMHASH_EXPORT uint32_t AdviseMultiIndexTables(uint32_t code_bits,
                                               uint64_t images);

struct WriteOptions {
  // false: the write goes to the write-ahead log with write() and is in the
  // OS page cache when the call returns; it survives a crash of the process
  // but not of the machine. true: the log is also fdatasync()ed before the
  // call returns, so the write survives a machine crash or power loss.
  // A sync write costs one disk flush.
  bool sync = false;
};

struct SearchOptions {
  // Probe radii 0, 1, ... until at least `min_candidates` images were
  // gathered or `max_radius` was probed. 0 means max(k, 100).
  size_t min_candidates = 0;
  // Largest Hamming radius around the query address to probe. The number of
  // addresses at radius r is C(address_bits, r): 1, 30, 435, 4060 for 30 bits.
  uint32_t max_radius = 3;
  // Re-rank at most this many candidates: the probe stops as soon as it has,
  // even in the middle of an address, whose first images (in stored order)
  // are then the ones taken. 0 means no limit. It bounds the cost of a
  // crowded address, such as a supervised encoder (ssdh) gives to a whole
  // class. Applies to the address probe, on disk and in memory; the
  // multi-index tables below stop by min_candidates only.
  size_t max_candidates = 0;
  // On a database with multi-index tables, loaded in memory: probe the
  // tables instead of the address table, substring radius 0, 1, ... up to
  // max_table_radius in every table, stopping as soon as min_candidates
  // images were gathered (after the table that reached it, even within a
  // radius). Each table's radius-r ball over b-bit substrings has
  // sum C(b, i), i <= r keys: 1 + 21 + 210 for 21-bit substrings at r = 2.
  bool use_tables = true;
  uint32_t max_table_radius = 2;
};

}  // namespace semhash

#endif  // SEMHASH_OPTIONS_H_
