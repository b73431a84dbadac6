// Posting chunk and operand codecs, and the merge (see posting_chunk.h).
#include "format/posting_chunk.h"

#include <unordered_map>
#include <vector>

#include "format/coding.h"
#include "format/frame.h"

namespace semhash::format {
namespace {

constexpr size_t kChunkHeaderBytes = 6;  // code_bytes u16 | count u32

// The merge's working copy of a chunk; `alive` marks removed slots lazily so
// that each removal is O(1).
struct ChunkBuilder {
  size_t code_bytes = 0;
  bool code_bytes_known = false;
  std::vector<uint64_t> ids;
  std::vector<uint8_t> codes;
  std::vector<bool> alive;
  std::unordered_map<uint64_t, size_t> slot_of_id;

  Status SetCodeBytes(size_t bytes) {
    if (code_bytes_known && bytes != code_bytes) {
      return Status::Corruption("posting code length " + std::to_string(bytes) +
                                " bytes, chunk has " +
                                std::to_string(code_bytes));
    }
    code_bytes = bytes;
    code_bytes_known = true;
    return Status::OK();
  }

  void Add(uint64_t id, CodeView code) {
    auto [it, inserted] = slot_of_id.try_emplace(id, ids.size());
    if (!inserted && alive[it->second]) {
      std::copy(code.begin(), code.end(),
                codes.begin() + it->second * code_bytes);
      return;
    }
    it->second = ids.size();
    ids.push_back(id);
    codes.insert(codes.end(), code.begin(), code.end());
    alive.push_back(true);
  }

  void Remove(uint64_t id) {
    auto it = slot_of_id.find(id);
    if (it == slot_of_id.end()) return;
    alive[it->second] = false;
    slot_of_id.erase(it);
  }

  std::string Finish() const {
    std::vector<uint64_t> kept_ids;
    std::vector<uint8_t> kept_codes;
    kept_ids.reserve(slot_of_id.size());
    kept_codes.reserve(slot_of_id.size() * code_bytes);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (!alive[i]) continue;
      kept_ids.push_back(ids[i]);
      const auto code = codes.begin() + i * code_bytes;
      kept_codes.insert(kept_codes.end(), code, code + code_bytes);
    }
    return EncodePostingChunk(code_bytes, kept_ids.size(), kept_ids.data(),
                              kept_codes.data());
  }
};

Status LoadExisting(std::string_view value, ChunkBuilder* builder) {
  PostingChunkView chunk;
  Status s = PostingChunkView::Parse(value, &chunk);
  if (!s.ok()) return s;
  if (chunk.size() == 0) return Status::OK();
  s = builder->SetCodeBytes(chunk.code_bytes());
  if (!s.ok()) return s;
  for (size_t i = 0; i < chunk.size(); ++i)
    builder->Add(chunk.id(i), chunk.code(i));
  return Status::OK();
}

}  // namespace

std::string EncodePostingChunk(size_t code_bytes, size_t count,
                               const uint64_t* ids, const uint8_t* codes) {
  std::string payload;
  payload.reserve(kChunkHeaderBytes + count * (8 + code_bytes));
  PutLittleEndian<uint16_t>(&payload, static_cast<uint16_t>(code_bytes));
  PutLittleEndian<uint32_t>(&payload, static_cast<uint32_t>(count));
  for (size_t i = 0; i < count; ++i)
    PutLittleEndian<uint64_t>(&payload, ids[i]);
  payload.append(reinterpret_cast<const char*>(codes), count * code_bytes);
  std::string value;
  AppendFrame(RecordKind::kPostingChunk, kPostingChunkVersion, payload, &value);
  return value;
}

