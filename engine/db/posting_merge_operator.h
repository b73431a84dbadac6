// The RocksDB merge operator of the "postings" column family: folds add and
// remove operands into posting chunks (format/posting_chunk.h does the work).
#ifndef SEMHASH_ENGINE_DB_POSTING_MERGE_OPERATOR_H_
#define SEMHASH_ENGINE_DB_POSTING_MERGE_OPERATOR_H_

#include <rocksdb/merge_operator.h>

namespace semhash {

// Persisted in the manifest; a database is refused if its name differs.
inline constexpr char kPostingMergeOperatorName[] =
    "semhash.PostingChunkMerge.v1";

class PostingMergeOperator final : public rocksdb::MergeOperator {
 public:
  const char* Name() const override { return kPostingMergeOperatorName; }

  // Returns false (RocksDB then reports Corruption) if any input fails its
  // checksum; the reason goes to RocksDB's info log.
  bool FullMergeV2(const MergeOperationInput& merge_in,
                   MergeOperationOutput* merge_out) const override;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_POSTING_MERGE_OPERATOR_H_
