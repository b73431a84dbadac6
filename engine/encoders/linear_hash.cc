// LinearHash checks and encoding: the guarded blocked projections of
// block_encoding.h with the sign rule of linear_hash.h.
#include "engine/encoders/linear_hash.h"

#include <cmath>
#include <utility>
#include <vector>

#include "engine/encoders/block_encoding.h"
#include "engine/encoders/model_checks.h"

namespace semhash {
namespace {

// Bit j of row i of a block projected on the hash's weights. The float
// projection p decides when |p - t| exceeds its error bound, since then it
// is on the same side of t as the exact projection; otherwise the exact
// projection decides, whose result does not depend on how p was computed.
class SignRule {
 public:
  explicit SignRule(const LinearHash& hash) : hash_(hash) {}

  bool operator()(const ProjectedBlock& block, size_t i, uint32_t j) const {
    const float p = block.projection(i, j);
    const float t = hash_.thresholds[j];
    if (std::isfinite(p) &&
        std::abs(double{p} - double{t}) > block.error_bound(i, j)) {
      return p >= t;
    }
    return block.ExactProjection(i, j) >= double{t};
  }

 private:
  const LinearHash& hash_;
};

}  // namespace

Status CheckLinearHash(const LinearHash& hash) {
  const size_t bits = hash.bits;
  const size_t dim = hash.input_dim;
  Status s = CheckHashShape({hash.bits, hash.input_dim});
  if (s.ok()) s = CheckFieldSize("mean", hash.mean.size(), dim);
  if (s.ok()) s = CheckFieldSize("weights", hash.weights.size(), bits * dim);
  if (s.ok()) s = CheckFieldSize("thresholds", hash.thresholds.size(), bits);
  if (s.ok()) s = CheckFieldFinite("mean", hash.mean);
  if (s.ok()) s = CheckFieldFinite("weights", hash.weights);
  if (s.ok()) s = CheckFieldFinite("thresholds", hash.thresholds);
  return s;
}

LinearHashEncoder::LinearHashEncoder(LinearHash hash)
    : hash_(std::move(hash)),
      weight_slack_(DirectionSlack(hash_.weights, hash_.input_dim)) {}

void LinearHashEncoder::EncodeToCodes(size_t n, const float* vectors,
                                      uint8_t* codes) const {
  ProjectedBlock block(hash_.mean, hash_.weights, weight_slack_);
  EncodeBlocksToCodes(&block, hash_.bits, SignRule(hash_), n, vectors, codes);
}

void LinearHashEncoder::EncodeToAddresses(size_t n, const float* vectors,
                                          Address* addresses) const {
  ProjectedBlock block(hash_.mean, hash_.weights, weight_slack_);
  EncodeBlocksToAddresses(&block, hash_.bits, SignRule(hash_), n, vectors,
                          addresses);
}

}  // namespace semhash
