// Tests for the torchscript encoder (engine/encoders/torchscript_encoder.cc),
// built only with LibTorch: modules saved here from C++ (a linear map whose
// codes are computed exactly by hand) encode to the expected thresholded bits;
// a module of the wrong form, a damaged file or a damaged model is refused with
// a message saying what is wrong; the model survives Serialize/Load and a
// database.
#include <flatbuffers/flatbuffers.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "encoder_model_generated.h"
#include "semhash/db.h"
#include "semhash/encoder_training.h"
#include "tests/engine/encoder_test_util.h"
#include "tests/engine/test_util.h"
#include "tests/engine/torchscript_modules.h"

namespace semhash {
namespace {

using testing::Encoded;
using testing::ModuleParameter;
using testing::SaveTorchScriptModule;
using testing::TempDir;

constexpr uint32_t kAddressBits = 12;
constexpr uint32_t kCodeBits = 64;
constexpr uint32_t kWidth = kAddressBits + kCodeBits;
constexpr size_t kDim = 8;

// A dim x width matrix of small integers in -2..2, row-major: with integer
// vectors every output is an exact integer, so the expected bits are known
// exactly, ties with an integer threshold included.
std::vector<float> IntegerMatrix(size_t rows, size_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> values(rows * cols);
  for (float& v : values)
    v = static_cast<float>(static_cast<int>(rng() % 5) - 2);
  return values;
}

// What forward(x) = x W encodes to, W the kDim x kWidth `weights`: bit j of
// a vector is 1 iff (x W)_j >= threshold, in exact arithmetic.
Encoded ExpectedCodes(const std::vector<float>& x,
                      const std::vector<float>& weights, float threshold) {
  const size_t n = x.size() / kDim;
  Encoded out{std::vector<Address>(n),
              std::vector<uint8_t>(n * kCodeBits / 8, 0)};
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t j = 0; j < kWidth; ++j) {
      double output = 0;
      for (size_t k = 0; k < kDim; ++k) {
        output += double{x[i * kDim + k]} * weights[k * kWidth + j];
      }
      if (output < threshold) continue;
      if (j < kAddressBits) {
        out.addresses[i] |= Address{1} << (kAddressBits - 1 - j);
      } else {
        const uint32_t bit = j - kAddressBits;
        out.codes[i * kCodeBits / 8 + bit / 8] |= uint8_t(0x80 >> (bit % 8));
      }
    }
  }
  return out;
}

class TorchScriptEncoderTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Sub(name); }

  // A linear module x W saved as `name`, returning one tensor.
  std::string SaveLinear(const std::string& name = "linear.pt") const {
    return SaveWithBody(name, "  return torch.mm(x, self.w)\n");
  }

  // A module saved as `name` whose forward is `body` over x and self.w (W).
  std::string SaveWithBody(const std::string& name,
                           const std::string& body) const {
    SaveTorchScriptModule(Path(name), {{"w", kDim, kWidth, weights_}},
                          "def forward(self, x):\n" + body);
    return Path(name);
  }

  EncoderOptions ScriptOptions(const std::string& path,
                               float threshold = 0) const {
    EncoderOptions options =
        testing::MakeOptions(kTorchScriptEncoder, kAddressBits, kCodeBits);
    options.torchscript_path = path;
    options.torchscript_threshold = threshold;
    return options;
  }

  Status Make(const EncoderOptions& options,
              std::unique_ptr<Encoder>* encoder) const {
    return TrainEncoder(options, x_.size() / kDim, x_.data(), kDim, encoder);
  }

  std::unique_ptr<Encoder> MakeOrDie(const EncoderOptions& options) const {
    std::unique_ptr<Encoder> encoder;
    const Status s = Make(options, &encoder);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return encoder;
  }

  // Make must fail with `code`, a message holding `message`, and no encoder.
  void ExpectRefused(const EncoderOptions& options, Status::Code code,
                     const std::string& message) const {
    std::unique_ptr<Encoder> encoder;
    const Status s = Make(options, &encoder);
    EXPECT_EQ(s.code(), code) << s.ToString();
    EXPECT_NE(s.message().find(message), std::string::npos)
        << "wanted \"" << message << "\" in " << s.ToString();
    EXPECT_EQ(encoder, nullptr);
  }

  TempDir dir_;
  const std::vector<float> weights_ = IntegerMatrix(kDim, kWidth, 1);
  const std::vector<float> x_ = IntegerMatrix(600, kDim, 2);
};

