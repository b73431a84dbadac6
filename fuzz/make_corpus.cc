// make_corpus: writes the fuzz targets' seed corpora, small valid inputs made
// by the real encoders, so that fuzzing starts from inside every format.
//
//   make_corpus OUT_DIR     writes OUT_DIR/<target>/<seed>
//
// The checked-in corpus (fuzz/corpus/) is its output; refresh it with
// `build/fuzz/make_corpus fuzz/corpus` after a format change. Every seed is
// decoded again by the reader it is for before it is written, and a seed
// that does not read back is an error (exit status 1): seeds are meant to
// be valid. The output is the same on every run.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/db/rocksdb_log_scan.h"
#include "format/coding.h"
#include "format/frame.h"
#include "format/id_record.h"
#include "format/manifest.h"
#include "format/manifest_watermark.h"
#include "format/posting_chunk.h"
#include "format/segment_layout.h"
#include "format/tail_record.h"
#include "semhash/encoder_training.h"
#include "tools/io/idx_file.h"
#include "tools/io/npy_file.h"
#include "tools/io/vector_file.h"

namespace semhash::fuzz {
namespace {

namespace fs = std::filesystem;

// Input layouts of the targets that take control bytes (see each target).
constexpr char kPostingExisting = 0x10;           // posting_chunk_fuzzer: bit 4
constexpr char kPostingRepair = 0x20;             // and bit 5
constexpr char kFvecs = 0, kBvecs = 1, kNpy = 2;  // vectors_fuzzer byte 0

const std::vector<uint8_t> kCode8 = {0x01, 0x23, 0x45, 0x67,
                                     0x89, 0xab, 0xcd, 0xef};

// Deterministic values in [-1, 1): xorshift64, the same on every platform.
std::vector<float> Values(size_t n, uint64_t seed) {
  std::vector<float> values(n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float& v : values) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v = static_cast<float>(x >> 40) / static_cast<float>(1 << 23) - 1.0f;
  }
  return values;
}

std::string Bytes(const void* data, size_t size) {
  return std::string(static_cast<const char*>(data), size);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

bool WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return static_cast<bool>(out);
}

// A gzip stream of `raw` (deflate with a gzip wrapper, no timestamp).
std::string Gzip(std::string_view raw) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, raw.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Writes the seeds of one target, each checked by `reads_back`, which gets
// the seed's bytes and a scratch path.
class SeedWriter {
 public:
  SeedWriter(fs::path out, fs::path scratch) : out_(out), scratch_(scratch) {}

  // The files other readers make (WriteNpy) are built at scratch().
  const fs::path& scratch() const { return scratch_; }
  bool ok() const { return ok_; }

  template <typename Check>
  void Add(const std::string& target, const std::string& name,
           std::string_view bytes, Check reads_back) {
    const fs::path dir = out_ / target;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!reads_back(bytes)) {
      std::fprintf(stderr, "make_corpus: %s/%s does not read back\n",
                   target.c_str(), name.c_str());
      ok_ = false;
    } else if (ec || !WriteFile(dir / name, bytes)) {
      std::fprintf(stderr, "make_corpus: cannot write %s\n",
                   (dir / name).c_str());
      ok_ = false;
    }
  }

  // Writes `bytes` at the scratch path named `name` and returns that path,
  // for the readers that take a path.
  std::string Stage(const std::string& name, std::string_view bytes) const {
    const fs::path path = scratch_ / name;
    WriteFile(path, bytes);
    return path.string();
  }

 private:
  fs::path out_;
  fs::path scratch_;
  bool ok_ = true;
};

// ---- Records of the database format (docs/format.md). ----

