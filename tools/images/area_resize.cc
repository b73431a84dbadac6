// Area averaging as two separable passes (rows, then columns), each a
// weighted sum over the input pixels an output pixel's interval covers.
#include "tools/images/area_resize.h"

#include <algorithm>
#include <cmath>

namespace semhash::images {
namespace {

// The input pixels output pixel `o` covers, with their weights (summing to
// 1), for `in` input pixels spread over `out` output pixels.
struct Span {
  int first = 0;
  std::vector<float> weights;
};

std::vector<Span> Spans(int in, int out) {
  std::vector<Span> spans(out);
  const double scale = double(in) / out;
  for (int o = 0; o < out; ++o) {
    const double lo = o * scale, hi = (o + 1) * scale;
    Span& span = spans[o];
    span.first = int(std::floor(lo));
    const int last = std::min(in - 1, int(std::ceil(hi)) - 1);
    for (int i = span.first; i <= last; ++i) {
      const double covered = std::min(hi, i + 1.0) - std::max(lo, double(i));
      span.weights.push_back(float(covered / scale));
    }
  }
  return spans;
}

}  // namespace

std::vector<float> AreaResize(const Picture& in, int width, int height) {
  const int c = in.channels;
  const std::vector<Span> xs = Spans(in.width, width);
  const std::vector<Span> ys = Spans(in.height, height);
  // Rows first: in.height rows of `width` pixels.
  std::vector<float> rows(size_t(in.height) * width * c, 0.0f);
  for (int y = 0; y < in.height; ++y) {
    const uint8_t* src = &in.pixels[size_t(y) * in.width * c];
    float* dst = &rows[size_t(y) * width * c];
    for (int x = 0; x < width; ++x) {
      const Span& span = xs[x];
      for (size_t k = 0; k < span.weights.size(); ++k) {
        const uint8_t* p = src + size_t(span.first + k) * c;
        for (int ch = 0; ch < c; ++ch) {
          dst[x * c + ch] += span.weights[k] * p[ch];
        }
      }
    }
  }
  std::vector<float> out(size_t(height) * width * c, 0.0f);
  for (int y = 0; y < height; ++y) {
    const Span& span = ys[y];
    float* dst = &out[size_t(y) * width * c];
    for (size_t k = 0; k < span.weights.size(); ++k) {
      const float* src = &rows[size_t(span.first + k) * width * c];
      for (int i = 0; i < width * c; ++i) dst[i] += span.weights[k] * src[i];
    }
  }
  return out;
}

}  // namespace semhash::images
