// The start-up block a process was started with (struct mica_startup in
// <mica/syscall.h>), as crt0 found it.
#pragma once

#include <mica/syscall.h>

#ifdef __cplusplus
extern "C" {
#endif

// The block crt0 received in arg0, or NULL if there was none (or its magic
// was wrong). Valid for the life of the process. Also spelled
// mica_startup(): a function-like macro, so that in C++ the bare name
// still means the struct when not called.
const struct mica_startup* mica_startup_block(void);
#define mica_startup() mica_startup_block()

// The first handle the process was started with under `tag`
// (MICA_STARTUP_*), or MICA_HANDLE_INVALID.
mica_handle_t mica_startup_handle(uint32_t tag);

#ifdef __cplusplus
}
#endif
