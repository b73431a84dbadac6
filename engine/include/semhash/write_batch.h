// WriteBatch: a group of puts and deletes that DB::Write applies atomically:
// after a crash either all of them are visible or none is.
//
// Operations apply in the order they were added; a later operation on an id
// sees the earlier ones (put then delete leaves nothing; two puts leave the
// second).
//
// Thread safety: a batch is not safe for concurrent mutation.
#ifndef SEMHASH_WRITE_BATCH_H_
#define SEMHASH_WRITE_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semhash/codes.h"
#include "semhash/export.h"

namespace semhash {

class SEMHASH_EXPORT WriteBatch {
 public:
  struct Operation {
    enum class Type : uint8_t { kPut, kDelete };
    Type type = Type::kPut;
    uint64_t id = 0;
    Address address = 0;
    std::vector<uint8_t> code;
    std::string payload;
  };

  // Stores (address, code, payload) under `id`, replacing what it held.
  // Lengths are checked by DB::Write, which rejects the whole batch.
  void Put(uint64_t id, Address address, CodeView code,
           std::string_view payload = {});
  // Removes `id`; removing an absent id is not an error.
  void Delete(uint64_t id);
  void Clear() { operations_.clear(); }

  size_t size() const { return operations_.size(); }
  const std::vector<Operation>& operations() const { return operations_; }

 private:
  std::vector<Operation> operations_;
};

}  // namespace semhash

#endif  // SEMHASH_WRITE_BATCH_H_
