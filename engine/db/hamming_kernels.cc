// Run-time choice of the Hamming kernels (see engine/db/hamming_kernels.h).
#include "engine/db/hamming_kernels.h"

#include <algorithm>

#include "engine/db/hamming_kernels_internal.h"

namespace semhash {
namespace {

constexpr size_t kBlockBytes = 16 << 10;

bool CpuHas(Isa isa) {
#if SEMHASH_X86_KERNELS
  __builtin_cpu_init();
  switch (isa) {
    case Isa::kScalar:
      return true;
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case Isa::kAvx512Vpopcntdq:
      // libgcc also checks that the OS saves the AVX-512 state (XCR0).
      return __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vpopcntdq");
  }
  return false;
#else
  return isa == Isa::kScalar;
#endif
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512Vpopcntdq:
      return "avx512vpopcntdq";
  }
  return "unknown";
}

const HammingKernels* HammingKernelsFor(Isa isa) {
  if (!CpuHas(isa)) return nullptr;
  switch (isa) {
    case Isa::kScalar:
      return &ScalarHammingKernels();
#if SEMHASH_X86_KERNELS
    case Isa::kAvx2:
      return &Avx2HammingKernels();
    case Isa::kAvx512Vpopcntdq:
      return &Avx512HammingKernels();
#endif
    default:
      return nullptr;
  }
}

const HammingKernels& BestHammingKernels() {
  static const HammingKernels* const best = [] {
    const HammingKernels* chosen = &ScalarHammingKernels();
    for (Isa isa : kAllIsas) {
      if (const HammingKernels* k = HammingKernelsFor(isa)) chosen = k;
    }
    return chosen;
  }();
  return *best;
}

void BlockedDistancesBatch(DistancesFn distances, const uint8_t* queries,
                           size_t m, const uint8_t* codes, size_t n,
                           size_t code_bytes, uint32_t* out,
                           size_t out_stride) {
  const size_t block =
      std::max<size_t>(1, kBlockBytes / std::max<size_t>(code_bytes, 1));
  for (size_t begin = 0; begin < n; begin += block) {
    const size_t count = std::min(block, n - begin);
    for (size_t q = 0; q < m; ++q) {
      distances(queries + q * code_bytes, codes + begin * code_bytes, count,
                code_bytes, out + q * out_stride + begin);
    }
  }
}

}  // namespace semhash
