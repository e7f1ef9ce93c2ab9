// The user-space ELF loader: parses a static executable (ELF32 for i386,
// ELF64 for x86_64 and AArch64) from a buffer, validates it, and loads its
// segments through callbacks, so the same code fills another process
// (mica_spawn, through MICA_SYS_VM_ALLOCATE/VM_WRITE on its handle) and runs
// in host unit tests. C-compatible; no allocation.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <mica/syscall.h>

#ifdef __cplusplus
extern "C" {
#endif

// Why an ELF was rejected: each check has its own code.
enum mica_elf_error {
  MICA_ELF_OK = 0,
  MICA_ELF_TRUNCATED,             // shorter than the ELF header or the program header table
  MICA_ELF_BAD_MAGIC,             // not \x7fELF
  MICA_ELF_BAD_CLASS,             // ELF32/ELF64 does not match the machine
  MICA_ELF_BAD_ENCODING,          // not little-endian
  MICA_ELF_BAD_VERSION,           // e_ident[EI_VERSION] or e_version is not 1
  MICA_ELF_BAD_TYPE,              // not ET_EXEC
  MICA_ELF_BAD_MACHINE,           // not the expected machine
  MICA_ELF_BAD_HEADER_SIZE,       // e_ehsize or e_phentsize wrong for the class
  MICA_ELF_NOT_STATIC,            // has PT_INTERP or PT_DYNAMIC
  MICA_ELF_NO_SEGMENTS,           // no PT_LOAD
  MICA_ELF_TOO_MANY_SEGMENTS,     // more than MICA_ELF_MAX_SEGMENTS PT_LOADs
  MICA_ELF_SEGMENT_OUTSIDE_FILE,  // p_offset + p_filesz past the end of the buffer
  MICA_ELF_SEGMENT_FILESZ,        // p_filesz > p_memsz
  MICA_ELF_SEGMENT_OVERFLOW,      // p_vaddr + p_memsz (page-rounded) wraps around
  MICA_ELF_SEGMENT_OUT_OF_RANGE,  // outside user space [MICA_PAGE_SIZE, user_limit)
  MICA_ELF_SEGMENT_MISALIGNED,    // p_vaddr and p_offset differ modulo the page size
  MICA_ELF_SEGMENT_OVERLAP,       // two PT_LOADs share a page
  MICA_ELF_BAD_ENTRY,             // entry point not inside an executable segment
  MICA_ELF_MAP_FAILED,            // the map callback failed
  MICA_ELF_WRITE_FAILED,          // the write callback failed
  MICA_ELF_ERROR_COUNT,
};

// "truncated", "bad magic", ...: never NULL.
const char* mica_elf_error_name(enum mica_elf_error error);

#define MICA_ELF_MACHINE_I386 3
#define MICA_ELF_MACHINE_X86_64 62
#define MICA_ELF_MACHINE_AARCH64 183

// The build's own machine and the top of its user space (see kUserTop in
// kernel/arch/include/arch/contract.h).
#if defined(__x86_64__)
#define MICA_ELF_MACHINE_NATIVE MICA_ELF_MACHINE_X86_64
#define MICA_USER_LIMIT 0x0000800000000000ull
#elif defined(__i386__)
#define MICA_ELF_MACHINE_NATIVE MICA_ELF_MACHINE_I386
#define MICA_USER_LIMIT 0xc0000000ull
#elif defined(__aarch64__)
#define MICA_ELF_MACHINE_NATIVE MICA_ELF_MACHINE_AARCH64
#define MICA_USER_LIMIT 0x0001000000000000ull
#endif

#define MICA_ELF_MAX_SEGMENTS 16

struct mica_elf_segment {
  uint64_t address;      // p_vaddr
  uint64_t memory_size;  // p_memsz
  uint64_t file_offset;  // p_offset
  uint64_t file_size;    // p_filesz
  uint32_t prot;         // MICA_PROT_* from p_flags
};

// A validated executable.
struct mica_elf_image {
  uint16_t machine;
  uint64_t entry;
  uint32_t segment_count;
  struct mica_elf_segment segments[MICA_ELF_MAX_SEGMENTS];
  uint64_t low;   // lowest mapped page
  uint64_t high;  // end of the highest mapped page
};

// Checks `data` (`size` bytes) is a static executable for `machine`
// (MICA_ELF_MACHINE_*) whose segments lie below `user_limit`, and
// describes it in *image.
enum mica_elf_error mica_elf_parse(const void* data, size_t size, uint16_t machine,
                                   uint64_t user_limit, struct mica_elf_image* image);

// Where a loaded image goes. Each callback returns 0, or a negated status.
struct mica_elf_loader_ops {
  // Maps fresh zeroed memory: `address` and `size` page-aligned,
  // `prot` the segment's final MICA_PROT_* bits.
  int (*map)(void* context, uint64_t address, uint64_t size, uint32_t prot);
  // Copies bytes into mapped memory, whatever its protection.
  int (*write)(void* context, uint64_t address, const void* bytes, size_t size);
  void* context;
};

// Loads a parsed image: maps each segment's pages, then writes its file
// bytes (the rest stays zero: .bss). `data`/`size` as given to parse.
// On a callback failure returns MAP_FAILED/WRITE_FAILED with *status (if
// not NULL) set to the callback's status.
enum mica_elf_error mica_elf_load(const void* data, size_t size, const struct mica_elf_image* image,
                                  const struct mica_elf_loader_ops* ops, int* status);

// ---- Starting a program in a new process ----

#define MICA_SPAWN_STACK_SIZE (256u * 1024u)

// Creates a process named after argv[0] (MICA_SYS_PROCESS_CREATE), loads
// the native ELF `elf`/`size` into it, maps a MICA_SPAWN_STACK_SIZE stack
// with an inaccessible guard page below it, writes argv and envp (both
// NULL-terminated; either may be NULL) and a struct mica_startup onto it,
// and starts the first thread at the entry with arg0 = the block's address.
// handles[i] (at most MICA_STARTUP_MAX_HANDLES) move into the child
// (MICA_SYS_HANDLE_GRANT: they leave the caller's table, also on failure
// once moved) and its startup block lists them under tags[i].
// Returns 0 and the process handle in *process, or a negated status:
// -ENOEXEC for a bad ELF (*elf_error, if not NULL, says why), -E2BIG when
// the arguments do not fit the stack, -EINVAL for too many handles, or the
// failing system call's status. On failure the process is killed and its
// handle closed.
int mica_spawn(const void* elf, size_t size, char* const argv[], char* const envp[],
               const mica_handle_t handles[], const uint32_t tags[], size_t count,
               mica_handle_t* process, enum mica_elf_error* elf_error);

// The same, calling prepare(context, process) once the process exists and
// before its thread starts (to register it, give it descriptors, ...); a
// negative result fails the spawn with it. prepare may be NULL.
int mica_spawn_prepared(const void* elf, size_t size, char* const argv[], char* const envp[],
                        const mica_handle_t handles[], const uint32_t tags[], size_t count,
                        int (*prepare)(void* context, mica_handle_t process), void* context,
                        mica_handle_t* process, enum mica_elf_error* elf_error);

#ifdef __cplusplus
}
#endif
