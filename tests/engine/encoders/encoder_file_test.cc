// Model files (SaveEncoder / LoadEncoderFile) and models kept by a database
// read back byte for byte; damage is reported, never loaded.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "semhash/db.h"
#include "semhash/encoder_training.h"
#include "tests/engine/test_util.h"

namespace semhash {
namespace {

using testing::TempDir;

std::shared_ptr<const Encoder> TrainItq() {
  std::mt19937_64 rng(12);
  std::normal_distribution<float> normal;
  std::vector<float> x(400 * 80);
  for (size_t i = 0; i < x.size(); ++i) x[i] = normal(rng) * float(1 + i % 80);
  EncoderOptions options;
  options.kind = kItqEncoder;
  options.address_bits = 12;
  options.code_bits = 64;
  std::unique_ptr<Encoder> encoder;
  EXPECT_TRUE(TrainEncoder(options, 400, x.data(), 80, &encoder).ok());
  return encoder;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(EncoderFile, RoundTripsByteForByte) {
  TempDir dir;
  const auto encoder = TrainItq();
  ASSERT_TRUE(SaveEncoder(*encoder, dir.Sub("m")).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("m.tmp")));
  std::unique_ptr<Encoder> loaded;
  ASSERT_TRUE(LoadEncoderFile(dir.Sub("m"), &loaded).ok());
  EXPECT_EQ(loaded->Serialize(), encoder->Serialize());
  EXPECT_EQ(loaded->kind(), "itq");
  EXPECT_EQ(loaded->params(), "iterations=50,sample=0,seed=42");
}

TEST(EncoderFile, DamageIsCorruptionAndAbsenceIsIOError) {
  TempDir dir;
  ASSERT_TRUE(SaveEncoder(*TrainItq(), dir.Sub("m")).ok());
  const std::string bytes = ReadAll(dir.Sub("m"));
  std::unique_ptr<Encoder> loaded;
  for (size_t offset :
       {size_t{0}, size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
    std::string damaged = bytes;
    damaged[offset] ^= 0x08;
    std::ofstream(dir.Sub("bad"), std::ios::binary) << damaged;
    const Status s = LoadEncoderFile(dir.Sub("bad"), &loaded);
    EXPECT_TRUE(s.IsCorruption()) << offset << ": " << s.ToString();
    EXPECT_NE(s.message().find(dir.Sub("bad")), std::string::npos);
  }
  std::ofstream(dir.Sub("cut"), std::ios::binary)
      << bytes.substr(0, bytes.size() - 9);
  EXPECT_TRUE(LoadEncoderFile(dir.Sub("cut"), &loaded).IsCorruption());
  EXPECT_TRUE(LoadEncoderFile(dir.Sub("absent"), &loaded).IsIOError());
  EXPECT_TRUE(SaveEncoder(*TrainItq(), dir.Sub("no/such/dir/m")).IsIOError());
}

TEST(EncoderFile, DatabaseKeepsTheModelByteForByte) {
  TempDir dir;
  const auto encoder = TrainItq();
  Options create;
  create.create_if_missing = true;
  create.encoder = encoder;
  testing::OpenOrDie(dir.Sub("db"), create);
  auto db = testing::OpenOrDie(dir.Sub("db"));
  ASSERT_NE(db->encoder(), nullptr);
  EXPECT_EQ(db->encoder()->Serialize(), encoder->Serialize());
  EXPECT_EQ(db->info().encoder_params, "iterations=50,sample=0,seed=42");
}

}  // namespace
}  // namespace semhash