void FrameSeeds(SeedWriter* w) {
  const auto decodes = [](std::string_view bytes) {
    format::FrameView frame;
    return format::DecodeFrame(static_cast<format::RecordKind>(bytes[0]), bytes,
                               &frame)
        .ok();
  };
  format::Manifest manifest;
  manifest.address_bits = 16;
  manifest.code_bits = 64;
  manifest.posting_chunk_capacity = 1024;
  manifest.merge_operator = "semhash.PostingChunkMerge.v1";
  w->Add("frame_fuzzer", "manifest", format::EncodeManifest(manifest), decodes);
  std::string model;
  format::AppendFrame(format::RecordKind::kEncoderModel, 1, "SHEM", &model);
  w->Add("frame_fuzzer", "encoder_model", model, decodes);
  w->Add("frame_fuzzer", "id_record",
         format::EncodeIdRecord({0x2A3B4C5, {1}, kCode8, "a.png"}), decodes);
  const uint64_t ids[] = {42, 7};
  w->Add("frame_fuzzer", "posting_chunk",
         format::EncodePostingChunk(4, 2, ids, kCode8.data()), decodes);
  w->Add("frame_fuzzer", "posting_operand", format::EncodeRemoveOperand(42),
         decodes);
  w->Add("frame_fuzzer", "tail_record", format::EncodeTailRecord({2, 17}),
         decodes);
  std::string empty;
  format::AppendFrame(format::RecordKind::kTail, 1, "", &empty);
  w->Add("frame_fuzzer", "empty_payload", empty, decodes);
}

// posting_chunk_fuzzer's input: control byte, then pieces, each but the last
// preceded by its u16 LE length.
std::string Pieces(char control, const std::vector<std::string>& pieces) {
  std::string input(1, static_cast<char>(control + pieces.size() - 1));
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i + 1 < pieces.size()) {
      input += static_cast<char>(pieces[i].size() & 0xff);
      input += static_cast<char>(pieces[i].size() >> 8);
    }
    input += pieces[i];
  }
  return input;
}

void PostingSeeds(SeedWriter* w) {
  const uint64_t ids[] = {42, 7, 9};
  std::vector<uint8_t> codes(kCode8);
  codes.insert(codes.end(), 16, 0xff);
  const std::string chunk = format::EncodePostingChunk(8, 3, ids, codes.data());
  const std::string add42 = format::EncodeAddOperand(42, kCode8);
  const std::string add5 = format::EncodeAddOperand(5, CodeView(codes).last(8));
  const std::string remove7 = format::EncodeRemoveOperand(7);
  const std::string add_wide =
      format::EncodeAddOperand(6, CodeView(codes).first(16));
  // Seeds are not all successful merges: the last one disagrees on the code
  // length, which the merge must refuse.
  const auto any = [](std::string_view) { return true; };
  const std::string t = "posting_chunk_fuzzer";
  w->Add(t, "chunk", Pieces(kPostingExisting, {chunk}), any);
  w->Add(t, "chunk_add_remove_add",
         Pieces(kPostingExisting, {chunk, add42, remove7, add5}), any);
  w->Add(t, "operands_only", Pieces(0, {add42, add5, remove7}), any);
  w->Add(t, "empty_chunk_remove",
         Pieces(kPostingExisting,
                {format::EncodePostingChunk(0, 0, nullptr, nullptr), remove7}),
         any);
  w->Add(t, "repaired",
         Pieces(kPostingExisting | kPostingRepair, {chunk, add5}), any);
  w->Add(t, "code_length_mismatch", Pieces(0, {add42, add_wide}), any);
}

