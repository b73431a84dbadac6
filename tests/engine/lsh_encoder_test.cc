// Tests for the LSH encoder (engine/lsh_encoder.cc), the linear hash it is
// made of (engine/linear_hash.cc) and the persisted encoder model
// (engine/encoder_model.cc, format/encoder_model.fbs).
#include "engine/lsh_encoder.h"

#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "engine/encoder_model.h"
#include "engine/linear_hash.h"
#include "semhash/codes.h"
#include "semhash/encoder.h"

namespace semhash {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// n x dim standard normal values plus `offset`, reproducible everywhere.
std::vector<float> Gaussian(size_t n, size_t dim, uint64_t seed,
                            float offset = 0.0f) {
  std::vector<float> x(n * dim);
  DrawStandardNormals(seed, /*stream=*/99, x.size(), x.data());
  for (float& v : x) v += offset;
  return x;
}

std::unique_ptr<Encoder> Train(const LshOptions& options,
                               const std::vector<float>& x, size_t dim) {
  std::unique_ptr<Encoder> encoder;
  const Status s =
      TrainLshEncoder(options, x.size() / dim, x.data(), dim, &encoder);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return encoder;
}

std::unique_ptr<Encoder> Load(std::string_view bytes) {
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
  bool operator==(const Encoded&) const = default;
};

Encoded Encode(const Encoder& encoder, const std::vector<float>& x) {
  const size_t n = x.size() / encoder.input_dim();
  Encoded out{std::vector<Address>(n),
              std::vector<uint8_t>(n * encoder.code_bits() / 8)};
  const Status s = encoder.Encode(n, x.data(), encoder.input_dim(),
                                  out.addresses.data(), out.codes.data());
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

LinearHash MakeHash(uint32_t bits, std::vector<float> mean,
                    std::vector<float> weights, std::vector<float> thresholds) {
  return LinearHash{bits, static_cast<uint32_t>(mean.size()), std::move(mean),
                    std::move(weights), std::move(thresholds)};
}

// A random hash, as an LSH model would hold, with a non-zero mean.
LinearHash RandomHash(uint32_t bits, uint32_t dim, uint64_t seed) {
  LinearHash hash = MakeHash(bits, Gaussian(1, dim, seed + 1),
                             std::vector<float>(size_t{bits} * dim),
                             std::vector<float>(bits, 0.0f));
  DrawStandardNormals(seed, 0, hash.weights.size(), hash.weights.data());
  return hash;
}

// A 2-D model: address bits (1,0).c >= 0, (0,1).c >= 0, (1,-1).c >= 0.5 and
// code bits alternating (1,0).c >= 0, (0,1).c >= 0, with c = x - (1, 2).
LinearHash TinyAddressHash() {
  return MakeHash(3, {1, 2}, {1, 0, 0, 1, 1, -1}, {0, 0, 0.5f});
}

LinearHash TinyCodeHash() {
  std::vector<float> weights;
  for (int j = 0; j < 64; ++j) {
    weights.insert(weights.end(),
                   {j % 2 == 0 ? 1.0f : 0.0f, j % 2 == 0 ? 0.0f : 1.0f});
  }
  return MakeHash(64, {1, 2}, weights, std::vector<float>(64, 0.0f));
}

std::string TinyModel() {
  return SerializeLinearModel("lsh", "seed=7", TinyAddressHash(),
                              TinyCodeHash());
}

// Average Hamming distance between code i of `a` and code i of `b`.
double MeanDistance(const Encoded& a, const Encoded& b, uint32_t code_bits) {
  double total = 0;
  const size_t n = a.addresses.size();
  for (size_t i = 0; i < n; ++i) {
    total += HammingDistance(a.code(i, code_bits), b.code(i, code_bits));
  }
  return total / static_cast<double>(n);
}

TEST(LshEncoder, SameSeedGivesIdenticalModelBytes) {
  const std::vector<float> x = Gaussian(500, 16, 1);
  const std::string first = Train({30, 256, 42}, x, 16)->Serialize();
  const std::string second = Train({30, 256, 42}, x, 16)->Serialize();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

TEST(LshEncoder, DifferentSeedGivesDifferentModel) {
  const std::vector<float> x = Gaussian(500, 16, 1);
  const auto one = Train({30, 256, 1}, x, 16);
  const auto two = Train({30, 256, 2}, x, 16);
  EXPECT_NE(one->Serialize(), two->Serialize());
  EXPECT_NE(Encode(*one, x).codes, Encode(*two, x).codes);
  EXPECT_NE(Encode(*one, x).addresses, Encode(*two, x).addresses);
}

TEST(LshEncoder, ReportsItsIdentity) {
  const auto encoder = Train({20, 128, 42}, Gaussian(10, 5, 1), 5);
  EXPECT_EQ(encoder->kind(), "lsh");
  EXPECT_EQ(encoder->params(), "seed=42");
  EXPECT_EQ(encoder->input_dim(), 5u);
  EXPECT_EQ(encoder->address_bits(), 20u);
  EXPECT_EQ(encoder->code_bits(), 128u);
}

TEST(LshEncoder, TrainsTheColumnMeanInDouble) {
  // In float, 1e8 + 1 - 1e8 is 0; the mean of column 0 is 1/3.
  const std::vector<float> x = {1e8f, 2, 1, 4, -1e8f, 9};
  const std::string bytes = Train({8, 64, 3}, x, 2)->Serialize();
  const fb::EncoderModel* model = fb::GetEncoderModel(bytes.data());
  for (const fb::LinearHash* hash : {model->address(), model->code()}) {
    ASSERT_EQ(hash->mean()->size(), 2u);
    EXPECT_EQ(hash->mean()->Get(0), static_cast<float>(1.0 / 3.0));
    EXPECT_EQ(hash->mean()->Get(1), 5.0f);
    for (const float t : *hash->thresholds()) EXPECT_EQ(t, 0.0f);
  }
  EXPECT_EQ(model->address()->weights()->size(), 8u * 2);
  EXPECT_EQ(model->code()->weights()->size(), 64u * 2);
}

TEST(LshEncoder, AddressAndCodeUseIndependentHyperplanes) {
  const std::vector<float> x = Gaussian(1000, 32, 5);
  const auto encoder = Train({32, 64, 9}, x, 32);
  const Encoded e = Encode(*encoder, x);
  int equal = 0;
  for (size_t i = 0; i < 1000; ++i) {
    equal += AddressFromCode(e.code(i, 64), 32) == e.addresses[i];
  }
  EXPECT_LT(equal, 10);
}

TEST(LshEncoder, SerializeLoadRoundTrip) {
  const std::vector<float> x = Gaussian(300, 24, 3, 2.0f);
  const auto trained = Train({30, 256, 11}, x, 24);
  const std::string bytes = trained->Serialize();
  const auto loaded = Load(bytes);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->Serialize(), bytes);
  EXPECT_EQ(loaded->kind(), trained->kind());
  EXPECT_EQ(loaded->params(), trained->params());
  EXPECT_EQ(loaded->input_dim(), 24u);
  EXPECT_EQ(loaded->address_bits(), 30u);
  EXPECT_EQ(loaded->code_bits(), 256u);
  EXPECT_EQ(Encode(*loaded, x), Encode(*trained, x));
}

TEST(LshEncoder, SignRuleOnTinyModel) {
  const auto encoder = Load(TinyModel());
  ASSERT_NE(encoder, nullptr);
  // Centred on (1, 2): (2,-1), (0,0), (-1,1), (0.25,0), (0.5,0).
  const Encoded e = Encode(*encoder, {3, 1, 1, 2, 0, 3, 1.25f, 2, 1.5f, 2});
  // Address bit 2 is (1,-1).c >= 0.5; a projection equal to its threshold
  // gives 1.
  EXPECT_EQ(e.addresses,
            (std::vector<Address>{0b101, 0b110, 0b010, 0b110, 0b111}));
  const std::vector<uint8_t> expected_bytes = {0xAA, 0xFF, 0x55, 0xFF, 0xFF};
  for (size_t i = 0; i < 5; ++i) {
    for (const uint8_t byte : e.code(i, 64)) {
      EXPECT_EQ(byte, expected_bytes[i]) << "vector " << i;
    }
  }
}

TEST(LshEncoder, PacksBitZeroAsMostSignificant) {
  // Input dim 1, mean 0: bit j is set for x = 1 iff row j is +1.
  std::vector<float> code_weights(64, -1.0f);
  code_weights[0] = code_weights[9] = code_weights[63] = 1.0f;
  std::vector<float> address_weights(32, -1.0f);
  address_weights[0] = address_weights[31] = 1.0f;
  const LshEncoder encoder(
      1, MakeHash(32, {0}, address_weights, std::vector<float>(32, 0.0f)),
      MakeHash(64, {0}, code_weights, std::vector<float>(64, 0.0f)));
  const Encoded e = Encode(encoder, {1, -1});
  EXPECT_EQ(e.addresses, (std::vector<Address>{0x80000001u, 0x7FFFFFFEu}));
  EXPECT_EQ(e.codes,
            (std::vector<uint8_t>{0x80, 0x40, 0, 0, 0, 0, 0, 0x01, 0x7F, 0xBF,
                                  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}));
}

TEST(LshEncoder, AddressEqualsCodePrefixForTheSameHyperplanes) {
  const LinearHash code = RandomHash(256, 40, 21);
  for (const uint32_t address_bits : {1u, 20u, 32u}) {
    LinearHash address = code;
    address.bits = address_bits;
    address.weights.resize(size_t{address_bits} * 40);
    address.thresholds.resize(address_bits);
    const LshEncoder encoder(1, address, code);
    const std::vector<float> x = Gaussian(2000, 40, 22);
    const Encoded e = Encode(encoder, x);
    for (size_t i = 0; i < 2000; ++i) {
      ASSERT_EQ(e.addresses[i], AddressFromCode(e.code(i, 256), address_bits))
          << "vector " << i << ", " << address_bits << " address bits";
    }
  }
}

TEST(LshEncoder, EncodingDoesNotDependOnBatching) {
  // Vectors lying on a hyperplane (up to rounding), where a float product's
  // sign depends on its summation order.
  constexpr uint32_t kDim = 64;
  const LinearHash code = RandomHash(256, kDim, 31);
  LinearHash address = code;
  address.bits = 32;
  address.weights.resize(32 * kDim);
  address.thresholds.resize(32);
  const LshEncoder encoder(1, address, code);
  std::vector<float> x = Gaussian(600, kDim, 32);
  for (size_t i = 0; i < 600; ++i) {
    const float* w = &code.weights[(i % 256) * kDim];
    double dot = 0, norm2 = 0;
    for (size_t k = 0; k < kDim; ++k) {
      dot += double{w[k]} * (x[i * kDim + k] - code.mean[k]);
      norm2 += double{w[k]} * w[k];
    }
    for (size_t k = 0; k < kDim; ++k) {
      x[i * kDim + k] =
          static_cast<float>(x[i * kDim + k] - dot / norm2 * w[k]);
    }
  }
  const Encoded batch = Encode(encoder, x);
  for (const size_t chunk : {size_t{1}, size_t{7}, size_t{300}}) {
    Encoded pieces;
    for (size_t first = 0; first < 600; first += chunk) {
      const size_t end = std::min<size_t>(600, first + chunk);
      const Encoded piece = Encode(
          encoder,
          std::vector<float>(x.begin() + first * kDim, x.begin() + end * kDim));
      pieces.addresses.insert(pieces.addresses.end(), piece.addresses.begin(),
                              piece.addresses.end());
      pieces.codes.insert(pieces.codes.end(), piece.codes.begin(),
                          piece.codes.end());
    }
    EXPECT_EQ(pieces, batch) << "chunks of " << chunk;
  }
}

TEST(LshEncoder, BitsAreBalancedAroundAnOffCentreMean) {
  // Centred at 10 in every coordinate: without subtracting the mean every
  // bit would be almost constant.
  const std::vector<float> x = Gaussian(2000, 32, 41, 10.0f);
  const auto encoder = Train({30, 256, 42}, x, 32);
  const Encoded e = Encode(*encoder, x);
  for (uint32_t j = 0; j < 30; ++j) {
    int ones = 0;
    for (const Address a : e.addresses) ones += (a >> (29 - j)) & 1;
    EXPECT_GE(ones, 600) << "address bit " << j;
    EXPECT_LE(ones, 1400) << "address bit " << j;
  }
  for (uint32_t j = 0; j < 256; ++j) {
    int ones = 0;
    for (size_t i = 0; i < 2000; ++i) {
      ones += (e.code(i, 256)[j / 8] >> (7 - j % 8)) & 1;
    }
    EXPECT_GE(ones, 600) << "code bit " << j;
    EXPECT_LE(ones, 1400) << "code bit " << j;
  }
}

TEST(LshEncoder, NearbyVectorsGetCloserCodes) {
  const std::vector<float> base = Gaussian(500, 64, 51, 3.0f);
  const std::vector<float> noise = Gaussian(500, 64, 52);
  const std::vector<float> far = Gaussian(500, 64, 53, 3.0f);
  std::vector<float> near = base;
  for (size_t i = 0; i < near.size(); ++i) near[i] += 0.1f * noise[i];
  const auto encoder = Train({30, 256, 42}, base, 64);
  const Encoded b = Encode(*encoder, base);
  const double near_distance = MeanDistance(b, Encode(*encoder, near), 256);
  const double far_distance = MeanDistance(b, Encode(*encoder, far), 256);
  // Expected about 256 * 0.1 / pi = 8 and 128.
  EXPECT_LT(near_distance, 16);
  EXPECT_GT(far_distance, 100);
}

TEST(LshEncoderTrain, RejectsEmptyInput) {
  const std::vector<float> x = Gaussian(4, 4, 1);
  std::unique_ptr<Encoder> encoder;
  EXPECT_TRUE(
      TrainLshEncoder({}, 0, x.data(), 4, &encoder).IsInvalidArgument());
  EXPECT_TRUE(
      TrainLshEncoder({}, 4, x.data(), 0, &encoder).IsInvalidArgument());
  EXPECT_TRUE(TrainLshEncoder({}, 4, nullptr, 4, &encoder).IsInvalidArgument());
  EXPECT_EQ(encoder, nullptr);
}

TEST(LshEncoderTrain, RejectsNonFiniteValues) {
  for (const float bad : {kNaN, kInf, -kInf}) {
    std::vector<float> x = Gaussian(4, 4, 1);
    x[13] = bad;
    std::unique_ptr<Encoder> encoder;
    const Status s = TrainLshEncoder({}, 4, x.data(), 4, &encoder);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("vector 3, value 1"), std::string::npos)
        << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

TEST(LshEncoderTrain, RejectsBadBitCounts) {
  const std::vector<float> x = Gaussian(4, 4, 1);
  const LshOptions bad[] = {{0, 256, 1},  {33, 256, 1}, {30, 0, 1},
                            {30, 32, 1},  {30, 100, 1}, {30, 1088, 1},
                            {30, 2048, 1}};
  for (const LshOptions& options : bad) {
    std::unique_ptr<Encoder> encoder;
    EXPECT_TRUE(
        TrainLshEncoder(options, 4, x.data(), 4, &encoder).IsInvalidArgument())
        << options.address_bits << "/" << options.code_bits;
    EXPECT_EQ(encoder, nullptr);
  }
  std::unique_ptr<Encoder> encoder;
  EXPECT_TRUE(TrainLshEncoder({1, 64, 1}, 4, x.data(), 4, &encoder).ok());
  EXPECT_TRUE(TrainLshEncoder({32, 1024, 1}, 4, x.data(), 4, &encoder).ok());
}

TEST(LshEncoder, EncodeRejectsDimMismatch) {
  const auto encoder = Train({30, 256, 1}, Gaussian(10, 8, 1), 8);
  const std::vector<float> x = Gaussian(2, 9, 2);
  std::vector<Address> addresses(2, 7);
  std::vector<uint8_t> codes(64, 7);
  const Status s =
      encoder->Encode(2, x.data(), 9, addresses.data(), codes.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(addresses, std::vector<Address>(2, 7));
  EXPECT_EQ(codes, std::vector<uint8_t>(64, 7));
}

TEST(LshEncoder, EncodeRejectsNonFiniteInput) {
  const auto encoder = Train({30, 256, 1}, Gaussian(10, 8, 1), 8);
  for (const float bad : {kNaN, kInf}) {
    std::vector<float> x = Gaussian(3, 8, 2);
    x[20] = bad;
    std::vector<Address> addresses(3, 7);
    std::vector<uint8_t> codes(96, 7);
    const Status s =
        encoder->Encode(3, x.data(), 8, addresses.data(), codes.data());
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(addresses, std::vector<Address>(3, 7));
    EXPECT_EQ(codes, std::vector<uint8_t>(96, 7));
  }
}

TEST(EncoderModel, LoadRejectsEveryTruncation) {
  const std::string bytes = TinyModel();
  for (size_t size = 0; size < bytes.size(); ++size) {
    std::unique_ptr<Encoder> encoder;
    const Status s = Encoder::Load(bytes.substr(0, size), &encoder);
    EXPECT_TRUE(s.IsCorruption()) << size << ": " << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

TEST(EncoderModel, LoadSurvivesEveryByteFlip) {
  const std::string bytes = TinyModel();
  int rejected = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (const uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      std::unique_ptr<Encoder> encoder;
      const Status s = Encoder::Load(damaged, &encoder);
      if (!s.ok()) {
        EXPECT_TRUE(s.IsCorruption() || s.IsNotSupported()) << s.ToString();
        ++rejected;
        continue;
      }
      // A flip Load accepts (a weight, say) must give a usable model.
      const auto reloaded = Load(encoder->Serialize());
      ASSERT_NE(reloaded, nullptr) << "byte " << i;
      EXPECT_EQ(Encode(*reloaded, {0.5f, 1}), Encode(*encoder, {0.5f, 1}));
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(EncoderModel, LoadNamesWhatIsInconsistent) {
  struct Case {
    const char* expected_message;
    LinearHash address;
    LinearHash code;
  };
  std::vector<Case> cases;
  auto add = [&](const char* message, auto mutate) {
    Case c{message, TinyAddressHash(), TinyCodeHash()};
    mutate(c.address, c.code);
    cases.push_back(c);
  };
  add("address hash: weights has 5 values, expected 6",
      [](LinearHash& a, LinearHash&) { a.weights.pop_back(); });
  add("code hash: mean has 3 values, expected 2",
      [](LinearHash&, LinearHash& c) { c.mean.push_back(0); });
  add("address hash: thresholds has 0 values, expected 3",
      [](LinearHash& a, LinearHash&) { a.thresholds.clear(); });
  add("code hash: weights[3] is not finite",
      [](LinearHash&, LinearHash& c) { c.weights[3] = kNaN; });
  add("address hash: mean[1] is not finite",
      [](LinearHash& a, LinearHash&) { a.mean[1] = kInf; });
  add("code hash: thresholds[0] is not finite",
      [](LinearHash&, LinearHash& c) { c.thresholds[0] = -kInf; });
  add("address hash: bits is 0", [](LinearHash& a, LinearHash&) {
    a = MakeHash(0, {1, 2}, {}, {});
  });
  add("address hash: input_dim is 0", [](LinearHash& a, LinearHash&) {
    a = MakeHash(3, {}, {}, {0, 0, 0});
  });
  add("address hash has 33 bits", [](LinearHash& a, LinearHash&) {
    a = MakeHash(33, {0, 0}, std::vector<float>(66), std::vector<float>(33));
  });
  add("code hash has 72 bits", [](LinearHash&, LinearHash& c) {
    c = MakeHash(72, {0, 0}, std::vector<float>(144), std::vector<float>(72));
  });
  add("code hash has 2048 bits", [](LinearHash&, LinearHash& c) {
    c = MakeHash(2048, {0, 0}, std::vector<float>(4096),
                 std::vector<float>(2048));
  });
  add("differs from code hash input_dim 3", [](LinearHash&, LinearHash& c) {
    c = MakeHash(64, {0, 0, 0}, std::vector<float>(192),
                 std::vector<float>(64));
  });
  for (const Case& c : cases) {
    std::unique_ptr<Encoder> encoder;
    const Status s = Encoder::Load(
        SerializeLinearModel("lsh", "seed=7", c.address, c.code), &encoder);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find(c.expected_message), std::string::npos)
        << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

// A model built field by field, for shapes SerializeLinearModel cannot make.
std::string HandMadeModel(const char* kind, uint32_t input_dim,
                          bool with_code) {
  flatbuffers::FlatBufferBuilder builder;
  const LinearHash a = TinyAddressHash();
  const LinearHash c = TinyCodeHash();
  const auto address = fb::CreateLinearHashDirect(
      builder, a.bits, a.input_dim, &a.mean, &a.weights, &a.thresholds);
  const auto code =
      with_code ? fb::CreateLinearHashDirect(builder, c.bits, c.input_dim,
                                             &c.mean, &c.weights, &c.thresholds)
                : 0;
  fb::FinishEncoderModelBuffer(
      builder, fb::CreateEncoderModelDirect(builder, kind, "seed=7", input_dim,
                                            address, code));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                     builder.GetSize());
}

TEST(EncoderModel, HandMadeModelLoads) {
  // Guards the three tests below: only the field they change is wrong.
  EXPECT_NE(Load(HandMadeModel("lsh", 2, true)), nullptr);
}

TEST(EncoderModel, LoadRejectsModelInputDimMismatch) {
  std::unique_ptr<Encoder> encoder;
  const Status s = Encoder::Load(HandMadeModel("lsh", 3, true), &encoder);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("model input_dim 3"), std::string::npos);
}

TEST(EncoderModel, LoadRejectsMissingHashOrKind) {
  std::unique_ptr<Encoder> encoder;
  Status s = Encoder::Load(HandMadeModel("lsh", 2, false), &encoder);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("code hash is missing"), std::string::npos);
  s = Encoder::Load(HandMadeModel(nullptr, 2, true), &encoder);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("kind is missing"), std::string::npos);
}

TEST(EncoderModel, UnknownKindIsNotSupported) {
  std::unique_ptr<Encoder> encoder;
  Status s = Encoder::Load(HandMadeModel("spectral", 2, true), &encoder);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.message().find("'spectral'"), std::string::npos);
  s = Encoder::Load(HandMadeModel("\x01z", 2, true), &encoder);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.message().find("'\\x01z'"), std::string::npos) << s.ToString();
  EXPECT_EQ(encoder, nullptr);
}

TEST(EncoderModel, LoadRejectsNonCanonicalParams) {
  for (const char* params : {"", "seed=", "seed=042", "seed=+1", "seed=1,x=2",
                             "Seed=1", "seed=18446744073709551616"}) {
    std::unique_ptr<Encoder> encoder;
    const Status s = Encoder::Load(
        SerializeLinearModel("lsh", params, TinyAddressHash(), TinyCodeHash()),
        &encoder);
    EXPECT_TRUE(s.IsCorruption()) << params << ": " << s.ToString();
  }
  const auto encoder = Load(SerializeLinearModel(
      "lsh", "seed=18446744073709551615", TinyAddressHash(), TinyCodeHash()));
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(encoder->params(), "seed=18446744073709551615");
}

TEST(EncoderModel, LoadRejectsForeignBytes) {
  std::string other_identifier = TinyModel();
  other_identifier[4] = 'X';
  for (const std::string& bytes :
       {std::string(), std::string("SHEM"), std::string(64, '\0'),
        std::string("not a model at all"), other_identifier}) {
    std::unique_ptr<Encoder> encoder;
    const Status s = Encoder::Load(bytes, &encoder);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }
}

TEST(EncoderModel, LoadAcceptsMisalignedBytes) {
  const std::string bytes = TinyModel();
  const std::string shifted = "x" + bytes;
  const auto encoder = Load(std::string_view(shifted).substr(1));
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(encoder->Serialize(), bytes);
}

// Marsaglia's polar method with std::log, as a reference for the portable
// sampler (std::log may differ in the last bit between C libraries).
std::vector<float> ReferenceNormals(uint64_t seed, uint64_t stream, size_t n) {
  auto mix = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  uint64_t state = mix(seed ^ mix(stream));
  auto uniform = [&] {
    state += 0x9E3779B97F4A7C15ull;
    return static_cast<double>(mix(state) >> 11) * 0x1p-52 - 1.0;
  };
  std::vector<float> out;
  while (out.size() < n) {
    const double u = uniform(), v = uniform(), s = std::fma(u, u, v * v);
    if (s >= 1 || s == 0) continue;
    const double scale = std::sqrt(-2 * std::log(s) / s);
    out.push_back(static_cast<float>(u * scale));
    if (out.size() < n) out.push_back(static_cast<float>(v * scale));
  }
  return out;
}

TEST(LshHyperplanes, NormalsMatchReferenceSampler) {
  std::vector<float> normals(20001);
  DrawStandardNormals(42, kLshCodeStream, normals.size(), normals.data());
  const std::vector<float> reference =
      ReferenceNormals(42, kLshCodeStream, normals.size());
  for (size_t i = 0; i < normals.size(); ++i) {
    ASSERT_NEAR(normals[i], reference[i], 2e-7 * std::abs(reference[i]))
        << "sample " << i;
  }
}

TEST(LshHyperplanes, NormalsAreStandard) {
  std::vector<float> normals(200000);
  DrawStandardNormals(7, kLshAddressStream, normals.size(), normals.data());
  double sum = 0, sum2 = 0;
  size_t within_one = 0;
  for (const float v : normals) {
    sum += v;
    sum2 += double{v} * v;
    within_one += std::abs(v) < 1;
  }
  const double n = static_cast<double>(normals.size());
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum2 / n, 1.0, 0.01);
  EXPECT_NEAR(within_one / n, 0.6827, 0.005);
}

TEST(LshHyperplanes, StreamsArePinned) {
  // The hyperplanes of a seed are part of what "lsh" with "seed=<S>" means:
  // these values must never change, on any platform or compiler.
  std::vector<float> address(4), code(100000);
  DrawStandardNormals(42, kLshAddressStream, address.size(), address.data());
  DrawStandardNormals(42, kLshCodeStream, code.size(), code.data());
  const uint32_t expected_address[] = {0xBF8DF050, 0xBF0A9BBA, 0xBF8B7B63,
                                       0xBD5DD0D1};
  const uint32_t expected_code[] = {0xBF8EDF50, 0xBF9FD3DF, 0xBF41F2F7,
                                    0x3F8E56EF};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(std::bit_cast<uint32_t>(address[i]), expected_address[i]) << i;
    EXPECT_EQ(std::bit_cast<uint32_t>(code[i]), expected_code[i]) << i;
  }
  uint64_t fnv1a = 0xCBF29CE484222325ull;
  for (const float v : code) {
    fnv1a = (fnv1a ^ std::bit_cast<uint32_t>(v)) * 0x100000001B3ull;
  }
  EXPECT_EQ(fnv1a, 0x1C1B4309654CF60Dull);
}

}  // namespace
}  // namespace semhash
