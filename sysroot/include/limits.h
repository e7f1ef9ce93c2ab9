// <limits.h>: the compiler's, plus the POSIX limits.
#pragma once

#include_next <limits.h>

#define PATH_MAX 4096
#define NAME_MAX 255
#define PIPE_BUF 4096
#ifndef SSIZE_MAX
#define SSIZE_MAX __INTPTR_MAX__
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE 4096
#endif
