// DB::Open: creating a database atomically (at once, or staged until
// DB::Publish) and checking an existing one against the options (see
// semhash/db.h and docs/format.md).
#include "engine/db/db_open.h"

#include <rocksdb/file_system.h>
#include <unistd.h>
#include <xxhash.h>

#include <filesystem>
#include <system_error>

#include "engine/common/code_widths.h"
#include "engine/db/db_impl.h"
#include "engine/db/posting_merge_operator.h"
#include "engine/db/rocksdb_status.h"
#include "engine/db/staging_directory.h"
#include "format/encoder_frame.h"
#include "format/keys.h"

namespace semhash {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kPostingChunkCapacity = 1024;
// A new database is made in "<path>.creating.<pid>-<n>"
// (staging_directory.h).
constexpr char kCreatingMarker[] = ".creating.";

enum class PathState { kAbsent, kEmptyDirectory, kDatabase };

Status InspectPath(const std::string& path, PathState* state) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Status::IOError(path + ": " + ec.message());
  }
  if (!fs::exists(st)) {
    *state = PathState::kAbsent;
    return Status::OK();
  }
  if (!fs::is_directory(st)) {
    return Status::InvalidArgument(path +
                                   " is a file, not a database directory");
  }
  if (fs::exists(fs::path(path) / "CURRENT")) {
    *state = PathState::kDatabase;
    return Status::OK();
  }
  if (fs::is_empty(path, ec) && !ec) {
    *state = PathState::kEmptyDirectory;
    return Status::OK();
  }
  return Status::InvalidArgument(path +
                                 " exists and is not a semhash database");
}

std::string EncoderIdentity(std::string_view kind, std::string_view params) {
  if (params.empty()) return std::string(kind);
  return std::string(kind) + "(" + std::string(params) + ")";
}

// The widths a database created with `options` would have.
uint32_t EffectiveAddressBits(const Options& options) {
  const Encoder* encoder = options.encoder.get();
  return options.address_bits.value_or(encoder ? encoder->address_bits()
                                               : kDefaultAddressBits);
}

uint32_t EffectiveCodeBits(const Options& options) {
  const Encoder* encoder = options.encoder.get();
  return options.code_bits.value_or(encoder ? encoder->code_bits()
                                            : kDefaultCodeBits);
}

Status CheckOptions(const Options& options) {
  const Encoder* encoder = options.encoder.get();
  if (encoder != nullptr &&
      (EffectiveAddressBits(options) != encoder->address_bits() ||
       EffectiveCodeBits(options) != encoder->code_bits())) {
    return Status::InvalidArgument(
        "the encoder makes " + std::to_string(encoder->address_bits()) +
        "-bit addresses and " + std::to_string(encoder->code_bits()) +
        "-bit codes, unlike the options' address_bits/code_bits");
  }
  const uint32_t address_bits = EffectiveAddressBits(options);
  if (address_bits < kMinAddressBits || address_bits > kMaxAddressBits) {
    return Status::InvalidArgument(
        "address_bits " + std::to_string(address_bits) + " is outside 8..32");
  }
  return CheckCodeWidth(EffectiveCodeBits(options));
}

format::Manifest NewManifest(const Options& options) {
  const Encoder* encoder = options.encoder.get();
  format::Manifest manifest;
  manifest.address_bits = options.address_bits.value_or(
      encoder ? encoder->address_bits() : kDefaultAddressBits);
  manifest.code_bits = options.code_bits.value_or(encoder ? encoder->code_bits()
                                                          : kDefaultCodeBits);
  manifest.posting_chunk_capacity = kPostingChunkCapacity;
  manifest.mih_tables = options.mih_tables.value_or(0);
  manifest.merge_operator = kPostingMergeOperatorName;
  if (encoder != nullptr) {
    const std::string model = encoder->Serialize();
    manifest.encoder_kind = encoder->kind();
    manifest.encoder_params = encoder->params();
    manifest.encoder_model_checksum = XXH3_64bits(model.data(), model.size());
  }
  return manifest;
}

// Renames the staging directory to `target` and fsyncs their parent, so
// that the rename is durable. Through `env`'s file system, as every file
// RocksDB writes, so that a test's file system sees (and can crash) both.
Status InstallDatabase(const fs::path& staging, const fs::path& target,
                       rocksdb::Env* env) {
  rocksdb::FileSystem* files =
      (env != nullptr ? env : rocksdb::Env::Default())->GetFileSystem().get();
  const rocksdb::IOOptions io;
  rocksdb::IOStatus s =
      files->RenameFile(staging.string(), target.string(), io, nullptr);
  if (!s.ok()) return FromRocksDB(s).WithContext("cannot create");
  std::unique_ptr<rocksdb::FSDirectory> parent;
  s = files->NewDirectory(target.parent_path().string(), io, &parent, nullptr);
  if (s.ok()) s = parent->Fsync(io, nullptr);
  if (s.ok()) s = parent->Close(io, nullptr);
  return FromRocksDB(s).WithContext("cannot sync the parent directory");
}

