// Learned encoders against random hyperplanes (LSH), by mAP over the full
// Hamming ranking of 32-bit codes (relevant = same class):
// - on a labelled fixture whose classes differ along a few directions of a
//   noisy high-dimensional space (the structure data-dependent hashing
//   exploits), every learned encoder must beat LSH;
// - on real Fashion-MNIST images (Debian package dataset-fashion-mnist, which
//   CI installs), ITQ must beat LSH. PCAH and spectral hashing do not on raw
//   pixels at 32 bits; docs/quality.md records by how much.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "semhash/encoder_training.h"
#include "tools/io/idx_file.h"
#include "tools/retrieval_metrics.h"

namespace semhash::cli {
namespace {

const std::string kData = "/usr/share/datasets/fashion-mnist/";

struct Split {
  size_t rows = 0, dim = 0;
  std::vector<float> vectors;
  std::vector<int32_t> labels;
};

Split Read(const std::string& images, const std::string& labels, size_t n) {
  io::IdxImages idx;
  std::vector<uint8_t> raw_labels;
  EXPECT_TRUE(io::ReadIdxImages(kData + images, 0, n, &idx).ok());
  EXPECT_TRUE(io::ReadIdxLabels(kData + labels, &raw_labels).ok());
  Split split;
  split.rows = idx.count;
  split.dim = idx.dim();
  split.vectors.assign(idx.pixels.begin(), idx.pixels.end());
  split.labels.assign(raw_labels.begin(), raw_labels.begin() + idx.count);
  return split;
}

// mAP of 32-bit addresses made by a `kind` encoder trained on `db`.
double AddressMap(const std::string& kind, const Split& db,
                  const Split& queries) {
  EncoderOptions options;
  options.kind = kind;
  options.address_bits = 32;
  options.code_bits = 64;
  options.seed = 3;
  std::unique_ptr<Encoder> encoder;
  const Status s =
      TrainEncoder(options, db.rows, db.vectors.data(), db.dim, &encoder);
  EXPECT_TRUE(s.ok()) << kind << ": " << s.ToString();
  if (!s.ok()) return 0;
  const auto encode = [&](const Split& split) {
    std::vector<Address> addresses(split.rows);
    std::vector<uint8_t> codes(split.rows * 8);
    EXPECT_TRUE(encoder
                    ->Encode(split.rows, split.vectors.data(), split.dim,
                             addresses.data(), codes.data())
                    .ok());
    return addresses;
  };
  const std::vector<Address> db_addresses = encode(db);
  const std::vector<Address> query_addresses = encode(queries);
  double sum = 0;
  std::vector<uint32_t> order;
  for (size_t q = 0; q < queries.rows; ++q) {
    AddressRanking(query_addresses[q], db_addresses.data(), db.rows, &order);
    sum +=
        ScoreRanking(order, db.labels, queries.labels[q], {}).average_precision;
  }
  return sum / static_cast<double>(queries.rows);
}

// 10 classes whose means differ in 8 of 256 dimensions; every dimension
// carries unit Gaussian noise.
Split Fixture(size_t rows, uint64_t seed) {
  constexpr size_t kDim = 256, kSignalDims = 8, kClasses = 10;
  std::mt19937_64 means_rng(99);  // the same class means for every split
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> means(kClasses * kSignalDims);
  for (float& m : means) m = 3.0f * normal(means_rng);
  std::mt19937_64 rng(seed);
  Split split;
  split.rows = rows;
  split.dim = kDim;
  split.vectors.resize(rows * kDim);
  split.labels.resize(rows);
  for (size_t i = 0; i < rows; ++i) {
    const int32_t label = static_cast<int32_t>(i % kClasses);
    split.labels[i] = label;
    for (size_t d = 0; d < kDim; ++d) {
      const float mean =
          d < kSignalDims ? means[label * kSignalDims + d] : 0.0f;
      split.vectors[i * kDim + d] = mean + normal(rng);
    }
  }
  return split;
}

TEST(EncoderQuality, LearnedEncodersBeatLshAt32BitsOnAFixture) {
  const Split db = Fixture(3000, 1);
  const Split queries = Fixture(300, 2);
  const double lsh = AddressMap(kLshEncoder, db, queries);
  EXPECT_GT(lsh, 0.12) << "LSH should beat chance (0.1)";
  for (const char* kind : {kPcahEncoder, kItqEncoder, kSpectralEncoder}) {
    const double learned = AddressMap(kind, db, queries);
    EXPECT_GT(learned, lsh) << kind << " mAP " << learned << " vs lsh " << lsh;
  }
}

TEST(EncoderQuality, ItqBeatsLshAt32BitsOnFashionMnist) {
  if (!std::filesystem::exists(kData + "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const Split db =
      Read("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 4000);
  const Split queries =
      Read("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 400);
  const double lsh = AddressMap(kLshEncoder, db, queries);
  const double itq = AddressMap(kItqEncoder, db, queries);
  EXPECT_GT(lsh, 0.15) << "LSH should beat chance (0.1)";
  EXPECT_GT(itq, lsh) << "itq mAP " << itq << " vs lsh " << lsh;
}

}  // namespace
}  // namespace semhash::cli
