// <inttypes.h>: printf/strtol helpers for the <stdint.h> types.
#pragma once

#include <stdint.h>

#define PRId8 "d"
#define PRId16 "d"
#define PRId32 "d"
#define PRIi32 "i"
#define PRIu8 "u"
#define PRIu16 "u"
#define PRIu32 "u"
#define PRIx8 "x"
#define PRIx16 "x"
#define PRIx32 "x"
#define PRIX32 "X"
#define PRIo32 "o"
#define PRId64 "lld"
#define PRIi64 "lli"
#define PRIu64 "llu"
#define PRIx64 "llx"
#define PRIX64 "llX"
#define PRIo64 "llo"
#define PRIdPTR "td"
#define PRIuPTR "zu"
#define PRIxPTR "zx"
#define PRIdMAX "jd"
#define PRIuMAX "ju"
#define PRIxMAX "jx"