Status WriteInitialRecords(const Options& options, const std::string& dir,
                           rocksdb::Env* env) {
  std::unique_ptr<RocksDBStore> store;
  RocksDBStoreOptions store_options;
  store_options.create = true;
  store_options.env = env;
  Status s = RocksDBStore::Open(store_options, dir, &store);
  if (!s.ok()) return s;
  rocksdb::WriteBatch batch;
  batch.Put(store->meta(), format::kManifestKey,
            format::EncodeManifest(NewManifest(options)));
  if (options.encoder != nullptr) {
    batch.Put(store->meta(), format::kEncoderKey,
              format::EncodeEncoderFrame(options.encoder->Serialize()));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocksDB(store->db()->Write(write_options, &batch));
}

Status Mismatch(std::string_view field, const std::string& stored,
                const std::string& requested) {
  return Status::InvalidArgument(std::string(field) + ": the database has " +
                                 stored + ", the options say " + requested);
}

Status CheckManifest(const Options& options, const format::Manifest& m) {
  if (m.merge_operator != kPostingMergeOperatorName) {
    return Mismatch("merge_operator", m.merge_operator,
                    kPostingMergeOperatorName);
  }
  if (options.address_bits.value_or(m.address_bits) != m.address_bits) {
    return Mismatch("address_bits", std::to_string(m.address_bits),
                    std::to_string(*options.address_bits));
  }
  if (options.code_bits.value_or(m.code_bits) != m.code_bits) {
    return Mismatch("code_bits", std::to_string(m.code_bits),
                    std::to_string(*options.code_bits));
  }
  if (options.mih_tables.value_or(m.mih_tables) != m.mih_tables) {
    return Mismatch("mih_tables", std::to_string(m.mih_tables),
                    std::to_string(*options.mih_tables));
  }
  return Status::OK();
}

Status ReadManifest(RocksDBStore* store, format::Manifest* manifest) {
  std::string value;
  const rocksdb::Status s = store->db()->Get(
      rocksdb::ReadOptions(), store->meta(), format::kManifestKey, &value);
  if (s.IsNotFound()) {
    return Status::Corruption("no manifest: not a semhash database");
  }
  if (!s.ok()) return FromRocksDB(s);
  return format::DecodeManifest(value, manifest);
}

Status LoadStoredEncoder(RocksDBStore* store, const format::Manifest& m,
                         std::unique_ptr<Encoder>* encoder) {
  if (m.encoder_kind == format::kExternalEncoderKind) return Status::OK();
  std::string value;
  const rocksdb::Status s = store->db()->Get(
      rocksdb::ReadOptions(), store->meta(), format::kEncoderKey, &value);
  if (s.IsNotFound()) {
    return Status::Corruption("manifest names encoder " + m.encoder_kind +
                              " but no model is stored");
  }
  if (!s.ok()) return FromRocksDB(s);
  std::string_view model;
  Status d = format::DecodeEncoderFrame(value, &model);
  if (!d.ok()) return d;
  if (XXH3_64bits(model.data(), model.size()) != m.encoder_model_checksum) {
    return Status::Corruption("encoder model differs from the manifest's");
  }
  return Encoder::Load(model, encoder);
}

Status CheckEncoder(const Options& options, const format::Manifest& m) {
  const Encoder* requested = options.encoder.get();
  if (requested == nullptr) return Status::OK();
  const std::string stored = EncoderIdentity(m.encoder_kind, m.encoder_params);
  const std::string wanted =
      EncoderIdentity(requested->kind(), requested->params());
  if (stored != wanted) return Mismatch("encoder", stored, wanted);
  const std::string model = requested->Serialize();
  if (XXH3_64bits(model.data(), model.size()) != m.encoder_model_checksum) {
    return Mismatch("encoder", stored + " trained on other data",
                    wanted + " with another model");
  }
  return Status::OK();
}

Status OpenExistingOnce(const Options& options, const std::string& path,
                        rocksdb::Env* env, std::unique_ptr<DB>* db) {
  std::unique_ptr<RocksDBStore> store;
  RocksDBStoreOptions store_options;
  store_options.read_only = options.read_only;
  store_options.block_cache_bytes = options.block_cache_bytes;
  store_options.env = env;
  Status s = RocksDBStore::Open(store_options, path, &store);
  if (!s.ok()) return s;
  format::Manifest manifest;
  s = ReadManifest(store.get(), &manifest);
  if (s.ok()) s = CheckManifest(options, manifest);
  if (s.ok()) s = CheckEncoder(options, manifest);
  std::unique_ptr<Encoder> encoder;
  if (s.ok()) s = LoadStoredEncoder(store.get(), manifest, &encoder);
  if (!s.ok()) return s.WithContext(path);
  auto impl = std::make_unique<DBImpl>(std::move(store), manifest,
                                       std::move(encoder), options.read_only);
  s = impl->StartMemoryIndex();
  if (!s.ok()) return s.WithContext(path + ": loading the in-memory index");
  *db = std::move(impl);
  return Status::OK();
}

// A read-only open races the writer: the segment its manifest names may be
// removed by a publication between RocksDB's open and the mapping (the
// only NotFound an open of an existing database meets). The manifest then
// names a newer segment: open again.
Status OpenExisting(const Options& options, const std::string& path,
                    rocksdb::Env* env, std::unique_ptr<DB>* db) {
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    const Status s = OpenExistingOnce(options, path, env, db);
    if (!options.read_only || !s.IsNotFound() || attempt == kAttempts) {
      return s;
    }
  }
}

