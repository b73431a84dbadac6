// Tests for the IDX readers: raw and gzip round trips, slices, and every
// rejected input (bad magic, rank, type, sizes, truncation, corrupt gzip).
#include "tools/io/idx_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace semhash::io {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr char kFashionDir[] = "/usr/share/datasets/fashion-mnist/";

void AppendBigEndian32(uint32_t v, Bytes* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(v >> shift);
}

// An IDX file of unsigned bytes: header then `payload`.
Bytes Idx(const std::vector<uint32_t>& dims, const Bytes& payload,
          uint8_t type = 0x08) {
  Bytes out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) AppendBigEndian32(d, &out);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// count images of rows x cols; pixel k of image i is (i * 16 + k) % 256.
Bytes Pixels(size_t count, size_t rows, size_t cols) {
  Bytes out;
  for (size_t i = 0; i < count; ++i) {
    for (size_t k = 0; k < rows * cols; ++k) out.push_back((i * 16 + k) % 256);
  }
  return out;
}

class IdxFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "idx_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl + "/";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `bytes` through gzwrite, gzip-compressed or raw ("T" mode).
  std::string Write(const std::string& name, const Bytes& bytes, bool gzip) {
    const std::string path = dir_ + name;
    gzFile file = gzopen(path.c_str(), gzip ? "wb" : "wbT");
    EXPECT_NE(file, nullptr);
    if (file == nullptr) return path;
    EXPECT_EQ(gzwrite(file, bytes.data(), bytes.size()),
              static_cast<int>(bytes.size()));
    EXPECT_EQ(gzclose(file), Z_OK);
    return path;
  }

  std::string dir_;
};

TEST_F(IdxFile, ImagesRoundTripRawAndGzip) {
  for (bool gzip : {false, true}) {
    const std::string path =
        Write("img", Idx({5, 2, 3}, Pixels(5, 2, 3)), gzip);
    IdxImages images;
    ASSERT_TRUE(ReadIdxImages(path, 0, 0, &images).ok()) << gzip;
    EXPECT_EQ(images.count, 5u);
    EXPECT_EQ(images.rows, 2u);
    EXPECT_EQ(images.cols, 3u);
    EXPECT_EQ(images.dim(), 6u);
    EXPECT_EQ(images.pixels, Pixels(5, 2, 3));
  }
}

TEST_F(IdxFile, ImagesSliceReadsOnlyTheRange) {
  const Bytes all = Pixels(5, 2, 3);
  const std::string path = Write("img.gz", Idx({5, 2, 3}, all), true);
  IdxImages images;
  ASSERT_TRUE(ReadIdxImages(path, 1, 2, &images).ok());
  EXPECT_EQ(images.count, 2u);
  EXPECT_EQ(images.pixels, Bytes(all.begin() + 6, all.begin() + 18));

  ASSERT_TRUE(ReadIdxImages(path, 3, 0, &images).ok());  // To the end.
  EXPECT_EQ(images.count, 2u);
  EXPECT_EQ(images.pixels, Bytes(all.begin() + 18, all.end()));

  ASSERT_TRUE(ReadIdxImages(path, 4, 100, &images).ok());  // Cut at the end.
  EXPECT_EQ(images.count, 1u);
  EXPECT_EQ(images.pixels, Bytes(all.begin() + 24, all.end()));

  ASSERT_TRUE(ReadIdxImages(path, 5, 0, &images).ok());
  EXPECT_EQ(images.count, 0u);
  EXPECT_TRUE(images.pixels.empty());
}

TEST_F(IdxFile, SliceBeforeTruncationSucceeds) {
  // Data after the slice is not read, so a cut-off tail does not matter.
  Bytes bytes = Idx({5, 2, 3}, Pixels(5, 2, 3));
  bytes.resize(bytes.size() - 4);
  const std::string path = Write("img", bytes, false);
  IdxImages images;
  EXPECT_TRUE(ReadIdxImages(path, 0, 4, &images).ok());
  EXPECT_EQ(images.count, 4u);
}

TEST_F(IdxFile, FirstBeyondCountIsRejected) {
  const std::string path = Write("img", Idx({5, 2, 3}, Pixels(5, 2, 3)), false);
  IdxImages images;
  images.count = 77;
  const Status s = ReadIdxImages(path, 6, 0, &images);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("first image 6 is beyond the 5 images"),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(images.count, 77u);  // Unchanged on failure.
}

TEST_F(IdxFile, LabelsRoundTripRawAndGzip) {
  const Bytes labels = {9, 0, 0, 3, 0, 2, 7};
  for (bool gzip : {false, true}) {
    const std::string path = Write("lbl", Idx({7}, labels), gzip);
    Bytes got;
    ASSERT_TRUE(ReadIdxLabels(path, &got).ok()) << gzip;
    EXPECT_EQ(got, labels);
  }
}

TEST_F(IdxFile, MissingFileIsIOError) {
  const std::string path = dir_ + "no-such-file.gz";
  IdxImages images;
  const Status s = ReadIdxImages(path, 0, 0, &images);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_NE(s.message().find(path), std::string::npos);
  EXPECT_NE(s.message().find("No such file"), std::string::npos)
      << s.ToString();
  Bytes labels;
  EXPECT_TRUE(ReadIdxLabels(path, &labels).IsIOError());
}

