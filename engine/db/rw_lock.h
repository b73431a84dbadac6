// RwLock: a reader-writer lock that lets a waiting writer in before new
// readers. std::shared_mutex on glibc prefers readers, so a steady stream of
// searches (each holding the lock shared for a whole scan) could keep the
// in-memory index's writer out indefinitely. Usable with std::shared_lock
// and std::unique_lock.
//
// Thread safety: it is the synchronisation.
#ifndef SEMHASH_ENGINE_DB_RW_LOCK_H_
#define SEMHASH_ENGINE_DB_RW_LOCK_H_

#include <pthread.h>

namespace semhash {

class RwLock {
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

  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace semhash

#endif  // SEMHASH_ENGINE_DB_RW_LOCK_H_
