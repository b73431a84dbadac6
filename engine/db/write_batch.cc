// WriteBatch (see semhash/write_batch.h).
#include "semhash/write_batch.h"

namespace semhash {

void WriteBatch::Put(uint64_t id, Address address, CodeView code,
                     std::string_view payload) {
  Operation op;
  op.type = Operation::Type::kPut;
  op.id = id;
  op.address = address;
  op.code.assign(code.begin(), code.end());
  op.payload.assign(payload);
  operations_.push_back(std::move(op));
}

void WriteBatch::Delete(uint64_t id) {
  Operation op;
  op.type = Operation::Type::kDelete;
  op.id = id;
  operations_.push_back(std::move(op));
}

}  // namespace semhash
