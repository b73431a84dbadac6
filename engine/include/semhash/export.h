// SEMHASH_EXPORT marks the public API that libsemhash.so exports. The
// library is compiled with hidden visibility (-fvisibility=hidden), so
// everything else in it stays private: consumers cannot bind to internals,
// and the dynamic linker has fewer symbols to resolve.
//
// Thread safety: macros only.
#ifndef SEMHASH_EXPORT_H_
#define SEMHASH_EXPORT_H_

#if defined(__GNUC__) || defined(__clang__)
#define SEMHASH_EXPORT [[gnu::visibility("default")]]
#else
#define SEMHASH_EXPORT
#endif

#endif  // SEMHASH_EXPORT_H_
