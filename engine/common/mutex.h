// Mutex and MutexLock: std::mutex with the thread-safety annotations of
// engine/common/thread_annotations.h, so that clang's -Wthread-safety can
// check the members it guards (libstdc++ does not annotate std::mutex).
//
// Thread safety: it is the synchronisation.
#ifndef SEMHASH_ENGINE_COMMON_MUTEX_H_
#define SEMHASH_ENGINE_COMMON_MUTEX_H_

#include <mutex>

#include "engine/common/thread_annotations.h"

namespace semhash {

class LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// Holds `*mu` for its lifetime.
class SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;
  ~MutexLock() UNLOCK_FUNCTION() { mu_->Unlock(); }

 private:
  Mutex* const mu_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_COMMON_MUTEX_H_
