// Helpers shared by the encoder tests: reproducible Gaussian data, hand-made
// linear hashes, training, encoding or loading with every Status checked,
// and the checks every model kind's loader must pass on damaged bytes.
#ifndef SEMHASH_TESTS_ENGINE_ENCODER_TEST_UTIL_H_
#define SEMHASH_TESTS_ENGINE_ENCODER_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/encoders/linear_hash.h"
#include "engine/encoders/lsh_encoder.h"
#include "semhash/codes.h"
#include "semhash/encoder_training.h"

namespace semhash::testing {

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
inline constexpr float kInf = std::numeric_limits<float>::infinity();

// The stream of DrawStandardNormals that test data come from, apart from
// the encoders' own streams.
inline constexpr uint64_t kTestDataStream = 99;

// n x dim standard normal values plus `offset`, the same on every platform.
inline std::vector<float> Gaussian(size_t n, size_t dim, uint64_t seed,
                                   float offset = 0.0f,
                                   uint64_t stream = kTestDataStream) {
  std::vector<float> x(n * dim);
  DrawStandardNormals(seed, stream, x.size(), x.data());
  for (float& v : x) v += offset;
  return x;
}

// Zero-mean Gaussian whose column j has standard deviation 0.95^j: distinct
// variances, so its principal directions are the coordinate axes in order.
inline std::vector<float> AnisotropicGaussian(size_t n, size_t dim,
                                              uint64_t seed) {
  std::vector<float> x = Gaussian(n, dim, seed);
  for (size_t i = 0; i < n; ++i) {
    float scale = 1.0f;
    for (size_t j = 0; j < dim; ++j, scale *= 0.95f) x[i * dim + j] *= scale;
  }
  return x;
}

// Options for `kind` with these widths and seed; the rest at their defaults.
inline EncoderOptions MakeOptions(std::string_view kind, uint32_t address_bits,
                                  uint32_t code_bits,
                                  uint64_t seed = EncoderOptions().seed) {
  EncoderOptions options;
  options.kind = std::string(kind);
  options.address_bits = address_bits;
  options.code_bits = code_bits;
  options.seed = seed;
  return options;
}

// The signature of every trainer: TrainLshEncoder, TrainPcahEncoder, ...
using TrainFunction = Status (*)(const EncoderOptions&, size_t, const float*,
                                 size_t, std::unique_ptr<Encoder>*);

// Trains with `train` on the rows of `dim` floats in x, expecting success.
inline std::unique_ptr<Encoder> TrainOrDie(TrainFunction train,
                                           const EncoderOptions& options,
                                           const std::vector<float>& x,
                                           size_t dim) {
  std::unique_ptr<Encoder> encoder;
  const Status s = train(options, x.size() / dim, x.data(), dim, &encoder);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return encoder;
}

inline std::unique_ptr<Encoder> LoadOrDie(std::string_view bytes) {
  std::unique_ptr<Encoder> encoder;
  const Status s = Encoder::Load(bytes, &encoder);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return encoder;
}

struct Encoded {
  std::vector<Address> addresses;
  std::vector<uint8_t> codes;