void RecordSeeds(SeedWriter* w) {
  const auto id_reads = [](std::string_view bytes) {
    format::IdRecord record;
    return format::DecodeIdRecord(bytes, &record).ok();
  };
  const std::vector<uint8_t> code128(128, 0x5a);
  w->Add("id_record_fuzzer", "docs_example",
         format::EncodeIdRecord({0x2A3B4C5, {1}, kCode8, "a.png"}), id_reads);
  w->Add("id_record_fuzzer", "no_tables_no_payload",
         format::EncodeIdRecord({7, {}, kCode8, ""}), id_reads);
  w->Add("id_record_fuzzer", "three_tables_1024_bit_code",
         format::EncodeIdRecord(
             {0xffffffff, {0, 1, 70000}, code128, "images/0001.jpg"}),
         id_reads);

  const auto tail_reads = [](std::string_view bytes) {
    format::TailRecord tail;
    return format::DecodeTailRecord(bytes, &tail).ok();
  };
  w->Add("tail_record_fuzzer", "docs_example",
         format::EncodeTailRecord({2, 17}), tail_reads);
  w->Add("tail_record_fuzzer", "max",
         format::EncodeTailRecord({0xffffffff, 0xffffffff}), tail_reads);

  const auto manifest_reads = [](std::string_view bytes) {
    format::Manifest manifest;
    return format::DecodeManifest(bytes, &manifest).ok();
  };
  format::Manifest external;
  external.address_bits = 24;
  external.code_bits = 256;
  external.posting_chunk_capacity = 1024;
  external.merge_operator = "semhash.PostingChunkMerge.v1";
  w->Add("manifest_fuzzer", "external", format::EncodeManifest(external),
         manifest_reads);
  format::Manifest lsh = external;
  lsh.address_bits = 8;
  lsh.code_bits = 1024;
  lsh.encoder_kind = "lsh";
  lsh.encoder_params = "sample=0,seed=42";
  lsh.encoder_model_checksum = 0x0123456789abcdef;
  w->Add("manifest_fuzzer", "lsh", format::EncodeManifest(lsh), manifest_reads);

  const auto watermark_reads = [](std::string_view bytes) {
    format::ManifestWatermark mark;
    return format::DecodeManifestWatermark(bytes, &mark).ok();
  };
  w->Add("manifest_watermark_fuzzer", "docs_example",
         format::EncodeManifestWatermark({16, 732}), watermark_reads);

  // Header frames without their padding (the target pads them).
  const auto segment_reads = [](std::string_view frame) {
    std::string padded(frame);
    padded.resize(format::kSegmentAlignment, '\0');
    format::SegmentHeader header;
    return format::DecodeSegmentHeader(padded, &header).ok();
  };
  const auto frame_of = [](const format::SegmentHeader& header) {
    const std::string padded = format::EncodeSegmentHeader(header);
    return padded.substr(
        0, format::kFrameOverheadBytes +
               format::GetLittleEndian<uint32_t>(padded.data() + 2));
  };
  format::SegmentHeader tiny = format::PlanSegment(8, 64, 2, 4096, {});
  tiny.checksums_checksum = 0x7bdf1b4c6d6548ad;
  w->Add("segment_header_fuzzer", "docs_example", frame_of(tiny),
         segment_reads);
  std::vector<format::SegmentTable> tables;
  for (uint32_t t = 0; t < 8; ++t) tables.push_back({32 * t, 32});
  const format::SegmentHeader large = format::PlanSegment(
      30, 256, 1000000, format::kDefaultSegmentBlockBytes, tables);
  w->Add("segment_header_fuzzer", "tables", frame_of(large), segment_reads);
}

// ---- RocksDB's log format (engine/db/rocksdb_log_scan.h). ----

void LogSeeds(SeedWriter* w) {
  const auto whole = [](std::string_view bytes) {
    LogScan scan;
    ScanLogBytes(std::string(bytes), &scan);
    return scan.damage.empty();
  };
  const std::string t = "rocksdb_log_fuzzer";
  w->Add(t, "full_records",
         TEST_LogRecord(1, "alpha") + TEST_LogRecord(1, "beta"), whole);
  w->Add(t, "fragments",
         TEST_LogRecord(2, "fir") + TEST_LogRecord(3, "st-mid") +
             TEST_LogRecord(4, "dle-last"),
         whole);
  // Fills the first 32 KiB block but 3 bytes of padding, then one record.
  w->Add(t, "block_trailer",
         TEST_LogRecord(1, std::string(32768 - 7 - 3, 'x')) +
             std::string(3, '\0') + TEST_LogRecord(1, "next block"),
         whole);
  w->Add(t, "torn_tail",
         (TEST_LogRecord(1, "alpha") + TEST_LogRecord(1, "beta")).substr(0, 17),
         [](std::string_view) { return true; });
}

// ---- Encoder models (format/encoder_model.fbs). ----

void EncoderSeed(SeedWriter* w, const std::string& name, const char* kind,
                 size_t dim, uint32_t address_bits, uint32_t code_bits) {
  EncoderOptions options;
  options.kind = kind;
  options.address_bits = address_bits;
  options.code_bits = code_bits;
  options.itq_iterations = 3;
  const size_t n = 2 * dim + 16;
  const std::vector<float> x = Values(n * dim, dim + code_bits);
  std::unique_ptr<Encoder> encoder;
  const Status s = TrainEncoder(options, n, x.data(), dim, &encoder);
  if (!s.ok()) {
    std::fprintf(stderr, "make_corpus: training %s: %s\n", name.c_str(),
                 s.ToString().c_str());
  }
  const std::string bytes = s.ok() ? encoder->Serialize() : std::string();
  w->Add("encoder_model_fuzzer", name, bytes, [](std::string_view bytes) {
    std::unique_ptr<Encoder> loaded;
    return Encoder::Load(bytes, &loaded).ok();
  });
}

