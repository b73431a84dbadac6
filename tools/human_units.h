// Numbers as people read them in one-line tool output: counts and rates in
// k/M/G units ("1.2M", "3.4k/s") and durations as clock times ("1:02").
// Shared by the progress bar and the charts' axis labels.
//
// Thread safety: pure functions.
#ifndef SEMHASH_TOOLS_HUMAN_UNITS_H_
#define SEMHASH_TOOLS_HUMAN_UNITS_H_

#include <cstdint>
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

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_HUMAN_UNITS_H_
