// Checked numeric flags (see number_flags.h).
#include "tools/number_flags.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include "tools/human_units.h"

namespace semhash::cli {
namespace {

std::string Decimal(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

}  // namespace

std::optional<uint64_t> ParseWholeNumber(const std::string& text) {
  const bool hex =
      text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const char* begin = text.data() + (hex ? 2 : 0);
  const char* end = text.data() + text.size();
  uint64_t value = 0;
  // from_chars takes no sign, so "-3" and "+3" are malformed.
  const auto [stop, error] = std::from_chars(begin, end, value, hex ? 16 : 10);
  if (begin == end || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

std::optional<double> ParseRealNumber(const std::string& text,
                                      const RealRange& range) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end ||
      !std::isfinite(value) || value < range.min || value > range.max ||
      (range.above_min && value == range.min)) {
    return std::nullopt;
  }
  return value;
}

std::string WholeNumberExpected(uint64_t min, uint64_t max, uint64_t type_max) {
  if (max < type_max) {
    return "a whole number in " + std::to_string(min) + ".." +
           std::to_string(max);
  }
  if (min > 0) return "a whole number of at least " + std::to_string(min);
  return "a whole number up to " + std::to_string(type_max);
}

std::string WholeNumberName(uint64_t min, uint64_t max, uint64_t type_max) {
  if (max < type_max) return std::to_string(min) + ".." + std::to_string(max);
  if (min > 0) return "N>=" + std::to_string(min);
  return "N";
}

std::string RealNumberExpected(const RealRange& range) {
  const bool has_min = range.min > -kNoLimit;
  const bool has_max = range.max < kNoLimit;
  if (has_min && has_max) {
    return "a number in " + Decimal(range.min) + ".." + Decimal(range.max);
  }
  if (has_min) {
    return std::string("a number ") +
           (range.above_min ? "above " : "of at least ") + Decimal(range.min);
  }
  return "a finite number";
}

std::string RealNumberName(const RealRange& range) {
  const bool has_min = range.min > -kNoLimit;
  const bool has_max = range.max < kNoLimit;
  if (has_min && has_max) return Decimal(range.min) + ".." + Decimal(range.max);
  if (has_min) return (range.above_min ? "X>" : "X>=") + Decimal(range.min);
  return "X";
}

boost::program_options::typed_value<size_t>* ByteSize(size_t* store) {
  const auto parse = [](const std::string& text) -> std::optional<size_t> {
    const std::optional<uint64_t> bytes = ParseByteSize(text);
    if (!bytes || *bytes == 0 || *bytes > std::numeric_limits<size_t>::max()) {
      return std::nullopt;
    }
    return static_cast<size_t>(*bytes);
  };
  auto* value = new CheckedValue<size_t>(
      store, parse,
      "a size of at least 1 byte: bytes, or a whole number of K, M, G or T "
      "(KB, KiB: powers of 1024) such as 512M or 1G");
  value->value_name("SIZE");
  return value;
}

}  // namespace semhash::cli