TEST_F(TorchScriptEncoderTest, CodesAreTheThresholdedOutputs) {
  for (const float threshold : {0.0f, 0.5f, -1.0f, 2.0f}) {
    const auto encoder = MakeOrDie(ScriptOptions(SaveLinear(), threshold));
    ASSERT_NE(encoder, nullptr);
    EXPECT_EQ(encoder->kind(), "torchscript");
    EXPECT_EQ(encoder->input_dim(), kDim);
    EXPECT_EQ(encoder->address_bits(), kAddressBits);
    EXPECT_EQ(encoder->code_bits(), kCodeBits);
    // 600 vectors: three batches.
    EXPECT_EQ(testing::Encode(*encoder, x_),
              ExpectedCodes(x_, weights_, threshold))
        << "threshold " << threshold;
  }
}

TEST_F(TorchScriptEncoderTest, ParamsHoldTheShortestThreshold) {
  EXPECT_EQ(MakeOrDie(ScriptOptions(SaveLinear(), 0.1f))->params(),
            "threshold=0.1");
  EXPECT_EQ(MakeOrDie(ScriptOptions(SaveLinear(), -0.0f))->params(),
            "threshold=0");
  EXPECT_EQ(MakeOrDie(ScriptOptions(SaveLinear(), 1e-30f))->params(),
            "threshold=1e-30");
}

TEST_F(TorchScriptEncoderTest, TupleOfAddressAndCodeOutputs) {
  std::vector<float> address_weights, code_weights;
  for (size_t k = 0; k < kDim; ++k) {
    const auto row = weights_.begin() + k * kWidth;
    address_weights.insert(address_weights.end(), row, row + kAddressBits);
    code_weights.insert(code_weights.end(), row + kAddressBits, row + kWidth);
  }
  SaveTorchScriptModule(
      Path("tuple.pt"),
      {{"a", kDim, kAddressBits, address_weights},
       {"c", kDim, kCodeBits, code_weights}},
      "def forward(self, x):\n"
      "  return (torch.mm(x, self.a), torch.mm(x, self.c))\n");
  const auto encoder = MakeOrDie(ScriptOptions(Path("tuple.pt"), 0.5f));
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(testing::Encode(*encoder, x_), ExpectedCodes(x_, weights_, 0.5f));
}

TEST_F(TorchScriptEncoderTest, DoublePrecisionOutputsAreAccepted) {
  const auto encoder = MakeOrDie(ScriptOptions(
      SaveWithBody("double.pt", "  return torch.mm(x, self.w).double()\n")));
  ASSERT_NE(encoder, nullptr);
  EXPECT_EQ(testing::Encode(*encoder, x_), ExpectedCodes(x_, weights_, 0));
}

TEST_F(TorchScriptEncoderTest, ModuleChangingItsInputLeavesTheCallersAlone) {
  const auto encoder = MakeOrDie(ScriptOptions(SaveWithBody(
      "in_place.pt", "  x.add_(1.0)\n  return torch.mm(x, self.w)\n")));
  ASSERT_NE(encoder, nullptr);
  const std::vector<float> before = x_;
  std::vector<float> shifted = x_;
  for (float& v : shifted) v += 1;
  EXPECT_EQ(testing::Encode(*encoder, x_), ExpectedCodes(shifted, weights_, 0));
  EXPECT_EQ(x_, before);
}

