// Thread-safety annotations: macros over clang's capability attributes
// (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html), so that clang's
// -Wthread-safety checks at compile time that a member is only touched with
// the lock that guards it held, and that a function's lock contract is kept
// by its callers. Under other compilers they expand to nothing.
//
// The locks they name are semhash::Mutex (engine/common/mutex.h) and
// semhash::RwLock (engine/db/rw_lock.h): libstdc++'s std::mutex is not
// annotated, so the analysis cannot see it taken.
//
// Thread safety: compile-time only; no code is generated.
#ifndef SEMHASH_ENGINE_COMMON_THREAD_ANNOTATIONS_H_
#define SEMHASH_ENGINE_COMMON_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define SEMHASH_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SEMHASH_THREAD_ANNOTATION(x)
#endif

// On a class: its objects are locks (the analysis's "capabilities").
#define LOCKABLE SEMHASH_THREAD_ANNOTATION(capability("mutex"))
// On a class: an RAII object that holds a lock from construction to
// destruction.
#define SCOPED_LOCKABLE SEMHASH_THREAD_ANNOTATION(scoped_lockable)

// On a member: read or written only with lock `x` held (reads may hold it
// shared).
#define GUARDED_BY(x) SEMHASH_THREAD_ANNOTATION(guarded_by(x))

// On a function: callers hold the locks named, exclusively or shared.
#define EXCLUSIVE_LOCKS_REQUIRED(...) \
  SEMHASH_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define SHARED_LOCKS_REQUIRED(...) \
  SEMHASH_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// On a function: callers do not hold the locks named (it takes them).
#define LOCKS_EXCLUDED(...) \
  SEMHASH_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// On a function returning a lock: which member it returns, so that callers
// locking the result are known to hold that member.
#define LOCK_RETURNED(x) SEMHASH_THREAD_ANNOTATION(lock_returned(x))

// On the lock's own functions (and scoped locks' constructors and
// destructors): they take or release the lock named (none: `this`).
#define EXCLUSIVE_LOCK_FUNCTION(...) \
  SEMHASH_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define SHARED_LOCK_FUNCTION(...) \
  SEMHASH_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define UNLOCK_FUNCTION(...) \
  SEMHASH_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))

#endif  // SEMHASH_ENGINE_COMMON_THREAD_ANNOTATIONS_H_
