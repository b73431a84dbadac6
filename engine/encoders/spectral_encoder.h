// SpectralEncoder: the Encoder of kind "sh", spectral hashing (Weiss,
// Torralba & Fergus, NIPS 2008, after the authors' trainSH.m and
// compressSH.m), trained by TrainSpectralEncoder and loaded by Encoder::Load
// through LoadSpectralModel (internal). Persisted as the SpectralHash table of
// format/encoder_model.fbs; docs/format.md, "Encoder model".
//
// A SpectralHash of `bits` bits projects x on npca = min(bits, input_dim)
// principal directions, p_i = components_i . (x - mean), and makes bit j
// from direction i = direction[j] and mode k = mode[j]:
//   bit j = 1  iff  sin(pi/2 + k * pi * (p_i - lower_i) / (upper_i - lower_i))
//                   > 0,
// the one-dimensional Laplacian eigenfunction of a uniform distribution on
// [lower_i, upper_i], thresholded at 0. Training keeps the `bits` modes with
// the smallest eigenvalues (k / R_i)^2 (SelectSpectralModes). The address and
// the code are two such models, of address_bits and code_bits bits, fitted
// to the same vectors.
//
// Encoding is a deterministic function of the vector and the model, whatever
// the batching, block size or SIMD width: the bits are those of p_i summed
// in double in index order over the float values x - mean, with the sine's
// sign read exactly from the phase (a point exactly on a zero crossing gets
// 0), never from a libm sine. A blocked float matrix product decides every
// bit whose phase is farther from a zero crossing than twice its rounding
// error bound; only the others are summed again in double.
//
// Thread safety: a SpectralEncoder is immutable; Encode may run concurrently.
#ifndef SEMHASH_ENGINE_ENCODERS_SPECTRAL_ENCODER_H_
#define SEMHASH_ENGINE_ENCODERS_SPECTRAL_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/encoders/hash_pair_encoder.h"
#include "semhash/encoder_training.h"

namespace semhash {

namespace fb {
struct EncoderModel;
}  // namespace fb

struct SpectralHash {
  uint32_t bits = 0;
  uint32_t input_dim = 0;
  std::vector<float> mean;          // input_dim values.
  std::vector<float> components;    // npca x input_dim, row-major.
  std::vector<float> lower;         // npca values.
  std::vector<float> upper;         // npca values, each above lower.
  std::vector<uint32_t> direction;  // bits values, each below npca.
  std::vector<uint32_t> mode;       // bits values in 1..bits.
  size_t npca() const { return lower.size(); }
};

struct SpectralMode {
  uint32_t direction = 0;
  uint32_t mode = 0;
  bool operator==(const SpectralMode&) const = default;
};

// The `bits` eigenfunctions of smallest eigenvalue for directions of widths
// ranges[i] = R_i, as trainSH.m picks them: candidates (i, k) for
// k = 1..maxMode_i - 1 with maxMode_i = ceil((bits + 1) * R_i / max R),
// ordered by k / R_i ascending (compared exactly, as k_a * R_b < k_b * R_a),
// ties by direction, then k. The widest direction alone offers `bits`
// candidates, so there are always enough: code_bits may exceed the input
// dimension, the extra bits being higher modes.
// REQUIRES: ranges non-empty, every range positive and finite; bits >= 1.
std::vector<SpectralMode> SelectSpectralModes(const std::vector<double>& ranges,
                                              uint32_t bits);

// OK if the sizes agree with `bits` and `input_dim` (both non-zero,
// npca = min(bits, input_dim)), every float is finite, upper > lower,
// direction < npca and 1 <= mode <= bits; otherwise Corruption naming the
// first problem. Bit-count ranges depend on the role and are checked by
// LoadSpectralModel.
Status CheckSpectralHash(const SpectralHash& hash);

// Trains spectral hashing on `n` vectors of `dim` floats, row-major: the
// training sample, already drawn (TrainEncoder draws it); params() records
// FormatEncoderParams(options). InvalidArgument on n < 2, dim == 0,
// non-finite values, bit counts out of range (address 1..32, code a multiple
// of 64 in 64..1024), a model over 2 GiB, or vectors that do not vary along
// any principal direction (no eigenfunction can be fitted).
Status TrainSpectralEncoder(const EncoderOptions& options, size_t n,
                            const float* vectors, size_t dim,
                            std::unique_ptr<Encoder>* out);

// Reads the spectral hashes of a verified model of kind "sh" into *out.
// Corruption naming the problem if a hash is missing or fails
// CheckSpectralHash, a bit count is out of range, the input dimensions
// differ, a linear hash is present or the params are not canonical.
Status LoadSpectralModel(const fb::EncoderModel& model,
                         std::unique_ptr<Encoder>* out);

// The model bytes of kind "sh" with canonical `params`, whose input_dim is
// address.input_dim. The same arguments always give the same bytes. The
// hashes are written as given, unchecked: Load is what rejects them.
std::string SerializeSpectralModel(std::string_view params,
                                   const SpectralHash& address,
                                   const SpectralHash& code);

// Encodes vectors with a SpectralHash it owns; construction computes what
// every call needs, so make one per hash and reuse it.
class SpectralHashEncoder {
 public:
  // REQUIRES: CheckSpectralHash(hash).ok().
  explicit SpectralHashEncoder(SpectralHash hash);

  const SpectralHash& hash() const { return hash_; }

  // Writes the bits of `n` vectors (row-major, input_dim floats each) as
  // codes[i * bits / 8, (i + 1) * bits / 8), packed as in semhash/codes.h.
  // REQUIRES: hash().bits % 8 == 0; every value of `vectors` finite.
  void EncodeToCodes(size_t n, const float* vectors, uint8_t* codes) const;

  // Writes the bits of `n` vectors as addresses[i], bit 0 most significant.
  // REQUIRES: hash().bits <= 32; every value of `vectors` finite.
  void EncodeToAddresses(size_t n, const float* vectors,
                         Address* addresses) const;

 private:
  SpectralHash hash_;
  std::vector<double> ranges_;  // upper - lower per direction, in double.
  // Per direction: |components_i| times the relative error bound of a float
  // dot product of length input_dim.
  std::vector<double> component_slack_;
};

// The Encoder of kind "sh": two spectral hashes (hash_pair_encoder.h).
class SpectralEncoder final : public HashPairEncoder<SpectralHashEncoder> {
 public:
  // REQUIRES: both hashes pass CheckSpectralHash, share input_dim, and have
  // bit counts in range (address 1..32, code a multiple of 64 in 64..1024).
  SpectralEncoder(std::string params, SpectralHash address, SpectralHash code);

  std::string Serialize() const override;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_SPECTRAL_ENCODER_H_