// Builds the database in a sibling directory and renames it into place, so
// a crash leaves `path` absent (or empty) or complete; or, staged, opens it
// there for DB::Publish to rename.
Status CreateDatabase(const Options& options, const std::string& path,
                      rocksdb::Env* env, std::unique_ptr<DB>* db) {
  const fs::path target = fs::absolute(path).lexically_normal();
  auto staged = std::make_unique<DBImpl::Staged>(
      UniqueStagingPath(target, kCreatingMarker), target, env);
  const std::string staging = staged->dir.path().string();
  // A directory of that name is a killed process's whose pid this one reuses.
  std::error_code ignored;
  fs::remove_all(staging, ignored);
  Status s = WriteInitialRecords(options, staging, env);
  if (!s.ok()) return s;
  if (options.stage_new_database) {
    s = OpenExisting(options, staging, env, db);
    if (s.ok()) static_cast<DBImpl*>(db->get())->set_staged(std::move(staged));
    return s;
  }
  s = InstallDatabase(staging, target, env).WithContext(path);
  if (!s.ok()) return s;
  staged->dir.Keep();
  return OpenExisting(options, path, env, db);
}

Status OpenDB(const Options& options, const std::string& path,
              rocksdb::Env* env, std::unique_ptr<DB>* db) {
  db->reset();
  Status s = CheckOptions(options);
  if (!s.ok()) return s;
  // A process killed while creating the database left its staging
  // directory behind; a read-only open changes nothing, not even that.
  if (!options.read_only) RemoveAbandonedStaging(path, kCreatingMarker);
  PathState state = PathState::kAbsent;
  s = InspectPath(path, &state);
  if (!s.ok()) return s;
  if (state == PathState::kDatabase) {
    if (options.error_if_exists) {
      return Status::InvalidArgument(path +
                                     ": database exists (error_if_exists)");
    }
    return OpenExisting(options, path, env, db);
  }
  if (!options.create_if_missing) {
    return Status::NotFound(path +
                            ": no database there (create_if_missing is false)");
  }
  if (options.read_only) {
    return Status::InvalidArgument(path +
                                   ": cannot create a database read-only");
  }
  s = format::CheckMihTables(EffectiveCodeBits(options),
                             options.mih_tables.value_or(0));
  if (!s.ok()) return s;
  return CreateDatabase(options, path, env, db);
}

}  // namespace

Status DB::Open(const Options& options, const std::string& path,
                std::unique_ptr<DB>* db) {
  return OpenDB(options, path, /*env=*/nullptr, db);
}

Status DB::Publish(std::unique_ptr<DB>* db) {
  auto* impl = static_cast<DBImpl*>(db->get());
  const std::unique_ptr<DBImpl::Staged> staged =
      impl != nullptr ? impl->TakeStaged() : nullptr;
  if (staged == nullptr) {
    return Status::InvalidArgument(
        "DB::Publish: the database was not created with "
        "Options::stage_new_database");
  }
  // Durable before the rename makes it visible: a crash must not publish a
  // database that then loses writes.
  Status s = FromRocksDB(impl->store()->db()->FlushWAL(/*sync=*/true));
  db->reset();  // Nothing may write in the directory while it moves.
  if (s.ok()) {
    s = InstallDatabase(staged->dir.path(), staged->target, staged->env);
  }
  if (!s.ok()) return s.WithContext(staged->target.string());
  staged->dir.Keep();
  return Status::OK();
}

Status TEST_OpenDB(const Options& options, const std::string& path,
                   rocksdb::Env* env, std::unique_ptr<DB>* db) {
  return OpenDB(options, path, env, db);
}

}  // namespace semhash
