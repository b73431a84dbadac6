// Shared subcommand plumbing (see cli.h).
#include "tools/cli.h"

#include <iostream>

#include "tools/io/idx_file.h"
#include "tools/io/npy_file.h"

namespace semhash::cli {

bool ParseOptions(const std::string& command, const std::string& usage,
                  const po::options_description& options, int argc, char** argv,
                  po::variables_map* vm, int* exit_code) {
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), *vm);
    if (vm->count("help")) {
      std::cout << "usage: semhash " << command << " " << usage << "\n\n"
                << options << "\n";
      *exit_code = kExitOk;
      return false;
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    *exit_code = UsageError(command, e.what());
    return false;
  }
  return true;
}

int Fail(const std::string& command, const Status& status) {
  std::cerr << "semhash " << command << ": error: " << status.ToString()
            << "\n";
  return kExitFailure;
}

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "semhash " << command << ": " << message << "\n(see semhash "
            << command << " --help)\n";
  return kExitUsage;
}

namespace {

Status SliceRows(const std::string& path, size_t total, size_t first,
                 size_t count, size_t* begin, size_t* end) {
  if (first >= total) {
    return Status::InvalidArgument(path + ": first row " +
                                   std::to_string(first) + " is past its " +
                                   std::to_string(total) + " rows");
  }
  *begin = first;
  *end = count == 0 ? total : std::min(total, first + count);
  return Status::OK();
}

Status CheckAddresses(const std::string& path,
                      const std::vector<Address>& addresses,
                      uint32_t address_bits) {
  if (address_bits >= 32) return Status::OK();
  for (size_t i = 0; i < addresses.size(); ++i) {
    if ((addresses[i] >> address_bits) != 0) {
      return Status::InvalidArgument(
          path + ": row " + std::to_string(i) + " has address " +
          std::to_string(addresses[i]) + ", wider than the database's " +
          std::to_string(address_bits) + " bits");
    }
  }
  return Status::OK();
}

}  // namespace

Status ReadCodeRows(const std::string& codes_path,
                    const std::string& addresses_path, uint32_t code_bits,
                    uint32_t address_bits, size_t first, size_t count,
                    CodeRows* out) {
  size_t rows = 0, cols = 0;
  std::vector<uint8_t> codes;
  Status s = io::ReadNpyMatrixU8(codes_path, &rows, &cols, &codes);
  if (!s.ok()) return s;
  if (cols * 8 != code_bits) {
    return Status::InvalidArgument(
        codes_path + ": codes of " + std::to_string(cols) + " bytes (" +
        std::to_string(cols * 8) + " bits); the database uses " +
        std::to_string(code_bits) + "-bit codes (" +
        std::to_string(code_bits / 8) + " columns)");
  }
  std::vector<Address> addresses;
  if (!addresses_path.empty()) {
    s = io::ReadNpyVectorU32(addresses_path, &addresses);
    if (!s.ok()) return s;
    if (addresses.size() != rows) {
      return Status::InvalidArgument(
          addresses_path + ": " + std::to_string(addresses.size()) +
          " addresses for " + std::to_string(rows) + " codes in " + codes_path);
    }
    s = CheckAddresses(addresses_path, addresses, address_bits);
    if (!s.ok()) return s;
  }
  size_t begin = 0, end = 0;
  s = SliceRows(codes_path, rows, first, count, &begin, &end);
  if (!s.ok()) return s;
  out->file_rows = rows;
  out->rows = end - begin;
  out->code_bytes = cols;
  out->codes.assign(codes.begin() + begin * cols, codes.begin() + end * cols);
  out->addresses.resize(out->rows);
  for (size_t i = 0; i < out->rows; ++i) {
    out->addresses[i] =
        addresses.empty()
            ? AddressFromCode(CodeView(&out->codes[i * cols], cols),
                              address_bits)
            : addresses[begin + i];
  }
  return Status::OK();
}

Status ReadImageVectors(const std::string& path, size_t first, size_t count,
                        size_t* rows, size_t* dim,
                        std::vector<float>* vectors) {
  io::IdxImages images;
  Status s = io::ReadIdxImages(path, first, count, &images);
  if (!s.ok()) return s;
  *rows = images.count;
  *dim = images.dim();
  vectors->assign(images.pixels.begin(), images.pixels.end());
  return Status::OK();
}

}  // namespace semhash::cli
