# Included by the top-level CMakeLists.txt, before any target is made, when
# SEMHASH_BUILD_FUZZERS is ON: every library the fuzzers link is compiled
# with libFuzzer's coverage instrumentation and with ASan and UBSan, so the
# fuzzers see (and sanitize) the decoders, not just their own code.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR
    "SEMHASH_BUILD_FUZZERS needs clang (libFuzzer), not "
    "${CMAKE_CXX_COMPILER_ID}: configure with -DCMAKE_CXX_COMPILER=clang++ "
    "(Debian packages clang-14 and libclang-rt-14-dev), or use fuzz/run.sh")
endif()
# UBSan must stop at the first report, or libFuzzer never sees it.
set(SEMHASH_SANITIZERS
  -fsanitize=address,undefined -fno-sanitize-recover=all
  -fno-omit-frame-pointer)
add_compile_options(-fsanitize=fuzzer-no-link ${SEMHASH_SANITIZERS})
add_link_options(${SEMHASH_SANITIZERS})
