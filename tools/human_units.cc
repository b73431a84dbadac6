// Unit formatting (see human_units.h).
#include "tools/human_units.h"

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

}  // namespace semhash::cli
