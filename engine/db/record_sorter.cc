// RecordSorter (see record_sorter.h).
//
// Run file: records of [key u64 LE | payload], in key order, then the
// XXH3-64 (seed 0) of all record bytes, u64 LE. The file is temporary and
// deleted by the sorter; its layout is not a persisted format.
#include "engine/db/record_sorter.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/db/record_radix_sort.h"

namespace semhash {
namespace {

constexpr size_t kKeyBytes = 8;
constexpr size_t kReadBufferBytes = 1 << 20;

void PutKey(uint64_t key, uint8_t* out) {
  for (size_t i = 0; i < kKeyBytes; ++i) out[i] = uint8_t(key >> (8 * i));
}

uint64_t GetKey(const uint8_t* in) {
  uint64_t key = 0;
  for (size_t i = 0; i < kKeyBytes; ++i) key |= uint64_t(in[i]) << (8 * i);
  return key;
}

Status IOErrorFor(const std::string& path, const char* what) {
  return Status::IOError(std::string(what) + " " + path + ": " +
                         std::strerror(errno));
}

}  // namespace

// Reads one run file back in order, checking its digest at the end.
class RecordSorter::RunReader {
 public:
  RunReader(std::string path, size_t record_bytes)
      : path_(std::move(path)), record_bytes_(record_bytes) {}
  ~RunReader() {
    if (file_ != nullptr) std::fclose(file_);
    XXH3_freeState(hash_);
  }

  Status Open() {
    std::error_code error;
    const uint64_t bytes = std::filesystem::file_size(path_, error);
    if (error || bytes < kKeyBytes ||
        (bytes - kKeyBytes) % record_bytes_ != 0) {
      return Status::Corruption("sort run " + path_ + " has a bad length");
    }
    remaining_ = (bytes - kKeyBytes) / record_bytes_;
    file_ = std::fopen(path_.c_str(), "rb");
    if (file_ == nullptr) return IOErrorFor(path_, "cannot open");
    buffer_.resize(kReadBufferBytes / record_bytes_ * record_bytes_ +
                   record_bytes_);
    XXH3_64bits_reset(hash_);
    return Advance();
  }

  bool valid() const { return valid_; }
  uint64_t key() const { return GetKey(current_); }
  const uint8_t* payload() const { return current_ + kKeyBytes; }

  // Moves to the next record; at the end, verifies the digest.
  Status Advance() {
    if (buffered_ == 0 && remaining_ > 0) {
      Status s = Refill();
      if (!s.ok()) return s;
    }
    if (buffered_ == 0) {
      valid_ = false;
      return CheckDigest();
    }
    current_ = buffer_.data() + position_;
    position_ += record_bytes_;
    --buffered_;
    valid_ = true;
    return Status::OK();
  }

 private:
  Status Refill() {
    const size_t records =
        std::min<uint64_t>(remaining_, buffer_.size() / record_bytes_);
    const size_t bytes = records * record_bytes_;
    if (std::fread(buffer_.data(), 1, bytes, file_) != bytes) {
      return Status::IOError("short read from sort run " + path_);
    }
    XXH3_64bits_update(hash_, buffer_.data(), bytes);
    remaining_ -= records;
    buffered_ = records;
    position_ = 0;
    return Status::OK();
  }

  Status CheckDigest() {
    uint8_t stored[kKeyBytes];
    if (std::fread(stored, 1, kKeyBytes, file_) != kKeyBytes) {
      return Status::IOError("short read from sort run " + path_);
    }
    if (GetKey(stored) != XXH3_64bits_digest(hash_)) {
      return Status::Corruption("sort run " + path_ + " fails its checksum");
    }
    return Status::OK();
  }

