// Posting-list chunks: the images stored at one address, and the merge
// operands that append to or remove from a chunk.
//
// A chunk holds the ids and long codes of at most the manifest's
// posting_chunk_capacity images, columnar: all ids, then all codes, so a
// search reads the codes contiguously. Writes never rewrite a chunk: they add
// operands (RocksDB merge), which MergePostingOperands folds in when RocksDB
// reads or compacts the key. Layouts: docs/format.md.
#ifndef SEMHASH_FORMAT_POSTING_CHUNK_H_
#define SEMHASH_FORMAT_POSTING_CHUNK_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "semhash/codes.h"
#include "semhash/status.h"

namespace semhash::format {

inline constexpr uint8_t kPostingChunkVersion = 1;
inline constexpr uint8_t kPostingOperandVersion = 1;

// Encodes a framed chunk of `count` images.
// REQUIRES: codes holds count * code_bytes bytes.
std::string EncodePostingChunk(size_t code_bytes, size_t count,
                               const uint64_t* ids, const uint8_t* codes);

// A verified chunk, read in place: valid while the decoded bytes are.
class PostingChunkView {
 public:
  // Verifies the frame and the layout; Corruption otherwise.
  static Status Parse(std::string_view value, PostingChunkView* out);

  size_t size() const { return count_; }
  size_t code_bytes() const { return code_bytes_; }
  uint64_t id(size_t i) const;
  CodeView code(size_t i) const {
    return CodeView(codes_ + i * code_bytes_, code_bytes_);
  }

 private:
  size_t count_ = 0;
  size_t code_bytes_ = 0;
  const char* ids_ = nullptr;
  const uint8_t* codes_ = nullptr;
};

struct PostingOperand {
  // On disk: never renumber.
  enum class Op : uint8_t { kAdd = 1, kRemove = 2 };
  Op op = Op::kAdd;
  uint64_t id = 0;
  CodeView code;  // kAdd only; points into the decoded bytes.
};

std::string EncodeAddOperand(uint64_t id, CodeView code);
std::string EncodeRemoveOperand(uint64_t id);
Status DecodePostingOperand(std::string_view value, PostingOperand* out);

// Applies `operands` in order to `existing` (null: an empty chunk) and writes
// the framed result to *merged. Adding an id the chunk holds replaces its
// code; removing an absent id does nothing. Linear in the chunk and operand
// sizes. Only removals on a null chunk give an empty chunk whose code_bytes
// is 0. Corruption if any input fails to verify or code lengths disagree.
Status MergePostingOperands(const std::string_view* existing,
                            std::span<const std::string_view> operands,
                            std::string* merged);

}  // namespace semhash::format

#endif  // SEMHASH_FORMAT_POSTING_CHUNK_H_