TEST_F(TorchScriptEncoderTest, MissingOrDamagedFilesAreRefused) {
  using Code = Status::Code;
  ExpectRefused(ScriptOptions(""), Code::kInvalidArgument, "torchscript_path");
  ExpectRefused(ScriptOptions(Path("absent.pt")), Code::kIOError,
                Path("absent.pt") + ": No such file");

  std::mt19937_64 rng(3);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  std::ofstream(Path("noise.pt"), std::ios::binary) << noise;
  ExpectRefused(ScriptOptions(Path("noise.pt")), Code::kInvalidArgument,
                Path("noise.pt") + ": not a TorchScript module: ");

  std::ifstream in(SaveLinear(), std::ios::binary);
  const std::string whole((std::istreambuf_iterator<char>(in)), {});
  for (const size_t size : {size_t{0}, whole.size() / 2, whole.size() - 30}) {
    std::ofstream(Path("cut.pt"), std::ios::binary) << whole.substr(0, size);
    ExpectRefused(ScriptOptions(Path("cut.pt")), Code::kInvalidArgument,
                  Path("cut.pt") + ": not a TorchScript module: ");
  }
}

TEST_F(TorchScriptEncoderTest, OutputsOfTheWrongFormAreRefused) {
  using Code = Status::Code;
  const struct {
    const char* name;
    const char* body;
    const char* says;
  } cases[] = {
      {"narrow.pt", "  return torch.mm(x, self.w)[:, :70]\n",
       "returned a Float tensor [16, 70]"},
      {"rank1.pt", "  return torch.mm(x, self.w).sum(1)\n",
       "returned a Float tensor [16]"},
      {"rank3.pt", "  return torch.mm(x, self.w).unsqueeze(0)\n",
       "returned a Float tensor [1, 16, 76]"},
      {"bool.pt", "  return torch.mm(x, self.w) > 0\n",
       "returned a Bool tensor [16, 76]"},
      {"int.pt", "  return 3\n", "returned a value of type Int"},
      {"three.pt", "  y = torch.mm(x, self.w)\n  return (y, y, y)\n",
       "returned a tuple (a Float tensor [16, 76], a Float tensor [16, 76], "
       "a Float tensor [16, 76])"},
      {"swapped.pt",
       "  y = torch.mm(x, self.w)\n  return (y[:, 12:], y[:, :12])\n",
       "returned a tuple (a Float tensor [16, 64], a Float tensor [16, 12])"},
      {"nan.pt", "  return torch.mm(x, self.w) * float('nan')\n",
       "output 0 for vector 0 is NaN"},
      {"fails.pt", "  return torch.mm(x, x)\n", "the module failed: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectRefused(ScriptOptions(SaveWithBody(c.name, c.body)),
                  Code::kInvalidArgument, c.says);
  }
  // Each refusal also says what was expected.
  ExpectRefused(ScriptOptions(Path("narrow.pt")), Code::kInvalidArgument,
                "expected a float tensor [16, 76] (12 address outputs, then 64 "
                "code outputs) or a tuple of two, [16, 12] and [16, 64]");
}

TEST_F(TorchScriptEncoderTest, WidthsAndThresholdAreChecked) {
  using Code = Status::Code;
  EncoderOptions options = ScriptOptions(SaveLinear());
  options.address_bits = 0;
  ExpectRefused(options, Code::kInvalidArgument, "address_bits 0");
  options = ScriptOptions(SaveLinear());
  options.code_bits = 100;
  ExpectRefused(options, Code::kInvalidArgument, "code_bits 100");
  ExpectRefused(ScriptOptions(SaveLinear(), testing::kNaN),
                Code::kInvalidArgument, "torchscript_threshold is not finite");
}

