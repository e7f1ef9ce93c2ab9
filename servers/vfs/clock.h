// The time stamps the file systems record: nanoseconds since boot (mica has
// no wall clock yet). Provided by the program the file systems run in.
#pragma once

#include <stdint.h>

namespace vfs {

uint64_t now_ns();

}  // namespace vfs
