// make_golden_db DIR: writes the golden database (golden_database.h) at
// DIR, which must not exist, in the format version of the code it is built
// with. tests/data/format-v1/ and format-v2/ were made by it (at the
// commits of those versions; v2 at 2692e1d); CTest runs it into the build
// tree so that it keeps working. Run it by hand only to add a golden database
// for a new format version, beside the old ones, never over them.
#include <cstdio>
#include <memory>

#include "semhash/bulk_load.h"
#include "semhash/db.h"
#include "tests/engine/golden_database.h"

namespace semhash::testing {
namespace {

Status Put(DB* db, uint64_t id, const GoldenImage& image) {
  WriteOptions sync;
  sync.sync = true;
  return db->Put(sync, id, image.address, image.code, image.payload);
}

Status MakeGoldenDatabase(const std::string& path) {
  const std::vector<float> x = GoldenVectors(kGoldenTrainingRows, 1);
  std::unique_ptr<Encoder> encoder;
  Status s = TrainEncoder(GoldenEncoderOptions(), kGoldenTrainingRows, x.data(),
                          kGoldenDim, &encoder);
  if (!s.ok()) return s;
  Options create;
  create.create_if_missing = true;
  create.error_if_exists = true;
  create.mih_tables = kGoldenMihTables;
  create.encoder = std::move(encoder);
  std::unique_ptr<DB> db;
  s = DB::Open(create, path, &db);
  for (uint64_t id = 0; s.ok() && id < 200; ++id) {
    s = Put(db.get(), id, GoldenImageFor(id, 1, true));
  }
  db.reset();
  if (s.ok()) s = DB::Open(Options(), path, &db);
  std::unique_ptr<BulkLoader> loader;
  if (s.ok()) s = db->NewBulkLoader(BulkLoadOptions(), &loader);
  for (uint64_t id = 200; s.ok() && id < 400; ++id) {
    const GoldenImage image = GoldenImageFor(id, 1, false);
    s = loader->Add(1, &id, &image.address, image.code.data());
  }
  if (s.ok()) s = loader->Finish();
  for (uint64_t id = 0; s.ok() && id < 400; ++id) {
    WriteOptions sync;
    sync.sync = true;
    if (id % 17 == 0) {
      s = db->Delete(sync, id);
    } else if (id % 23 == 0) {
      s = Put(db.get(), id, GoldenImageFor(id, 2, true));
    }
  }
  return s;
}

}  // namespace
}  // namespace semhash::testing

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const semhash::Status s = semhash::testing::MakeGoldenDatabase(argv[1]);
  if (!s.ok()) {
    std::fprintf(stderr, "make_golden_db: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
