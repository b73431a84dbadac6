#include "format/posting_chunk.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace semhash::format {
namespace {

constexpr size_t kCodeBytes = 8;

std::vector<uint8_t> CodeOf(uint64_t seed) {
  std::vector<uint8_t> code(kCodeBytes);
  for (size_t i = 0; i < kCodeBytes; ++i) code[i] = uint8_t(seed * 31 + i);
  return code;
}

std::map<uint64_t, std::vector<uint8_t>> Contents(const std::string& value) {
  PostingChunkView chunk;
  EXPECT_TRUE(PostingChunkView::Parse(value, &chunk).ok());
  std::map<uint64_t, std::vector<uint8_t>> contents;
  for (size_t i = 0; i < chunk.size(); ++i) {
    EXPECT_FALSE(contents.count(chunk.id(i))) << "duplicate id " << chunk.id(i);
    contents[chunk.id(i)].assign(chunk.code(i).begin(), chunk.code(i).end());
  }
  return contents;
}

std::string Merge(const std::string* existing,
                  const std::vector<std::string>& operands) {
  std::vector<std::string_view> views(operands.begin(), operands.end());
  std::string_view base;
  if (existing != nullptr) base = *existing;
  std::string merged;
  EXPECT_TRUE(
      MergePostingOperands(existing ? &base : nullptr, views, &merged).ok());
  return merged;
}

TEST(PostingChunk, EncodeParseRoundTrip) {
  const std::vector<uint64_t> ids = {5, 1ull << 40, 7};
  std::vector<uint8_t> codes;
  for (uint64_t id : ids) {
    const auto c = CodeOf(id);
    codes.insert(codes.end(), c.begin(), c.end());
  }
  const std::string value =
      EncodePostingChunk(kCodeBytes, 3, ids.data(), codes.data());
  PostingChunkView chunk;
  ASSERT_TRUE(PostingChunkView::Parse(value, &chunk).ok());
  ASSERT_EQ(chunk.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(chunk.id(i), ids[i]);
    const auto expected = CodeOf(ids[i]);
    EXPECT_TRUE(
        std::equal(expected.begin(), expected.end(), chunk.code(i).begin()));
  }
}

TEST(PostingChunk, OperandsRoundTrip) {
  PostingOperand op;
  const auto code = CodeOf(3);
  ASSERT_TRUE(DecodePostingOperand(EncodeAddOperand(9, code), &op).ok());
  EXPECT_EQ(op.op, PostingOperand::Op::kAdd);
  EXPECT_EQ(op.id, 9u);
  EXPECT_EQ(op.code.size(), kCodeBytes);
  ASSERT_TRUE(DecodePostingOperand(EncodeRemoveOperand(9), &op).ok());
  EXPECT_EQ(op.op, PostingOperand::Op::kRemove);
}

TEST(PostingChunk, MergeAppliesOperandsInOrder) {
  const std::vector<std::string> ops = {
      EncodeAddOperand(1, CodeOf(1)), EncodeAddOperand(2, CodeOf(2)),
      EncodeRemoveOperand(1),         EncodeAddOperand(3, CodeOf(3)),
      EncodeAddOperand(1, CodeOf(9)),  // re-added with a new code
      EncodeAddOperand(2, CodeOf(8)),  // replaced in place
      EncodeRemoveOperand(42)};        // absent: no effect
  const auto contents = Contents(Merge(nullptr, ops));
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents.at(1), CodeOf(9));
  EXPECT_EQ(contents.at(2), CodeOf(8));
  EXPECT_EQ(contents.at(3), CodeOf(3));
}

TEST(PostingChunk, OnlyRemovalsGiveAnEmptyChunk) {
  const std::string merged = Merge(nullptr, {EncodeRemoveOperand(4)});
  EXPECT_TRUE(Contents(merged).empty());
  // An empty chunk still accepts adds of any code length.
  const auto contents =
      Contents(Merge(&merged, {EncodeAddOperand(4, CodeOf(4))}));
  EXPECT_EQ(contents.size(), 1u);
}