void EncoderSeeds(SeedWriter* w) {
  EncoderSeed(w, "lsh_dim4_8_64", kLshEncoder, 4, 8, 64);
  EncoderSeed(w, "lsh_dim3_32_128", kLshEncoder, 3, 32, 128);
  EncoderSeed(w, "sh_dim4_8_64", kSpectralEncoder, 4, 8, 64);
  EncoderSeed(w, "sh_dim6_3_128", kSpectralEncoder, 6, 3, 128);
  EncoderSeed(w, "pcah_dim64_8_64", kPcahEncoder, 64, 8, 64);
  EncoderSeed(w, "itq_dim64_8_64", kItqEncoder, 64, 8, 64);
}

// ---- Input files of the tools (tools/io). ----

std::string IdxFile(uint8_t rank, const std::vector<uint32_t>& dims,
                    size_t elements) {
  std::string file = {0, 0, 0x08, static_cast<char>(rank)};
  for (const uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      file += static_cast<char>(d >> shift);
    }
  }
  for (size_t i = 0; i < elements; ++i) file += static_cast<char>(i * 37);
  return file;
}

void IdxSeeds(SeedWriter* w) {
  const std::string images = IdxFile(3, {3, 2, 4}, 3 * 2 * 4);
  const std::string labels = IdxFile(1, {5}, 5);
  // idx_fuzzer's input: first, limit, then the file.
  const auto input = [](char first, char limit, const std::string& file) {
    return std::string{first, limit} + file;
  };
  const auto reads = [w](std::string_view bytes) {
    const std::string path = w->Stage("seed.idx", bytes.substr(2));
    io::IdxImages images;
    std::vector<uint8_t> labels;
    return io::ReadIdxImages(path, bytes[0], bytes[1], &images).ok() ||
           io::ReadIdxLabels(path, &labels).ok();
  };
  const std::string t = "idx_fuzzer";
  w->Add(t, "images", input(0, 0, images), reads);
  w->Add(t, "images_slice", input(1, 1, images), reads);
  w->Add(t, "images_gzip", input(0, 2, Gzip(images)), reads);
  w->Add(t, "labels", input(0, 0, labels), reads);
  w->Add(t, "labels_gzip", input(0, 0, Gzip(labels)), reads);
}

// A .npy file written by WriteNpy.
std::string Npy(const SeedWriter& w, io::NpyType type,
                const std::vector<size_t>& shape, const void* data) {
  const fs::path path = w.scratch() / "seed.npy";
  if (!io::WriteNpy(path.string(), type, shape, data).ok()) return "";
  return ReadFile(path);
}

// `v1` (a format 1.0 .npy) rewritten as format 2.0: u32 header length.
std::string NpyVersion2(const std::string& v1) {
  std::string v2 = v1.substr(0, 8);
  v2[6] = 2;
  v2 += v1.substr(8, 2) + std::string(2, '\0');
  // The data moves 2 bytes; numpy does not require it aligned.
  return v2 + v1.substr(10);
}

void NpySeeds(SeedWriter* w) {
  const std::vector<float> f32 = Values(6, 1);
  const std::vector<double> f64(f32.begin(), f32.end());
  const uint8_t u8[] = {0, 1, 2, 3, 250, 255};
  const uint32_t u32[] = {0, 7, 0xffffffff};
  const uint64_t u64[] = {1, 2, 0xffffffffffffffff};
  const int64_t i64[] = {0, 9, 1ll << 40};
  const auto reads = [w](std::string_view bytes) {
    io::NpyArray array;
    return io::ReadNpy(w->Stage("seed.npy", bytes), &array).ok();
  };
  const std::string t = "npy_fuzzer";
  using io::NpyType;
  w->Add(t, "u8_2x3", Npy(*w, NpyType::kUint8, {2, 3}, u8), reads);
  w->Add(t, "u32_3", Npy(*w, NpyType::kUint32, {3}, u32), reads);
  w->Add(t, "u64_3", Npy(*w, NpyType::kUint64, {3}, u64), reads);
  w->Add(t, "i64_3", Npy(*w, NpyType::kInt64, {3}, i64), reads);
  w->Add(t, "f32_3x2", Npy(*w, NpyType::kFloat32, {3, 2}, f32.data()), reads);
  w->Add(t, "f64_1x2x3", Npy(*w, NpyType::kFloat64, {1, 2, 3}, f64.data()),
         reads);
  w->Add(t, "f32_scalar", Npy(*w, NpyType::kFloat32, {}, f32.data()), reads);
  w->Add(t, "u8_empty_0x4", Npy(*w, NpyType::kUint8, {0, 4}, nullptr), reads);
  w->Add(t, "u8_2x3_version2",
         NpyVersion2(Npy(*w, NpyType::kUint8, {2, 3}, u8)), reads);
}

