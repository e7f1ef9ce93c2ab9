// The kernel's build id: the linker's --build-id note, which the arch linker
// script brackets with __build_id_start/__build_id_end.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/span.h>

namespace build_id {

// Writes the first `bytes` bytes of the build id as hex into `out` (capacity
// `cap`); "unknown" if the note is missing or malformed.
void format_hex(lib::ByteSpan note, size_t bytes, char* out, size_t cap);

// This kernel's own note.
lib::ByteSpan kernel_note();

}  // namespace build_id
