// RwLock: a reader-writer lock that lets a waiting writer in before new
// readers. std::shared_mutex on glibc prefers readers, so a steady stream of
// searches (each holding the lock shared for a whole scan) could keep the
// in-memory index's writer out indefinitely. ReadLock and WriteLock hold it
// for a scope; all three carry the annotations of
// engine/common/thread_annotations.h.
//
// Thread safety: it is the synchronisation.
#ifndef SEMHASH_ENGINE_DB_RW_LOCK_H_
#define SEMHASH_ENGINE_DB_RW_LOCK_H_

#include <pthread.h>

#include "engine/common/thread_annotations.h"

namespace semhash {

class LOCKABLE RwLock {
 public:
  RwLock() {
    pthread_rwlockattr_t attributes;
    pthread_rwlockattr_init(&attributes);
    pthread_rwlockattr_setkind_np(&attributes,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attributes);
    pthread_rwlockattr_destroy(&attributes);
  }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;
  ~RwLock() { pthread_rwlock_destroy(&lock_); }

  void Lock() EXCLUSIVE_LOCK_FUNCTION() { pthread_rwlock_wrlock(&lock_); }
  void LockShared() SHARED_LOCK_FUNCTION() { pthread_rwlock_rdlock(&lock_); }
  // Releases it, held exclusively or shared.
  void Unlock() UNLOCK_FUNCTION() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

// Holds `*lock` shared for its lifetime.
class SCOPED_LOCKABLE ReadLock {
 public:
  explicit ReadLock(RwLock* lock) SHARED_LOCK_FUNCTION(lock) : lock_(lock) {
    lock_->LockShared();
  }
  ReadLock(const ReadLock&) = delete;
  ReadLock& operator=(const ReadLock&) = delete;
  ~ReadLock() UNLOCK_FUNCTION() { lock_->Unlock(); }

 private:
  RwLock* const lock_;
};

// Holds `*lock` exclusively for its lifetime.
class SCOPED_LOCKABLE WriteLock {
 public:
  explicit WriteLock(RwLock* lock) EXCLUSIVE_LOCK_FUNCTION(lock) : lock_(lock) {
    lock_->Lock();
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;
  ~WriteLock() UNLOCK_FUNCTION() { lock_->Unlock(); }

 private:
  RwLock* const lock_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_RW_LOCK_H_