// .fvecs / .bvecs rows: int32 LE dimension, then the values.
template <typename T>
std::string AnnVectors(size_t rows, int32_t dim, const std::vector<T>& values) {
  std::string file;
  for (size_t r = 0; r < rows; ++r) {
    file += Bytes(&dim, sizeof(dim));
    file += Bytes(values.data() + r * dim, dim * sizeof(T));
  }
  return file;
}

void VectorSeeds(SeedWriter* w) {
  static constexpr const char* kNames[] = {"seed.fvecs", "seed.bvecs",
                                           "seed.npy"};
  // vectors_fuzzer's input: format, first | count << 4, then the file.
  const auto input = [](char format, char slice, const std::string& file) {
    return std::string{format, slice} + file;
  };
  const auto reads = [w](std::string_view bytes) {
    const std::string path =
        w->Stage(kNames[static_cast<uint8_t>(bytes[0])], bytes.substr(2));
    io::Vectors vectors;
    std::vector<int32_t> labels;
    return io::ReadVectors(path, bytes[1] & 0x0f, bytes[1] >> 4, &vectors)
               .ok() ||
           io::ReadLabels(path, &labels).ok();
  };
  const std::vector<float> f32 = Values(12, 2);
  std::vector<uint8_t> u8(12);
  for (size_t i = 0; i < u8.size(); ++i) u8[i] = static_cast<uint8_t>(i * 21);
  const int32_t i32_labels[] = {0, 3, 1, 2};
  const int64_t i64_labels[] = {4, 0, 2};
  const std::string t = "vectors_fuzzer";
  using io::NpyType;
  w->Add(t, "fvecs_3x4", input(kFvecs, 0, AnnVectors(3, 4, f32)), reads);
  w->Add(t, "fvecs_slice", input(kFvecs, 0x21, AnnVectors(3, 4, f32)), reads);
  w->Add(t, "bvecs_4x3", input(kBvecs, 0, AnnVectors(4, 3, u8)), reads);
  w->Add(t, "npy_f32_4x3",
         input(kNpy, 0, Npy(*w, NpyType::kFloat32, {4, 3}, f32.data())), reads);
  w->Add(t, "npy_u8_2x6",
         input(kNpy, 0x11, Npy(*w, NpyType::kUint8, {2, 6}, u8.data())), reads);
  // int32 labels: WriteNpy has no such type, so patch '<u4' to '<i4'.
  std::string i32 = Npy(*w, NpyType::kUint32, {4}, i32_labels);
  i32[i32.find("<u4") + 1] = 'i';
  w->Add(t, "npy_i32_labels", input(kNpy, 0, i32), reads);
  w->Add(t, "npy_i64_labels",
         input(kNpy, 0, Npy(*w, NpyType::kInt64, {3}, i64_labels)), reads);
}

}  // namespace
}  // namespace semhash::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path out(argv[1]);
  const fs::path scratch = out / ".make_corpus_scratch";
  std::error_code ec;
  fs::create_directories(scratch, ec);
  if (ec) {
    std::fprintf(stderr, "make_corpus: %s: %s\n", scratch.c_str(),
                 ec.message().c_str());
    return 1;
  }
  semhash::fuzz::SeedWriter writer(out, scratch);
  semhash::fuzz::FrameSeeds(&writer);
  semhash::fuzz::PostingSeeds(&writer);
  semhash::fuzz::RecordSeeds(&writer);
  semhash::fuzz::LogSeeds(&writer);
  semhash::fuzz::EncoderSeeds(&writer);
  semhash::fuzz::IdxSeeds(&writer);
  semhash::fuzz::NpySeeds(&writer);
  semhash::fuzz::VectorSeeds(&writer);
  fs::remove_all(scratch, ec);
  return writer.ok() ? 0 : 1;
}
