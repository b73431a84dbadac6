// Numeric command-line flags that refuse what they cannot mean. Boost's own
// po::value<size_t> reads "-3" as 2^64 - 3 and "1e3" as an error only by
// luck; the values made here parse strictly and check a range, so a value
// that is negative, too large, out of range or not a number at all is a
// usage error naming the flag and what it takes:
//   semhash query: --k takes a whole number of at least 1, not '-3'
// The same range is the value's name in --help ("--address-bits 8..32").
//
// Whole numbers are decimal or hexadecimal (0x...). Sizes are bytes or a
// whole number of K, M, G or T (spelt K, KB or KiB, any case; each a power
// of 1024). ParseOptions (cli.h) refuses to run a command that declares a
// numeric flag any other way, so every numeric flag of every subcommand is
// checked here.
//
// Thread safety: the values are made and parsed on the option parser's
// thread.
#ifndef SEMHASH_TOOLS_NUMBER_FLAGS_H_
#define SEMHASH_TOOLS_NUMBER_FLAGS_H_

#include <boost/program_options.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace semhash::cli {

// The most a --threads flag takes: more than the cores of any machine the
// tools run on, few enough that starting them cannot exhaust the process.
inline constexpr uint32_t kMaxThreads = 1024;

inline constexpr double kNoLimit = std::numeric_limits<double>::max();

// What a real-valued flag accepts: finite numbers in [min, max], and above
// min only when `above_min` (a learning rate must be positive).
struct RealRange {
  double min = -kNoLimit;
  double max = kNoLimit;
  bool above_min = false;
};

// Marks the values made below; ParseOptions looks for it.
class CheckedNumber {
 public:
  virtual ~CheckedNumber() = default;
};

// A Boost value of type T, one Element or a list of them (std::vector<
// Element>, one per token), each read by `parse` (nullopt: refused, with
// "takes `expected`" in the message). Use the makers below.
template <typename T, typename Element = T>
class CheckedValue final : public boost::program_options::typed_value<T>,
                           public CheckedNumber {
 public:
  using Parse = std::function<std::optional<Element>(const std::string&)>;

  CheckedValue(T* store, Parse parse, std::string expected)
      : boost::program_options::typed_value<T>(store),
        parse_(std::move(parse)),
        expected_(std::move(expected)) {}

  void xparse(boost::any& value_store,
              const std::vector<std::string>& tokens) const override {
    namespace po = boost::program_options;
    if constexpr (std::is_same_v<T, Element>) {
      po::validators::check_first_occurrence(value_store);
      value_store = Read(po::validators::get_single_string(tokens));
    } else {
      // Lists grow with each occurrence, as Boost's own vectors do.
      if (value_store.empty()) value_store = T();
      T& values = boost::any_cast<T&>(value_store);
      for (const std::string& token : tokens) values.push_back(Read(token));
    }
  }

 private:
  Element Read(const std::string& token) const {
    const std::optional<Element> value = parse_(token);
    if (!value) {
      boost::program_options::error_with_option_name error(
          "%canonical_option% takes " + expected_ + ", not '%value%'");
      error.set_substitute("value", token);
      throw error;
    }
    return *value;
  }

  const Parse parse_;
  const std::string expected_;
};

// "123" or "0x7b" as a number, nullopt if malformed or over 2^64 - 1.
std::optional<uint64_t> ParseWholeNumber(const std::string& text);
// A finite number in `range`, nullopt otherwise.
std::optional<double> ParseRealNumber(const std::string& text,
                                      const RealRange& range);

// How the message and --help describe a whole number in [min, max] of a
// type whose largest value is `type_max`: "a whole number in 8..32", "of at
// least 1", or "a whole number" (the value name: "8..32", "N>=1", "N").
std::string WholeNumberExpected(uint64_t min, uint64_t max, uint64_t type_max);
std::string WholeNumberName(uint64_t min, uint64_t max, uint64_t type_max);
std::string RealNumberExpected(const RealRange& range);
std::string RealNumberName(const RealRange& range);

// Reads a whole number in [min, max] of type T. REQUIRES: 0 <= min <= max.
template <typename T>
std::function<std::optional<T>(const std::string&)> WholeNumberParser(T min,
                                                                      T max) {
  static_assert(std::is_integral_v<T>, "a whole number");
  return [min, max](const std::string& text) -> std::optional<T> {
    const std::optional<uint64_t> value = ParseWholeNumber(text);
    if (!value || *value < uint64_t(min) || *value > uint64_t(max)) {
      return std::nullopt;
    }
    return static_cast<T>(*value);
  };
}

// A whole-number flag in [min, max], stored in *store (may be null: read it
// from the variables_map). REQUIRES: 0 <= min <= max.
template <typename T>
boost::program_options::typed_value<T>* WholeNumber(
    T* store, T min, T max = std::numeric_limits<T>::max()) {
  const uint64_t type_max = std::numeric_limits<T>::max();
  auto* value = new CheckedValue<T>(
      store, WholeNumberParser(min, max),
      WholeNumberExpected(uint64_t(min), uint64_t(max), type_max));
  value->value_name(WholeNumberName(uint64_t(min), uint64_t(max), type_max));
  return value;
}

// The same for a list: "--id 3 5 0x10", or the flag given more than once.
template <typename T>
boost::program_options::typed_value<std::vector<T>>* WholeNumbers(
    std::vector<T>* store, T min, T max = std::numeric_limits<T>::max()) {
  const uint64_t type_max = std::numeric_limits<T>::max();
  auto* value = new CheckedValue<std::vector<T>, T>(
      store, WholeNumberParser(min, max),
      WholeNumberExpected(uint64_t(min), uint64_t(max), type_max));
  value->value_name(WholeNumberName(uint64_t(min), uint64_t(max), type_max) +
                    "...");
  value->multitoken();
  return value;
}

// A real-valued flag in `range`.
template <typename T>
boost::program_options::typed_value<T>* RealNumber(T* store,
                                                   const RealRange& range) {
  static_assert(std::is_floating_point_v<T>);
  const auto parse = [range](const std::string& text) -> std::optional<T> {
    const std::optional<double> value = ParseRealNumber(text, range);
    if (!value || !(std::abs(*value) <= std::numeric_limits<T>::max())) {
      return std::nullopt;
    }
    return static_cast<T>(*value);
  };
  auto* value = new CheckedValue<T>(store, parse, RealNumberExpected(range));
  value->value_name(RealNumberName(range));
  return value;
}

// A size in bytes of at least 1: "1048576", "512M", "1G", "1GB", "1GiB".
boost::program_options::typed_value<size_t>* ByteSize(size_t* store);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_NUMBER_FLAGS_H_
