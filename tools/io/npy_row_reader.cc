// NpyRowReader (see npy_row_reader.h).
#include "tools/io/npy_row_reader.h"

#include <cerrno>
#include <cstring>

#include "tools/io/npy_file.h"

namespace semhash::io {

Status NpyRowReader::Open(const std::string& path,
                          std::initializer_list<const char*> descrs,
                          size_t item_size, size_t rank,
                          std::unique_ptr<NpyRowReader>* out) {
  NpyHeader header;
  Status s = ReadNpyHeader(path, &header);
  if (!s.ok()) return s;
  std::string expected;
  bool known = false;
  for (const char* descr : descrs) {
    known = known || header.descr == descr;
    expected += (expected.empty() ? "'" : " or '") + std::string(descr) + "'";
  }
  if (!known) {
    return Status::InvalidArgument(path + ": expected dtype " + expected +
                                   ", found '" + header.descr + "'");
  }
  if (header.shape.size() != rank) {
    return Status::InvalidArgument(path + ": expected a " +
                                   std::to_string(rank) + "-D array, found " +
                                   std::to_string(header.shape.size()) + "-D");
  }
  uint64_t bytes = 0;
  s = CheckNpyDataSize(header, item_size, &bytes);
  if (!s.ok()) return s.WithContext(path);
  std::unique_ptr<NpyRowReader> reader(new NpyRowReader());
  reader->path_ = path;
  reader->descr_ = header.descr;
  reader->rows_ = header.shape[0];
  reader->cols_ = rank == 2 ? header.shape[1] : 1;
  reader->row_bytes_ = reader->cols_ * item_size;
  reader->data_offset_ = header.data_offset;
  reader->file_ = std::fopen(path.c_str(), "rb");
  if (reader->file_ == nullptr) {
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  s = reader->Seek(0);
  if (!s.ok()) return s;
  *out = std::move(reader);
  return Status::OK();
}

NpyRowReader::~NpyRowReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Status NpyRowReader::Seek(size_t row) {
  if (row > rows_ ||
      std::fseek(file_, long(data_offset_ + row * row_bytes_), SEEK_SET) != 0) {
    return Status::InvalidArgument(path_ + ": cannot seek to row " +
                                   std::to_string(row));
  }
  next_row_ = row;
  return Status::OK();
}

Status NpyRowReader::Read(size_t n, void* out) {
  if (n > rows_ - next_row_) {
    return Status::InvalidArgument(path_ + ": rows " +
                                   std::to_string(next_row_) + ".." +
                                   std::to_string(next_row_ + n) +
                                   " are past its " + std::to_string(rows_));
  }
  const size_t bytes = n * row_bytes_;
  if (std::fread(out, 1, bytes, file_) != bytes) {
    return Status::IOError(path_ + ": short read at row " +
                           std::to_string(next_row_));
  }
  next_row_ += n;
  return Status::OK();
}

}  // namespace semhash::io
