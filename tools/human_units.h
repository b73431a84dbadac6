// Numbers as people read them in one-line tool output: counts and rates in
// k/M/G units ("1.2M", "3.4k/s") and durations as clock times ("1:02"),
// shared by the progress bar and the charts' axis labels; and sizes in
// bytes as people write them on a command line ("512M", "1GiB").
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_HUMAN_UNITS_H_
#define SEMHASH_TOOLS_HUMAN_UNITS_H_

#include <cstdint>
#include <optional>
#include <string>

namespace semhash::cli {

// "950", "1.0k", "1.2M", "12M", "345G": below 1000 exactly, otherwise one
// decimal below 10 of the unit and none from 10 on.
std::string FormatCount(uint64_t n);

// Items per second: "0.5/s", "9.9/s", "950/s", then as FormatCount
// ("1.2M/s"). "-/s" for a rate that is negative or not finite.
std::string FormatRate(double per_second);

// "0:07", "12:34", "1:02:03" (seconds rounded down); "--:--" for a negative
// or non-finite duration.
std::string FormatDuration(double seconds);

// "1 query", "3 queries": n and the noun that agrees with it.
std::string Counted(uint64_t n, const std::string& one,
                    const std::string& many);

// A size as the tools' --memory flags take it: bytes ("1048576", "100B"), or a
// whole number of K, M, G or T, each spelt K, KB or KiB in any case and
// each a power of 1024 ("512M", "1GB", "1GiB" are 2^29, 2^30, 2^30 bytes).
// nullopt if malformed (signs, fractions, other units) or over 2^64 - 1.
std::optional<uint64_t> ParseByteSize(const std::string& text);

// Bytes in the largest of those units that divides them ("256M", "1G",
// "1000"), so ParseByteSize reads it back.
std::string FormatByteSize(uint64_t bytes);

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_HUMAN_UNITS_H_
