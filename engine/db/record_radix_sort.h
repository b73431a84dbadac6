// RadixSortRecords: a stable sort of fixed-size records by the u64 key that
// starts each record (little-endian), for the bulk loader's sort buffers.
//
// Least-significant-digit radix sort, 8 bits a pass, on two threads (each
// scatters half of the records). Digits in which every key agrees (the high
// bytes of small ids or addresses) are skipped. Linear in the data and
// sequential in memory, unlike a comparison sort of record indexes whose
// payloads must then be gathered from random places.
#ifndef SEMHASH_ENGINE_DB_RECORD_RADIX_SORT_H_
#define SEMHASH_ENGINE_DB_RECORD_RADIX_SORT_H_

#include <cstddef>
#include <cstdint>

namespace semhash {

// Sorts n records of record_bytes bytes (record_bytes >= 8) stably by key,
// using `scratch` (room for n records). Returns `records` or `scratch`,
// whichever holds the sorted records at the end.
uint8_t* RadixSortRecords(uint8_t* records, uint8_t* scratch, size_t n,
                          size_t record_bytes);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_RECORD_RADIX_SORT_H_
