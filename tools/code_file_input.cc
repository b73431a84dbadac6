// CodeFileInput (see code_file_input.h).
#include "tools/code_file_input.h"

#include <algorithm>

#include "tools/cli.h"

namespace semhash::cli {
namespace {

constexpr size_t kCheckRows = 1 << 16;

Status CheckRowCount(const std::string& path, const char* what, size_t rows,
                     const std::string& codes_path, size_t code_rows) {
  if (rows == code_rows) return Status::OK();
  return Status::InvalidArgument(path + ": " + std::to_string(rows) + " " +
                                 what + " for " + std::to_string(code_rows) +
                                 " codes in " + codes_path);
}

}  // namespace

Status CodeFileInput::Open(const std::string& codes_path,
                           const std::string& addresses_path,
                           const std::string& ids_path, uint32_t code_bits,
                           uint32_t address_bits, size_t limit,
                           std::unique_ptr<CodeFileInput>* out) {
  std::unique_ptr<CodeFileInput> input(new CodeFileInput());
  Status s =
      io::NpyRowReader::Open(codes_path, {"|u1", "<u1"}, 1, 2, &input->codes_);
  if (!s.ok()) return s;
  const size_t cols = input->codes_->cols();
  s = CheckCodeColumns(codes_path, cols, code_bits);
  if (!s.ok()) return s;
  const size_t rows = input->codes_->rows();
  if (!addresses_path.empty()) {
    s = io::NpyRowReader::Open(addresses_path, {"<u4"}, 4, 1,
                               &input->addresses_);
    if (s.ok()) {
      s = CheckRowCount(addresses_path, "addresses", input->addresses_->rows(),
                        codes_path, rows);
    }
    if (!s.ok()) return s;
  }
  if (!ids_path.empty()) {
    s = io::NpyRowReader::Open(ids_path, {"<u8", "<i8"}, 8, 1, &input->ids_);
    if (s.ok()) {
      s = CheckRowCount(ids_path, "ids", input->ids_->rows(), codes_path, rows);
    }
    if (!s.ok()) return s;
  }
  input->addresses_path_ = addresses_path;
  input->ids_path_ = ids_path;
  input->address_bits_ = address_bits;
  input->code_bytes_ = cols;
  input->rows_ = limit == 0 ? rows : std::min(rows, limit);
  s = input->CheckValues();
  if (!s.ok()) return s;
  *out = std::move(input);
  return Status::OK();
}

Status CodeFileInput::CheckValues() {
  std::vector<uint32_t> addresses(kCheckRows);
  std::vector<int64_t> ids(kCheckRows);
  std::vector<uint64_t> all_ids;  // To find an id given twice.
  for (size_t first = 0; first < rows_; first += kCheckRows) {
    const size_t n = std::min(kCheckRows, rows_ - first);
    if (addresses_ != nullptr) {
      Status s = addresses_->Read(n, addresses.data());
      if (!s.ok()) return s;
      for (size_t i = 0; i < n; ++i) {
        if (address_bits_ < 32 && (addresses[i] >> address_bits_) != 0) {
          return Status::InvalidArgument(
              addresses_path_ + ": row " + std::to_string(first + i) +
              " has address " + std::to_string(addresses[i]) +
              ", wider than the database's " + std::to_string(address_bits_) +
              " bits");
        }
      }
    }
    if (ids_ != nullptr) {
      Status s = ids_->Read(n, ids.data());
      if (!s.ok()) return s;
      for (size_t i = 0; i < n; ++i) {
        if (ids_->descr() == "<i8" && ids[i] < 0) {
          return Status::InvalidArgument(ids_path_ + ": row " +
                                         std::to_string(first + i) +
                                         " has a negative id");
        }
        all_ids.push_back(uint64_t(ids[i]));
      }
    }
  }
  std::sort(all_ids.begin(), all_ids.end());
  const auto twice = std::adjacent_find(all_ids.begin(), all_ids.end());
  if (twice != all_ids.end()) {
    return Status::InvalidArgument(ids_path_ + ": id " +
                                   std::to_string(*twice) + " appears twice");
  }
  Status s;
  if (addresses_ != nullptr) s = addresses_->Seek(0);
  if (s.ok() && ids_ != nullptr) s = ids_->Seek(0);
  return s;
}

Status CodeFileInput::Read(size_t n, ImageSlice* slice) {
  n = std::min(n, rows_ - next_);
  const size_t first = next_;
  slice->ids.resize(n);
  slice->addresses.resize(n);
  slice->codes.resize(n * code_bytes_);
  Status s = codes_->Read(n, slice->codes.data());
  if (s.ok() && addresses_ != nullptr) {
    s = addresses_->Read(n, slice->addresses.data());
  }
  if (s.ok() && ids_ != nullptr) s = ids_->Read(n, slice->ids.data());
  if (!s.ok()) return s;
  next_ += n;
  for (size_t i = 0; i < n; ++i) {
    if (ids_ == nullptr) slice->ids[i] = first + i;
    if (addresses_ == nullptr) {
      slice->addresses[i] = AddressFromCode(
          CodeView(&slice->codes[i * code_bytes_], code_bytes_), address_bits_);
    }
  }
  return Status::OK();
}

}  // namespace semhash::cli