Status PostingChunkView::Parse(std::string_view value, PostingChunkView* out) {
  std::string_view payload;
  Status s =
      DecodeFrameOfVersion(RecordKind::kPostingChunk, kPostingChunkVersion,
                           "posting chunk", value, &payload);
  if (!s.ok()) return s;
  if (payload.size() < kChunkHeaderBytes) {
    return Status::Corruption("posting chunk: header truncated");
  }
  const size_t code_bytes = GetLittleEndian<uint16_t>(payload.data());
  const size_t count = GetLittleEndian<uint32_t>(payload.data() + 2);
  if ((code_bytes == 0 && count != 0) ||
      payload.size() != kChunkHeaderBytes + count * (8 + code_bytes)) {
    return Status::Corruption("posting chunk: " + std::to_string(count) +
                              " entries of " + std::to_string(code_bytes) +
                              "-byte codes do not fill " +
                              std::to_string(payload.size()) + " bytes");
  }
  out->count_ = count;
  out->code_bytes_ = code_bytes;
  out->ids_ = payload.data() + kChunkHeaderBytes;
  out->codes_ =
      reinterpret_cast<const uint8_t*>(out->ids_ + count * sizeof(uint64_t));
  return Status::OK();
}

uint64_t PostingChunkView::id(size_t i) const {
  return GetLittleEndian<uint64_t>(ids_ + i * sizeof(uint64_t));
}

std::string EncodeAddOperand(uint64_t id, CodeView code) {
  std::string payload;
  payload.push_back(static_cast<char>(PostingOperand::Op::kAdd));
  PutLittleEndian<uint64_t>(&payload, id);
  payload.append(reinterpret_cast<const char*>(code.data()), code.size());
  std::string value;
  AppendFrame(RecordKind::kPostingOperand, kPostingOperandVersion, payload,
              &value);
  return value;
}

std::string EncodeRemoveOperand(uint64_t id) {
  std::string payload;
  payload.push_back(static_cast<char>(PostingOperand::Op::kRemove));
  PutLittleEndian<uint64_t>(&payload, id);
  std::string value;
  AppendFrame(RecordKind::kPostingOperand, kPostingOperandVersion, payload,
              &value);
  return value;
}

Status DecodePostingOperand(std::string_view value, PostingOperand* out) {
  FrameView frame;
  Status s = DecodeFrame(RecordKind::kPostingOperand, value, &frame);
  if (!s.ok()) return s.WithContext("posting operand");
  const std::string_view payload = frame.payload;
  if (frame.version != kPostingOperandVersion || payload.size() < 9) {
    return Status::Corruption("posting operand: bad version or length");
  }
  out->op = static_cast<PostingOperand::Op>(payload[0]);
  out->id = GetLittleEndian<uint64_t>(payload.data() + 1);
  const size_t code_bytes = payload.size() - 9;
  out->code = CodeView(reinterpret_cast<const uint8_t*>(payload.data() + 9),
                       code_bytes);
  // A chunk records code_bytes in a u16: longer codes cannot be listed.
  const bool add_ok = out->op == PostingOperand::Op::kAdd && code_bytes > 0 &&
                      code_bytes <= UINT16_MAX;
  const bool remove_ok =
      out->op == PostingOperand::Op::kRemove && code_bytes == 0;
  if (!add_ok && !remove_ok) {
    return Status::Corruption("posting operand: unknown op " +
                              std::to_string(payload[0]) + " of " +
                              std::to_string(payload.size()) + " bytes");
  }
  return Status::OK();
}

Status MergePostingOperands(const std::string_view* existing,
                            std::span<const std::string_view> operands,
                            std::string* merged) {
  ChunkBuilder builder;
  if (existing != nullptr) {
    Status s = LoadExisting(*existing, &builder);
    if (!s.ok()) return s;
  }
  for (const std::string_view value : operands) {
    PostingOperand operand;
    Status s = DecodePostingOperand(value, &operand);
    if (!s.ok()) return s;
    if (operand.op == PostingOperand::Op::kRemove) {
      builder.Remove(operand.id);
      continue;
    }
    s = builder.SetCodeBytes(operand.code.size());
    if (!s.ok()) return s;
    builder.Add(operand.id, operand.code);
  }
  *merged = builder.Finish();
  return Status::OK();
}

}  // namespace semhash::format
