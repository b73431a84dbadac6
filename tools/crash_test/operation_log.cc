// The crash tester's operation log (operation_log.h).
#include "tools/crash_test/operation_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace semhash::crash {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kNoSync = "nosync";

Status ErrnoStatus(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

void AppendChange(const Change& change, std::string* out) {
  *out += ' ';
  *out += std::to_string(change.id);
  if (!change.image) {
    *out += "=-";
    return;
  }
  *out += '=';
  *out += std::to_string(change.image->address);
  *out += ':';
  for (uint8_t byte : change.image->code) {
    *out += kHexDigits[byte >> 4];
    *out += kHexDigits[byte & 15];
  }
}

// Splits `line` at single spaces.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return fields;
}

template <typename T>
bool ParseNumber(std::string_view text, T* value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return !text.empty() && ec == std::errc() && ptr == end;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool ParseHex(std::string_view text, std::vector<uint8_t>* bytes) {
  if (text.empty() || text.size() % 2 != 0) return false;
  bytes->resize(text.size() / 2);
  for (size_t i = 0; i < bytes->size(); ++i) {
    const int high = HexValue(text[2 * i]), low = HexValue(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    (*bytes)[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return true;
}

// ID=- or ID=ADDRESS:HEXCODE.
bool ParseChange(std::string_view text, Change* change) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) return false;
  if (!ParseNumber(text.substr(0, eq), &change->id)) return false;
  const std::string_view value = text.substr(eq + 1);
  if (value == "-") {
    change->image.reset();
    return true;
  }
  const size_t colon = value.find(':');
  if (colon == std::string_view::npos) return false;
  Image image;
  if (!ParseNumber(value.substr(0, colon), &image.address) ||
      !ParseHex(value.substr(colon + 1), &image.code)) {
    return false;
  }
  change->image = std::move(image);
  return true;
}

bool ParseIntent(const std::vector<std::string_view>& fields, Operation* op) {
  if (fields.size() < 4 || !ParseNumber(fields[1], &op->seq) ||
      !KindFromName(std::string(fields[2]), &op->kind)) {
    return false;
  }
  op->sync = fields[3] != kNoSync;
  const size_t first = op->sync ? 3 : 4;
  size_t n = 0;
  if (fields.size() <= first || !ParseNumber(fields[first], &n) ||
      fields.size() - first - 1 != n) {
    return false;
  }
  op->changes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!ParseChange(fields[first + 1 + i], &op->changes[i])) return false;
  }
  return true;
}

// Adds one complete line to *contents.
Status ParseLine(std::string_view line, LogContents* contents) {
  const std::vector<std::string_view> fields = Fields(line);
  if (fields[0] == "intent") {
    Operation op;
    if (!ParseIntent(fields, &op))
      return Status::Corruption("malformed intent");
    if (contents->in_flight) {
      return Status::Corruption(
          "intent " + std::to_string(op.seq) + " follows intent " +
          std::to_string(contents->in_flight->seq) + " that has no ack");
    }
    if (op.seq <= contents->last_seq) {
      return Status::Corruption("sequence number " + std::to_string(op.seq) +
                                " after " + std::to_string(contents->last_seq));
    }
    contents->last_seq = op.seq;
    contents->in_flight = std::move(op);
    return Status::OK();
  }
  uint64_t seq = 0;
  if (fields[0] != "ack" || fields.size() != 2 ||
      !ParseNumber(fields[1], &seq)) {
    return Status::Corruption("malformed record");
  }
  if (!contents->in_flight || contents->in_flight->seq != seq) {
    return Status::Corruption("ack " + std::to_string(seq) +
                              " without its intent");
  }
  contents->acked.push_back(std::move(*contents->in_flight));
  contents->in_flight.reset();
  return Status::OK();
}

}  // namespace

std::string EncodeIntent(const Operation& op) {
  std::string line =
      "intent " + std::to_string(op.seq) + " " + KindName(op.kind) + " ";
  if (!op.sync) line += std::string(kNoSync) + " ";
  line += std::to_string(op.changes.size());
  for (const Change& change : op.changes) AppendChange(change, &line);
  line += '\n';
  return line;
}

std::string EncodeAck(uint64_t seq) {
  return "ack " + std::to_string(seq) + "\n";
}

Status ParseLog(std::string_view text, LogContents* contents) {
  *contents = LogContents();
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {
      contents->torn_tail = true;
      break;
    }
    const Status s = ParseLine(text.substr(0, newline), contents);
    if (!s.ok())
      return s.WithContext("log line " + std::to_string(line_number));
    text.remove_prefix(newline + 1);
  }
  return Status::OK();
}

Status ReadLog(const std::string& path, LogContents* contents) {
  std::error_code error;
  if (!std::filesystem::exists(path, error) && !error) {
    *contents = LogContents();
    return Status::OK();
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Status::IOError(path + ": cannot read");
  return ParseLog(text.str(), contents).WithContext(path);
}

Status RewriteLog(const std::string& path, const std::vector<Operation>& ops) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    for (const Operation& op : ops) {
      out << EncodeIntent(op) << EncodeAck(op.seq);
    }
    out.flush();
    if (!out) return Status::IOError(temp + ": cannot write");
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) return ErrnoStatus(path);
  return Status::OK();
}

Status OperationLogWriter::Open(const std::string& path,
                                std::unique_ptr<OperationLogWriter>* writer) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(path);
  writer->reset(new OperationLogWriter(fd));
  return Status::OK();
}

OperationLogWriter::~OperationLogWriter() { ::close(fd_); }

Status OperationLogWriter::Append(std::string_view record) {
  while (!record.empty()) {
    const ssize_t n = ::write(fd_, record.data(), record.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("operation log");
    }
    record.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace semhash::crash
