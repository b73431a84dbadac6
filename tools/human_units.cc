// Unit formatting (see human_units.h).
#include "tools/human_units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>

namespace semhash::cli {
namespace {

// value >= 999.5 in k, M, G, ... units.
std::string WithUnit(double value) {
  constexpr const char* kUnits[] = {"k", "M", "G", "T", "P", "E"};
  size_t unit = 0;
  value /= 1000;
  // Round first, so that 999,999 is "1.0M" and not "1000k".
  while (unit + 1 < std::size(kUnits) && value >= 999.5) {
    value /= 1000;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, value < 9.95 ? "%.1f%s" : "%.0f%s", value,
                kUnits[unit]);
  return buf;
}

}  // namespace

std::string FormatCount(uint64_t n) {
  return n < 1000 ? std::to_string(n) : WithUnit(double(n));
}

std::string FormatRate(double per_second) {
  if (!std::isfinite(per_second) || per_second < 0) return "-/s";
  char buf[32];
  if (per_second < 9.95) {
    std::snprintf(buf, sizeof buf, "%.1f/s", per_second);
  } else if (per_second < 999.5) {
    std::snprintf(buf, sizeof buf, "%.0f/s", per_second);
  } else {
    return WithUnit(per_second) + "/s";
  }
  return buf;
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto total = static_cast<uint64_t>(seconds);
  const uint64_t h = total / 3600, m = total / 60 % 60, s = total % 60;
  char buf[48];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu",
                  static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(m),
                  static_cast<unsigned long long>(s));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu",
                  static_cast<unsigned long long>(m),
                  static_cast<unsigned long long>(s));
  }
  return buf;
}

std::string Counted(uint64_t n, const std::string& one,
                    const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

namespace {

constexpr char kSizeUnits[] = "KMGT";  // Powers 1, 2, 3, 4 of 1024.

}  // namespace

std::optional<uint64_t> ParseByteSize(const std::string& text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (stop == text.data() || error != std::errc()) return std::nullopt;
  std::string unit(stop, end);
  for (char& c : unit) c = char(std::toupper(static_cast<unsigned char>(c)));
  if (unit.empty() || unit == "B") return value;
  const size_t power = std::string_view(kSizeUnits).find(unit[0]);
  const std::string_view rest = std::string_view(unit).substr(1);
  if (power == std::string_view::npos ||
      !(rest.empty() || rest == "B" || rest == "IB")) {
    return std::nullopt;
  }
  const unsigned shift = 10 * unsigned(power + 1);
  if (value > (UINT64_MAX >> shift)) return std::nullopt;
  return value << shift;
}

std::string FormatByteSize(uint64_t bytes) {
  size_t power = 0;
  while (power < sizeof kSizeUnits - 1 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++power;
  }
  return std::to_string(bytes) +
         (power == 0 ? "" : std::string(1, kSizeUnits[power - 1]));
}

}  // namespace semhash::cli
