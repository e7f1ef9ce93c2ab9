// Force-included (-include) into libc sources compiled for the host unit
// tests: gives every public libc function a mica_host_ name, so the test
// binary links them beside the host's own C library. The tests declare
// them in host_libc.h.
// (Also included into the x86_64 setjmp assembly: only #defines here.)
#pragma once

#define memcpy mica_host_memcpy
#define memmove mica_host_memmove
#define memset mica_host_memset
#define memcmp mica_host_memcmp
#define bcmp mica_host_bcmp
#define memchr mica_host_memchr
#define memrchr mica_host_memrchr
#define strlen mica_host_strlen
#define strnlen mica_host_strnlen
#define strcmp mica_host_strcmp
#define strncmp mica_host_strncmp
#define strcoll mica_host_strcoll
#define strcasecmp mica_host_strcasecmp
#define strncasecmp mica_host_strncasecmp
#define strcpy mica_host_strcpy
#define stpcpy mica_host_stpcpy
#define strncpy mica_host_strncpy
#define strlcpy mica_host_strlcpy
#define strlcat mica_host_strlcat
#define strcat mica_host_strcat
#define strncat mica_host_strncat
#define strchr mica_host_strchr
#define strrchr mica_host_strrchr
#define strstr mica_host_strstr
#define strspn mica_host_strspn
#define strcspn mica_host_strcspn
#define strpbrk mica_host_strpbrk
#define strtok_r mica_host_strtok_r
#define strtok mica_host_strtok
#define strdup mica_host_strdup
#define strndup mica_host_strndup
#define isalnum mica_host_isalnum
#define isalpha mica_host_isalpha
#define isblank mica_host_isblank
#define iscntrl mica_host_iscntrl
#define isdigit mica_host_isdigit
#define isgraph mica_host_isgraph
#define islower mica_host_islower
#define isprint mica_host_isprint
#define ispunct mica_host_ispunct
#define isspace mica_host_isspace
#define isupper mica_host_isupper
#define isxdigit mica_host_isxdigit
#define tolower mica_host_tolower
#define toupper mica_host_toupper
#define strtol mica_host_strtol
#define strtoll mica_host_strtoll
#define strtoul mica_host_strtoul
#define strtoull mica_host_strtoull
#define atoi mica_host_atoi
#define atol mica_host_atol
#define atoll mica_host_atoll
#define qsort mica_host_qsort
#define bsearch mica_host_bsearch
#define malloc mica_host_malloc
#define free mica_host_free
#define calloc mica_host_calloc
#define realloc mica_host_realloc
#define aligned_alloc mica_host_aligned_alloc
#define posix_memalign mica_host_posix_memalign
#define setjmp mica_host_setjmp
#define longjmp mica_host_longjmp
#define vsnprintf mica_host_vsnprintf
#define snprintf mica_host_snprintf
#define vsprintf mica_host_vsprintf
#define sprintf mica_host_sprintf
