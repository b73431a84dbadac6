// The charts that `semhash inspect --plot DIR` writes as PNG files: how long
// the posting lists are (a bar chart of counts per length bucket) and how
// balanced the address bits are (the fraction of ones of each bit, which a
// good encoder keeps near 0.5 so that every address is used).
//
// Thread safety: pure functions of their arguments and the files they write.
#ifndef SEMHASH_TOOLS_PICTURES_CHARTS_H_
#define SEMHASH_TOOLS_PICTURES_CHARTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "semhash/status.h"
#include "tools/pictures/png_image.h"

namespace semhash::pictures {

inline constexpr Rgb kBarColor{70, 110, 180};
inline constexpr Rgb kReferenceLineColor{210, 30, 30};

struct HistogramBar {
  std::string label;  // Printed under the bar, e.g. "4-7".
  uint64_t count = 0;
};

struct HistogramAxes {
  std::string title;
  std::string x_label;
  std::string y_label;
  // Heights proportional to log10(1 + count), so that a count of 1 shows
  // and a long tail of small buckets is not flattened by one large one.
  bool log_scale = false;
};

// Writes a bar chart of `bars`, in order, to `path`. InvalidArgument when
// there are no bars; IOError naming the path when it cannot be written.
Status WriteHistogramChart(const std::vector<HistogramBar>& bars,
                           const HistogramAxes& axes, const std::string& path);

// Writes a chart of one bar per address bit, bit 0 first, with its fraction
// of ones on a 0..1 axis and a reference line at 0.5. InvalidArgument when
// there are no bits or a fraction is outside [0, 1]; IOError as above.
Status WriteBitBalanceChart(const std::vector<double>& fraction_of_ones,
                            const std::string& path);

}  // namespace semhash::pictures

#endif  // SEMHASH_TOOLS_PICTURES_CHARTS_H_
