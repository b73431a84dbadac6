// The progress bar: its pure formatting asserted exactly, and the drawing
// on stderr (captured) for a disabled, finished, abandoned and shared bar.
#include "tools/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "tools/human_units.h"

namespace semhash::cli {
namespace {

using ::testing::internal::CaptureStderr;
using ::testing::internal::GetCapturedStderr;

TEST(HumanUnits, Counts) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1.0k");
  EXPECT_EQ(FormatCount(1234), "1.2k");
  EXPECT_EQ(FormatCount(12345), "12k");
  EXPECT_EQ(FormatCount(60000), "60k");
  EXPECT_EQ(FormatCount(999499), "999k");
  EXPECT_EQ(FormatCount(999500), "1.0M");  // Not "1000k".
  EXPECT_EQ(FormatCount(1234567), "1.2M");
  EXPECT_EQ(FormatCount(3'400'000'000), "3.4G");
}

TEST(HumanUnits, Rates) {
  EXPECT_EQ(FormatRate(0), "0.0/s");
  EXPECT_EQ(FormatRate(0.5), "0.5/s");
  EXPECT_EQ(FormatRate(9.94), "9.9/s");
  EXPECT_EQ(FormatRate(9.96), "10/s");
  EXPECT_EQ(FormatRate(950), "950/s");
  EXPECT_EQ(FormatRate(999.6), "1.0k/s");
  EXPECT_EQ(FormatRate(3471.2), "3.5k/s");
  EXPECT_EQ(FormatRate(1.2e6), "1.2M/s");
  EXPECT_EQ(FormatRate(-1), "-/s");
  EXPECT_EQ(FormatRate(std::numeric_limits<double>::infinity()), "-/s");
}

TEST(HumanUnits, Durations) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(7.9), "0:07");
  EXPECT_EQ(FormatDuration(62), "1:02");
  EXPECT_EQ(FormatDuration(754), "12:34");
  EXPECT_EQ(FormatDuration(3723), "1:02:03");
  EXPECT_EQ(FormatDuration(-1), "--:--");
  EXPECT_EQ(FormatDuration(std::nan("")), "--:--");
}

// Issue 16: `build --memory` took 512M but not 1GB; `verify --memory` took
// bytes only; "-1M" was 4.6e18 bytes.
TEST(HumanUnits, ByteSizesParseAsTheToolsTakeThem) {
  EXPECT_EQ(ParseByteSize("268435456"), 268435456u);
  EXPECT_EQ(ParseByteSize("512M"), 512u << 20);
  EXPECT_EQ(ParseByteSize("512m"), 512u << 20);
  for (const char* gib : {"1G", "1GB", "1GiB", "1gib", "1Gb"}) {
    EXPECT_EQ(ParseByteSize(gib), uint64_t{1} << 30) << gib;
  }
  EXPECT_EQ(ParseByteSize("4K"), 4096u);
  EXPECT_EQ(ParseByteSize("100B"), 100u);
  EXPECT_EQ(ParseByteSize("2TiB"), uint64_t{2} << 40);
  EXPECT_EQ(ParseByteSize("16777215T"), uint64_t{16777215} << 40);
  for (const char* bad : {"", "-1M", "+1M", "1.5G", "G", "1 G", "1XB", "1GiBs",
                          "1iB", "16777216T", "18446744073709551616"}) {
    EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
  }
}

TEST(HumanUnits, ByteSizesFormatInTheLargestUnitThatDivides) {
  EXPECT_EQ(FormatByteSize(uint64_t{1} << 30), "1G");
  EXPECT_EQ(FormatByteSize(uint64_t{256} << 20), "256M");
  EXPECT_EQ(FormatByteSize(uint64_t{3} << 50), "3072T");
  EXPECT_EQ(FormatByteSize(1000), "1000");
  EXPECT_EQ(FormatByteSize(0), "0");
  for (uint64_t bytes : {uint64_t{1} << 30, uint64_t{1536} << 10}) {
    EXPECT_EQ(ParseByteSize(FormatByteSize(bytes)), bytes);
  }
}

TEST(HumanUnits, CountsAgreeWithTheirNouns) {
  EXPECT_EQ(Counted(0, "query", "queries"), "0 queries");
  EXPECT_EQ(Counted(1, "query", "queries"), "1 query");
  EXPECT_EQ(Counted(2, "image", "images"), "2 images");
}

TEST(ProgressLine, KnownTotal) {
  EXPECT_EQ(FormatProgressLine("build", 15000, 60000, 5.0),
            "build [######..................] 15k/60k 25% 3.0k/s ETA 0:15");
  EXPECT_EQ(FormatProgressLine("verify", 0, 100, 0.0),
            "verify [........................] 0/100 0% -/s ETA --:--");
  // More done than announced: a full bar, not past 100%.
  EXPECT_EQ(FormatProgressLine("x", 120, 100, 2.0),
            "x [########################] 120/100 100% 60/s ETA 0:00");
}

TEST(ProgressLine, UnknownTotal) {
  EXPECT_EQ(FormatProgressLine("train", 15000, 0, 5.0),
            "train 15k 3.0k/s 0:05");
}

TEST(ProgressLine, Finish) {
  EXPECT_EQ(FormatFinishLine("build", 60000, 60000, 20.0),
            "build 60k/60k 100% 3.0k/s done in 0:20");
  EXPECT_EQ(FormatFinishLine("compact", 1'200'000, 0, 75.0),
            "compact 1.2M 16k/s done in 1:15");
}

TEST(ProgressBar, DisabledPrintsNothing) {
  CaptureStderr();
  {
    ProgressBar bar("build", 10, false);
    bar.Update(5);
    bar.Finish();
  }
  EXPECT_EQ(GetCapturedStderr(), "");
}

TEST(ProgressBar, DrawsThenFinishesOnce) {
  CaptureStderr();
  {
    ProgressBar bar("build", 100, true);
    bar.Update(50);  // The first update draws at once.
    bar.Update(60);  // Within 100 ms of the first: not drawn.
    bar.Update(100);
    bar.Finish();
    bar.Finish();
  }
  const std::string out = GetCapturedStderr();
  EXPECT_EQ(out.rfind("\rbuild [############............] 50/100 50% ", 0), 0u)
      << out;
  EXPECT_EQ(out.find("60/100"), std::string::npos) << out;
  const std::string final = "\rbuild 100/100 100% ";
  ASSERT_NE(out.find(final), std::string::npos) << out;
  EXPECT_EQ(out.find(final), out.rfind(final)) << out;
  EXPECT_EQ(out.substr(out.size() - 17), " done in 0:00\x1b[K\n") << out;
}

TEST(ProgressBar, AbandonedBarEndsItsLine) {
  CaptureStderr();
  { ProgressBar("train", 0, true).Update(3); }
  const std::string out = GetCapturedStderr();
  EXPECT_EQ(out.rfind("\rtrain 3 ", 0), 0u) << out;
  EXPECT_EQ(out.back(), '\n');
}

TEST(ProgressBar, ConcurrentUpdatesKeepTheLargestCount) {
  CaptureStderr();
  {
    ProgressBar bar("verify", 4000, true);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&bar, t] {
        for (uint64_t i = 1; i <= 1000; ++i) bar.Update(t * 1000 + i);
      });
    }
    for (auto& thread : threads) thread.join();
    bar.Finish();
  }
  EXPECT_NE(GetCapturedStderr().find("\rverify 4.0k/4.0k 100% "),
            std::string::npos);
}

TEST(ProgressBar, ShownOnlyOnTerminalsAndNotWhenQuiet) {
  EXPECT_FALSE(ProgressBar::ShouldShow(true));
  EXPECT_EQ(ProgressBar::ShouldShow(false),
            ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO));
}

}  // namespace
}  // namespace semhash::cli
