// The run-time half of semhash/version.h.
#include "semhash/version.h"

namespace semhash {

const char* Version() { return SEMHASH_VERSION_STRING; }

uint32_t FormatVersion() { return SEMHASH_FORMAT_VERSION; }

}  // namespace semhash
