// MemoryIndex::Base: the immutable part of the in-memory index, shared by
// memory_index.cc (which builds it) and memory_search.cc (which reads it).
#ifndef SEMHASH_ENGINE_DB_MEMORY_INDEX_BASE_H_
#define SEMHASH_ENGINE_DB_MEMORY_INDEX_BASE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/db/memory_index.h"
#include "engine/db/multi_index.h"
#include "engine/db/sorted_keys.h"

namespace semhash {

struct MemoryIndex::Base {
  // Row r: ids[r], the code at codes[r * code_bytes], the address key(r).
  std::vector<uint64_t> ids;
  std::vector<uint8_t> codes;
  SortedKeys addresses;
  std::unique_ptr<MultiIndex> tables;  // Null without mih_tables.

  size_t size() const { return ids.size(); }
  const uint8_t* code(size_t row, size_t code_bytes) const {
    return codes.data() + row * code_bytes;
  }
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_MEMORY_INDEX_BASE_H_
