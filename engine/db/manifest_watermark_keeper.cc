// ManifestWatermarkKeeper (see manifest_watermark_keeper.h).
#include "engine/db/manifest_watermark_keeper.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <vector>

namespace semhash {

void ManifestWatermarkKeeper::Record(rocksdb::DB* db) {
  std::vector<std::string> files;
  uint64_t synced_bytes = 0;
  if (!db->GetLiveFiles(files, &synced_bytes, /*flush_memtable=*/false).ok()) {
    return;
  }
  format::ManifestWatermark mark;
  mark.synced_bytes = synced_bytes;
  for (const std::string& file : files) {
    constexpr size_t kPrefix = sizeof("/MANIFEST-") - 1;
    if (file.rfind("/MANIFEST-", 0) == 0) {
      std::from_chars(file.data() + kPrefix, file.data() + file.size(),
                      mark.manifest_number);
    }
  }
  MutexLock lock(&mu_);
  if (mark.manifest_number < last_.manifest_number ||
      (mark.manifest_number == last_.manifest_number &&
       mark.synced_bytes <= last_.synced_bytes)) {
    return;
  }
  const std::string path = dir_ + "/" + format::kManifestWatermarkFile;
  const std::string staged = path + ".tmp";
  {
    std::ofstream out(staged, std::ios::binary | std::ios::trunc);
    out << format::EncodeManifestWatermark(mark);
    // A watermark that cannot be written (a full disk) is skipped on
    // purpose: the old one stays, lower, and checks less.
    if (!out.flush()) return;
  }
  if (std::rename(staged.c_str(), path.c_str()) == 0) last_ = mark;
}

}  // namespace semhash
