// Posting merge operator (see posting_merge_operator.h).
#include "engine/db/posting_merge_operator.h"

#include <rocksdb/env.h>

#include <string_view>
#include <vector>

#include "format/posting_chunk.h"

namespace semhash {

bool PostingMergeOperator::FullMergeV2(const MergeOperationInput& merge_in,
                                       MergeOperationOutput* merge_out) const {
  std::vector<std::string_view> operands;
  operands.reserve(merge_in.operand_list.size());
  for (const rocksdb::Slice& operand : merge_in.operand_list) {
    operands.emplace_back(operand.data(), operand.size());
  }
  std::string_view existing;
  if (merge_in.existing_value != nullptr) {
    existing = std::string_view(merge_in.existing_value->data(),
                                merge_in.existing_value->size());
  }
  const Status s = format::MergePostingOperands(
      merge_in.existing_value != nullptr ? &existing : nullptr, operands,
      &merge_out->new_value);
  if (!s.ok()) {
    rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, merge_in.logger,
                 "semhash posting merge failed: %s", s.ToString().c_str());
    return false;
  }
  return true;
}

}  // namespace semhash
