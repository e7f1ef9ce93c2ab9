// Whole numbers as mica's command lines and manifests write them: "0x" (or
// "0X") and hexadecimal digits, or decimal digits. Never octal ("010" is
// ten, as GN and the manifests mean it), no sign, no spaces, nothing after
// the digits. Pure code (no system calls): user programs get it from libc,
// host builds from //sysroot:parse_number.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Parses the `length` characters at `text` (which need not end in a NUL)
// as one number no greater than `max`. Returns 0 with *out set; -EINVAL
// when they are not a number (empty, "0x" alone, any other character), or
// -ERANGE when the number exceeds `max` (or 64 bits); *out is then left
// alone.
int mica_parse_number(const char* text, size_t length, uint64_t max, uint64_t* out);

#ifdef __cplusplus
}
#endif