  const std::string path_;
  const size_t record_bytes_;
  std::FILE* file_ = nullptr;
  XXH3_state_t* hash_ = XXH3_createState();
  std::vector<uint8_t> buffer_;
  uint64_t remaining_ = 0;  // Records not yet read from the file.
  size_t buffered_ = 0;     // Records in buffer_ after position_.
  size_t position_ = 0;
  const uint8_t* current_ = nullptr;
  bool valid_ = false;
};

RecordSorter::RecordSorter(size_t payload_bytes, size_t memory_bytes,
                           std::string spill_prefix)
    : payload_bytes_(payload_bytes),
      record_bytes_(kKeyBytes + payload_bytes),
      capacity_(
          std::max<size_t>(1, memory_bytes / BytesPerRecord(payload_bytes))),
      spill_prefix_(std::move(spill_prefix)) {}

RecordSorter::~RecordSorter() {
  readers_.clear();
  for (const auto& path : run_paths_) std::remove(path.c_str());
}

size_t RecordSorter::BytesPerRecord(size_t payload_bytes) {
  // The record and its place in the radix sort's scratch buffer.
  return 2 * (kKeyBytes + payload_bytes);
}

Status RecordSorter::Add(uint64_t key, const uint8_t* payload) {
  if (!status_.ok()) return status_;
  if (buffer_.data() == nullptr) {
    status_ = buffer_.Allocate(capacity_ * record_bytes_);
    if (!status_.ok()) return status_;
  }
  uint8_t* record = buffer_.data() + buffered_ * record_bytes_;
  PutKey(key, record);
  std::memcpy(record + kKeyBytes, payload, payload_bytes_);
  ++added_;
  if (++buffered_ == capacity_) status_ = SpillBuffer();
  return status_;
}

HugePageBuffer RecordSorter::ReleaseSpareBuffer() {
  if (sorted_ == buffer_.data()) return std::move(scratch_);
  return std::move(buffer_);
}

void RecordSorter::Adopt(HugePageBuffer buffer) {
  if (buffer.size() >= capacity_ * record_bytes_) buffer_ = std::move(buffer);
}

Status RecordSorter::SortBuffer() {
  if (scratch_.size() < buffered_ * record_bytes_) {
    Status s = scratch_.Allocate(capacity_ * record_bytes_);
    if (!s.ok()) return s;
  }
  sorted_ = RadixSortRecords(buffer_.data(), scratch_.data(), buffered_,
                             record_bytes_);
  return Status::OK();
}

Status RecordSorter::SpillBuffer() {
  Status s = SortBuffer();
  if (!s.ok()) return s;
  const std::string path = spill_prefix_ + std::to_string(run_paths_.size());
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return IOErrorFor(path, "cannot create");
  run_paths_.push_back(path);
  // The sorted records are the run's bytes already.
  XXH3_state_t* hash = XXH3_createState();
  XXH3_64bits_reset(hash);
  bool ok = true;
  const size_t bytes = buffered_ * record_bytes_;
  for (size_t at = 0; ok && at < bytes; at += kReadBufferBytes) {
    const size_t n = std::min(kReadBufferBytes, bytes - at);
    XXH3_64bits_update(hash, sorted_ + at, n);
    ok = std::fwrite(sorted_ + at, 1, n, file) == n;
  }
  uint8_t digest[kKeyBytes];
  PutKey(XXH3_64bits_digest(hash), digest);
  XXH3_freeState(hash);
  ok = ok && std::fwrite(digest, 1, kKeyBytes, file) == kKeyBytes;
  ok = (std::fclose(file) == 0) && ok;
  if (!ok) return IOErrorFor(path, "cannot write");
  buffered_ = 0;
  sorted_ = nullptr;
  return Status::OK();
}

Status RecordSorter::Finish() {
  if (!status_.ok()) return status_;
  if (run_paths_.empty()) {
    status_ = SortBuffer();
    return status_;
  }
  if (buffered_ > 0) status_ = SpillBuffer();
  buffer_.Release();
  scratch_.Release();
  for (size_t i = 0; status_.ok() && i < run_paths_.size(); ++i) {
    readers_.push_back(
        std::make_unique<RunReader>(run_paths_[i], record_bytes_));
    status_ = readers_.back()->Open();
    if (status_.ok() && readers_.back()->valid()) heap_.push_back(i);
  }
  return status_;
}

bool RecordSorter::Next(uint64_t* key, const uint8_t** payload) {
  if (!status_.ok()) return false;
  if (readers_.empty()) {
    if (next_record_ >= buffered_) return false;
    const uint8_t* record = sorted_ + next_record_++ * record_bytes_;
    *key = GetKey(record);
    *payload = record + kKeyBytes;
    return true;
  }
  // heap_ holds the runs whose current record is not yet returned; the run
  // returned last time is advanced first.
  const auto greater = [this](size_t a, size_t b) {
    const uint64_t ka = readers_[a]->key(), kb = readers_[b]->key();
    return ka != kb ? ka > kb : a > b;
  };
  if (last_run_ != kNoRun) {
    status_ = readers_[last_run_]->Advance();
    if (!status_.ok()) return false;
    if (readers_[last_run_]->valid()) {
      heap_.push_back(last_run_);
      std::push_heap(heap_.begin(), heap_.end(), greater);
    }
    last_run_ = kNoRun;
  } else if (!heap_made_) {
    std::make_heap(heap_.begin(), heap_.end(), greater);
    heap_made_ = true;
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), greater);
  last_run_ = heap_.back();
  heap_.pop_back();
  *key = readers_[last_run_]->key();
  *payload = readers_[last_run_]->payload();
  return true;
}

}  // namespace semhash