// Merging in several steps (as RocksDB does across compactions) must equal
// merging everything at once, and both must equal a plain map model.
TEST(PostingChunk, StepwiseMergeMatchesModel) {
  std::mt19937_64 rng(5);
  std::map<uint64_t, std::vector<uint8_t>> model;
  std::vector<std::string> all_ops;
  std::string stepwise;
  bool have_base = false;
  for (int step = 0; step < 20; ++step) {
    std::vector<std::string> ops;
    for (int i = 0; i < 30; ++i) {
      const uint64_t id = rng() % 40;
      if (rng() % 3 == 0) {
        ops.push_back(EncodeRemoveOperand(id));
        model.erase(id);
      } else {
        const auto code = CodeOf(rng());
        ops.push_back(EncodeAddOperand(id, code));
        model[id] = code;
      }
    }
    all_ops.insert(all_ops.end(), ops.begin(), ops.end());
    stepwise = Merge(have_base ? &stepwise : nullptr, ops);
    have_base = true;
    ASSERT_EQ(Contents(stepwise), model) << "step " << step;
  }
  EXPECT_EQ(Contents(Merge(nullptr, all_ops)), model);
}

TEST(PostingChunk, MismatchedCodeLengthsAreCorruption) {
  const std::vector<uint8_t> short_code(4, 1);
  const std::string ops[] = {EncodeAddOperand(1, CodeOf(1)),
                             EncodeAddOperand(2, short_code)};
  const std::string_view views[] = {ops[0], ops[1]};
  std::string merged;
  EXPECT_TRUE(MergePostingOperands(nullptr, views, &merged).IsCorruption());
}

TEST(PostingChunk, DamagedInputsAreCorruption) {
  const std::string base = Merge(nullptr, {EncodeAddOperand(1, CodeOf(1))});
  std::string operand = EncodeAddOperand(2, CodeOf(2));
  for (size_t i = 0; i < base.size(); ++i) {
    std::string damaged = base;
    damaged[i] ^= 0x10;
    std::string_view view = damaged;
    std::string merged;
    EXPECT_TRUE(MergePostingOperands(&view, {}, &merged).IsCorruption()) << i;
  }
  operand[operand.size() / 2] ^= 0x01;
  const std::string_view ops[] = {operand};
  std::string merged;
  EXPECT_TRUE(MergePostingOperands(nullptr, ops, &merged).IsCorruption());
}

TEST(PostingChunk, LayoutThatDoesNotAddUpIsCorruption) {
  // A chunk whose count disagrees with its length, correctly checksummed.
  const uint64_t id = 1;
  const auto code = CodeOf(1);
  std::string value = EncodePostingChunk(kCodeBytes, 1, &id, code.data());
  PostingChunkView chunk;
  ASSERT_TRUE(PostingChunkView::Parse(value, &chunk).ok());
  const std::string longer =
      EncodePostingChunk(kCodeBytes, 1, &id, code.data()) + "x";
  EXPECT_TRUE(PostingChunkView::Parse(longer, &chunk).IsCorruption());
}

// Found by posting_chunk_fuzzer: an add operand whose code is longer than a
// chunk's u16 code_bytes field can record was merged into a chunk whose
// header then misstated its layout.
TEST(PostingChunkRegression, CodeOver65535BytesIsCorruption) {
  const std::vector<uint8_t> huge(70000, 1);
  PostingOperand op;
  EXPECT_TRUE(
      DecodePostingOperand(EncodeAddOperand(1, huge), &op).IsCorruption());
  const std::string operand = EncodeAddOperand(1, huge);
  const std::string_view ops[] = {operand};
  std::string merged;
  EXPECT_TRUE(MergePostingOperands(nullptr, ops, &merged).IsCorruption());
}

}  // namespace
}  // namespace semhash::format