TEST_F(IdxFile, WrongMagicIsRejected) {
  Bytes bytes = Idx({2}, {1, 2});
  bytes[0] = 0x1f;  // Not the two zero bytes.
  const std::string path = Write("lbl", bytes, true);
  Bytes labels;
  const Status s = ReadIdxLabels(path, &labels);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find(path), std::string::npos);
  EXPECT_NE(s.message().find("bad magic, expected 0x00000801, found "
                             "0x1f000801"),
            std::string::npos)
      << s.ToString();
}

TEST_F(IdxFile, WrongRankIsRejected) {
  const std::string labels_path = Write("lbl", Idx({2}, {1, 2}), false);
  IdxImages images;
  Status s = ReadIdxImages(labels_path, 0, 0, &images);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("expected 3 dimension(s) for an IDX images "
                             "file, found 1"),
            std::string::npos)
      << s.ToString();

  const std::string images_path = Write("img", Idx({1, 1, 1}, {5}), false);
  Bytes labels;
  s = ReadIdxLabels(images_path, &labels);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("found 3"), std::string::npos) << s.ToString();
}

TEST_F(IdxFile, UnsupportedElementTypeIsRejected) {
  // 0x0d is float: four bytes per element.
  const std::string path = Write("f32", Idx({1}, {0, 0, 0, 0}, 0x0d), false);
  Bytes labels;
  const Status s = ReadIdxLabels(path, &labels);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("unsupported element type 0x0d"),
            std::string::npos)
      << s.ToString();
}

TEST_F(IdxFile, ZeroDimensionIsRejected) {
  const std::string path = Write("img", Idx({3, 0, 28}, {}), false);
  IdxImages images;
  const Status s = ReadIdxImages(path, 0, 0, &images);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("dimension 1 is 0"), std::string::npos)
      << s.ToString();
}

TEST_F(IdxFile, AbsurdSizeIsRejectedBeforeAllocating) {
  // 4 billion images of 65536 x 65536: far over the 2^34-byte limit.
  const std::string path =
      Write("img", Idx({0xffffffffu, 65536, 65536}, {1, 2, 3}), false);
  IdxImages images;
  const Status s = ReadIdxImages(path, 0, 0, &images);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("4294967295x65536x65536 exceed the 2^34-byte"),
            std::string::npos)
      << s.ToString();
}

TEST_F(IdxFile, TruncatedDataIsRejected) {
  Bytes bytes = Idx({5, 2, 3}, Pixels(5, 2, 3));
  bytes.resize(bytes.size() - 7);  // 16 + 30 - 7 = 39 bytes.
  for (bool gzip : {false, true}) {
    const std::string path = Write("img", bytes, gzip);
    IdxImages images;
    const Status s = ReadIdxImages(path, 0, 0, &images);
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_NE(s.message().find(path + ": truncated: header says 5 images of "
                                      "2x3, file ends after 39 bytes"),
              std::string::npos)
        << s.ToString();
  }
}

TEST_F(IdxFile, TruncatedLabelsAreRejected) {
  const std::string path = Write("lbl", Idx({10}, {1, 2, 3}), false);
  Bytes labels;
  const Status s = ReadIdxLabels(path, &labels);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("truncated: header says 10 labels, file ends "
                             "after 11 bytes"),
            std::string::npos)
      << s.ToString();
}

TEST_F(IdxFile, TruncatedHeaderIsRejected) {
  Bytes bytes = Idx({5, 2, 3}, {});
  bytes.resize(10);
  const std::string path = Write("img", bytes, false);
  IdxImages images;
  const Status s = ReadIdxImages(path, 0, 0, &images);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("truncated: file ends after 10 bytes, inside "
                             "the 16-byte IDX header"),
            std::string::npos)
      << s.ToString();
}

TEST_F(IdxFile, CutGzipStreamIsTruncated) {
  const std::string path =
      Write("img.gz", Idx({1000, 8, 8}, Pixels(1000, 8, 8)), true);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  IdxImages images;
  const Status s = ReadIdxImages(path, 0, 0, &images);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("truncated: header says 1000 images of 8x8"),
            std::string::npos)
      << s.ToString();
}

TEST_F(IdxFile, CorruptGzipStreamIsCorruption) {
  const std::string path = Write("lbl.gz", Idx({3}, {1, 2, 3}), true);
  // Past the 10-byte gzip header, 0xff starts a block of invalid type 3.
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(10);
  file.write("\xff\xff\xff\xff", 4);
  file.close();
  Bytes labels;
  const Status s = ReadIdxLabels(path, &labels);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(path + ": corrupt gzip stream"), std::string::npos)
      << s.ToString();
}

TEST(IdxFashionMnist, ReadsTestLabelsAndImages) {
  const std::string labels_path =
      std::string(kFashionDir) + "t10k-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(labels_path)) {
    GTEST_SKIP() << "install dataset-fashion-mnist to run";
  }
  Bytes labels;
  ASSERT_TRUE(ReadIdxLabels(labels_path, &labels).ok());
  EXPECT_EQ(labels.size(), 10000u);
  EXPECT_EQ(labels[0], 9);  // Ankle boot.

  IdxImages images;
  ASSERT_TRUE(
      ReadIdxImages(std::string(kFashionDir) + "t10k-images-idx3-ubyte.gz",
                    9998, 0, &images)
          .ok());
  EXPECT_EQ(images.count, 2u);
  EXPECT_EQ(images.rows, 28u);
  EXPECT_EQ(images.cols, 28u);
  EXPECT_EQ(images.pixels.size(), 2u * 28 * 28);
}

}  // namespace
}  // namespace semhash::io