TEST_F(TorchScriptEncoderTest, EncodeChecksItsArguments) {
  const auto encoder = MakeOrDie(ScriptOptions(SaveLinear()));
  ASSERT_NE(encoder, nullptr);
  testing::ExpectEncodeRejected(*encoder, 2, IntegerMatrix(2, kDim + 1, 4),
                                kDim + 1);
  std::vector<float> with_nan = IntegerMatrix(3, kDim, 5);
  with_nan[kDim + 2] = testing::kNaN;
  testing::ExpectEncodeRejected(*encoder, 3, with_nan, kDim);
  EXPECT_TRUE(encoder->Encode(0, nullptr, kDim, nullptr, nullptr).ok());
}

TEST_F(TorchScriptEncoderTest, ModuleFailingOnALaterBatchLeavesNoOutput) {
  // Right on the 16 vectors it is checked on, wrong on a batch of 256.
  const auto encoder =
      MakeOrDie(ScriptOptions(SaveWithBody("moody.pt",
                                           "  y = torch.mm(x, self.w)\n"
                                           "  if x.size(0) > 100:\n"
                                           "    return y[:, :10]\n"
                                           "  return y\n")));
  ASSERT_NE(encoder, nullptr);
  const size_t n = 300;
  std::vector<Address> addresses(n, 7);
  std::vector<uint8_t> codes(n * kCodeBits / 8, 7);
  const Status s =
      encoder->Encode(n, x_.data(), kDim, addresses.data(), codes.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("vectors 0..255: the module returned a Float "
                             "tensor [256, 10]"),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(addresses, std::vector<Address>(n, 7));
  EXPECT_EQ(codes, std::vector<uint8_t>(codes.size(), 7));
}

TEST_F(TorchScriptEncoderTest, ConcurrentEncodesAgree) {
  const auto encoder = MakeOrDie(ScriptOptions(SaveLinear(), 0.5f));
  ASSERT_NE(encoder, nullptr);
  const Encoded expected = ExpectedCodes(x_, weights_, 0.5f);
  std::vector<Encoded> results(4);
  std::vector<std::thread> threads;
  for (Encoded& result : results) {
    threads.emplace_back([&] { result = testing::Encode(*encoder, x_); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Encoded& result : results) EXPECT_EQ(result, expected);
}

TEST_F(TorchScriptEncoderTest, SerializeLoadRoundTrip) {
  const auto encoder = MakeOrDie(ScriptOptions(SaveLinear(), 0.5f));
  ASSERT_NE(encoder, nullptr);
  const std::string bytes = encoder->Serialize();
  const auto loaded = testing::LoadOrDie(bytes);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->Serialize(), bytes);
  EXPECT_EQ(loaded->kind(), "torchscript");
  EXPECT_EQ(loaded->params(), "threshold=0.5");
  EXPECT_EQ(loaded->input_dim(), kDim);
  EXPECT_EQ(loaded->address_bits(), kAddressBits);
  EXPECT_EQ(loaded->code_bits(), kCodeBits);
  EXPECT_EQ(testing::Encode(*loaded, x_), testing::Encode(*encoder, x_));
  // A model cut short is refused.
  for (const size_t size : {size_t{0}, size_t{16}, bytes.size() / 2}) {
    testing::ExpectLoadCorruption(bytes.substr(0, size), "");
  }
}

// A model of kind "torchscript" with these parts; `module` empty: none.
std::string HandMadeModel(const std::string& params, const std::string& module,
                          float threshold, uint32_t address_bits,
                          uint32_t code_bits, uint32_t input_dim = kDim) {
  flatbuffers::FlatBufferBuilder builder;
  flatbuffers::Offset<fb::TorchScriptModule> torchscript;
  if (!module.empty()) {
    torchscript = fb::CreateTorchScriptModule(
        builder,
        builder.CreateVector(reinterpret_cast<const uint8_t*>(module.data()),
                             module.size()),
        threshold, address_bits, code_bits);
  }
  const auto kind = builder.CreateString(kTorchScriptEncoder);
  const auto params_offset = builder.CreateString(params);
  fb::EncoderModelBuilder model(builder);
  model.add_kind(kind);
  model.add_params(params_offset);
  model.add_input_dim(input_dim);
  if (!module.empty()) model.add_torchscript(torchscript);
  fb::FinishEncoderModelBuffer(builder, model.Finish());
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                     builder.GetSize());
}

TEST_F(TorchScriptEncoderTest, DamagedModelsAreCorruption) {
  std::ifstream in(SaveLinear(), std::ios::binary);
  const std::string module((std::istreambuf_iterator<char>(in)), {});
  // The hand-made model is sound, so each refusal below is the one change.
  const auto sound = testing::LoadOrDie(
      HandMadeModel("threshold=0.5", module, 0.5f, kAddressBits, kCodeBits));
  ASSERT_NE(sound, nullptr);
  EXPECT_EQ(testing::Encode(*sound, x_), ExpectedCodes(x_, weights_, 0.5f));

  testing::ExpectLoadCorruption(
      HandMadeModel("threshold=0.5", "", 0.5f, kAddressBits, kCodeBits),
      "the torchscript module is missing");
  testing::ExpectLoadCorruption(
      HandMadeModel("threshold=0.5", module.substr(0, module.size() / 2), 0.5f,
                    kAddressBits, kCodeBits),
      "the torchscript module does not load: ");
  testing::ExpectLoadCorruption(
      HandMadeModel("threshold=0.5", "not a zip archive", 0.5f, kAddressBits,
                    kCodeBits),
      "the torchscript module does not load: ");
  testing::ExpectLoadCorruption(
      HandMadeModel("threshold=0.25", module, 0.5f, kAddressBits, kCodeBits),
      "the module's threshold=0.5 differs from the params' threshold=0.25");
  testing::ExpectLoadCorruption(
      HandMadeModel("threshold=0.50", module, 0.5f, kAddressBits, kCodeBits),
      "are not canonical");
  testing::ExpectLoadCorruption(
      HandMadeModel("threshold=0.5", module, 0.5f, 0, kCodeBits),
      "address hash has 0 bits");
  testing::ExpectLoadCorruption(
      HandMadeModel("threshold=0.5", module, 0.5f, kAddressBits, 96),
      "code hash has 96 bits");
  testing::ExpectLoadCorruption(
      HandMadeModel("threshold=0.5", module, 0.5f, kAddressBits, kCodeBits, 0),
      "input_dim is 0");
}

TEST_F(TorchScriptEncoderTest, DatabaseKeepsTheModule) {
  std::shared_ptr<const Encoder> encoder =
      MakeOrDie(ScriptOptions(SaveLinear(), 0.5f));
  ASSERT_NE(encoder, nullptr);
  const Encoded encoded = testing::Encode(*encoder, x_);
  {
    Options create;
    create.create_if_missing = true;
    create.encoder = encoder;
    auto db = testing::OpenOrDie(Path("db"), create);
    ASSERT_NE(db, nullptr);
    for (uint64_t id = 0; id < 50; ++id) {
      ASSERT_TRUE(db->Put(WriteOptions(), id, encoded.addresses[id],
                          encoded.code(id, kCodeBits))
                      .ok());
    }
  }
  // The module file is gone: the database holds its own copy.
  std::filesystem::remove(Path("linear.pt"));
  auto db = testing::OpenOrDie(Path("db"));
  ASSERT_NE(db, nullptr);
  ASSERT_NE(db->encoder(), nullptr);
  EXPECT_EQ(db->info().encoder_kind, "torchscript");
  EXPECT_EQ(db->info().encoder_params, "threshold=0.5");
  EXPECT_EQ(db->encoder()->Serialize(), encoder->Serialize());
  const Encoded reencoded = testing::Encode(*db->encoder(), x_);
  EXPECT_EQ(reencoded, encoded);
  SearchResult result;
  ASSERT_TRUE(db->SearchExact(reencoded.code(7, kCodeBits), 1, &result).ok());
  ASSERT_FALSE(result.neighbors.empty());
  EXPECT_EQ(result.neighbors[0].distance, 0u);
}

}  // namespace
}  // namespace semhash
