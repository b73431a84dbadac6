// Both charts share one layout: a title, the y axis's name above the axis,
// a plot area of fixed height with ticks and grid lines, bar labels under
// the x axis and the x axis's name centred below them. Bars are laid out in
// equal slots wide enough for their labels, so labels never overlap.
#include "tools/pictures/charts.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "tools/human_units.h"

namespace semhash::pictures {
namespace {

constexpr int kMargin = 12;
constexpr int kPlotHeight = 240;
constexpr int kTitleScale = 2;
constexpr int kGap = 6;
constexpr int kTickLength = 4;
constexpr Rgb kAxisColor{60, 60, 60};
constexpr Rgb kGridColor{225, 225, 225};
constexpr Rgb kTextColor{30, 30, 30};

// A horizontal line of the y axis: where (0 bottom, 1 top) and its label.
struct Tick {
  double fraction;
  std::string label;
};

// What both charts draw around their bars.
struct ChartFrame {
  std::string title, x_label, y_label;
  std::vector<Tick> ticks;
  std::vector<std::string> bar_labels;  // Empty strings are not printed.
  int slot_width;                       // Horizontal room of one bar.
};

// The plot area's top-left pixel and size inside the chart image.
struct PlotArea {
  int left, top, width, height;
  int Y(double fraction) const {
    return top + height - int(std::lround(fraction * height));
  }
};

// Draws everything but the bars and returns where the plot area is.
Image DrawFrame(const ChartFrame& frame, PlotArea* plot) {
  int tick_label_width = 0;
  for (const Tick& tick : frame.ticks) {
    tick_label_width = std::max(tick_label_width, TextWidth(tick.label, 1));
  }
  plot->left = kMargin + tick_label_width + kGap;
  plot->top = kMargin + TextHeight(kTitleScale) + kGap + TextHeight(1) + kGap;
  plot->width = int(frame.bar_labels.size()) * frame.slot_width;
  plot->height = kPlotHeight;
  const int width =
      std::max({plot->left + plot->width + kMargin,
                2 * kMargin + TextWidth(frame.title, kTitleScale),
                plot->left + TextWidth(frame.x_label, 1) + kMargin});
  const int labels_y = plot->top + plot->height + kTickLength + 2;
  const int x_label_y = labels_y + TextHeight(1) + kGap;
  Image image(width, x_label_y + TextHeight(1) + kMargin);

  image.DrawText(frame.title, kMargin, kMargin, kTitleScale, kTextColor);
  image.DrawText(frame.y_label, kMargin, plot->top - kGap - TextHeight(1), 1,
                 kTextColor);
  for (const Tick& tick : frame.ticks) {
    const int y = plot->Y(tick.fraction);
    image.FillRect(plot->left, y, plot->width, 1, kGridColor);
    image.FillRect(plot->left - kTickLength, y, kTickLength, 1, kAxisColor);
    image.DrawText(tick.label, plot->left - kGap - TextWidth(tick.label, 1),
                   y - TextHeight(1) / 2, 1, kTextColor);
  }
  for (size_t i = 0; i < frame.bar_labels.size(); ++i) {
    const std::string& label = frame.bar_labels[i];
    const int centre =
        plot->left + int(i) * frame.slot_width + frame.slot_width / 2;
    image.DrawText(label, centre - TextWidth(label, 1) / 2, labels_y, 1,
                   kTextColor);
  }
  const int x_label_left = std::max(
      plot->left, plot->left + (plot->width - TextWidth(frame.x_label, 1)) / 2);
  image.DrawText(frame.x_label, x_label_left, x_label_y, 1, kTextColor);
  image.FillRect(plot->left - 1, plot->top, 1, plot->height + 1, kAxisColor);
  image.FillRect(plot->left - 1, plot->top + plot->height, plot->width + 1, 1,
                 kAxisColor);
  return image;
}

// Fills bar i of the plot from the x axis up to `fraction` of the height,
// leaving a gap of a sixth of the slot on each side.
void DrawBar(const PlotArea& plot, int slot_width, size_t i, double fraction,
             Image* image) {
  const int gap = std::max(1, slot_width / 6);
  const int top = plot.Y(fraction);
  image->FillRect(plot.left + int(i) * slot_width + gap, top,
                  slot_width - 2 * gap, plot.top + plot.height - top,
                  kBarColor);
}

// Linear ticks at multiples of a 1-2-5 step, about five of them, from 0 to
// the first multiple at or above `max_count`; *axis_max is that multiple.
std::vector<Tick> LinearTicks(uint64_t max_count, uint64_t* axis_max) {
  uint64_t step = 1;
  for (uint64_t decade = 1;; decade *= 10) {
    const uint64_t candidates[] = {decade, 2 * decade, 5 * decade};
    const uint64_t* fit =
        std::find_if(std::begin(candidates), std::end(candidates),
                     [&](uint64_t s) { return s * 5 >= max_count; });
    if (fit != std::end(candidates)) {
      step = *fit;
      break;
    }
  }
  *axis_max = std::max<uint64_t>(step, (max_count + step - 1) / step * step);
  std::vector<Tick> ticks;
  for (uint64_t v = 0; v <= *axis_max; v += step) {
    ticks.push_back({double(v) / double(*axis_max), cli::FormatCount(v)});
  }
  return ticks;
}

// Ticks at 0 and each power of ten up to the first at or above `max_count`,
// placed at log10(1 + value); *axis_log is log10(1 + that power).
std::vector<Tick> LogTicks(uint64_t max_count, double* axis_log) {
  uint64_t top = 10;
  while (top < max_count) top *= 10;
  *axis_log = std::log10(1.0 + double(top));
  std::vector<Tick> ticks = {{0.0, "0"}};
  for (uint64_t v = 1; v <= top; v *= 10) {
    ticks.push_back(
        {std::log10(1.0 + double(v)) / *axis_log, cli::FormatCount(v)});
  }
  return ticks;
}

// Labels every `every`-th bar so that neighbouring labels do not touch:
// `every` is the smallest of 1, 2, 5, 10, 20, 50, ... that leaves room.
std::vector<std::string> BitLabels(size_t bits, int slot_width) {
  const int widest = TextWidth(std::to_string(bits - 1), 1) + 4;
  size_t every = 1;
  for (size_t decade = 1; every * slot_width < size_t(widest); decade *= 10) {
    for (size_t m : {1, 2, 5}) {
      every = m * decade;
      if (every * slot_width >= size_t(widest)) break;
    }
  }
  std::vector<std::string> labels(bits);
  for (size_t i = 0; i < bits; i += every) labels[i] = std::to_string(i);
  return labels;
}

}  // namespace

Status WriteHistogramChart(const std::vector<HistogramBar>& bars,
                           const HistogramAxes& axes, const std::string& path) {
  if (bars.empty()) {
    return Status::InvalidArgument(path + ": a histogram needs bars");
  }
  ChartFrame frame{axes.title, axes.x_label, axes.y_label, {}, {}, 14};
  uint64_t max_count = 0;
  for (const HistogramBar& bar : bars) {
    frame.bar_labels.push_back(bar.label);
    frame.slot_width = std::max(frame.slot_width, TextWidth(bar.label, 1) + 6);
    max_count = std::max(max_count, bar.count);
  }
  uint64_t axis_max = 1;
  double axis_log = 1;
  frame.ticks = axes.log_scale ? LogTicks(max_count, &axis_log)
                               : LinearTicks(max_count, &axis_max);
  PlotArea plot;
  Image image = DrawFrame(frame, &plot);
  for (size_t i = 0; i < bars.size(); ++i) {
    const double count = double(bars[i].count);
    const double fraction = axes.log_scale ? std::log10(1.0 + count) / axis_log
                                           : count / double(axis_max);
    DrawBar(plot, frame.slot_width, i, fraction, &image);
  }
  return WritePng(image, path);
}

Status WriteBitBalanceChart(const std::vector<double>& fraction_of_ones,
                            const std::string& path) {
  if (fraction_of_ones.empty()) {
    return Status::InvalidArgument(path + ": a bit balance chart needs bits");
  }
  for (size_t bit = 0; bit < fraction_of_ones.size(); ++bit) {
    const double f = fraction_of_ones[bit];
    if (!(f >= 0.0 && f <= 1.0)) {  // Also refuses NaN.
      return Status::InvalidArgument(path + ": bit " + std::to_string(bit) +
                                     " has a fraction of ones " +
                                     std::to_string(f) + ", outside [0, 1]");
    }
  }
  constexpr int kSlotWidth = 12;
  const ChartFrame frame{
      "Address bit balance",
      "address bit",
      "fraction of ones",
      {{0, "0"}, {0.25, "0.25"}, {0.5, "0.5"}, {0.75, "0.75"}, {1, "1"}},
      BitLabels(fraction_of_ones.size(), kSlotWidth),
      kSlotWidth};
  PlotArea plot;
  Image image = DrawFrame(frame, &plot);
  for (size_t bit = 0; bit < fraction_of_ones.size(); ++bit) {
    DrawBar(plot, kSlotWidth, bit, fraction_of_ones[bit], &image);
  }
  // Dashed, so that bars ending exactly at 0.5 still show the line.
  for (int x = plot.left; x < plot.left + plot.width; x += 6) {
    image.FillRect(x, plot.Y(0.5), 4, 1, kReferenceLineColor);
  }
  return WritePng(image, path);
}

}  // namespace semhash::pictures