  CodeView code(size_t i, uint32_t code_bits) const {
    return CodeView(codes).subspan(i * code_bits / 8, code_bits / 8);
  }
  // Bit j of code i, in packbits order.
  bool code_bit(size_t i, uint32_t code_bits, uint32_t j) const {
    return (code(i, code_bits)[j / 8] >> (7 - j % 8)) & 1;
  }
  bool operator==(const Encoded&) const = default;
};

inline Encoded Encode(const Encoder& encoder, const std::vector<float>& x) {
  const size_t n = x.size() / encoder.input_dim();
  Encoded out{std::vector<Address>(n),
              std::vector<uint8_t>(n * encoder.code_bits() / 8)};
  const Status s = encoder.Encode(n, x.data(), encoder.input_dim(),
                                  out.addresses.data(), out.codes.data());
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Encode of the `n` vectors of `dim` floats in x must fail as
// InvalidArgument and leave its output buffers untouched.
inline void ExpectEncodeRejected(const Encoder& encoder, size_t n,
                                 const std::vector<float>& x, size_t dim) {
  std::vector<Address> addresses(n, 7);
  std::vector<uint8_t> codes(n * encoder.code_bits() / 8, 7);
  const Status s =
      encoder.Encode(n, x.data(), dim, addresses.data(), codes.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(addresses, std::vector<Address>(n, 7));
  EXPECT_EQ(codes, std::vector<uint8_t>(codes.size(), 7));
}

// Load must refuse `bytes` as Corruption whose message contains `message`,
// and leave no encoder.
inline void ExpectLoadCorruption(std::string_view bytes,
                                 std::string_view message) {
  std::unique_ptr<Encoder> encoder;
  const Status s = Encoder::Load(bytes, &encoder);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(message), std::string::npos) << s.ToString();
  EXPECT_EQ(encoder, nullptr);
}

// Load must refuse every proper prefix of the model `bytes` as Corruption.
inline void ExpectEveryTruncationRejected(const std::string& bytes) {
  for (size_t size = 0; size < bytes.size(); ++size) {
    std::unique_ptr<Encoder> encoder;
    const Status s = Encoder::Load(bytes.substr(0, size), &encoder);
    EXPECT_TRUE(s.IsCorruption()) << size << ": " << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

// XORs each byte of the model `bytes` with each of `masks`. Load must refuse
// the result as Corruption or NotSupported, leaving no encoder, or accept a
// model that reloads from its own Serialize() and encodes `probe` (one
// vector) as it does. At least one flip must be refused.
inline void ExpectEveryByteFlipHandled(const std::string& bytes,
                                       std::initializer_list<uint8_t> masks,
                                       const std::vector<float>& probe) {
  int rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (const uint8_t mask : masks) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      std::unique_ptr<Encoder> encoder;
      const Status s = Encoder::Load(damaged, &encoder);
      if (!s.ok()) {
        EXPECT_TRUE(s.IsCorruption() || s.IsNotSupported()) << s.ToString();
        EXPECT_EQ(encoder, nullptr);
        ++rejected;
        continue;
      }
      // A flip Load accepts (a weight, say) must give a usable model.
      const auto reloaded = LoadOrDie(encoder->Serialize());
      ASSERT_NE(reloaded, nullptr) << "byte " << i;
      EXPECT_EQ(Encode(*reloaded, probe), Encode(*encoder, probe));
    }
  }
  EXPECT_GT(rejected, 0);
}

inline LinearHash MakeHash(uint32_t bits, std::vector<float> mean,
                           std::vector<float> weights,
                           std::vector<float> thresholds) {
  return LinearHash{bits, static_cast<uint32_t>(mean.size()), std::move(mean),
                    std::move(weights), std::move(thresholds)};
}

// A random hash, as an LSH model would hold, with a non-zero mean.
inline LinearHash RandomHash(uint32_t bits, uint32_t dim, uint64_t seed) {
  LinearHash hash = MakeHash(bits, Gaussian(1, dim, seed + 1),
                             std::vector<float>(size_t{bits} * dim),
                             std::vector<float>(bits, 0.0f));
  DrawStandardNormals(seed, 0, hash.weights.size(), hash.weights.data());
  return hash;
}

// A 2-D model: address bits (1,0).c >= 0, (0,1).c >= 0, (1,-1).c >= 0.5 and
// code bits alternating (1,0).c >= 0, (0,1).c >= 0, with c = x - (1, 2).
inline LinearHash TinyAddressHash() {
  return MakeHash(3, {1, 2}, {1, 0, 0, 1, 1, -1}, {0, 0, 0.5f});
}

inline LinearHash TinyCodeHash() {
  std::vector<float> weights;
  for (int j = 0; j < 64; ++j) {
    weights.insert(weights.end(),
                   {j % 2 == 0 ? 1.0f : 0.0f, j % 2 == 0 ? 0.0f : 1.0f});
  }
  return MakeHash(64, {1, 2}, weights, std::vector<float>(64, 0.0f));
}

}  // namespace semhash::testing

#endif  // SEMHASH_TESTS_ENGINE_ENCODER_TEST_UTIL_H_
