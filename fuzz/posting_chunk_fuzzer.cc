// Fuzz target: posting chunks and their merge (format/posting_chunk.h):
// PostingChunkView::Parse, DecodePostingOperand and MergePostingOperands.
//
// Input: a control byte, then pieces.
//   control bits 0-3  number of pieces minus one (1..16 pieces)
//   control bit 4     piece 0 is the existing chunk (else none: a null chunk)
//   control bit 5     repair each piece's length and checksum (FixFrame)
//   pieces            each but the last: u16 LE length, then that many bytes
//                     (fewer if the input ends); the last: the rest
// Every piece is parsed as a chunk and decoded as an operand; then the
// existing chunk (if any) and the other pieces, as operands, are merged.
//
// Invariants: a parsed chunk's entries fill its bytes exactly and re-encode
// to them; a decoded operand re-encodes to its bytes; the merge succeeds
// exactly when every input verifies and the code lengths agree, and then
// yields a chunk that parses, holds each id once and has the contents of a
// plain map-based model of add and remove (docs/format.md, "Merge operands").
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/coding.h"
#include "format/frame.h"
#include "format/posting_chunk.h"
#include "fuzz/fuzz_util.h"

namespace semhash::fuzz {
namespace {

using format::PostingChunkView;
using format::PostingOperand;

constexpr uint8_t kPieceCountMask = 0x0f;
constexpr uint8_t kHasExistingBit = 0x10;
constexpr uint8_t kRepairBit = 0x20;

std::string CodeString(CodeView code) {
  return std::string(reinterpret_cast<const char*>(code.data()), code.size());
}

// Splits the input after the control byte into pieces (see the top).
std::vector<ExactBytes> SplitPieces(uint8_t control, std::string_view in) {
  const size_t count = (control & kPieceCountMask) + 1u;
  std::vector<ExactBytes> pieces;
  for (size_t i = 0; i + 1 < count && in.size() >= 2; ++i) {
    const size_t length = format::GetLittleEndian<uint16_t>(in.data());
    in.remove_prefix(2);
    pieces.push_back(Exact(in.substr(0, length)));
    in.remove_prefix(std::min(length, in.size()));
  }
  pieces.push_back(Exact(in));
  if (control & kRepairBit) {
    for (ExactBytes& piece : pieces) piece = FixFrame(AsView(piece));
  }
  return pieces;
}

// A parsed chunk must describe its own bytes exactly.
void CheckChunk(const PostingChunkView& chunk, std::string_view bytes) {
  FUZZ_CHECK(chunk.code_bytes() > 0 || chunk.size() == 0);
  FUZZ_CHECK(format::kFrameOverheadBytes + 6 +
                 chunk.size() * (8 + chunk.code_bytes()) ==
             bytes.size());
  std::vector<uint64_t> ids(chunk.size());
  std::string codes;
  for (size_t i = 0; i < chunk.size(); ++i) {
    ids[i] = chunk.id(i);
    const CodeView code = chunk.code(i);
    FUZZ_CHECK(code.size() == chunk.code_bytes());
    FUZZ_CHECK(code.data() >= reinterpret_cast<const uint8_t*>(bytes.data()));
    FUZZ_CHECK(code.data() + code.size() <=
               reinterpret_cast<const uint8_t*>(bytes.data() + bytes.size()));
    codes += CodeString(code);
  }
  FUZZ_CHECK(format::EncodePostingChunk(
                 chunk.code_bytes(), chunk.size(), ids.data(),
                 reinterpret_cast<const uint8_t*>(codes.data())) == bytes);
}

void CheckOperand(const PostingOperand& op, std::string_view bytes) {
  if (op.op == PostingOperand::Op::kAdd) {
    FUZZ_CHECK(!op.code.empty());
    FUZZ_CHECK(format::EncodeAddOperand(op.id, op.code) == bytes);
  } else {
    FUZZ_CHECK(op.op == PostingOperand::Op::kRemove);
    FUZZ_CHECK(op.code.empty());
    FUZZ_CHECK(format::EncodeRemoveOperand(op.id) == bytes);
  }
}

// The merge's documented meaning, with none of its machinery: a map from
// id to code, and the code length fixed by the first entry seen.
struct MergeModel {
  bool ok = true;
  std::optional<size_t> code_bytes;
  std::map<uint64_t, std::string> entries;

  void Add(uint64_t id, CodeView code) {
    if (code_bytes.has_value() && *code_bytes != code.size()) ok = false;
    code_bytes = code.size();
    entries.insert_or_assign(id, CodeString(code));
  }
};

MergeModel ModelMerge(const std::string_view* existing,
                      std::span<const std::string_view> operands) {
  MergeModel model;
  if (existing != nullptr) {
    PostingChunkView chunk;
    if (!PostingChunkView::Parse(*existing, &chunk).ok()) model.ok = false;
    for (size_t i = 0; model.ok && i < chunk.size(); ++i) {
      model.Add(chunk.id(i), chunk.code(i));
    }
  }
  for (size_t i = 0; model.ok && i < operands.size(); ++i) {
    PostingOperand op;
    if (!format::DecodePostingOperand(operands[i], &op).ok()) {
      model.ok = false;
    } else if (op.op == PostingOperand::Op::kRemove) {
      model.entries.erase(op.id);
    } else {
      model.Add(op.id, op.code);
    }
  }
  return model;
}

void CheckMerge(const std::string_view* existing,
                std::span<const std::string_view> operands) {
  std::string merged;
  const Status s = format::MergePostingOperands(existing, operands, &merged);
  const MergeModel model = ModelMerge(existing, operands);
  FUZZ_CHECK(s.ok() == model.ok);
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption());
    return;
  }
  PostingChunkView chunk;
  FUZZ_CHECK(PostingChunkView::Parse(merged, &chunk).ok());
  FUZZ_CHECK(chunk.code_bytes() == model.code_bytes.value_or(0));
  std::map<uint64_t, std::string> entries;
  for (size_t i = 0; i < chunk.size(); ++i) {
    FUZZ_CHECK(entries.emplace(chunk.id(i), CodeString(chunk.code(i))).second);
  }
  FUZZ_CHECK(entries == model.entries);
}

}  // namespace
}  // namespace semhash::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace semhash::fuzz;
  if (size == 0) return 0;
  const std::vector<ExactBytes> pieces =
      SplitPieces(data[0], AsView(data + 1, size - 1));
  std::vector<std::string_view> views;
  for (const ExactBytes& piece : pieces) views.push_back(AsView(piece));
  for (const std::string_view piece : views) {
    PostingChunkView chunk;
    if (PostingChunkView::Parse(piece, &chunk).ok()) CheckChunk(chunk, piece);
    PostingOperand op;
    if (semhash::format::DecodePostingOperand(piece, &op).ok()) {
      CheckOperand(op, piece);
    }
  }
  const bool has_existing = (data[0] & kHasExistingBit) != 0;
  const std::string_view* existing = has_existing ? &views[0] : nullptr;
  CheckMerge(existing, std::span(views).subspan(has_existing ? 1 : 0));
  return 0;
}
