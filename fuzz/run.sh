#!/usr/bin/env bash
# fuzz/run.sh SECONDS [BUILD_DIR]
#
# Builds the libFuzzer targets (SEMHASH_BUILD_FUZZERS=ON: clang, ASan and
# UBSan over the whole build; -O1 and line tables only, as the sanitizer CI
# builds, which compile and link faster; without LibTorch, whose loader is
# not semhash's to fuzz and would not be instrumented) in BUILD_DIR, by
# default build-fuzz at the top
# of the tree, then runs every fuzz/*_fuzzer.cc target for SECONDS on a fresh
# copy of its seed corpus (BUILD_DIR/fuzz-corpus/<target>/, kept afterwards)
# and prints, per target, libFuzzer's final stats: executions, executions per
# second, coverage and corpus size. Exits 1 if any fuzzer fails (crash,
# sanitizer report, failed invariant, leak, timeout or out-of-memory): its
# input is kept in BUILD_DIR/fuzz-artifacts/<target>/ and its log in
# BUILD_DIR/fuzz-logs/<target>.log; replay it with the target binary.
#
# Needs clang 14 with libFuzzer (Debian: clang-14 and libclang-rt-14-dev);
# installs nothing. Environment:
#   SEMHASH_FUZZ_CXX    the compiler (default: clang++-14, else clang++)
#   SEMHASH_FUZZ_FLAGS  more libFuzzer flags for every target, e.g.
#                       "-max_len=100000"
set -euo pipefail

usage() {
  echo "usage: $0 SECONDS [BUILD_DIR]" >&2
  exit 2
}
[[ $# -ge 1 && $# -le 2 && $1 =~ ^[1-9][0-9]*$ ]] || usage
seconds=$1
root=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-$root/build-fuzz}

find_tool() {  # the first of "$@" on PATH
  local tool
  for tool in "$@"; do
    if command -v "$tool" >/dev/null 2>&1; then
      command -v "$tool"
      return 0
    fi
  done
  return 1
}

cxx=${SEMHASH_FUZZ_CXX:-$(find_tool clang++-14 clang++ || true)}
if [[ -z $cxx ]]; then
  echo "fuzz/run.sh: no clang++ (Debian: clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi
# Symbolized sanitizer reports, if llvm-symbolizer is installed.
if symbolizer=$(find_tool llvm-symbolizer llvm-symbolizer-14); then
  export ASAN_SYMBOLIZER_PATH=$symbolizer UBSAN_SYMBOLIZER_PATH=$symbolizer
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DSEMHASH_BUILD_FUZZERS=ON -DSEMHASH_BUILD_TESTS=OFF \
  -DSEMHASH_WITH_TORCH=OFF
cmake --build "$build" -j"$(nproc)" --target semhash_fuzzers

# The value of libFuzzer's final-stats line `stat::<name>:` in log $1.
final_stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

read -r -a extra_flags <<<"${SEMHASH_FUZZ_FLAGS:-}"
failed=()
rows=()
for source in "$root"/fuzz/*_fuzzer.cc; do
  target=$(basename "$source" .cc)
  corpus=$build/fuzz-corpus/$target
  artifacts=$build/fuzz-artifacts/$target
  log=$build/fuzz-logs/$target.log
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp "$root/fuzz/corpus/$target"/* "$corpus/"
  echo "== $target: ${seconds}s" >&2
  result=ok
  if ! "$build/fuzz/$target" -max_total_time="$seconds" \
    -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" "${extra_flags[@]}" "$corpus" \
    >"$log" 2>&1; then
    result=FAILED
    failed+=("$target")
    tail -n 40 "$log" >&2
    echo "$target failed: input(s) in $artifacts/, log $log" >&2
    ls -l "$artifacts" >&2
  fi
  cov=$(grep -o 'DONE *cov: [0-9]*' "$log" | grep -o '[0-9]*$' || true)
  rows+=("$(printf '%-22s %12s %10s %6s %7s  %s' "$target" \
    "$(final_stat "$log" number_of_executed_units)" \
    "$(final_stat "$log" average_exec_per_sec)" "${cov:--}" \
    "$(find "$corpus" -type f | wc -l)" "$result")")
done

printf '\n%-22s %12s %10s %6s %7s  %s\n' target execs execs/s cov corpus \
  result
printf '%s\n' "${rows[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz/run.sh: ${#failed[@]} fuzzer(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz/run.sh: all ${#rows[@]} fuzzers ran ${seconds}s without failure"
